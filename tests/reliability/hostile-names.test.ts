// Area 3 of issue 9, second half: hostile names through the whole pipeline to Snowflake. Model,
// table and column names with quotes, semicolons, SQL fragments, unicode, control characters, path
// separators and 1,000 characters go from the emulator through `convert --auto` (with physical
// tables) into the Snowflake stand-in. Each name is stored exactly or its model is rejected with a
// reason; no statement carries a name spliced raw; nothing outside our tables changes; no file is
// written outside the output folder.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { physicalName } from '../../src/core/publishers/warehouse/physical-names.js';
import { runCli } from '../support/run-cli.js';
import { cliEnv, modelParts, startWorld, workdir, type World } from './harness.js';

const LONG = 'L'.repeat(1000);
const MODELS: Array<{ name: string; tables: string[]; columns: string[] }> = [
  { name: `O'Brien "Sales"; DROP TABLE CANARY; --`, tables: [`Orders'; DELETE FROM CANARY; --`, 'T"2'], columns: ['Id', `Name"); DROP TABLE CANARY; --`, 'Amount'] },
  { name: 'Ünïcödé 売上 📊 ✓', tables: ['売上', 'Ωmega 📦'], columns: ['Id', 'Naïve 名前', 'Amount €'] },
  { name: 'Ctl\tTab\u0001\u001f', tables: ['Line\nBreak', 'Tab\tTable'], columns: ['Id', 'Bell\u0007', 'Amount'] },
  { name: LONG, tables: [`T${LONG}`.slice(0, 1000), 'Short'], columns: ['Id', `C${LONG}`.slice(0, 1000), 'Amount'] },
  { name: '../../escape/..\\evil', tables: ['../x', 'a/b\\c'], columns: ['Id', '$$dollar$$', 'Amount'] },
  { name: "Robert'); DELETE FROM _SEMANTIC_METADATA; --", tables: ['$1', '?'], columns: ['Id', ':name', 'Amount'] },
  { name: 'Plain Control Model', tables: ['Sales', 'Products'], columns: ['Id', 'Name', 'Amount'] },
];

let world: World;
beforeAll(async () => {
  world = await startWorld({}, {});
  // Something of the customer's beside our tables: it must come out untouched.
  await world.standIn.query('CREATE TABLE CANARY (X INTEGER)');
  await world.standIn.query('INSERT INTO CANARY VALUES (42)');
});
afterAll(async () => {
  await world.close();
});

function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).map((f) => path.join(dir, f)).filter((f) => statSync(f).isFile());
}

