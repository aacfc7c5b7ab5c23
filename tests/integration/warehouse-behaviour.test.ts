// Behaviour of a model sync on both targets (issue 5 "Must show"): unchanged re-runs change no row,
// a removed measure loses exactly its row, hostile names round-trip, a failure at any statement
// leaves the previous rows intact and the next run completes, deleted models are marked.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/context.js';
import { WarehouseError } from '../../src/core/errors.js';
import { canonicalModel } from '../../src/core/schema/canonical.js';
import { fingerprint } from '../../src/core/schema/fingerprint.js';
import { loadModel } from '../../src/core/schema/load.js';
import type { Column, SemanticModel, Table } from '../../src/core/schema/model.js';
import type { WarehouseBackend } from '../../src/core/warehouse/backend.js';
import { applyPlan } from '../../src/core/publishers/warehouse/apply.js';
import type { Dialect } from '../../src/core/warehouse/dialect.js';
import { openDuckDb } from '../../src/core/warehouse/duckdb.js';
import { WarehousePool } from '../../src/core/warehouse/pool.js';
import { planMarkDeleted, planModelSync, type SyncContext } from '../../src/core/publishers/warehouse/plan.js';
import { ensureSchema } from '../../src/core/publishers/warehouse/schema.js';
import { readModelRows } from '../../src/core/publishers/warehouse/read.js';
import { openSnowflake } from '../../src/core/warehouse/snowflake.js';
import { example, synthetic } from '../support/paths.js';
import { startSnowflakeStandIn, type SnowflakeStandIn } from '../support/snowflake-standin/index.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.SF_TELEMETRY_DISABLE_CONNECTION_SHAPE ??= '1';

const HOSTILE = ['x"; DROP TABLE _SEMANTIC_METADATA; --', "O'Brien", 'Ünïcödé 表', `${'L'.repeat(299)}Z`] as const;

function column(name: string, extra: Partial<Column> = {}): Column {
  return { name, dataType: 'string', kind: 'data', isHidden: false, isKey: false, ...extra };
}
function table(name: string, columns: Column[], extra: Partial<Table> = {}): Table {
  return { name, isHidden: false, kind: 'data', storageMode: 'import', partitions: [], columns, measures: [], hierarchies: [], ...extra };
}
function hostileModel(): SemanticModel {
  const [a, b, c, d] = HOSTILE;
  return {
    name: a,
    description: b,
    tables: [
      table(b, [column(a), column(b, { formatString: d }), column(c, { dataType: 'int64', kind: 'calculated', expression: `[${a}] & "'"` }), column(d)], {
        measures: [
          { name: a, expression: 'SUM(1)', isHidden: false },
          { name: c, expression: `"${b}"`, isHidden: true, displayFolder: d },
        ],
      }),
      table(c, [column(d)], { description: a }),
      table(d, [column(c)]),
    ],
    relationships: [{ name: a, fromTable: b, fromColumn: c, toTable: c, toColumn: d, fromCardinality: 'many', toCardinality: 'one', crossFilteringBehavior: 'oneDirection', isActive: true }],
    roles: [],
    perspectives: [],
    cultures: [],
    expressions: [],
    functions: [],
    dataSources: 0,
  };
}

function ctx(id: string, m: SemanticModel, at = '2026-11-26T10:00:00.000Z', runId = 'run-1'): SyncContext {
  return {
    modelId: id,
    publishedName: `${m.name}_PushSync`,
    sourceName: m.name,
    workspaceId: 'ws-1',
    pushDatasetId: 'push-1',
    sourceFormat: 'TMDL',
    storageMode: 'directLake',
    fingerprint: fingerprint(m),
    definition: canonicalModel(m),
    syncedAt: new Date(at),
    // Each write tags its load rows with a batch of its own (the session draws one per model write).
    batchId: randomUUID(),
    runId,
    toolVersion: '0.1.0',
  };
}

interface Target {
  main: WarehouseBackend;
  /** A separate connection (Snowflake) or a statement-counting wrapper (DuckDB) for one attempt. */
  attempt(failAt: number | null, drop?: boolean): Promise<WarehouseBackend>;
  close(): Promise<void>;
}

async function duckTarget(): Promise<Target> {
  // In memory: the file path is covered by warehouse-duckdb.test.ts, and fsync per DDL would only slow this down.
  const main = await openDuckDb({ path: ':memory:', schema: 'meta' });
  return {
    main,
    async attempt(failAt) {
      // The fault sits at the backend seam; the statements before it really run on DuckDB.
      let n = 0;
      return {
        dialect: main.dialect,
        close: async () => undefined,
        execute: async (sql, binds) => {
          if (sql !== 'ROLLBACK' && n++ === failAt) throw new WarehouseError(`injected failure at statement ${failAt}`);
          return main.execute(sql, binds);
        },
      };
    },
    close: () => main.close(),
  };
}

