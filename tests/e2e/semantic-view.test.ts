// `convert --semantic-view` and `monitor --semantic-view` as users run them (issue 16): the built
// CLI on the semantic-view fixture, against the Snowflake stand-in (which checks CREATE SEMANTIC
// VIEW against Snowflake's documented grammar and records it) and against the embedded DuckDB file.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planSemanticView, type SemanticViewPlan } from '../../src/core/semantic-view/plan.js';
import type { TomDataType } from '../../src/core/schema/model.js';
import { startFabricEmulator, type FabricEmulator } from '../support/fabric-emulator/index.js';
import { runCli } from '../support/run-cli.js';
import { loadSvFixture, SV_FIXTURE_MODEL } from '../support/semantic-view-fixture.js';
import { startSnowflakeStandIn, type SnowflakeStandIn } from '../support/snowflake-standin/index.js';
import { STANDIN_PASSWORD, STANDIN_USER, TOKEN, monitorEnv } from './monitor-harness.js';

const VIEW_DB = 'SALES_DW';
const VIEW_SCHEMA = 'SEMANTIC';
const VIEW = 'Sales Analytics on Snowflake_semantic_view';
const CONFIG = { semanticView: { database: VIEW_DB, schema: VIEW_SCHEMA } };

const SNOWFLAKE_TYPES: Record<TomDataType, string> = {
  int64: 'BIGINT', double: 'DOUBLE', decimal: 'DECIMAL(19,4)', string: 'VARCHAR', dateTime: 'TIMESTAMP', boolean: 'BOOLEAN',
  binary: 'BLOB', variant: 'VARCHAR', unknown: 'VARCHAR', automatic: 'VARCHAR',
};
const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** The base tables the fixture's view reads, created in the stand-in's database (as a Snowflake account would hold them). */
async function createBaseTables(standIn: SnowflakeStandIn, plan: SemanticViewPlan): Promise<void> {
  await standIn.query(`ATTACH ':memory:' AS ${VIEW_DB}`);
  await standIn.query(`CREATE SCHEMA IF NOT EXISTS ${VIEW_DB}.${VIEW_SCHEMA}`);
  for (const t of plan.tables.filter((x) => x.included)) {
    const cols = new Map<string, string>();
    for (const c of [...plan.facts, ...plan.dimensions].filter((x) => x.table === t.name)) cols.set(c.sourceColumn, SNOWFLAKE_TYPES[c.dataType]);
    const [db, schema, name] = t.source!.split('.').map((p) => p.replace(/^"|"$/g, '').replaceAll('""', '"'));
    await standIn.query(`CREATE SCHEMA IF NOT EXISTS ${q(db!)}.${q(schema!)}`);
    await standIn.query(`CREATE OR REPLACE TABLE ${q(db!)}.${q(schema!)}.${q(name!)} (${[...cols].map(([c, type]) => `${q(c)} ${type}`).join(', ')})`);
  }
}

function workdir(prefix: string): string {
  const cwd = mkdtempSync(path.join(tmpdir(), prefix));
  writeFileSync(path.join(cwd, 'fabric-sync.config.json'), JSON.stringify(CONFIG));
  return cwd;
}

function snowflakeEnv(standIn: SnowflakeStandIn): Record<string, string> {
  return {
    SNOWFLAKE_ACCOUNT: standIn.account,
    SNOWFLAKE_ACCESS_URL: standIn.url,
    SNOWFLAKE_USER: STANDIN_USER,
    SNOWFLAKE_PASSWORD: STANDIN_PASSWORD,
    SNOWFLAKE_DATABASE: 'FABRIC_DB',
    SNOWFLAKE_SCHEMA: 'METADATA',
    SNOWFLAKE_WAREHOUSE: 'WH',
    SF_TELEMETRY_DISABLE_CONNECTION_SHAPE: '1',
  };
}

const viewFiles = (cwd: string): string[] => (existsSync(path.join(cwd, 'push-definitions')) ? readdirSync(path.join(cwd, 'push-definitions')).filter((f) => f.endsWith('_semantic_view.sql')) : []);

let standIn: SnowflakeStandIn;
let plan: SemanticViewPlan;
const gradeCount = (grade: string): number => plan.metrics.filter((m) => m.grade === grade).length;

