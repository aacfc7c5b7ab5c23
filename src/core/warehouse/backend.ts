// One small seam between the planners and a database (issue 5 item 2): the Snowflake driver
// (snowflake.ts), the embedded DuckDB file (duckdb.ts) and the test stand-ins implement it.
import type { Dialect } from './dialect.js';
import type { Bind } from './statement.js';

export interface ExecuteResult {
  rows: Record<string, unknown>[];
  rowsAffected?: number;
}

export interface WarehouseBackend {
  execute(sql: string, binds?: Bind[] | Bind[][]): Promise<ExecuteResult>;
  close(): Promise<void>;
  readonly dialect: Dialect;
}

/**
 * Connections whose ROLLBACK failed. Snowflake ignores a second BEGIN, so a transaction left open
 * there would be committed together with the next model's: such a connection is never used again.
 * The pool drops a retired connection (the next model opens a new one); the apply step refuses one.
 */
const retired = new WeakSet<WarehouseBackend>();

export function retireConnection(backend: WarehouseBackend): void {
  retired.add(backend);
}

export function isRetired(backend: WarehouseBackend): boolean {
  return retired.has(backend);
}
