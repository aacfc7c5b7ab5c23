// One writer at a time on the metadata tables (issue 9, concurrency). Two runs writing the same new
// model at once (two CI jobs, or a job beside a monitor) each found no row and each inserted one:
// the model appeared twice in _SEMANTIC_METADATA with its tables and columns doubled. Every model
// transaction therefore starts by updating the one row of a lock table. On Snowflake the UPDATE takes
// the table lock, so the second writer waits for the first COMMIT and its MERGEs (read committed:
// each statement sees what was committed before it began) then find the first writer's rows; an
// engine that reports the conflict instead (error 000625) gets the transaction retried by the session.
import type { Dialect } from '../warehouse/dialect.js';
import type { Statement, WarehousePlan } from '../warehouse/plan.js';

export const LOCK_TABLE = '_SEMANTIC_SYNC_LOCK';

/** The plan with the lock table in its DDL and the lock taken right after BEGIN. */
export function withWriteLock(plan: WarehousePlan, _dialect: Dialect): WarehousePlan {
  const begin = plan.transaction.findIndex((s) => s.sql === 'BEGIN');
  if (begin < 0) return plan;
  const ddl: Statement[] = [
    { sql: `CREATE TABLE IF NOT EXISTS "${LOCK_TABLE}" ("LOCK_ID" INTEGER NOT NULL, "WRITES" INTEGER NOT NULL)`, purpose: 'create the writer lock table', creates: LOCK_TABLE },
    // Once per connection; two first runs racing may both insert, and the UPDATE below locks both rows.
    { sql: `INSERT INTO "${LOCK_TABLE}" ("LOCK_ID", "WRITES") SELECT 1, 0 WHERE NOT EXISTS (SELECT 1 FROM "${LOCK_TABLE}")`, purpose: 'seed the writer lock row' },
  ];
  const lock: Statement = { sql: `UPDATE "${LOCK_TABLE}" SET "WRITES" = "WRITES" + 1 WHERE "LOCK_ID" = 1`, purpose: 'take the writer lock (one model write at a time)' };
  const transaction = [...plan.transaction.slice(0, begin + 1), lock, ...plan.transaction.slice(begin + 1)];
  return { ...plan, ddl: [...plan.ddl, ...ddl], transaction };
}