beforeAll(async () => {
  standIn = await startSnowflakeStandIn({ users: { [STANDIN_USER]: STANDIN_PASSWORD } });
  plan = await planSemanticView(await loadSvFixture(), { database: VIEW_DB, schema: VIEW_SCHEMA });
  await createBaseTables(standIn, plan);
});
afterAll(async () => standIn.close());

describe('convert --semantic-view on Snowflake', () => {
  const cwd = workdir('fs-sv-sf-');

  it('creates the view, writes the file, the lineage rows and the measures\' grades', async () => {
    const from = standIn.statements.length;
    const r = await runCli(['convert', '--source', SV_FIXTURE_MODEL, '--semantic-view', '--no-push', '--json'], { cwd, env: snowflakeEnv(standIn) });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    const model = doc.models[0];
    const sv = model.semanticView;
    // The view, as the stand-in's checker accepted and recorded it.
    const stored = standIn.semanticViews.get(VIEW_DB, VIEW_SCHEMA, VIEW)!;
    expect(stored).toBeDefined();
    expect(stored.ddl).toBe(plan.ddl);
    expect(sv).toMatchObject({ ddl: plan.ddl, executed: true, view: plan.viewName });
    // The file beside the push definition, keyed like it.
    const [file] = viewFiles(cwd);
    expect(file).toMatch(/^Sales Analytics on Snowflake\.[0-9a-f]{12}_semantic_view\.sql$/);
    expect(readFileSync(path.join(cwd, 'push-definitions', file!), 'utf8')).toBe(`${plan.ddl};\n`);
    expect(path.resolve(cwd, sv.file)).toBe(path.join(cwd, 'push-definitions', file!));
    // --json: tables with source and reason, metrics with grade, sql and reason.
    expect(sv.tables).toEqual(plan.tables.map((t) => ({ name: t.name, source: t.source, reason: t.reason })));
    expect(sv.metrics.map((m: { name: string; grade: string }) => [m.name, m.grade])).toEqual(plan.metrics.map((m) => [m.measure, m.grade]));
    expect(sv.metrics.find((m: { name: string }) => m.name === 'Total Sales')).toEqual({ name: 'Total Sales', table: 'Sales', metric: 'TOTAL_SALES', grade: 'exact', sql: 'SUM(SALES.AMOUNT)', reason: null });
    expect(sv.grants[0]).toBe(`CREATE SEMANTIC VIEW ON SCHEMA ${VIEW_DB}.${VIEW_SCHEMA}`);
    expect(sv.grants).toContain('SELECT ON SALES_DW.MART.FCT_SALES');
    // The warehouse rows, written in the model transaction.
    const lineage = await standIn.query(`SELECT TABLE_NAME, COLUMN_NAME, SOURCE_OBJECT, CONFIDENCE FROM FABRIC_DB.METADATA._SEMANTIC_LINEAGE WHERE COLUMN_NAME = '' ORDER BY TABLE_NAME`);
    expect(lineage.map((x) => x.TABLE_NAME)).toEqual(plan.tables.map((t) => t.name).sort());
    expect(lineage.find((x) => x.TABLE_NAME === 'Sales')).toMatchObject({ SOURCE_OBJECT: 'FCT_SALES', CONFIDENCE: 'exact' });
    const grades = await standIn.query(`SELECT TRANSLATION_GRADE AS G, COUNT(*) AS N FROM FABRIC_DB.METADATA._SEMANTIC_MEASURES GROUP BY 1 ORDER BY 1`);
    const expected = ['approximate', 'exact', 'untranslated'].map((g) => ({ G: g, N: gradeCount(g) }));
    expect(grades).toEqual(expected);
    const total = await standIn.query(`SELECT SQL_EXPRESSION FROM FABRIC_DB.METADATA._SEMANTIC_MEASURES WHERE MEASURE_NAME = 'Total Sales'`);
    expect(total).toEqual([{ SQL_EXPRESSION: 'SUM(SALES.AMOUNT)' }]);
    // The model transaction: 14 statements, + MERGE and DELETE of _SEMANTIC_LINEAGE.
    const sent = standIn.statements.slice(from).map((s) => s.sqlText);
    const begin = sent.indexOf('BEGIN');
    expect(sent.indexOf('COMMIT') - begin + 1).toBe(16);
  });

  it('a second run on installed tables: 3 session statements, the view, and the 16 of the model transaction', async () => {
    const from = standIn.statements.length;
    const r = await runCli(['convert', '--source', SV_FIXTURE_MODEL, '--semantic-view', '--no-push'], { cwd, env: snowflakeEnv(standIn) });
    expect(r.code, r.stderr).toBe(0);
    const sent = standIn.statements.slice(from).map((s) => s.sqlText);
    expect(sent.filter((x) => x.startsWith('CREATE OR REPLACE SEMANTIC VIEW'))).toHaveLength(1);
    expect(sent, sent.join('\n')).toHaveLength(20);
  });

  it('a view Snowflake refuses fails the model with the grants it needs; the warehouse rows are still written', async () => {
    const cwd2 = workdir('fs-sv-deny-');
    standIn.failAt({ match: /^CREATE OR REPLACE SEMANTIC VIEW/, code: '003001', message: 'SQL access control error:\nInsufficient privileges to operate on schema \'SEMANTIC\'' });
    const renamed = await runCli(['convert', '--source', SV_FIXTURE_MODEL, '--dataset-name', 'Denied Sales', '--semantic-view', '--no-push'], { cwd: cwd2, env: snowflakeEnv(standIn) });
    standIn.clearFaults();
    expect(renamed.code).toBe(3);
    expect(renamed.stderr).toMatch(/Could not create semantic view .*Denied Sales_semantic_view/);
    expect(renamed.stderr).toContain(`CREATE SEMANTIC VIEW ON SCHEMA ${VIEW_DB}.${VIEW_SCHEMA}`);
    expect(standIn.semanticViews.get(VIEW_DB, VIEW_SCHEMA, 'Denied Sales_semantic_view')).toBeUndefined();
    const rows = await standIn.query(`SELECT m.MODEL_ID FROM FABRIC_DB.METADATA._SEMANTIC_METADATA m WHERE m.SOURCE_MODEL_NAME = 'Denied Sales'`);
    expect(rows).toHaveLength(1);
    const lineage = await standIn.query(`SELECT COUNT(*) AS N FROM FABRIC_DB.METADATA._SEMANTIC_LINEAGE WHERE MODEL_ID = '${String(rows[0]!.MODEL_ID)}'`);
    expect(Number(lineage[0]!.N)).toBeGreaterThan(0);
  });

  it('--json of a refused view still shows the view that would have been created, next to the error', async () => {
    const cwd = workdir('fs-sv-deny-json-');
    standIn.failAt({ match: /^CREATE OR REPLACE SEMANTIC VIEW/, code: '003001', message: 'SQL access control error:\nInsufficient privileges to operate on schema \'SEMANTIC\'' });
    const r = await runCli(['convert', '--source', SV_FIXTURE_MODEL, '--semantic-view', '--no-push', '--json'], { cwd, env: snowflakeEnv(standIn) });
    standIn.clearFaults();
    expect(r.code).toBe(3);
    const out = JSON.parse(r.stdout);
    expect(out.message).toMatch(/Could not create semantic view/);
    expect(out.semanticView).toMatchObject({ executed: false, ddl: plan.ddl, note: expect.stringMatching(/Could not create semantic view/) });
    expect(out.semanticView.tables).toHaveLength(plan.tables.length);
    expect(out.semanticView.metrics).toHaveLength(plan.metrics.length);
    expect(out.semanticView.grants).toContain(`CREATE SEMANTIC VIEW ON SCHEMA ${VIEW_DB}.${VIEW_SCHEMA}`);
  });
});

