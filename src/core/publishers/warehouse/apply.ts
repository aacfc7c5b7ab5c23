// The thin apply step of the warehouse publisher (docs/architecture.md#warehouse): session DDL
// first, then the transaction; on any failure ROLLBACK and rethrow a WarehouseError, so the previous
// rows of the model stay as they were.
import { FabricSyncError, WarehouseError } from '../../errors.js';
import { isRetired, retireConnection, type WarehouseBackend } from '../../warehouse/backend.js';
import type { Statement } from '../../warehouse/statement.js';
import type { WarehousePlan } from './plan.js';
import { ensureSchema, isMissingObject } from './schema.js';

export interface StatementOutcome {
  purpose: string;
  rowsAffected: number | undefined;
}

export interface ApplyResult {
  /** Statements sent (DDL already run on this connection is not sent again). */
  executed: number;
  outcomes: StatementOutcome[];
}

/** The session DDL (the temporary load table) each connection has already run. Keyed by backend object, forgotten with it. */
const sessionDdl = new WeakMap<WarehouseBackend, Set<string>>();

/** Connections that already installed the tables after a statement found one missing. */
const installed = new WeakSet<WarehouseBackend>();

export async function applyPlan(backend: WarehouseBackend, plan: WarehousePlan): Promise<ApplyResult> {
  if (isRetired(backend)) {
    throw new WarehouseError('The warehouse connection could not roll back an earlier failure and is no longer used.', {}, {
      hint: 'Open a new connection (re-run); the failed model was not committed.',
    });
  }
  const outcomes: StatementOutcome[] = [];
  let done = sessionDdl.get(backend);
  if (!done) sessionDdl.set(backend, (done = new Set()));
  for (const st of plan.ddl) {
    if (done.has(st.sql)) continue;
    outcomes.push(await run(backend, st));
    done.add(st.sql);
  }
  try {
    await runTransaction(backend, plan.transaction, outcomes);
  } catch (e) {
    // A run installs or upgrades the tables before its first model (WarehouseSession). A plan
    // applied on its own — or tables dropped under a running monitor — finds one missing here
    // (nothing was committed): install them and run the model once more.
    // Never on a connection that could not roll the failed attempt back (its transaction may be open).
    if (installed.has(backend) || isRetired(backend) || !isMissingObject(e)) throw e;
    installed.add(backend);
    const check = await ensureSchema(backend, {
      dialect: plan.dialect,
      ...(plan.namespace ? { namespace: plan.namespace } : {}),
      toolVersion: plan.installedBy.toolVersion,
      at: plan.installedBy.at,
    });
    for (let i = 0; i < check.statements; i++) outcomes.push({ purpose: 'prepare the warehouse tables', rowsAffected: undefined });
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
      await backend.execute('ROLLBACK').catch(() => retireConnection(backend));
    }
    throw e;
  }
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
