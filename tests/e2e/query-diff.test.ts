// `fabric-sync query` and `fabric-sync diff` as users run them (issue 14 items 6 and 7): the built
// CLI on the DuckDB file a `convert --source` wrote, and on the Snowflake stand-in.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthetic } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';
import { startSnowflakeStandIn, type SnowflakeStandIn } from '../support/snowflake-standin/index.js';

interface Bim {
  model: { tables: Array<{ name: string; columns: Array<Record<string, unknown>>; measures?: Array<{ name: string; expression: string | string[] }> }>; relationships: Array<Record<string, unknown>> };
}

const original = (): Bim => JSON.parse(readFileSync(path.join(synthetic.retailBim, 'Retail.bim'), 'utf8'));

/** The second version: one measure rewritten, one column added, one table removed, one relationship changed. */
function changed(): Bim {
  const d = original();
  const sales = d.model.tables.find((t) => t.name === 'Sales')!;
  sales.measures!.find((m) => m.name === 'Margin')!.expression = 'VAR revenue = [Sales Amount]\n\nVAR cost = [Total Cost] * 1.1\nRETURN revenue - cost';
  sales.columns.push({ name: 'Channel', dataType: 'string', sourceColumn: 'Channel' });
  d.model.tables = d.model.tables.filter((t) => t.name !== 'Top Stores');
  d.model.relationships[0]!.crossFilteringBehavior = 'bothDirections';
  return d;
}

/** Converts two versions of one model (same path, so the same model id) with the given environment. */
async function syncTwoVersions(cwd: string, env: Record<string, string>): Promise<{ first: string; second: string }> {
  const file = path.join(cwd, 'Retail.bim');
  writeFileSync(file, JSON.stringify(original()));
  const a = await runCli(['convert', '--source', file, '--no-push', '--json'], { cwd, env });
  expect(a.code, a.stderr).toBe(0);
  writeFileSync(file, JSON.stringify(changed()));
  const b = await runCli(['convert', '--source', file, '--no-push', '--json'], { cwd, env });
  expect(b.code, b.stderr).toBe(0);
  return { first: JSON.parse(a.stdout).models[0].fingerprint, second: JSON.parse(b.stdout).models[0].fingerprint };
}

function expectRetailDiff(doc: { same: boolean; diff: Record<string, { added: unknown[]; removed: unknown[]; changed: Array<{ ref: Record<string, string>; changes: Array<{ property: string }>; dax?: Array<{ op: string; text: string }> }> }> }) {
  expect(doc.same).toBe(false);
  expect(doc.diff.tables!.removed).toEqual([{ name: 'Top Stores' }]);
  expect(doc.diff.columns!.added).toEqual([{ table: 'Sales', name: 'Channel' }]);
  const margin = doc.diff.measures!.changed.find((m) => m.ref.name === 'Margin')!;
  expect(margin.changes.map((c) => c.property)).toEqual(['expression']);
  expect(margin.dax!.filter((l) => l.op !== ' ')).toEqual([
    { op: '-', text: 'VAR cost = [Total Cost]' },
    { op: '+', text: 'VAR cost = [Total Cost] * 1.1' },
  ]);
  expect(doc.diff.relationships!.changed).toHaveLength(1);
  expect(doc.diff.relationships!.changed[0]!.changes).toEqual([{ property: 'crossFilteringBehavior', from: 'oneDirection', to: 'bothDirections' }]);
}

