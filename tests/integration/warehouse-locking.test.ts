// Honest locking on the strict stand-in (issue 12 item 2): Snowflake makes a writer WAIT for a
// table lock held by another transaction (it does not fail it), aborts an idle blocker, fails a
// wait longer than LOCK_TIMEOUT, and refuses more than 20 queued statements with 000625. The
// warehouse session of a run must come through all of it with no lost and no doubled rows.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { WarehouseError } from '../../src/core/errors.js';
import { canonicalModel } from '../../src/core/schema/canonical.js';
import { fingerprint } from '../../src/core/schema/fingerprint.js';
import { loadModel } from '../../src/core/schema/load.js';
import type { SemanticModel } from '../../src/core/schema/model.js';
import { WarehouseSession } from '../../src/core/publishers/warehouse/session.js';
import { withWriteLock } from '../../src/core/publishers/warehouse/write-lock.js';
import type { WarehouseBackend } from '../../src/core/warehouse/backend.js';
import { planModelSync, type SyncContext } from '../../src/core/publishers/warehouse/plan.js';
import { readModelRows } from '../../src/core/publishers/warehouse/read.js';
import { ensureSchema } from '../../src/core/publishers/warehouse/schema.js';
import { modelEntries } from '../support/paths.js';
import type { StandInOptions } from '../support/snowflake-standin/index.js';
import { openTarget, type WarehouseTarget } from '../support/warehouse-target.js';

const WRITE = { dryRun: false, createTables: false, tablesSchema: 'FABRIC_MODELS' };

function ctx(id: string, m: SemanticModel, at = '2026-11-26T10:00:00.000Z'): SyncContext {
  return {
    modelId: id, publishedName: `${m.name}_PushSync`, sourceName: m.name, workspaceId: 'ws', pushDatasetId: `push-${id}`,
    sourceFormat: 'TMDL', storageMode: 'import', fingerprint: fingerprint(m), definition: canonicalModel(m),
    syncedAt: new Date(at), runId: `run-${at}`, toolVersion: '0.2.0',
    // Each write tags its load rows with a batch of its own (the session draws one per model write).
    batchId: randomUUID(),
  };
}

function session(t: WarehouseTarget, maxConnections: number, extra = {}): WarehouseSession {
  return new WarehouseSession({ dialect: 'snowflake', namespace: t.ns, maxConnections, open: () => t.open(extra) });
}

let target: WarehouseTarget | undefined;
async function standIn(options: StandInOptions): Promise<WarehouseTarget> {
  target = await openTarget('stand-in', { delayMs: 2, ...options });
  return target;
}
afterEach(async () => {
  await target?.close();
  target = undefined;
});

/** Runs a model's transaction up to (and including) its first MERGE into _SEMANTIC_METADATA, then stops — as a run killed there would. */
async function leaveOpenTransaction(b: WarehouseBackend, t: WarehouseTarget, id: string, m: SemanticModel): Promise<void> {
  const plan = withWriteLock(planModelSync(m, null, ctx(id, m, '2026-11-27T00:00:00.000Z'), 'snowflake', t.ns), id);
  for (const st of [...plan.ddl, ...plan.transaction]) {
    await b.execute(st.sql, st.binds);
    if (st.purpose === 'merge _SEMANTIC_METADATA') return;
  }
}

/** `n` models of 3 tables × 6 columns with a measure each: small, so the test measures locking, not MERGE volume. */
function models(n: number): { id: string; model: SemanticModel; tables: number }[] {
  return Array.from({ length: n }, (_, i) => {
    const tables = ['Sales', 'Customer', 'Date'].map((name) => ({
      name, isHidden: false, kind: 'data' as const, storageMode: 'import', partitions: [], hierarchies: [],
      columns: Array.from({ length: 6 }, (_, c) => ({ name: `${name} ${c}`, dataType: 'string' as const, kind: 'data' as const, isHidden: false, isKey: c === 0 })),
      measures: [{ name: `${name} count`, expression: `COUNTROWS('${name}')`, isHidden: false }],
    }));
    const model: SemanticModel = { name: `Model ${i}`, tables, relationships: [], roles: [], perspectives: [], cultures: [], expressions: [], functions: [], dataSources: 0 };
    return { id: `model-${i}`, model, tables: tables.length };
  });
}

