// The lineage of a semantic model: for each table, the Snowflake object (or native query) its rows
// come from, the Power Query steps in between, and for each column the source column it is loaded
// from. Plain JSON data, so it can be stored, printed with --json and handed to the semantic-view
// builder and the DAX translator (issue 16). What is traced and what is not: docs/lineage.md.
//
// Every Snowflake name here (database, schema, object, column) is the name as stored in Snowflake,
// with its exact case (`ORDERS`, or `Mixed Case` for an object created quoted). A consumer that
// writes SQL must double-quote each one; it must never upper-case or re-parse them.

/**
 * How much a table's source can be trusted.
 * - `exact`: the M reads this Snowflake object or query, through steps whose effect is fully known.
 * - `approximate`: the source is known but a step in between is not understood (named in `steps`).
 * - `configured`: the source comes from the configuration map, not from the M.
 * - `none`: no Snowflake source; `reason` says why.
 */
export type LineageConfidence = 'exact' | 'approximate' | 'configured' | 'none';

/** Why a table has no source (`none`), or why it is only approximate; stable codes for grouping. */
export type LineageReasonCode =
  | 'traced'
  | 'configured'
  | 'unsupported-step'
  | 'partitions-differ'
  | 'calculated-table'
  | 'calculation-group'
  | 'entity-partition'
  | 'no-partition'
  | 'no-m'
  | 'not-snowflake'
  | 'parse-error'
  | 'unresolved'
  | 'config-error';

export type LineageSource =
  | {
      kind: 'object';
      database: string;
      schema: string;
      name: string;
      /** From the navigation's `Kind="Table"` / `Kind="View"`, when the M states it. */
      objectKind?: 'table' | 'view';
    }
  | {
      kind: 'query';
      /** The database the query runs in (`Value.NativeQuery(<database>, …)`), when known. */
      database?: string;
      sql: string;
    };

/** The connection a traced table uses: `Snowflake.Databases(server, warehouse, [Role=…])`. */
export interface LineageConnection {
  server: string;
  warehouse?: string;
  role?: string;
}

/** One Power Query step between the source and the table. */
export interface LineageStep {
  /** The step's name in the `let` (`Renamed Columns`), prefixed by the shared query that holds it. */
  name: string;
  /** The M function the step calls (`Table.RenameColumns`), or the construct (`if`, `try`). */
  function: string;
  /**
   * - `none`: no effect on lineage (`Table.TransformColumnTypes`, `Table.ReorderColumns`).
   * - `columns`: selects, removes or renames columns (followed exactly).
   * - `filter`: keeps some rows (recorded in `filters`).
   * - `unsupported`: not understood; the lineage is `approximate` from here on.
   */
  effect: 'none' | 'columns' | 'filter' | 'unsupported';
  detail?: string;
}

/** A `Table.SelectRows` step: part of the lineage, since the table holds only these rows. */
export interface LineageFilter {
  step: string;
  /** The predicate as written in M. */
  m: string;
  /**
   * The predicate as a Snowflake SQL condition over the source columns (double-quoted), when it is
   * simple enough to translate exactly. Absent otherwise (and the table is then `approximate`).
   */
  sql?: string;
  /** `incrementalRefresh`: a `RangeStart`/`RangeEnd` window, applied per refresh partition, not a fixed filter. */
  kind: 'rows' | 'incrementalRefresh';
}

export interface ColumnLineage {
  /** The model column. */
  column: string;
  /** The column of the source object (or of the query's result) it is loaded from; null when none. */
  sourceColumn: string | null;
  confidence: LineageConfidence;
  /** Why there is no source column, or a note on how it was found. */
  reason?: string;
}

export interface TableLineage {
  table: string;
  source: LineageSource | null;
  confidence: LineageConfidence;
  reasonCode: LineageReasonCode;
  /** One sentence: how the source was found, or why there is none. */
  reason: string;
  connection?: LineageConnection;
  steps: LineageStep[];
  filters: LineageFilter[];
  columns: ColumnLineage[];
}

export interface ModelLineage {
  model: string;
  tables: TableLineage[];
  /** Non-fatal notes: a configured table the model does not have, an unreadable shared expression. */
  warnings: string[];
}

/**
 * Where a table's source is configured (`semanticView.tables` in issue 16): either a
 * `DB.SCHEMA.OBJECT` name, parsed with Snowflake's identifier rules, or that name plus a map from
 * model column to source column (each also a Snowflake identifier).
 */
export type LineageTableConfig = string | { object: string; columns?: Record<string, string> };

export interface LineageOptions {
  /** Model table name → configured Snowflake source. Overrides what the M says. */
  tables?: Record<string, LineageTableConfig>;
}