describe('convert --semantic-view on DuckDB', () => {
  it('writes the file and the rows, and does not execute the view', async () => {
    const cwd = workdir('fs-sv-duck-');
    const r = await runCli(['convert', '--source', SV_FIXTURE_MODEL, '--semantic-view', '--no-push', '--json'], { cwd, env: { FABRIC_SYNC_TARGET: 'duckdb' } });
    expect(r.code, r.stderr).toBe(0);
    const sv = JSON.parse(r.stdout).models[0].semanticView;
    expect(sv).toMatchObject({ executed: false, ddl: plan.ddl, note: expect.stringMatching(/DuckDB has no semantic views/) });
    expect(readFileSync(path.resolve(cwd, sv.file), 'utf8')).toBe(`${plan.ddl};\n`);
    const human = await runCli(['convert', '--source', SV_FIXTURE_MODEL, '--semantic-view', '--no-push'], { cwd, env: { FABRIC_SYNC_TARGET: 'duckdb' } });
    expect(human.stdout).toContain(`view ${VIEW}: ${plan.metrics.filter((m) => m.included).length} metrics of ${plan.metrics.length} measures (${gradeCount('approximate')} approximate, ${gradeCount('untranslated')} not translated), file only`);
    const { openDuckDb } = await import('../../src/core/warehouse/duckdb.js');
    const db = await openDuckDb({ path: path.join(cwd, '.fabric-sync/metadata.duckdb') });
    try {
      const lineage = await db.execute(`SELECT COUNT(*) AS "N" FROM "_SEMANTIC_LINEAGE" WHERE "COLUMN_NAME" = ''`);
      expect(Number(lineage.rows[0]!.N)).toBe(plan.tables.length);
      const graded = await db.execute(`SELECT "TRANSLATION_GRADE" AS "G", "SQL_EXPRESSION" AS "S" FROM "_SEMANTIC_MEASURES" WHERE "MEASURE_NAME" = 'Total Sales'`);
      expect(graded.rows).toEqual([{ G: 'exact', S: 'SUM(SALES.AMOUNT)' }]);
    } finally {
      await db.close();
    }
  });

  it('--dry-run prints the DDL and writes nothing', async () => {
    const cwd = workdir('fs-sv-dry-');
    const r = await runCli(['convert', '--source', SV_FIXTURE_MODEL, '--semantic-view', '--dry-run'], { cwd, env: { FABRIC_SYNC_TARGET: 'duckdb' } });
    expect(r.code, r.stderr).toBe(0);
    for (const line of plan.ddl!.split('\n')) expect(r.stdout).toContain(line);
    expect(existsSync(path.join(cwd, 'push-definitions'))).toBe(false);
    expect(existsSync(path.join(cwd, '.fabric-sync'))).toBe(false);
  });

  it('without --semantic-view, nothing of the view is planned or written', async () => {
    const cwd = workdir('fs-sv-off-');
    const r = await runCli(['convert', '--source', SV_FIXTURE_MODEL, '--no-push', '--json'], { cwd, env: { FABRIC_SYNC_TARGET: 'duckdb' } });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).models[0].semanticView).toEqual({ skipped: expect.stringMatching(/not enabled/) });
    expect(viewFiles(cwd)).toEqual([]);
  });
});

