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
