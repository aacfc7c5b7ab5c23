// One writer at a time per model on the metadata tables (issue 9, concurrency). Two runs writing the
// same new model at once (two CI jobs, or a job beside a monitor) each found no row and each inserted
// one: the model appeared twice in _SEMANTIC_METADATA with its tables and columns doubled. So every
// model transaction updates the model's row of a lock table before its first MERGE. On Snowflake the
// UPDATE waits for the other writer's COMMIT, and the MERGEs that follow (read committed: a statement
// sees what was committed before it began) find its rows; an engine that reports the conflict
// instead (error 000625) gets the rolled-back transaction rerun by the warehouse session.
// The lock is per model and taken as late as possible, so a transaction left open by a killed run
// holds back only the model it was writing, and only where its MERGEs would have collided anyway.
import type { Statement, WarehousePlan } from '../warehouse/plan.js';

export const LOCK_TABLE = '_SEMANTIC_SYNC_LOCK';

/** The plan with the lock table in its DDL, the model's lock row ensured, and the lock taken before the first write. */
export function withWriteLock(plan: WarehousePlan, modelId: string): WarehousePlan {
  const begin = plan.transaction.findIndex((s) => s.sql === 'BEGIN');
  if (begin < 0) return plan;
  const firstWrite = plan.transaction.findIndex((s, i) => i > begin && /^\s*(MERGE|DELETE|UPDATE)\b/i.test(s.sql));
  const at = firstWrite < 0 ? begin + 1 : firstWrite;
  const ddl: Statement = {
    sql: `CREATE TABLE IF NOT EXISTS "${LOCK_TABLE}" ("MODEL_ID" VARCHAR NOT NULL, "WRITES" INTEGER NOT NULL)`,
    purpose: 'create the writer lock table',
    creates: LOCK_TABLE,
  };
  // Committed on its own before BEGIN, so a concurrent writer sees the row; two first writers may
  // both insert one, and the UPDATE below then locks both.
  const ensure: Statement = {
    sql: `INSERT INTO "${LOCK_TABLE}" ("MODEL_ID", "WRITES") SELECT ?, 0 WHERE NOT EXISTS (SELECT 1 FROM "${LOCK_TABLE}" WHERE "MODEL_ID" = ?)`,
    binds: [modelId, modelId],
    purpose: 'ensure the model has a writer lock row',
  };
  const lock: Statement = {
    sql: `UPDATE "${LOCK_TABLE}" SET "WRITES" = "WRITES" + 1 WHERE "MODEL_ID" = ?`,
    binds: [modelId],
    purpose: 'take the model writer lock',
  };
  const t = plan.transaction;
  return { ...plan, ddl: [...plan.ddl, ddl], transaction: [...t.slice(0, begin), ensure, ...t.slice(begin, at), lock, ...t.slice(at)] };
}
