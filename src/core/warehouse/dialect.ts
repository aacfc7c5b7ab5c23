import { InternalError } from '../errors.js';

// The two SQL dialects the warehouse writer speaks. They differ only where DuckDB must (issue 5,
// docs/snowflake.md#sql-facts); every difference lives in this one table so
// a reader can see at a glance what the embedded target does differently from Snowflake.

export type Dialect = 'snowflake' | 'duckdb';

/** Logical column types used by the metadata tables. */
export type LogicalType = 'text' | 'int' | 'bool' | 'timestamp' | 'json';

export interface DialectSpec {
  /** SQL type per logical type. */
  types: Record<LogicalType, string>;
  /** Turns JSON text (a VARCHAR) into the JSON column type. Never used inside VALUES (Snowflake rejects it). */
  parseJson(expr: string): string;
  /** Reads one top-level key of a JSON text as text (NULL when the key is absent). */
  jsonText(expr: string, key: string): string;
  /**
   * Snowflake takes column and table comments inside CREATE TABLE (applied once, at creation);
   * DuckDB has no inline COMMENT, so its CREATE is followed by `COMMENT ON` statements in the same
   * request (DuckDB accepts a multi-statement text; Snowflake is never sent one).
   */
  inlineComments: boolean;
  /**
   * TIMESTAMP_NTZ from the UTC text `timestampBind` produces, with the format spelled out so the
   * value never depends on a session's TIMESTAMP_INPUT_FORMAT
   * (https://docs.snowflake.com/en/sql-reference/functions/to_timestamp).
   */
  timestampFromText(expr: string): string;
  /**
   * Snowflake records PRIMARY KEY / FOREIGN KEY without enforcing them; DuckDB would enforce them
   * (and its MERGE then trips over its own index), so the embedded file declares none.
   */
  informationalConstraints: boolean;
}

/** The text form of every bound timestamp: `YYYY-MM-DD HH24:MI:SS.FF3`, UTC (see timestampBind in plan.ts). */
export const TIMESTAMP_FORMAT = 'YYYY-MM-DD HH24:MI:SS.FF3';

export const DIALECTS: Record<Dialect, DialectSpec> = {
  snowflake: {
    types: { text: 'VARCHAR', int: 'NUMBER(38,0)', bool: 'BOOLEAN', timestamp: 'TIMESTAMP_NTZ', json: 'VARIANT' },
    parseJson: (expr) => `PARSE_JSON(${expr})`,
    jsonText: (expr, key) => `JSON_EXTRACT_PATH_TEXT(${expr}, ${sqlLiteral(key)})`,
    inlineComments: true,
    timestampFromText: (expr) => `TO_TIMESTAMP_NTZ(${expr}, ${sqlLiteral(TIMESTAMP_FORMAT)})`,
    informationalConstraints: true,
  },
  duckdb: {
    types: { text: 'VARCHAR', int: 'BIGINT', bool: 'BOOLEAN', timestamp: 'TIMESTAMP', json: 'JSON' },
    parseJson: (expr) => `CAST(${expr} AS JSON)`,
    jsonText: (expr, key) => `JSON_EXTRACT_PATH_TEXT(${expr}, ${sqlLiteral(key)})`,
    inlineComments: false,
    timestampFromText: (expr) => `STRPTIME(${expr}, '%Y-%m-%d %H:%M:%S.%g')`,
    informationalConstraints: false,
  },
};

/** Double-quotes an identifier, doubling any embedded `"` (docs/snowflake.md#sql-facts Identifiers). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * A string literal for text that WE write (comments, JSON keys, kind tags). Power BI strings never
 * go through this: they are always bind values (docs/architecture.md#warehouse). Backslashes are refused because
 * Snowflake treats them as escapes in literals and DuckDB does not.
 */
export function sqlLiteral(text: string): string {
  if (text.includes('\\')) throw new InternalError(`internal: backslash in SQL literal ${JSON.stringify(text)}`);
  return `'${text.replaceAll("'", "''")}'`;
}
