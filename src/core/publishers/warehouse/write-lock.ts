// The writer lock on the metadata tables (issues 9 and 12). Two runs writing the same new model at
// once (two CI jobs, or a job beside a monitor) could each find no row and each insert one, doubling
// the model in _SEMANTIC_METADATA. So every model transaction first MERGEs its model's row of
// _SEMANTIC_SYNC_LOCK, before its first write to the metadata tables.
//
// What that lock is on Snowflake, honestly: UPDATE, DELETE and MERGE lock the whole standard table
// until the transaction ends (https://docs.snowflake.com/en/sql-reference/transactions, "Resource
// locking"), so the lock statement makes *every* model writer wait for the one before it — across
// models, not per model. A waiting statement waits up to the session's LOCK_TIMEOUT (set per
// session from snowflake.lockTimeoutSeconds; Snowflake's default is 43,200 s) and then fails.
// The statements after the lock begin once the previous writer has committed, so under read
// committed they see its rows; the lock statement exists for that ordering (Snowflake does not
// document which snapshot a statement that had to wait for a lock reads). A transaction left open
// by a killed run keeps its locks until Snowflake aborts it: after 5 minutes idle when it blocks
// another transaction (4 hours otherwise), 5 more minutes when a statement of it was still running
// (ABORT_DETACHED_QUERY). More than 20 statements queued on one lock fail at once with 000625;
// WarehouseSession retries those.
import { quoteIdent as q } from '../../warehouse/dialect.js';
import { qualified } from '../../warehouse/names.js';
import type { Statement } from '../../warehouse/statement.js';
import type { WarehousePlan } from './plan.js';
import { SYNC_LOCK } from './tables.js';

export const LOCK_TABLE = SYNC_LOCK.name;

/** The plan with the writer lock taken right before its first write to a shared table. */
export function withWriteLock(plan: WarehousePlan, modelId: string): WarehousePlan {
  const begin = plan.transaction.findIndex((s) => s.sql === 'BEGIN');
  if (begin < 0) return plan;
  const firstWrite = plan.transaction.findIndex((s, i) => i > begin && /^\s*(MERGE|DELETE|UPDATE)\b/i.test(s.sql));
  const at = firstWrite < 0 ? begin + 1 : firstWrite;
  // One statement whether or not the model has a row yet; two first writers of one new model may
  // both insert one, which only costs a row: the table lock is what serialises them.
  const lock: Statement = {
    sql:
      `MERGE INTO ${qualified(plan.namespace, LOCK_TABLE)} t USING (SELECT CAST(? AS VARCHAR) AS ${q('MODEL_ID')}) s ON t.${q('MODEL_ID')} = s.${q('MODEL_ID')} ` +
      `WHEN MATCHED THEN UPDATE SET ${q('WRITES')} = t.${q('WRITES')} + 1 ` +
      `WHEN NOT MATCHED THEN INSERT (${q('MODEL_ID')}, ${q('WRITES')}) VALUES (s.${q('MODEL_ID')}, 1)`,
    binds: [modelId],
    purpose: 'take the writer lock',
  };
  const t = plan.transaction;
  return { ...plan, transaction: [...t.slice(0, at), lock, ...t.slice(at)] };
}