async function snowflakeTarget(): Promise<Target> {
  const standIn: SnowflakeStandIn = await startSnowflakeStandIn();
  const open = () =>
    openSnowflake({
      account: standIn.account,
      accessUrl: standIn.url,
      username: 'FABRIC_SYNC',
      password: 'secret',
      database: 'FABRIC_DB',
      schema: 'METADATA',
      queryTag: 'fabric-sync/0.1.0/test',
      logger: silentLogger,
    });
  const main = await open();
  return {
    main,
    async attempt(failAt, drop) {
      const b = await open();
      standIn.clearFaults();
      if (failAt !== null) standIn.failAt({ index: failAt, code: '000603', message: 'injected failure', ...(drop ? { dropConnection: true } : {}) });
      return b;
    },
    async close() {
      await main.close();
      await standIn.close();
    },
  };
}

const FACTORIES: Record<Dialect, () => Promise<Target>> = { duckdb: duckTarget, snowflake: snowflakeTarget };

describe.each(['duckdb', 'snowflake'] as Dialect[])('warehouse behaviour (%s)', (dialect) => {
  let target: Target;
  let model: SemanticModel;
  beforeAll(async () => {
    target = await FACTORIES[dialect]();
    model = (await loadModel(example.tmdl)).model;
  });
  afterAll(async () => target?.close());

  it('re-running an unchanged model changes no row and keeps SYNC_COUNT', async () => {
    const db = target.main;
    await applyPlan(db, planModelSync(model, null, ctx('m-idem', model), dialect));
    const before = await readModelRows(db, 'm-idem');
    const again = await applyPlan(db, planModelSync(model, null, ctx('m-idem', model, '2026-11-27T11:00:00.000Z', 'run-2'), dialect));
    const dml = again.outcomes.filter((o) => /^(merge|delete vanished)/.test(o.purpose));
    expect(dml).toHaveLength(9);
    for (const o of dml) expect(o.rowsAffected, o.purpose).toBe(0);
    const after = await readModelRows(db, 'm-idem');
    expect(after).toEqual(before);
    expect(after.metadata?.SYNC_COUNT).toBe(1);
    expect(after.metadata?.RUN_ID).toBe('run-1');
  });

  it('a removed measure loses exactly that row; SYNC_COUNT and LAST_SYNCED_AT follow the fingerprint', async () => {
    const db = target.main;
    await applyPlan(db, planModelSync(model, null, ctx('m-rm', model), dialect));
    const before = await readModelRows(db, 'm-rm');
    const victim = model.tables.flatMap((t) => t.measures.map((m) => ({ t: t.name, m: m.name })))[3]!;
    const changed = structuredClone(model);
    const home = changed.tables.find((t) => t.name === victim.t)!;
    home.measures = home.measures.filter((m) => m.name !== victim.m);
    const result = await applyPlan(db, planModelSync(changed, null, ctx('m-rm', changed, '2026-11-28T12:00:00.000Z', 'run-3'), dialect));
    const after = await readModelRows(db, 'm-rm');
    expect(after.measures).toHaveLength(before.measures.length - 1);
    const key = (r: Record<string, unknown>) => `${r.TABLE_NAME}/${r.MEASURE_NAME}`;
    expect(before.measures.map(key).filter((k) => !after.measures.map(key).includes(k))).toEqual([`${victim.t}/${victim.m}`]);
    // Measures after the removed one move up one ORDINAL; everything else is as it was.
    const strip = (rows: Record<string, unknown>[]) => rows.map(({ ORDINAL: _o, ...rest }) => rest);
    expect(strip(after.measures)).toEqual(strip(before.measures.filter((r) => key(r) !== `${victim.t}/${victim.m}`)));
    expect(after.columns).toEqual(before.columns);
    expect(after.relationships).toEqual(before.relationships);
    expect(after.metadata?.SYNC_COUNT).toBe(2);
    expect(after.metadata?.MEASURE_COUNT).toBe((before.metadata?.MEASURE_COUNT as number) - 1);
    expect(after.metadata?.LAST_SYNCED_AT).toBe('2026-11-28T12:00:00.000Z');
    expect(after.metadata?.FIRST_SYNCED_AT).toBe('2026-11-26T10:00:00.000Z');
    const deletes = result.outcomes.filter((o) => o.purpose.startsWith('delete vanished'));
    expect(deletes.map((o) => o.rowsAffected)).toEqual([0, 0, 1, 0]);
  });

  it('stores hostile names exactly and touches nothing else', async () => {
    const db = target.main;
    await applyPlan(db, planModelSync(model, null, ctx('m-other', model), dialect));
    const other = await readModelRows(db, 'm-other');
    const hostile = hostileModel();
    const id = HOSTILE[0];
    await applyPlan(db, planModelSync(hostile, null, ctx(id, hostile), dialect));
    const rows = await readModelRows(db, id);
    expect(rows.metadata?.SOURCE_MODEL_NAME).toBe(HOSTILE[0]);
    expect(rows.metadata?.MODEL_NAME).toBe(`${HOSTILE[0]}_PushSync`);
    expect(rows.metadata?.DESCRIPTION).toBe(HOSTILE[1]);
    expect(rows.tables.map((t) => t.TABLE_NAME)).toEqual([HOSTILE[1], HOSTILE[2], HOSTILE[3]]);
    expect(rows.columns.map((c) => [c.TABLE_NAME, c.COLUMN_NAME])).toEqual([
      [HOSTILE[1], HOSTILE[0]], [HOSTILE[1], HOSTILE[1]], [HOSTILE[1], HOSTILE[2]], [HOSTILE[1], HOSTILE[3]], [HOSTILE[2], HOSTILE[3]], [HOSTILE[3], HOSTILE[2]],
    ]);
    expect(rows.columns[1]?.FORMAT_STRING).toBe(HOSTILE[3]);
    expect(rows.columns[2]?.EXPRESSION).toBe(`[${HOSTILE[0]}] & "'"`);
    expect(rows.measures.map((m) => m.MEASURE_NAME)).toEqual([HOSTILE[0], HOSTILE[2]]);
    expect(rows.relationships.map((r) => [r.RELATIONSHIP_NAME, r.FROM_TABLE, r.TO_COLUMN])).toEqual([[HOSTILE[0], HOSTILE[1], HOSTILE[3]]]);
    expect(fingerprint(rows.metadata?.DEFINITION as SemanticModel)).toBe(fingerprint(hostile));
    // The other model and every table are still there, untouched.
    expect(await readModelRows(db, 'm-other')).toEqual(other);
  });

  it('a failure at any statement leaves the previous rows intact, and the next run completes', async () => {
    const db = target.main;
    await applyPlan(db, planModelSync(model, null, ctx('m-fail', model), dialect));
    const previous = await readModelRows(db, 'm-fail');
    const changed = structuredClone(model);
    changed.tables.find((t) => t.measures.length > 0)!.measures.pop();
    changed.tables[1]!.columns[0]!.description = 'changed';
    const plan = planModelSync(changed, null, ctx('m-fail', changed, '2026-11-29T00:00:00.000Z', 'run-f'), dialect);
    // Every position on a fresh connection to existing tables: the session load table, then every
    // transaction statement.
    const total = 1 + plan.transaction.length;
    expect(total).toBe(14);
    for (let i = 0; i < total; i++) {
      const attempt = await target.attempt(i);
      await expect(applyPlan(attempt, plan), `statement ${i}`).rejects.toBeInstanceOf(WarehouseError);
      await attempt.close();
      expect(await readModelRows(db, 'm-fail'), `after failing statement ${i}`).toEqual(previous);
    }
    const ok = await target.attempt(null);
    await applyPlan(ok, plan);
    await ok.close();
    const done = await readModelRows(db, 'm-fail');
    expect(done.measures).toHaveLength(previous.measures.length - 1);
    expect(done.metadata?.SYNC_COUNT).toBe(2);
    expect(done.metadata?.FINGERPRINT).toBe(fingerprint(changed));
  });

  it.runIf(dialect === 'snowflake')('a connection dropped mid-transaction is retried by the driver and the model completes', async () => {
    const changed = structuredClone(model);
    changed.description = 'after a dropped connection';
    const plan = planModelSync(changed, null, ctx('m-drop', changed), dialect);
    const attempt = await target.attempt(1 + 4, true);
    await applyPlan(attempt, plan);
    await attempt.close();
    const rows = await readModelRows(target.main, 'm-drop');
    expect(rows.metadata?.DESCRIPTION).toBe('after a dropped connection');
    expect(rows.measures).toHaveLength(model.tables.reduce((n, t) => n + t.measures.length, 0));
  });

  it('marks a deleted model with DELETED_AT and keeps its rows; a later sync clears it', async () => {
    const db = target.main;
    await applyPlan(db, planModelSync(model, null, ctx('m-del', model), dialect));
    const before = await readModelRows(db, 'm-del');
    await applyPlan(db, planMarkDeleted('m-del', new Date('2026-12-01T08:00:00.000Z'), dialect));
    await applyPlan(db, planMarkDeleted('m-del', new Date('2026-12-02T08:00:00.000Z'), dialect));
    const after = await readModelRows(db, 'm-del');
    expect(after.metadata?.DELETED_AT).toBe('2026-12-01T08:00:00.000Z');
    expect({ ...after, metadata: { ...after.metadata, DELETED_AT: null } }).toEqual(before);
    await applyPlan(db, planModelSync(model, null, ctx('m-del', model), dialect));
    expect((await readModelRows(db, 'm-del')).metadata?.DELETED_AT).toBeNull();
  });
});

