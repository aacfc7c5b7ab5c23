// The five metadata tables of docs/architecture.md#warehouse and the session load table, as data: one row per column
// with its type, nullability and the COMMENT users see in Snowflake. The planner derives every
// CREATE TABLE, MERGE and DELETE from these specs, so a column is declared in exactly one place.
import type { LogicalType } from '../../warehouse/dialect.js';

export interface ColumnSpec {
  name: string;
  type: LogicalType;
  notNull?: boolean;
  comment: string;
  /** Schema version that added the column (default 1); an upgrade adds it with ADD COLUMN IF NOT EXISTS, so it is nullable. */
  since?: number;
  /** Schema version whose release changed this column's COMMENT (the upgrade re-applies it). */
  commentSince?: number;
}

export interface TableSpec {
  name: string;
  comment: string;
  /** Key columns, in order; MODEL_ID first. */
  key: string[];
  columns: ColumnSpec[];
  /** Schema version that added the table (default 1). */
  since?: number;
  /**
   * Informational constraints on Snowflake (https://docs.snowflake.com/en/sql-reference/constraints-overview:
   * PRIMARY KEY and FOREIGN KEY are recorded, not enforced; RELY lets the optimizer use them).
   * `primaryKey`: the key is declared as PRIMARY KEY. `modelOf`: MODEL_ID references that table.
   */
  primaryKey?: boolean;
  modelOf?: string;
}

const MODEL_ID: ColumnSpec = {
  name: 'MODEL_ID',
  type: 'text',
  notNull: true,
  comment: 'Id of the source semantic model (Fabric item id, or the source path of a local model).',
};
const ORDINAL: ColumnSpec = { name: 'ORDINAL', type: 'int', notNull: true, comment: 'Position of the object in the model, from 0.' };
const push = (what: string): ColumnSpec[] => [
  {
    name: 'IN_PUSH',
    type: 'bool',
    comment: `TRUE when the push dataset keeps this ${what}, FALSE when its conversion dropped it; NULL when the model has no push dataset (push disabled, nothing pushable, or the source is itself a push dataset).`,
    commentSince: 2,
  },
  { name: 'PUSH_ACTION', type: 'text', comment: 'Conversion report action: kept, changed or dropped (NULL without a push conversion).' },
  { name: 'PUSH_REASON', type: 'text', comment: 'Machine-readable reason code when changed or dropped (e.g. calculatedColumn, usesUserelationship).' },
  { name: 'PUSH_DETAIL', type: 'text', comment: 'One sentence explaining the change or drop.' },
];