describe('monitor --semantic-view', () => {
  let emu: FabricEmulator;
  beforeAll(async () => {
    emu = await startFabricEmulator({ acceptTokens: [TOKEN], lroPolls: 1, lroRetryAfter: 0 });
  });
  afterAll(async () => {
    expect(emu.violations).toEqual([]);
    await emu.close();
  });

  it('turning the view on publishes models already synced and unchanged; the next identical run is up to date', async () => {
    const ws = emu.addWorkspace({ name: 'View turned on' });
    emu.addModel(ws, { name: 'Settled Sales', path: SV_FIXTURE_MODEL });
    const cwd = workdir('fs-sv-on-');
    const env = monitorEnv(emu, [ws], standIn);
    const name = 'Settled Sales_semantic_view';
    const without = await runCli(['convert', '--auto', '--json'], { cwd, env });
    expect(without.code, without.stderr).toBe(0);
    expect(JSON.parse(without.stdout).synced).toBe(1);
    expect(standIn.semanticViews.get(VIEW_DB, VIEW_SCHEMA, name)).toBeUndefined();

    const on = await runCli(['convert', '--auto', '--semantic-view', '--json'], { cwd, env });
    expect(on.code, on.stderr).toBe(0);
    expect(JSON.parse(on.stdout)).toMatchObject({ synced: 1, unchanged: 0 });
    expect(standIn.semanticViews.get(VIEW_DB, VIEW_SCHEMA, name)?.ddl).toContain('SUM(SALES.AMOUNT)');
    expect(viewFiles(cwd).filter((f) => f.startsWith('Settled Sales'))).toHaveLength(1);

    const again = await runCli(['convert', '--auto', '--semantic-view', '--json'], { cwd, env });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ synced: 0, unchanged: 1 });
  });

  it('convert --auto --json: a model whose view is refused lists its view next to its error', async () => {
    const ws = emu.addWorkspace({ name: 'View refused' });
    emu.addModel(ws, { name: 'Refused Sales', path: SV_FIXTURE_MODEL });
    const cwd = workdir('fs-sv-auto-deny-');
    standIn.failAt({ match: /^CREATE OR REPLACE SEMANTIC VIEW/, code: '003001', message: 'SQL access control error:\nInsufficient privileges to operate on schema \'SEMANTIC\'' });
    const r = await runCli(['convert', '--auto', '--semantic-view', '--json'], { cwd, env: monitorEnv(emu, [ws], standIn) });
    standIn.clearFaults();
    const [model] = JSON.parse(r.stdout).models;
    expect(model).toMatchObject({ status: 'failed', error: { message: expect.stringMatching(/Could not create semantic view/) } });
    expect(model.semanticView).toMatchObject({ executed: false, name: 'Refused Sales_semantic_view', ddl: expect.stringContaining('SUM(SALES.AMOUNT)') });
    expect(model.semanticView.metrics).toHaveLength(plan.metrics.length);
  });

  it('two models of one name: the second is failed naming both, the first keeps its view', async () => {
    const ws1 = emu.addWorkspace({ name: 'Twin names 1' });
    const ws2 = emu.addWorkspace({ name: 'Twin names 2' });
    const a = emu.addModel(ws1, { name: 'Same Sales', path: SV_FIXTURE_MODEL });
    const b = emu.addModel(ws2, { name: 'Same Sales', path: SV_FIXTURE_MODEL });
    const cwd = workdir('fs-sv-same-');
    const r = await runCli(['convert', '--auto', '--semantic-view', '--json'], { cwd, env: monitorEnv(emu, [ws1, ws2], standIn) });
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ synced: 1, failed: 1 });
    const failed = out.models.find((m: { status: string }) => m.status === 'failed');
    expect(failed.error.message).toContain(a);
    expect(failed.error.message).toContain(b);
    expect(failed.error.hint).toMatch(/semanticView\.schema/);
    expect(standIn.semanticViews.get(VIEW_DB, VIEW_SCHEMA, 'Same Sales_semantic_view')).toBeDefined();
  });

  it('republishes the view when a measure changes', async () => {
    const ws = emu.addWorkspace({ name: 'Semantic view' });
    const id = emu.addModel(ws, { name: 'Monitored Sales', path: SV_FIXTURE_MODEL });
    const cwd = workdir('fs-sv-monitor-');
    const env = monitorEnv(emu, [ws], standIn);
    const name = 'Monitored Sales_semantic_view';
    const first = await runCli(['monitor', '--once', '--semantic-view'], { cwd, env });
    expect(first.code, first.stderr).toBe(0);
    const created = standIn.semanticViews.get(VIEW_DB, VIEW_SCHEMA, name)!;
    expect(created.ddl).toContain('SUM(SALES.AMOUNT)');

    emu.updateModelPart(id, 'definition/tables/Sales.tmdl', (t) => t.replace("measure 'Total Sales' = SUM(Sales[Amount])", "measure 'Total Sales' = SUM(Sales[Quantity])"));
    const second = await runCli(['monitor', '--once', '--semantic-view'], { cwd, env });
    expect(second.code, second.stderr).toBe(0);
    const replaced = standIn.semanticViews.get(VIEW_DB, VIEW_SCHEMA, name)!;
    expect(replaced.ddl).not.toBe(created.ddl);
    expect(replaced.ddl).toContain('TOTAL_SALES AS SUM(SALES.QUANTITY)');
    const sql = await standIn.query(`SELECT SQL_EXPRESSION FROM FABRIC_DB.METADATA._SEMANTIC_MEASURES WHERE MODEL_ID = '${id}' AND MEASURE_NAME = 'Total Sales'`);
    expect(sql).toEqual([{ SQL_EXPRESSION: 'SUM(SALES.QUANTITY)' }]);

    // Deleted in Fabric: with --prune the view goes too.
    emu.removeModel(id);
    const third = await runCli(['monitor', '--once', '--semantic-view', '--prune'], { cwd, env });
    expect(third.code, third.stderr).toBe(0);
    expect(standIn.semanticViews.get(VIEW_DB, VIEW_SCHEMA, name)).toBeUndefined();
  });
});
