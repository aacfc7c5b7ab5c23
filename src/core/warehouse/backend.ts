// One small seam between the planner and a database (issue 5 item 2), and the thin apply step:
// DDL first, then the transaction; on any failure ROLLBACK and rethrow a WarehouseError, so the
// previous rows of the model stay as they were (DESIGN.md §7).
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
 * DDL is idempotent (IF NOT EXISTS), so it is sent once per connection: later models of the same
 * run send only their transaction. Keyed by backend object, forgotten with it.
 */
const ddlDone = new WeakMap<WarehouseBackend, Set<string>>();

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
  if (!done) {
    // One catalog query per connection instead of five CREATEs: existing tables are left alone
    // (IF NOT EXISTS would do the same, at a round trip each).
    done = new Set<string>();
    ddlDone.set(backend, done);
    const existing = await existingTables(backend);
    outcomes.push({ purpose: 'list the existing metadata tables', rowsAffected: undefined });
    for (const st of plan.ddl) if (st.creates && existing.has(st.creates)) done.add(st.sql);
  }
  for (const st of plan.ddl) {
    if (done.has(st.sql)) continue;
    outcomes.push(await run(backend, st));
    done.add(st.sql);
  }
  let open = false;
  try {
    for (const st of plan.transaction) {
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
  return { executed: outcomes.length, outcomes };
}

/** Permanent tables of the current schema (Snowflake and DuckDB both answer INFORMATION_SCHEMA.TABLES). */
async function existingTables(backend: WarehouseBackend): Promise<Set<string>> {
  try {
    const r = await backend.execute(
      "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = CURRENT_SCHEMA() AND TABLE_TYPE = 'BASE TABLE'",
    );
    return new Set(r.rows.map((row) => String(Object.values(row)[0])));
  } catch (e) {
    throw asWarehouseError(e, 'list the existing metadata tables');
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