export const METADATA: TableSpec = {
  name: '_SEMANTIC_METADATA',
  comment: 'One row per published semantic model synced by fabric-sync: names, ids, fingerprint, counts, full definition and conversion report.',
  key: ['MODEL_ID'],
  primaryKey: true,
  columns: [
    MODEL_ID,
    { name: 'MODEL_NAME', type: 'text', notNull: true, comment: 'Published name: the push dataset name ({Model}_PushSync) when a push copy exists, else the source name.' },
    { name: 'SOURCE_MODEL_NAME', type: 'text', notNull: true, comment: 'Name of the source semantic model.' },
    { name: 'PUSH_DATASET_ID', type: 'text', comment: 'Id of the push dataset copy, when one exists.' },
    { name: 'PUSH_DATASET_NAME', type: 'text', comment: 'Name of the push dataset copy, when one exists.' },
    { name: 'WORKSPACE_ID', type: 'text', comment: 'Fabric workspace id of the source model (NULL for local files).' },
    { name: 'STORAGE_MODE', type: 'text', comment: 'Storage mode of the source model (import, directQuery, directLake, mixed, push).' },
    { name: 'SOURCE_FORMAT', type: 'text', notNull: true, comment: 'How the definition was read: BIM, TMDL, PUSH or INFO (DAX INFO views).' },
    { name: 'FINGERPRINT', type: 'text', notNull: true, comment: 'SHA-256 of the canonical definition. Changes exactly when the model changes.' },
    { name: 'REPORT_FINGERPRINT', type: 'text', comment: 'SHA-256 of the conversion report JSON, NULL without a push conversion.' },
    { name: 'DESCRIPTION', type: 'text', comment: 'Model description.' },
    { name: 'COMPATIBILITY_LEVEL', type: 'int', comment: 'Tabular compatibility level of the model.' },
    { name: 'TABLE_COUNT', type: 'int', notNull: true, comment: 'Number of tables (rows in _SEMANTIC_TABLES).' },
    { name: 'COLUMN_COUNT', type: 'int', notNull: true, comment: 'Number of columns, calculated ones included (rows in _SEMANTIC_COLUMNS).' },
    { name: 'CALCULATED_COLUMN_COUNT', type: 'int', notNull: true, comment: 'Number of calculated columns.' },
    { name: 'MEASURE_COUNT', type: 'int', notNull: true, comment: 'Number of measures (rows in _SEMANTIC_MEASURES).' },
    { name: 'RELATIONSHIP_COUNT', type: 'int', notNull: true, comment: 'Number of relationships (rows in _SEMANTIC_RELATIONSHIPS).' },
    { name: 'CALCULATED_TABLE_COUNT', type: 'int', notNull: true, comment: 'Number of calculated tables.' },
    { name: 'CALCULATION_GROUP_COUNT', type: 'int', notNull: true, comment: 'Number of calculation group tables.' },
    { name: 'HIERARCHY_COUNT', type: 'int', notNull: true, comment: 'Number of hierarchies.' },
    { name: 'ROLE_COUNT', type: 'int', notNull: true, comment: 'Number of security roles.' },
    { name: 'PUSH_KEPT_COUNT', type: 'int', comment: 'Objects the push conversion kept unchanged (NULL without a push conversion).' },
    { name: 'PUSH_CHANGED_COUNT', type: 'int', comment: 'Objects the push conversion changed (renamed, type mapped).' },
    { name: 'PUSH_DROPPED_COUNT', type: 'int', comment: 'Objects the push conversion dropped (see CONVERSION_REPORT for why).' },
    { name: 'DEFINITION', type: 'json', notNull: true, comment: 'Full canonical model definition (the JSON the fingerprint is computed from).' },
    { name: 'CONVERSION_REPORT', type: 'json', comment: 'Push conversion report: every object kept, changed or dropped, with reasons.' },
    { name: 'FIRST_SYNCED_AT', type: 'timestamp', notNull: true, comment: 'UTC time the model was first written.' },
    { name: 'LAST_SYNCED_AT', type: 'timestamp', notNull: true, comment: 'UTC time the current definition (FINGERPRINT) was written. Unchanged by runs that find nothing new.' },
    { name: 'SYNC_COUNT', type: 'int', notNull: true, comment: 'Number of distinct definitions written: 1 on first sync, +1 each time the fingerprint changes.' },
    { name: 'DELETED_AT', type: 'timestamp', comment: 'UTC time the source model was seen deleted, NULL while it exists. Rows are never erased.' },
    { name: 'TOOL_VERSION', type: 'text', notNull: true, comment: 'fabric-sync version that last changed this row.' },
    { name: 'RUN_ID', type: 'text', notNull: true, comment: 'Run id that last changed this row (also in QUERY_TAG, fabric-sync/<version>/<run id>).' },
  ],
};

export const TABLES: TableSpec = {
  name: '_SEMANTIC_TABLES',
  comment: 'One row per table of each synced semantic model.',
  key: ['MODEL_ID', 'TABLE_NAME'],
  primaryKey: true,
  modelOf: '_SEMANTIC_METADATA',
  columns: [
    MODEL_ID,
    { name: 'TABLE_NAME', type: 'text', notNull: true, comment: 'Table name, exact case.' },
    ORDINAL,
    { name: 'TABLE_KIND', type: 'text', notNull: true, comment: 'data, calculatedTable or calculationGroup.' },
    { name: 'STORAGE_MODE', type: 'text', comment: 'Storage mode from the partitions: import, directQuery, dual, directLake or mixed.' },
    { name: 'IS_HIDDEN', type: 'bool', notNull: true, comment: 'Hidden in client tools.' },
    { name: 'DESCRIPTION', type: 'text', comment: 'Table description.' },
    { name: 'COLUMN_COUNT', type: 'int', notNull: true, comment: 'Number of columns.' },
    { name: 'MEASURE_COUNT', type: 'int', notNull: true, comment: 'Number of measures.' },
    { name: 'HIERARCHY_COUNT', type: 'int', notNull: true, comment: 'Number of hierarchies.' },
    { name: 'PARTITION_COUNT', type: 'int', notNull: true, comment: 'Number of partitions.' },
    { name: 'PARTITION_SOURCE_TYPES', type: 'text', comment: 'Distinct partition source types, comma-separated (m, query, calculated, entity, ...).' },
    { name: 'SOURCE_EXPRESSION', type: 'text', comment: 'Source of the first partition (Power Query M, SQL or DAX), when it has one.' },
    { name: 'PUSH_TABLE_NAME', type: 'text', comment: 'Table name in the push dataset when it differs (sanitised).' },
    ...push('table'),
    {
      name: 'PHYSICAL_TABLE',
      type: 'text',
      comment: 'Fully qualified name of the physical mirror table that --create-tables keeps for this table, NULL when it keeps none.',
      since: 2,
    },
  ],
};

