// What a database connection is sent: one SQL text with its binds and a purpose (shown by --dry-run
// and in errors). Publishers plan statements; the drivers (snowflake.ts, duckdb.ts) run them.

/** A scalar bind value (Power BI names only ever travel as binds). */
export type Bind = string | number | boolean | null;

export interface Statement {
  sql: string;
  /** Scalar binds (`Bind[]`) or an array bind, one inner array per row (`Bind[][]`). */
  binds?: Bind[] | Bind[][];
  /** What the statement is for, in a few words (shown by --dry-run and in errors). */
  purpose: string;
}

/**
 * snowflake-sdk sends an array bind through a temporary stage once its bound values (rows × columns)
 * exceed a threshold (`createStatementPreExec` in snowflake-sdk's lib/connection/statement.js; the
 * client default of CLIENT_STAGE_ARRAY_BINDING_THRESHOLD is 100,000 in lib/parameters.js, and the
 * server may send another at login). Stage binding runs `CREATE OR REPLACE TEMPORARY STAGE` — DDL,
 * which commits the open model transaction. The Snowflake backend pins the driver's threshold to
 * this value (`arrayBindingThreshold`), and every array bind stays at or below it.
 */
export const STAGE_BINDING_THRESHOLD = 100_000;

/** Values in a bind set, counted the way the driver does (only array binds count). */
export function arrayBindValues(binds: readonly Bind[] | readonly Bind[][] | undefined): number {
  if (!binds || !Array.isArray(binds[0])) return 0;
  return (binds as Bind[][]).reduce((n, row) => n + row.length, 0);
}