describe('hostile names', () => {
  it('are stored exactly or rejected with a reason, and touch nothing else', async () => {
    const { emu, standIn } = world;
    const ws = emu.addWorkspace({ name: 'hostile' });
    const ids = new Map<string, (typeof MODELS)[number]>();
    for (const m of MODELS) ids.set(emu.addModel(ws, { name: m.name, parts: modelParts({ name: m.name, tables: m.tables, columns: m.columns }) }), m);
    // A private root, so "outside the output folder" is checkable: the run's cwd is root/work.
    const root = workdir('hostile');
    const cwd = path.join(root, 'work');
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(cwd);
    writeFileSync(path.join(cwd, 'fabric-sync.config.json'), JSON.stringify({ warehouse: { createTables: true } }));
    const before = standIn.statements.length;

    const r = await runCli(['convert', '--auto', '--json'], { cwd, env: cliEnv(world, [ws]), timeoutMs: 60_000 });
    expect([0, 1], r.stderr).toContain(r.code);
    const doc = JSON.parse(r.stdout);
    const problems: string[] = [];
    let stored = 0;
    let rejected = 0;
    for (const [id, spec] of ids) {
      const res = doc.models.find((m: { id: string }) => m.id === id);
      const label = JSON.stringify(spec.name.slice(0, 40));
      if (!res) {
        problems.push(`${label}: not in the summary`);
        continue;
      }
      if (res.status === 'failed') {
        rejected++;
        // A reason is a typed error (ConversionError, ApiError, WarehouseError…), not a crash of ours.
        if (!res.error?.message || res.error.name === 'Error') problems.push(`${label}: rejected without a typed reason: ${res.error?.message?.slice(0, 200)}`);
        const rows = await standIn.query(`SELECT count(*) AS n FROM _SEMANTIC_TABLES WHERE MODEL_ID = '${id}'`);
        if (Number(rows[0]!.n) !== 0) problems.push(`${label}: rejected but half written`);
        continue;
      }
      stored++;
      const twins = emu.pushDatasets(ws).filter((d) => d.name === `${spec.name}_PushSync`);
      // Power BI names stop at 100 characters: a longer push name gets no twin, and says so (issue 13 item 14).
      const pushable = [...`${spec.name}_PushSync`].length <= 100;
      if (twins.length !== (pushable ? 1 : 0)) problems.push(`${label}: ${twins.length} push twins named exactly after it`);
      if (!pushable && !/over Power BI's limit of 100/.test(String(res.push?.skipped))) problems.push(`${label}: no reason given for the missing push twin`);
      const meta = await standIn.query(`SELECT SOURCE_MODEL_NAME, MODEL_NAME FROM _SEMANTIC_METADATA WHERE MODEL_ID = '${id}'`);
      if (meta.length !== 1 || meta[0]!.SOURCE_MODEL_NAME !== spec.name) problems.push(`${label}: SOURCE_MODEL_NAME ${JSON.stringify(meta[0]?.SOURCE_MODEL_NAME)}`);
      const tables = (await standIn.query(`SELECT TABLE_NAME FROM _SEMANTIC_TABLES WHERE MODEL_ID = '${id}' ORDER BY ORDINAL`)).map((t) => t.TABLE_NAME);
      if (JSON.stringify(tables) !== JSON.stringify(spec.tables)) problems.push(`${label}: tables ${JSON.stringify(tables)}`);
      const cols = (await standIn.query(`SELECT DISTINCT COLUMN_NAME FROM _SEMANTIC_COLUMNS WHERE MODEL_ID = '${id}'`)).map((c) => String(c.COLUMN_NAME)).sort();
      if (JSON.stringify(cols) !== JSON.stringify([...spec.columns].sort())) problems.push(`${label}: columns ${JSON.stringify(cols)}`);
    }
    // No statement carries a hostile name in its text: names are bound or quoted with quotes doubled.
    const sql = standIn.statements.slice(before).map((s) => s.sqlText);
    for (const spec of MODELS) {
      for (const n of [spec.name, ...spec.tables, ...spec.columns].filter((x) => /['";]/.test(x))) {
        const raw = sql.find((s) => s.includes(n) && !s.includes(n.replace(/"/g, '""')));
        if (raw) problems.push(`name ${JSON.stringify(n.slice(0, 40))} spliced raw into: ${raw.slice(0, 200)}`);
      }
    }
    const failedSql = standIn.statements.slice(before).filter((s) => s.error && !/already exists/i.test(s.error));
    // Nothing else touched: the customer's table and row survive; only our statements ran.
    const canary = await standIn.query('SELECT X FROM CANARY');
    if (canary.length !== 1 || canary[0]!.X !== 42) problems.push('CANARY changed');
    if (sql.some((s) => /^\s*(DROP|TRUNCATE)\b/i.test(s))) problems.push(`a DROP/TRUNCATE ran: ${sql.find((s) => /^\s*(DROP|TRUNCATE)\b/i.test(s))}`);
    // Files only inside the output folder (plus our own state and config).
    const outside = filesUnder(root).filter((f) => !f.startsWith(path.join(cwd, 'push-definitions') + path.sep) && !/sync_state\.json|fabric-sync\.config\.json$/.test(f));
    if (outside.length) problems.push(`files outside push-definitions: ${outside.join(', ')}`);

    console.log(`hostile names: ${MODELS.length} models, stored exactly ${stored}, rejected with a reason ${rejected}, problems ${problems.length}${failedSql.length ? ` (statements that failed: ${failedSql.map((s) => s.error).join(' | ').slice(0, 500)})` : ''}`);
    for (const m of doc.models.filter((x: { status: string }) => x.status === 'failed')) console.log(`  rejected ${JSON.stringify(m.name.slice(0, 40))}: ${m.error.message.slice(0, 300)}`);
    expect(problems).toEqual([]);
    // The control model is not collateral damage of its neighbours.
    expect(doc.models.find((m: { name: string }) => m.name === 'Plain Control Model')?.status).toBe('synced');

    // Physical tables (createTables): one per model table, named <model key>__<table name> exactly
    // (two models' `Sales` are two tables), columns named exactly.
    const physical = await standIn.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'FABRIC_MODELS'`);
    const physicalNames = physical.map((t) => String(t.table_name)).sort();
    // Snowflake identifiers stop at 255 characters: the 1,000-character table is skipped with a note.
    const synced = [...ids].filter(([id]) => doc.models.find((m: { id: string; status: string }) => m.id === id)?.status === 'synced');
    const wanted = synced.flatMap(([id, m]) => m.tables.map((t) => physicalName(id, t))).filter((n) => n.length <= 255).sort();
    expect(physicalNames).toEqual(wanted);
    const hostileTable = physicalName([...ids].find(([, m]) => m === MODELS[0])![0], MODELS[0]!.tables[0]!);
    const cols = await standIn.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'FABRIC_MODELS' AND table_name = '${hostileTable.replace(/'/g, "''")}' ORDER BY ordinal_position`);
    expect(cols.map((c) => c.column_name)).toEqual(MODELS[0]!.columns);
    const longModel = doc.models.find((m: { name: string }) => m.name === LONG);
    expect(JSON.stringify(longModel)).toMatch(/not created: name longer than 255/);

    // And a second run changes nothing: names round-trip to the same fingerprints.
    const again = await runCli(['convert', '--auto', '--json'], { cwd, env: cliEnv(world, [ws]), timeoutMs: 60_000 });
    const second = JSON.parse(again.stdout);
    expect(second.synced, again.stdout.slice(0, 2000)).toBe(0);
  }, 120_000);

  it('reach the embedded DuckDB target exactly too', async () => {
    const { emu } = world;
    const ws = emu.addWorkspace({ name: 'hostile-duck' });
    const ids = new Map<string, (typeof MODELS)[number]>();
    for (const m of MODELS) ids.set(emu.addModel(ws, { name: m.name, parts: modelParts({ name: m.name, tables: m.tables, columns: m.columns }) }), m);
    const cwd = workdir('hostile-duck', { warehouse: { createTables: true } });
    const r = await runCli(['convert', '--auto', '--json'], { cwd, env: { ...cliEnv(world, [ws]), FABRIC_SYNC_TARGET: 'duckdb' }, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(path.join(cwd, '.fabric-sync', 'metadata.duckdb'), { access_mode: 'READ_ONLY' });
    const conn = await db.connect();
    const rows = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJS();
    const problems: string[] = [];
    for (const [id, spec] of ids) {
      const meta = await rows(`SELECT SOURCE_MODEL_NAME FROM _SEMANTIC_METADATA WHERE MODEL_ID = '${id}'`);
      if (meta.length !== 1 || meta[0]!.SOURCE_MODEL_NAME !== spec.name) problems.push(`${JSON.stringify(spec.name.slice(0, 30))}: ${JSON.stringify(meta)}`);
      const tables = (await rows(`SELECT TABLE_NAME FROM _SEMANTIC_TABLES WHERE MODEL_ID = '${id}' ORDER BY ORDINAL`)).map((t) => t.TABLE_NAME);
      if (JSON.stringify(tables) !== JSON.stringify(spec.tables)) problems.push(`${JSON.stringify(spec.name.slice(0, 30))}: tables ${JSON.stringify(tables)}`);
    }
    conn.closeSync();
    db.closeSync();
    expect(problems).toEqual([]);
  }, 60_000);
});