export const COLUMNS: TableSpec = {
  name: '_SEMANTIC_COLUMNS',
  comment: 'One row per column (data, calculated and calculated-table columns) of each synced semantic model.',
  key: ['MODEL_ID', 'TABLE_NAME', 'COLUMN_NAME'],
  primaryKey: true,
  modelOf: '_SEMANTIC_METADATA',
  columns: [
    MODEL_ID,
    { name: 'TABLE_NAME', type: 'text', notNull: true, comment: 'Owning table name, exact case.' },
    { name: 'COLUMN_NAME', type: 'text', notNull: true, comment: 'Column name, exact case.' },
    ORDINAL,
    { name: 'TOM_DATA_TYPE', type: 'text', notNull: true, comment: 'Tabular (TOM) data type: string, int64, double, decimal, dateTime, boolean, binary, variant, ...' },
    { name: 'PUSH_DATA_TYPE', type: 'text', comment: 'Push API data type (Int64, Double, Decimal, Datetime, String, Boolean), NULL when not pushed.' },
    { name: 'SNOWFLAKE_DATA_TYPE', type: 'text', notNull: true, comment: 'Snowflake type used for this column by --create-tables.' },
    { name: 'COLUMN_KIND', type: 'text', notNull: true, comment: 'data, calculated or calculatedTableColumn.' },
    { name: 'IS_CALCULATED', type: 'bool', notNull: true, comment: 'TRUE for a DAX calculated column.' },
    { name: 'EXPRESSION', type: 'text', comment: 'DAX expression of a calculated column.' },
    { name: 'SOURCE_COLUMN', type: 'text', comment: 'Source column name in the partition query.' },
    { name: 'IS_HIDDEN', type: 'bool', notNull: true, comment: 'Hidden in client tools.' },
    { name: 'IS_KEY', type: 'bool', notNull: true, comment: 'Marked as the table key.' },
    { name: 'FORMAT_STRING', type: 'text', comment: 'Display format string.' },
    { name: 'DISPLAY_FOLDER', type: 'text', comment: 'Display folder.' },
    { name: 'DATA_CATEGORY', type: 'text', comment: 'Data category (e.g. City, ImageUrl).' },
    { name: 'SUMMARIZE_BY', type: 'text', comment: 'Default aggregation.' },
    { name: 'SORT_BY_COLUMN', type: 'text', comment: 'Column this one is sorted by.' },
    { name: 'DESCRIPTION', type: 'text', comment: 'Column description.' },
    ...push('column'),
  ],
};

/** The measure's DAX → SQL translation (docs/dax-to-sql.md), written when the semantic view is published. */
const TRANSLATION: ColumnSpec[] = [
  {
    name: 'SQL_EXPRESSION',
    type: 'text',
    comment: 'The measure as a Snowflake SQL metric expression over the semantic view, NULL when untranslated or when the semantic view is not published (kept from the last run that published it).',
    since: 3,
  },
  { name: 'TRANSLATION_GRADE', type: 'text', comment: 'exact, approximate (the SQL differs in the case TRANSLATION_REASON states) or untranslated.', since: 3 },
  { name: 'TRANSLATION_REASON', type: 'text', comment: 'Why the translation is approximate or untranslated, or why the metric is left out of the view.', since: 3 },
];

export const MEASURES: TableSpec = {
  name: '_SEMANTIC_MEASURES',
  comment: 'One row per measure of each synced semantic model, with its DAX and whether the push dataset keeps it.',
  key: ['MODEL_ID', 'TABLE_NAME', 'MEASURE_NAME'],
  primaryKey: true,
  modelOf: '_SEMANTIC_METADATA',
  columns: [
    MODEL_ID,
    { name: 'TABLE_NAME', type: 'text', notNull: true, comment: 'Home table of the measure, exact case.' },
    { name: 'MEASURE_NAME', type: 'text', notNull: true, comment: 'Measure name, exact case.' },
    ORDINAL,
    { name: 'EXPRESSION', type: 'text', comment: 'DAX expression (empty when the measure has none).' },
    { name: 'FORMAT_STRING', type: 'text', comment: 'Display format string.' },
    { name: 'DISPLAY_FOLDER', type: 'text', comment: 'Display folder.' },
    { name: 'DESCRIPTION', type: 'text', comment: 'Measure description.' },
    { name: 'IS_HIDDEN', type: 'bool', notNull: true, comment: 'Hidden in client tools.' },
    ...push('measure'),
    ...TRANSLATION,
  ],
};

