// What the semantic-view planner returns for one model (issue 16, item 3): plain JSON data, so it
// can be printed with --json, written beside the push definition and compared in tests. Every
// left-out object carries the reason it was left out. docs/semantic-view.md
import type { Grade, UntranslatedCause } from '../dax/context.js';
import type { TomDataType } from '../schema/model.js';
import type { LineageTableConfig } from '../lineage/types.js';

export interface SemanticViewPlanOptions {
  /** Database and schema the view is created in. */
  database: string;
  schema: string;
  /** Default `{Model}_semantic_view`. */
  viewName?: string;
  /**
   * Model table → Snowflake object (`'Targets': 'DB.SCHEMA.TARGETS'`), for tables the M does not
   * read from Snowflake, or to replace a native query by a view over it. docs/lineage.md
   */
  tables?: Record<string, LineageTableConfig>;
  /**
   * Publish `approximate` metrics too (default false: only `exact` ones). An approximate metric
   * differs from the measure in the case its reason states, e.g. a plain CALCULATE filter that
   * the query's own filter on the same column does not replace.
   */
  includeApproximate?: boolean;
}

export interface PlannedTable {
  /** The model table. */
  name: string;
  /** Logical table name in the view; absent when the table is left out. */
  alias?: string;
  /** `DB.SCHEMA.OBJECT` as Snowflake names it, or null when the table has no usable source. */
  source: string | null;
  included: boolean;
  /** How the source was found, or why the table is left out. */
  reason: string;
  /** PRIMARY KEY / UNIQUE columns (Snowflake source columns). */
  primaryKey?: string[];
  unique?: string[][];
}

export interface PlannedRelationshipItem {
  /** The Power BI relationship's name (its id in TMDL). */
  source: string;
  /** `from[column] → to[column]` in model names, many (or one) side first. */
  from: { table: string; column: string };
  to: { table: string; column: string };
  included: boolean;
  /** Logical name in the view, when included. */
  name?: string;
  /** Why it is left out, or what Power BI behaviour the view does not keep. */
  reason?: string;
}

export interface PlannedColumn {
  table: string;
  column: string;
  /** The fact's or dimension's name in the view (qualified by `alias`). */
  name: string;
  alias: string;
  /** The Snowflake column it reads. */
  sourceColumn: string;
  dataType: TomDataType;
  /** The expression in the DDL: `ALIAS.SOURCE_COLUMN`. */
  sql: string;
  /** Why a numeric column is a dimension, when it is. */
  note?: string;
}

export interface LeftOutColumn {
  table: string;
  column: string;
  reason: string;
}

export interface PlannedMetric {
  /** The measure. */
  measure: string;
  /** The measure's home table in the model. */
  table: string;
  /** The metric's name in the view (unique within its logical table, or among derived metrics). */
  name: string;
  /** Logical table of a regular metric; absent for a derived (view-level) metric or when left out. */
  alias?: string;
  grade: Grade;
  /** Present unless untranslated. */
  sql?: string;
  /** approximate: the difference; untranslated: why; left out: why. */
  reason?: string;
  cause?: UntranslatedCause;
  /** The original DAX (`Name = expression`), also the metric's COMMENT. */
  dax: string;
  included: boolean;
}

export interface SemanticViewPlan {
  model: string;
  /** `{ database, schema, name }` of the view. */
  view: { database: string; schema: string; name: string };
  /** The view's fully qualified name as written in the DDL. */
  viewName: string;
  tables: PlannedTable[];
  relationships: PlannedRelationshipItem[];
  facts: PlannedColumn[];
  dimensions: PlannedColumn[];
  /** Columns of included tables that are neither fact nor dimension. */
  columnsLeftOut: LeftOutColumn[];
  metrics: PlannedMetric[];
  /** The CREATE OR REPLACE SEMANTIC VIEW statement; undefined when nothing can be published. */
  ddl: string | undefined;
  /** Why there is no DDL. */
  ddlReason?: string;
  /** What the user can do to publish more of the model. */
  advice: string[];
  /** Notes from the lineage (configured tables the model lacks, unreadable shared expressions). */
  warnings: string[];
}