describe('query and diff on the DuckDB file', () => {
  const cwd = mkdtempSync(path.join(tmpdir(), 'fs-qd-'));
  const env = { FABRIC_SYNC_TARGET: 'duckdb' };
  let fps: { first: string; second: string };

  beforeAll(async () => {
    fps = await syncTwoVersions(cwd, env);
  });

  it('query prints a table, and --json rows with plain numbers', async () => {
    const r = await runCli(['query', 'SELECT MODEL_NAME, TABLE_COUNT FROM _SEMANTIC_CURRENT_MODELS', '--no-color'], { cwd, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^MODEL_NAME\s+TABLE_COUNT\nRetail\s+8\n\(1 row\)\n$/);
    const j = await runCli(['query', 'SELECT COUNT(*) AS N FROM _SEMANTIC_MODEL_VERSIONS', '--json'], { cwd, env });
    expect(JSON.parse(j.stdout)).toMatchObject({ columns: ['N'], rows: [{ N: 2 }], rowCount: 1, warehouse: { target: 'duckdb' } });
  });

  it('query refuses a write without --write, and the file is untouched', async () => {
    const db = path.join(cwd, '.fabric-sync/metadata.duckdb');
    const before = statSync(db).mtimeMs;
    for (const sql of ['DELETE FROM _SEMANTIC_METADATA', 'SELECT 1; DROP TABLE _SEMANTIC_METADATA', 'WITH x AS (SELECT 1) DELETE FROM _SEMANTIC_METADATA']) {
      const r = await runCli(['query', sql], { cwd, env });
      expect(r.code, sql).toBe(2);
      expect(r.stderr).toMatch(/read-only without --write/);
    }
    // A string that merely holds a write keyword is still a read.
    const ok = await runCli(['query', "SELECT 'DELETE; DROP' AS S", '--json'], { cwd, env });
    expect(JSON.parse(ok.stdout).rows).toEqual([{ S: 'DELETE; DROP' }]);
    expect(statSync(db).mtimeMs).toBe(before);
    const w = await runCli(['query', "UPDATE _SEMANTIC_METADATA SET DESCRIPTION = 'x'", '--write', '--json'], { cwd, env });
    expect(w.code, w.stderr).toBe(0);
    expect(JSON.parse(w.stdout).rowsAffected).toBe(1);
  });

  it('query without a warehouse says so instead of creating one', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'fs-qd-empty-'));
    const r = await runCli(['query', 'SELECT 1'], { cwd: empty, env });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/No warehouse yet: DuckDB file .* does not exist/);
    expect(() => statSync(path.join(empty, '.fabric-sync'))).toThrow();
  });

  it('diff shows tables, columns, the DAX diff and relationships between the last two versions', async () => {
    const r = await runCli(['diff', 'Retail', '--no-color'], { cwd, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Retail: ${fps.first.slice(0, 12)}`);
    expect(r.stdout).toMatch(/tables: 0 added, 1 removed, 0 changed\n {2}- 'Top Stores'/);
    expect(r.stdout).toMatch(/\+ 'Sales'\[Channel\]/);
    expect(r.stdout).toMatch(/~ 'Sales'\[Margin\]\n(.*\n)*? {6}- VAR cost = \[Total Cost\]\n {6}\+ VAR cost = \[Total Cost\] \* 1\.1/);
    expect(r.stdout).toMatch(/crossFilteringBehavior: "oneDirection" → "bothDirections"/);
    const j = await runCli(['diff', 'Retail', '--json'], { cwd, env });
    const doc = JSON.parse(j.stdout);
    expect(doc.from.fingerprint).toBe(fps.first);
    expect(doc.to.fingerprint).toBe(fps.second);
    expectRetailDiff(doc);
  });

  it('--from/--to take fingerprint prefixes; the reverse diff swaps added and removed', async () => {
    const r = await runCli(['diff', 'Retail', '--from', fps.second.slice(0, 10), '--to', fps.first.slice(0, 10), '--json'], { cwd, env });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.diff.tables.added).toEqual([{ name: 'Top Stores' }]);
    expect(doc.diff.columns.removed).toEqual([{ table: 'Sales', name: 'Channel' }]);
    const same = await runCli(['diff', 'Retail', '--from', fps.second, '--to', fps.second, '--no-color'], { cwd, env });
    expect(same.stdout).toMatch(/No difference/);
    const bad = await runCli(['diff', 'Retail', '--from', 'ffffffffff'], { cwd, env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/no version matching ffffffffff/);
  });

  it('diff blames the argument for an unknown model and lists the synced ones', async () => {
    const r = await runCli(['diff', 'Nope'], { cwd, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/<model>: no synced model named 'Nope'/);
    expect(r.stderr).toMatch(/Synced models: 'Retail'/);
  });
});

describe('query and diff on Snowflake (stand-in)', () => {
  let sf: SnowflakeStandIn;
  const cwd = mkdtempSync(path.join(tmpdir(), 'fs-qd-sf-'));
  let env: Record<string, string>;

  beforeAll(async () => {
    sf = await startSnowflakeStandIn({ users: { FABRIC_SYNC: 'pw-query' } });
    env = {
      SNOWFLAKE_ACCOUNT: sf.account,
      SNOWFLAKE_ACCESS_URL: sf.url,
      SNOWFLAKE_USER: 'FABRIC_SYNC',
      SNOWFLAKE_PASSWORD: 'pw-query',
      SNOWFLAKE_DATABASE: 'FABRIC_DB',
      SNOWFLAKE_SCHEMA: 'METADATA',
      SNOWFLAKE_WAREHOUSE: 'WH',
      SF_TELEMETRY_DISABLE_CONNECTION_SHAPE: '1',
    };
  });
  afterAll(async () => {
    await sf?.close();
  });

  it('query and diff read the Snowflake tables when Snowflake is configured', async () => {
    await syncTwoVersions(cwd, env);
    const q = await runCli(['query', 'SELECT MODEL_NAME FROM _SEMANTIC_METADATA', '--json'], { cwd, env });
    expect(q.code, q.stderr).toBe(0);
    expect(JSON.parse(q.stdout)).toMatchObject({ warehouse: { target: 'snowflake', database: 'FABRIC_DB', schema: 'METADATA' }, rows: [{ MODEL_NAME: 'Retail' }] });
    const d = await runCli(['diff', 'Retail', '--json'], { cwd, env });
    expect(d.code, d.stderr).toBe(0);
    expectRetailDiff(JSON.parse(d.stdout));
  });
});