describe('a connection whose ROLLBACK failed', () => {
  it('is refused for the next model, so a half transaction can never be committed with it', async () => {
    const db = await openDuckDb({ path: ':memory:' });
    await ensureSchema(db, { dialect: 'duckdb', toolVersion: '0.1.0', at: new Date('2026-11-26T10:00:00.000Z') });
    const m = (await loadModel(synthetic.minimal)).model;
    let failing = true;
    const flaky: WarehouseBackend = {
      dialect: db.dialect,
      close: () => db.close(),
      execute: async (sql, binds) => {
        if (failing && (sql.startsWith('MERGE') || sql === 'ROLLBACK')) throw new WarehouseError('connection lost');
        return db.execute(sql, binds);
      },
    };
    await expect(applyPlan(flaky, planModelSync(m, null, ctx('m-x', m), 'duckdb'))).rejects.toThrow(/connection lost/);
    failing = false;
    await expect(applyPlan(flaky, planModelSync(m, null, ctx('m-x', m), 'duckdb'))).rejects.toThrow(/no longer used/);
    await db.execute('ROLLBACK');
    expect((await readModelRows(db, 'm-x')).metadata).toBeNull();
    await db.close();
  });

  it('is dropped by the pool: the next model of the run gets a new connection and is written', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fs-retired-'));
    const file = path.join(dir, 'm.duckdb');
    const m = (await loadModel(synthetic.minimal)).model;
    let opened = 0;
    let failing = true;
    const pool = new WarehousePool({
      dialect: 'duckdb',
      maxConnections: 1,
      open: async () => {
        opened++;
        const db = await openDuckDb({ path: file });
        await ensureSchema(db, { dialect: 'duckdb', toolVersion: '0.1.0', at: new Date('2026-11-26T10:00:00.000Z') });
        if (opened > 1) return db;
        return {
          dialect: db.dialect,
          close: () => db.close(),
          execute: async (sql, binds) => {
            if (failing && (sql.startsWith('MERGE') || sql === 'ROLLBACK')) throw new WarehouseError('connection lost');
            return db.execute(sql, binds);
          },
        };
      },
    });
    await expect(pool.withConnection((b) => applyPlan(b, planModelSync(m, null, ctx('m-1', m), 'duckdb')))).rejects.toThrow(/connection lost/);
    failing = false;
    await pool.withConnection((b) => applyPlan(b, planModelSync(m, null, ctx('m-2', m), 'duckdb')));
    expect(opened).toBe(2);
    const rows = await pool.withConnection((b) => readModelRows(b, 'm-2'));
    expect(rows.metadata?.MODEL_ID).toBe('m-2');
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a dropped connection that cannot be reopened fails every waiting model, none is left waiting', async () => {
    let opened = 0;
    const pool = new WarehousePool({
      dialect: 'duckdb',
      maxConnections: 1,
      open: async () => {
        if (++opened > 1) throw new WarehouseError('Could not open the DuckDB file m.duckdb: IO Error: No space left on device');
        return {
          dialect: 'duckdb',
          close: async () => undefined,
          execute: async () => {
            await new Promise((r) => setTimeout(r, 50));
            throw new WarehouseError('FATAL Error: database has been invalidated', { code: 'DUCKDB_FATAL' });
          },
        };
      },
    });
    const models = [1, 2, 3, 4].map((i) => pool.withConnection((b) => b.execute(`SELECT ${i}`)));
    const timeout = new Promise<'waiting'>((r) => setTimeout(() => r('waiting'), 5_000).unref());
    const settled = await Promise.race([Promise.allSettled(models), timeout]);
    expect(settled).not.toBe('waiting');
    const reasons = (settled as PromiseSettledResult<unknown>[]).map((r) => (r.status === 'rejected' ? String((r.reason as Error).message) : 'ok'));
    expect(reasons[0]).toMatch(/invalidated/);
    expect(reasons.slice(1).every((m) => /No space left on device/.test(m))).toBe(true);
    await pool.close();
  });
});