export const RELATIONSHIPS: TableSpec = {
  name: '_SEMANTIC_RELATIONSHIPS',
  comment: 'One row per relationship of each synced semantic model.',
  key: ['MODEL_ID', 'RELATIONSHIP_NAME'],
  primaryKey: true,
  modelOf: '_SEMANTIC_METADATA',
  columns: [
    MODEL_ID,
    { name: 'RELATIONSHIP_NAME', type: 'text', notNull: true, comment: 'Relationship name (often a GUID in Power BI Desktop models).' },
    ORDINAL,
    { name: 'FROM_TABLE', type: 'text', notNull: true, comment: 'Table on the from (usually many) side.' },
    { name: 'FROM_COLUMN', type: 'text', notNull: true, comment: 'Column on the from side.' },
    { name: 'TO_TABLE', type: 'text', notNull: true, comment: 'Table on the to (usually one) side.' },
    { name: 'TO_COLUMN', type: 'text', notNull: true, comment: 'Column on the to side.' },
    { name: 'FROM_CARDINALITY', type: 'text', notNull: true, comment: 'one, many or none.' },
    { name: 'TO_CARDINALITY', type: 'text', notNull: true, comment: 'one, many or none.' },
    { name: 'CROSS_FILTERING_BEHAVIOR', type: 'text', notNull: true, comment: 'oneDirection, bothDirections or automatic.' },
    { name: 'IS_ACTIVE', type: 'bool', notNull: true, comment: 'FALSE for an inactive relationship (used only through USERELATIONSHIP).' },
    { name: 'SECURITY_FILTERING_BEHAVIOR', type: 'text', comment: 'Security filtering behaviour when set.' },
    ...push('relationship'),
  ],
};

/** The four child tables, in the order they are merged. */
export const CHILD_TABLES = [TABLES, COLUMNS, MEASURES, RELATIONSHIPS] as const;

/**
 * Where each table's and column's rows come from in Snowflake (docs/lineage.md), written in the
 * model transaction when the semantic view is published; without it, the rows of the last run that
 * published it are kept.
 */
export const LINEAGE: TableSpec = {
  name: '_SEMANTIC_LINEAGE',
  comment: 'Lineage of each synced semantic model: one row per table (COLUMN_NAME empty) and per column, with the Snowflake object or query it reads, written when the semantic view is published.',
  key: ['MODEL_ID', 'TABLE_NAME', 'COLUMN_NAME'],
  primaryKey: true,
  modelOf: '_SEMANTIC_METADATA',
  since: 3,
  columns: [
    MODEL_ID,
    { name: 'TABLE_NAME', type: 'text', notNull: true, comment: 'Model table name, exact case.' },
    { name: 'COLUMN_NAME', type: 'text', notNull: true, comment: "Model column name, exact case; '' on the table's own row." },
    { name: 'SOURCE_DATABASE', type: 'text', comment: 'Snowflake database of the source object (or of the native query).' },
    { name: 'SOURCE_SCHEMA', type: 'text', comment: 'Snowflake schema of the source object.' },
    { name: 'SOURCE_OBJECT', type: 'text', comment: 'Snowflake table or view the rows are read from, NULL for a native query or a table without Snowflake source.' },
    { name: 'SOURCE_OBJECT_KIND', type: 'text', comment: 'table or view when the M says, else NULL.' },
    { name: 'SOURCE_QUERY', type: 'text', comment: 'The native query (Value.NativeQuery) the table is loaded with.' },
    { name: 'SOURCE_COLUMN', type: 'text', comment: 'Column of the source object the model column reads (NULL on the table row, or for a column computed in M).' },
    { name: 'CONFIDENCE', type: 'text', notNull: true, comment: 'exact, approximate (a step not understood), configured (semanticView.tables) or none.' },
    { name: 'REASON', type: 'text', comment: 'Why the lineage is approximate or missing (the step or connector named).' },
    { name: 'ROW_FILTER', type: 'text', comment: "The table's M row filters as one SQL condition over the source columns (table row only)." },
    { name: 'SYNCED_AT', type: 'timestamp', notNull: true, comment: 'UTC time this row last changed.' },
  ],
};

/**
 * Append-only history: one row per (MODEL_ID, FINGERPRINT) the first time that definition is
 * written, so a changed model keeps every earlier definition and an unchanged re-run adds nothing.
 */