/** The n smallest of the real models (the synthetic ones, and the corpus's when ../shared is present). */
async function realModels(n: number): Promise<{ id: string; model: SemanticModel; tables: number }[]> {
  const entries = modelEntries().sort((a, b) => Number(a.expected.columns) - Number(b.expected.columns)).slice(0, n);
  return Promise.all(entries.map(async (e) => ({ id: e.id, model: (await loadModel(e.dir)).model, tables: Number(e.expected.tables) })));
}

describe('writers on Snowflake take turns on the lock (strict stand-in)', () => {
  it('8 models written at once: every writer waits its turn, no row lost or doubled', async () => {
    const t = await standIn({});
    const all = models(8);
    const run = session(t, 8);
    const t0 = Date.now();
    await Promise.all(all.map(({ id, model }) => run.syncModel(model, null, ctx(id, model), WRITE)));
    const wall = Date.now() - t0;
    // And again at once, unchanged: the MERGEs match every row, nothing is inserted twice.
    await Promise.all(all.map(({ id, model }) => run.syncModel(model, null, ctx(id, model, '2026-11-26T11:00:00.000Z'), WRITE)));
    const conn = await t.open();
    for (const { id, tables } of all) {
      const rows = await readModelRows(conn, id, t.ns);
      expect(rows.metadata?.SYNC_COUNT, id).toBe(1);
      expect(rows.tables, id).toHaveLength(tables);
    }
    const q = (sql: string) => t.standIn!.query(sql);
    expect(await q('SELECT "MODEL_ID", count(*) AS n FROM "FABRIC_DB"."METADATA"."_SEMANTIC_METADATA" GROUP BY 1 HAVING count(*) <> 1')).toEqual([]);
    expect(await q('SELECT "MODEL_ID", "TABLE_NAME", "COLUMN_NAME" FROM "FABRIC_DB"."METADATA"."_SEMANTIC_COLUMNS" GROUP BY 1, 2, 3 HAVING count(*) > 1')).toEqual([]);
    expect(await q('SELECT count(*) AS n FROM "FABRIC_DB"."METADATA"."_SEMANTIC_MODEL_VERSIONS"')).toEqual([{ n: 8 }]);
    const waits = t.standIn!.lockWaits;
    const granted = waits.filter((w) => w.outcome === 'granted');
    console.log(`8 models at once: ${all.length * 2} model transactions in 2 rounds, ${granted.length} waited for a lock (longest ${Math.max(...granted.map((w) => w.waitedMs))} ms, on ${[...new Set(granted.map((w) => w.table.split('.').at(-1)))].join(', ')}), first round ${wall} ms, failed waits ${waits.length - granted.length}, retries ${run.lockRetries}`);
    expect(granted.length).toBeGreaterThan(0);
    expect(waits.filter((w) => w.outcome !== 'granted')).toEqual([]);
    // Every statement passed the Snowflake-dialect parser and named its objects in full.
    expect(t.standIn!.statements.filter((s) => s.parseError)).toEqual([]);
    await conn.close();
    await run.close();
  }, 120_000);

  it('a lock left by a killed run: the next run waits, Snowflake aborts the idle blocker, the model is written', async () => {
    const t = await standIn({ idleBlockerAbortMs: 400 });
    const { id, model } = (await realModels(1))[0]!;
    const first = session(t, 1);
    await first.syncModel(model!, null, ctx(id!, model!), WRITE);
    await first.close();
    const killed = await t.open();
    await leaveOpenTransaction(killed, t, id!, model!);
    expect(t.standIn!.openTransactions()).toHaveLength(1);

    const changed = structuredClone(model!);
    changed.description = 'changed after the kill';
    const next = session(t, 1);
    const t0 = Date.now();
    await next.syncModel(changed, null, ctx(id!, changed, '2026-11-28T00:00:00.000Z'), WRITE);
    const waited = Date.now() - t0;
    const conn = await t.open();
    const rows = await readModelRows(conn, id!, t.ns);
    expect(rows.metadata).toMatchObject({ DESCRIPTION: 'changed after the kill', SYNC_COUNT: 2 });
    expect(t.standIn!.abortedTransactions).toHaveLength(1);
    const wait = t.standIn!.lockWaits.find((w) => w.outcome === 'granted')!;
    expect(wait.waitedMs).toBeGreaterThan(0);
    expect(t.standIn!.abortedTransactions[0]!.idleMs).toBeGreaterThanOrEqual(400);
    console.log(`killed run's lock: waited ${wait.waitedMs} ms on ${wait.table}, blocker aborted after ${t.standIn!.abortedTransactions[0]!.idleMs} ms idle, model written ${waited} ms after the run started`);
    await conn.close();
    await next.close();
  }, 60_000);

  it('a wait longer than LOCK_TIMEOUT fails the model (not retried) and leaves its previous rows', async () => {
    const t = await standIn({ idleBlockerAbortMs: 60_000 });
    const { id, model } = (await realModels(1))[0]!;
    const first = session(t, 1);
    await first.syncModel(model!, null, ctx(id!, model!), WRITE);
    await first.close();
    const holder = await t.open();
    await leaveOpenTransaction(holder, t, id!, model!);
    const next = session(t, 1, { lockTimeoutSeconds: 1 });
    const t0 = Date.now();
    const err = await next.syncModel(model!, null, ctx(id!, model!, '2026-11-28T00:00:00.000Z'), WRITE).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(WarehouseError);
    expect((err as WarehouseError).code).toBe('000625');
    expect((err as Error).message).toMatch(/LOCK_TIMEOUT \(1 s\)/);
    expect((err as WarehouseError).hint).toMatch(/SYSTEM\$ABORT_TRANSACTION/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(next.lockRetries).toBe(0);
    await holder.execute('ROLLBACK');
    const conn = await t.open();
    expect((await readModelRows(conn, id!, t.ns)).metadata?.SYNC_COUNT).toBe(1);
    await Promise.all([conn.close(), holder.close(), next.close()]);
  }, 60_000);

  it('more statements queued on one lock than Snowflake allows: 000625, rolled back and retried until written', async () => {
    const t = await standIn({ maxLockWaiters: 1, idleBlockerAbortMs: 60_000 });
    const four = models(4);
    const conn = await t.open();
    await ensureSchema(conn, { dialect: 'snowflake', namespace: t.ns, toolVersion: '0.2.0', at: new Date() });
    // A writer holds the lock table for a moment, so the others queue up behind it.
    await conn.execute('BEGIN');
    await conn.execute(`UPDATE "FABRIC_DB"."METADATA"."_SEMANTIC_SYNC_LOCK" SET "WRITES" = "WRITES" + 1`);
    const release = new Promise((r) => setTimeout(r, 300)).then(() => conn.execute('COMMIT'));
    const run = session(t, 4);
    await Promise.all([release, ...four.map(({ id, model }) => run.syncModel(model, null, ctx(id, model), WRITE))]);
    const full = t.standIn!.lockWaits.filter((w) => w.outcome === 'queue-full');
    console.log(`lock queue limit 1: ${full.length} statements refused with 000625, ${run.lockRetries} model transactions retried, all ${four.length} written`);
    expect(full.length).toBeGreaterThan(0);
    expect(run.lockRetries).toBeGreaterThan(0);
    for (const { id } of four) expect((await readModelRows(conn, id, t.ns)).metadata?.SYNC_COUNT, id).toBe(1);
    await conn.close();
    await run.close();
  }, 60_000);
});
