// One small seam between the planner and a database (issue 5 item 2), and the thin apply step:
// DDL first, then the transaction; on any failure ROLLBACK and rethrow a WarehouseError, so the
// previous rows of the model stay as they were (docs/architecture.md#warehouse).
import { FabricSyncError, WarehouseError } from '../errors.js';
import type { Dialect } from './dialect.js';
import type { Bind, Statement, WarehousePlan } from './plan.js';

export interface ExecuteResult {
  rows: Record<string, unknown>[];
  rowsAffected?: number;
}

export interface WarehouseBackend {
  execute(sql: string, binds?: Bind[] | Bind[][]): Promise<ExecuteResult>;
  close(): Promise<void>;
  readonly dialect: Dialect;
}

export interface StatementOutcome {
  purpose: string;
  rowsAffected: number | undefined;
}

export interface ApplyResult {
  /** Statements sent (DDL already run on this connection is not sent again). */
  executed: number;
  outcomes: StatementOutcome[];
}

/**
 * What a connection has already run: the session DDL (the temporary load table) once per
 * connection, and the CREATEs of the permanent tables only when a statement found one missing.
 * Keyed by backend object, forgotten with it.
 */
const ddlDone = new WeakMap<WarehouseBackend, { session: Set<string>; tablesCreated: boolean }>();

/**
 * Connections whose ROLLBACK failed. Snowflake ignores a second BEGIN, so a transaction left open
 * there would be committed together with the next model's: such a connection is not used again.
 */
const unsafe = new WeakSet<WarehouseBackend>();

export async function applyPlan(backend: WarehouseBackend, plan: WarehousePlan): Promise<ApplyResult> {
  if (unsafe.has(backend)) {
    throw new WarehouseError('The warehouse connection could not roll back an earlier failure and is no longer used.', {}, {
      hint: 'Open a new connection (re-run); the failed model was not committed.',
    });
  }
  const outcomes: StatementOutcome[] = [];
  let done = ddlDone.get(backend);
  if (!done) ddlDone.set(backend, (done = { session: new Set(), tablesCreated: false }));
  // A plan of DDL only (creating the schema on purpose) runs all of it.
  const schemaOnly = plan.transaction.length === 0;
  for (const st of plan.ddl) {
    if ((st.creates && !schemaOnly) || done.session.has(st.sql)) continue;
    outcomes.push(await run(backend, st));
    done.session.add(st.sql);
  }
  try {
    await runTransaction(backend, plan.transaction, outcomes);
  } catch (e) {
    // Optimistic DDL: the permanent tables are assumed to exist, which they do after the first run
    // of an installation — so a model costs no catalog query and no CREATE. The first run on an
    // empty schema finds a table missing here (nothing was committed), creates them all (IF NOT
    // EXISTS) and runs the model again.
    if (done.tablesCreated || !isMissingTable(e)) throw e;
    done.tablesCreated = true;
    for (const st of plan.ddl) if (st.creates) outcomes.push(await run(backend, st));
    await runTransaction(backend, plan.transaction, outcomes);
  }
  return { executed: outcomes.length, outcomes };
}

async function runTransaction(backend: WarehouseBackend, statements: readonly Statement[], outcomes: StatementOutcome[]): Promise<void> {
  let open = false;
  try {
    for (const st of statements) {
      if (st.sql === 'BEGIN') open = true;
      outcomes.push(await run(backend, st));
      if (st.sql === 'COMMIT' || st.sql === 'ROLLBACK') open = false;
    }
  } catch (e) {
    if (open) {
      // A dropped connection cannot roll back, but then the server discards the uncommitted
      // transaction with the session; either way this connection is not trusted again.
      await backend.execute('ROLLBACK').catch(() => unsafe.add(backend));
    }
    throw e;
  }
}

/** Snowflake 002003 ("does not exist or not authorized") or DuckDB's catalog error for a missing table. */
function isMissingTable(e: unknown): boolean {
  if (!(e instanceof WarehouseError)) return false;
  return e.code === '002003' || /Catalog Error: Table with name .* does not exist/i.test(e.message);
}

async function run(backend: WarehouseBackend, st: Statement): Promise<StatementOutcome> {
  try {
    const r = await backend.execute(st.sql, st.binds);
    return { purpose: st.purpose, rowsAffected: r.rowsAffected };
  } catch (e) {
    throw asWarehouseError(e, st.purpose);
  }
}

/** Keeps typed errors (AuthError for a missing privilege) and wraps anything else with the statement's purpose. */
function asWarehouseError(e: unknown, purpose: string): Error {
  if (e instanceof FabricSyncError && !(e instanceof WarehouseError)) return e;
  const hint = 'The model was rolled back; its previous rows are unchanged. Re-run to retry.';
  if (e instanceof WarehouseError) {
    return new WarehouseError(`Could not ${purpose}: ${e.message}`, { code: e.code, sqlState: e.sqlState }, { hint: e.hint ?? hint, cause: e.cause ?? e });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new WarehouseError(`Could not ${purpose}: ${message}`, {}, { cause: e, hint });
}