export const MODEL_VERSIONS: TableSpec = {
  name: '_SEMANTIC_MODEL_VERSIONS',
  comment: 'Append-only history of synced semantic models: one row per distinct definition (MODEL_ID, FINGERPRINT), written the first time it is synced.',
  key: ['MODEL_ID', 'FINGERPRINT'],
  primaryKey: true,
  modelOf: '_SEMANTIC_METADATA',
  since: 2,
  columns: [
    MODEL_ID,
    { name: 'FINGERPRINT', type: 'text', notNull: true, comment: 'SHA-256 of the canonical definition of this version.' },
    { name: 'SYNCED_AT', type: 'timestamp', notNull: true, comment: 'UTC time this definition was first written.' },
    { name: 'MODEL_NAME', type: 'text', notNull: true, comment: 'Published name at that time (see _SEMANTIC_METADATA.MODEL_NAME).' },
    { name: 'SOURCE_MODEL_NAME', type: 'text', notNull: true, comment: 'Name of the source semantic model at that time.' },
    { name: 'SOURCE_FORMAT', type: 'text', notNull: true, comment: 'How the definition was read: BIM, TMDL, PUSH or INFO.' },
    { name: 'DEFINITION', type: 'json', notNull: true, comment: 'Full canonical model definition of this version.' },
    { name: 'CONVERSION_REPORT', type: 'json', comment: 'Push conversion report of this version, NULL without a push conversion.' },
    { name: 'TOOL_VERSION', type: 'text', notNull: true, comment: 'fabric-sync version that wrote this version.' },
    { name: 'RUN_ID', type: 'text', notNull: true, comment: 'Run id that wrote this version.' },
  ],
};

export const ALL_TABLES = [METADATA, ...CHILD_TABLES, MODEL_VERSIONS, LINEAGE] as const;

/**
 * The writer lock (see write-lock.ts): every model transaction MERGEs its row here
 * before its first write to the metadata tables. Created by the first release (schema version 1).
 */
export const SYNC_LOCK: TableSpec = {
  name: '_SEMANTIC_SYNC_LOCK',
  comment: 'Writer lock of fabric-sync: each model transaction updates its row before writing; Snowflake then locks the whole table, so writers take turns.',
  key: ['MODEL_ID'],
  columns: [
    { name: 'MODEL_ID', type: 'text', notNull: true, comment: 'Model whose transaction last took the lock.' },
    { name: 'WRITES', type: 'int', notNull: true, comment: 'Number of model transactions that took the lock for this model.' },
  ],
};

/** One row per install or upgrade of the tables; the highest SCHEMA_VERSION is the installed one. */
export const SCHEMA_VERSION: TableSpec = {
  name: '_SEMANTIC_SCHEMA_VERSION',
  comment: 'Schema version of the fabric-sync tables: one row per install or upgrade; the highest SCHEMA_VERSION is in force.',
  key: ['SCHEMA_VERSION'],
  since: 2,
  columns: [
    { name: 'SCHEMA_VERSION', type: 'int', notNull: true, comment: 'Schema version installed by this step.' },
    { name: 'FROM_VERSION', type: 'int', notNull: true, comment: 'Schema version found before it (0: none recorded).' },
    { name: 'TOOL_VERSION', type: 'text', notNull: true, comment: 'fabric-sync version that ran the step.' },
    { name: 'INSTALLED_AT', type: 'timestamp', notNull: true, comment: 'UTC time of the step.' },
  ],
};

/** A view of the models that still exist in their source (DELETED_AT IS NULL). */
export const CURRENT_MODELS_VIEW = {
  name: '_SEMANTIC_CURRENT_MODELS',
  comment: 'The synced semantic models that still exist in their source: _SEMANTIC_METADATA without the rows marked deleted.',
  since: 2,
} as const;

/**
 * The session's load table. One narrow shape serves all four child tables (KIND tells them apart),
 * so a whole model goes in one array-bound INSERT of ≤ 1,000 rows × 5 values, and the statement
 * count stays constant. DOC holds the row's other attributes as JSON text (never PARSE_JSON in
 * VALUES: docs/snowflake.md#sql-facts).
 */
export const LOAD: TableSpec = {
  name: '_SEMANTIC_LOAD',
  comment: 'Session load table of fabric-sync (temporary).',
  key: ['BATCH', 'KIND', 'TABLE_NAME', 'NAME'],
  columns: [
    { name: 'BATCH', type: 'text', notNull: true, comment: 'The model write the row belongs to.' },
    { name: 'KIND', type: 'text', notNull: true, comment: 'Target table of the row.' },
    { name: 'TABLE_NAME', type: 'text', comment: 'Owning table name.' },
    { name: 'NAME', type: 'text', notNull: true, comment: 'Object name.' },
    { name: 'DOC', type: 'text', notNull: true, comment: 'Other attributes as JSON text.' },
  ],
};
