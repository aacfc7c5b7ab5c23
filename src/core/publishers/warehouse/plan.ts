// The pure warehouse planner (docs/architecture.md#warehouse, issue 5): one model → ordered SQL statements with
// binds, in the portable Snowflake subset of docs/snowflake.md#what-the-stand-in-implements. Shape of a plan:
//
//   ddl:          CREATE TEMPORARY TABLE IF NOT EXISTS (the session's load table) — once per
//                 connection, before BEGIN, because Snowflake DDL commits an open transaction. The
//                 permanent tables are installed and upgraded once per run by schema.ts.
//   transaction:  BEGIN · INSERT load (array bind, ≤ 1,000 rows each, tagged with a batch id)
//                 · [writer lock, added by write-lock.ts] · MERGE metadata · INSERT the model
//                 version when its fingerprint is new · (MERGE + DELETE vanished) × 4 child tables
//                 · COMMIT
//
// The count is constant per model except for the INSERT chunks (one chunk up to 1,000 objects, so
// the largest corpus model, fuam-core with 916 objects, also needs one). Power BI names only ever
// travel as bind values; identifiers are always double-quoted, and on Snowflake every object is
// named "DATABASE"."SCHEMA"."TABLE" from the configuration, never through the session's current
// database or schema (which CREATE SCHEMA and USE change: issue 12).
import type { ConversionReport } from '../report.js';
import type { SemanticModel, Table } from '../../schema/model.js';
import { DIALECTS, type Dialect, type LogicalType, quoteIdent as q, sqlLiteral } from '../../warehouse/dialect.js';
import { type Namespace, qualified } from '../../warehouse/names.js';
import { type PhysicalTarget, physicalTableName } from './physical-names.js';
import { type ModelRows, buildModelRows, reportFingerprint } from './rows.js';
import { type Bind, STAGE_BINDING_THRESHOLD, type Statement } from '../../warehouse/statement.js';
import { CHILD_TABLES, LINEAGE, LOAD, MEASURES, METADATA, MODEL_VERSIONS, type TableSpec } from './tables.js';
import type { SemanticFacts } from '../publisher.js';
import { createTableSql } from './ddl.js';

export interface WarehousePlan {
  /** Session DDL (the temporary load table), run once per connection before any transaction. */
  ddl: Statement[];
  transaction: Statement[];
  /** Where the permanent tables live (absent: unqualified names, the embedded DuckDB file). */
  namespace?: Namespace;
  dialect: Dialect;
  /** Recorded in _SEMANTIC_SCHEMA_VERSION if applying the plan has to install the tables. */
  installedBy: { toolVersion: string; at: Date };
  /** Non-fatal notes (an object whose key repeats is written once). */
  warnings?: string[];
}

export interface SyncContext {
  modelId: string;
  /** `Sales Analytics_PushSync`, or the source name when there is no push copy. */
  publishedName: string;
  sourceName: string;
  workspaceId: string | null;
  pushDatasetId: string | null;
  sourceFormat: string;
  storageMode: string;
  fingerprint: string;
  /** Canonical JSON of the model (the value the fingerprint is computed from). */
  definition: unknown;
  syncedAt: Date;
  runId: string;
  toolVersion: string;
  /**
   * Tags this write's rows in the session load table: unique per model write (the session draws
   * one). Absent, it is derived from the run, the model and the time, which is unique enough for a
   * plan that is only looked at.
   */
  batchId?: string;
  /** Schema of the --create-tables mirror tables, when they are kept (their names go into _SEMANTIC_TABLES). */
  physicalSchema?: PhysicalTarget | null;
  /**
   * The semantic view's lineage and translations (semantic-view publisher): _SEMANTIC_LINEAGE is
   * written and the measures' translation columns set. Without it neither is touched, and the
   * transaction keeps its statement count.
   */
  semantic?: SemanticFacts | null;
}

/** Rows per array-bound INSERT (issue 5: ≤ 1,000). */
export const INSERT_CHUNK_ROWS = 1000;

/** Rows per load INSERT: ≤ 1,000 and within the stage-binding threshold for `width` values per row. */
export function loadChunkRows(width: number, threshold = STAGE_BINDING_THRESHOLD): number {
  return Math.max(1, Math.min(INSERT_CHUNK_ROWS, Math.floor(threshold / width)));
}

/** UTC wall-clock text for TIMESTAMP_NTZ binds, parsed with an explicit format (dialect.timestampFromText; docs/snowflake.md#sql-facts: never bind a Date). */
export function timestampBind(at: Date): string {
  return at.toISOString().replace('T', ' ').replace('Z', '');
}

/** The session DDL of a connection: the temporary load table. */
export function planSessionDdl(dialect: Dialect, ns?: Namespace): Statement[] {
  return [createTableSql(LOAD, dialect, true, ns)];
}

export function planModelSync(
  model: SemanticModel,
  report: ConversionReport | null,
  context: SyncContext,
  dialect: Dialect,
  ns?: Namespace,
): WarehousePlan {
  const physical = context.physicalSchema;
  const built = buildModelRows(model, report, {
    pushTwin: context.pushDatasetId !== null,
    ...(physical ? { physicalName: (table: Table) => physicalTableName(physical, context.modelId, table) } : {}),
    ...(context.semantic ? { semantic: context.semantic, syncedAt: timestampBind(context.syncedAt) } : {}),
  });
  const semantic = Boolean(context.semantic);
  // Each model's rows carry a batch id of their own, so the session load table never needs clearing:
  // a statement saved per model (the rows are rolled back with a failed transaction anyway).
  const batch = `${context.runId}/${context.modelId}/${context.batchId ?? `${context.syncedAt.getTime()}-${context.fingerprint.slice(0, 12)}`}`;
  const load = loadTable(dialect, ns);
  const transaction: Statement[] = [
    { sql: 'BEGIN', purpose: 'begin the model transaction' },
    ...loadInserts(built, batch, load),
    mergeMetadata(model, built, report, context, dialect, ns),
    insertVersion(context.modelId, ns),
  ];
  for (const spec of [...CHILD_TABLES, ...(semantic ? [LINEAGE] : [])]) {
    // Without the semantic view, the measures' translation columns keep what the last run that published it wrote.
    const keep = spec === MEASURES && !semantic ? TRANSLATION_COLUMNS : undefined;
    transaction.push(mergeChild(spec, context.modelId, batch, dialect, ns, load, keep), deleteVanished(spec, context.modelId, batch, ns, load));
  }
  transaction.push({ sql: 'COMMIT', purpose: 'commit the model' });
  const warnings = built.duplicates.map((d) => `duplicate ${d} written once`);
  return {
    ddl: planSessionDdl(dialect, ns),
    transaction,
    dialect,
    installedBy: { toolVersion: context.toolVersion, at: context.syncedAt },
    ...(ns ? { namespace: ns } : {}),
    ...(warnings.length ? { warnings } : {}),
  };
}

/** Marks a model deleted (docs/architecture.md#reading-models-from-fabric: recorded, never erased). Its child rows stay as they were. */
export function planMarkDeleted(modelId: string, at: Date, dialect: Dialect = 'snowflake', ns?: Namespace, toolVersion = 'unknown'): WarehousePlan {
  return {
    ddl: [],
    dialect,
    installedBy: { toolVersion, at },
    ...(ns ? { namespace: ns } : {}),
    transaction: [
      {
        sql: `UPDATE ${qualified(ns, METADATA.name)} SET ${q('DELETED_AT')} = ${DIALECTS[dialect].timestampFromText('?')} WHERE ${q('MODEL_ID')} = ? AND ${q('DELETED_AT')} IS NULL`,
        binds: [timestampBind(at), modelId],
        purpose: 'mark the model deleted',
      },
    ],
  };
}

/** The load table's name: schema-qualified on Snowflake; DuckDB keeps temporary tables in its own catalog. */
function loadTable(dialect: Dialect, ns: Namespace | undefined): string {
  return dialect === 'duckdb' ? q(LOAD.name) : qualified(ns, LOAD.name);
}

/**
 * The model's version row, the first time its fingerprint is written: copied from the metadata
 * row the MERGE just wrote (so the definition is not sent twice), and only when no row of that
 * (MODEL_ID, FINGERPRINT) exists — an unchanged re-run adds nothing.
 */
export function versionsFromMetadata(ns: Namespace | undefined, oneModel: boolean): string {
  const cols = MODEL_VERSIONS.columns.map((c) => q(c.name));
  const from = cols.map((c) => (c === q('SYNCED_AT') ? `m.${q('LAST_SYNCED_AT')}` : `m.${c}`));
  return (
    `INSERT INTO ${qualified(ns, MODEL_VERSIONS.name)} (${cols.join(', ')}) SELECT ${from.join(', ')} FROM ${qualified(ns, METADATA.name)} m ` +
    `WHERE ${oneModel ? `m.${q('MODEL_ID')} = ? AND ` : ''}NOT EXISTS (SELECT 1 FROM ${qualified(ns, MODEL_VERSIONS.name)} v ` +
    `WHERE v.${q('MODEL_ID')} = m.${q('MODEL_ID')} AND v.${q('FINGERPRINT')} = m.${q('FINGERPRINT')})`
  );
}

function insertVersion(modelId: string, ns: Namespace | undefined): Statement {
  return { sql: versionsFromMetadata(ns, true), binds: [modelId], purpose: `record the model version in ${MODEL_VERSIONS.name}` };
}

function loadInserts(built: ModelRows, batch: string, load: string): Statement[] {
  const cols = LOAD.columns.map((c) => q(c.name)).join(', ');
  const values = LOAD.columns.map(() => '?').join(', ');
  const rows: Bind[][] = built.rows.map((r) => [batch, r.kind, r.table, r.name, JSON.stringify(r.doc)]);
  const out: Statement[] = [];
  const size = loadChunkRows(LOAD.columns.length);
  for (let i = 0; i < rows.length; i += size) {
    const chunk = rows.slice(i, i + size);
    out.push({
      sql: `INSERT INTO ${load} (${cols}) VALUES (${values})`,
      binds: chunk,
      purpose: `load ${chunk.length} object rows`,
    });
  }
  return out;
}

/** `CAST(expr AS type)`, `PARSE_JSON(expr)` for JSON columns, an explicit-format parse for timestamps. */
function typed(expr: string, type: LogicalType, dialect: Dialect): string {
  const d = DIALECTS[dialect];
  if (type === 'json') return d.parseJson(expr);
  if (type === 'timestamp') return d.timestampFromText(expr);
  return `CAST(${expr} AS ${d.types[type]})`;
}

/**
 * MERGE's single MATCHED clause only fires when a compared column differs (IS DISTINCT FROM treats
 * NULLs as values), so re-running an unchanged model updates no row.
 */
function mergeSql(spec: TableSpec, ns: Namespace | undefined, source: string, compare: string[], extraCondition: string[], set: string[]): string {
  const on = spec.key.map((k) => `t.${q(k)} = s.${q(k)}`).join(' AND ');
  const differs = [...compare.map((c) => `t.${q(c)} IS DISTINCT FROM s.${q(c)}`), ...extraCondition].join(' OR ');
  const insertCols = spec.columns.map((c) => q(c.name));
  return (
    `MERGE INTO ${qualified(ns, spec.name)} t USING (${source}) s ON ${on} ` +
    `WHEN MATCHED AND (${differs}) THEN UPDATE SET ${set.join(', ')} ` +
    `WHEN NOT MATCHED THEN INSERT (${insertCols.join(', ')}) VALUES (${insertCols.map((c) => `s.${c}`).join(', ')})`
  );
}

const BOOKKEEPING = new Set(['DEFINITION', 'CONVERSION_REPORT', 'FIRST_SYNCED_AT', 'LAST_SYNCED_AT', 'SYNC_COUNT', 'DELETED_AT', 'TOOL_VERSION', 'RUN_ID']);

function mergeMetadata(model: SemanticModel, built: ModelRows, report: ConversionReport | null, ctx: SyncContext, dialect: Dialect, ns: Namespace | undefined): Statement {
  const now = timestampBind(ctx.syncedAt);
  const values: Record<string, Bind> = {
    MODEL_ID: ctx.modelId,
    // The column says "the push dataset name when a push copy exists, else the source name": a
    // planned twin that was not published (push disabled, nothing pushable) is no push copy.
    MODEL_NAME: ctx.pushDatasetId === null ? ctx.sourceName : ctx.publishedName,
    SOURCE_MODEL_NAME: ctx.sourceName,
    PUSH_DATASET_ID: ctx.pushDatasetId,
    PUSH_DATASET_NAME: ctx.pushDatasetId === null ? null : (report?.pushName ?? ctx.publishedName),
    WORKSPACE_ID: ctx.workspaceId,
    STORAGE_MODE: ctx.storageMode,
    SOURCE_FORMAT: ctx.sourceFormat,
    FINGERPRINT: ctx.fingerprint,
    REPORT_FINGERPRINT: reportFingerprint(report),
    DESCRIPTION: model.description ?? null,
    COMPATIBILITY_LEVEL: model.compatibilityLevel ?? null,
    ...built.counts,
    PUSH_KEPT_COUNT: report?.counts.kept ?? null,
    PUSH_CHANGED_COUNT: report?.counts.changed ?? null,
    PUSH_DROPPED_COUNT: report?.counts.dropped ?? null,
    DEFINITION: JSON.stringify(ctx.definition),
    CONVERSION_REPORT: report ? JSON.stringify(report) : null,
    FIRST_SYNCED_AT: now,
    LAST_SYNCED_AT: now,
    SYNC_COUNT: 1,
    DELETED_AT: null,
    TOOL_VERSION: ctx.toolVersion,
    RUN_ID: ctx.runId,
  };
  return metadataStatement(values, dialect, ns);
}

function metadataStatement(values: Record<string, Bind>, dialect: Dialect, ns: Namespace | undefined): Statement {
  const binds: Bind[] = [];
  const select = METADATA.columns.map((c) => {
    binds.push(values[c.name] ?? null);
    return `${typed('?', c.type, dialect)} AS ${q(c.name)}`;
  });
  const compare = METADATA.columns.map((c) => c.name).filter((n) => !METADATA.key.includes(n) && !BOOKKEEPING.has(n));
  const fpChanged = `t.${q('FINGERPRINT')} IS DISTINCT FROM s.${q('FINGERPRINT')}`;
  const set = [
    ...compare.map((c) => `${q(c)} = s.${q(c)}`),
    `${q('DEFINITION')} = s.${q('DEFINITION')}`,
    `${q('CONVERSION_REPORT')} = s.${q('CONVERSION_REPORT')}`,
    `${q('LAST_SYNCED_AT')} = CASE WHEN ${fpChanged} THEN s.${q('LAST_SYNCED_AT')} ELSE t.${q('LAST_SYNCED_AT')} END`,
    `${q('SYNC_COUNT')} = t.${q('SYNC_COUNT')} + CASE WHEN ${fpChanged} THEN 1 ELSE 0 END`,
    `${q('DELETED_AT')} = NULL`,
    `${q('TOOL_VERSION')} = s.${q('TOOL_VERSION')}`,
    `${q('RUN_ID')} = s.${q('RUN_ID')}`,
  ];
  return {
    sql: mergeSql(METADATA, ns, `SELECT ${select.join(', ')}`, compare, [`t.${q('DELETED_AT')} IS NOT NULL`], set),
    binds,
    purpose: `merge ${METADATA.name}`,
  };
}

const KIND_OF: Record<string, string> = {
  _SEMANTIC_TABLES: 'table',
  _SEMANTIC_COLUMNS: 'column',
  _SEMANTIC_MEASURES: 'measure',
  _SEMANTIC_RELATIONSHIPS: 'relationship',
  _SEMANTIC_LINEAGE: 'lineage',
};

const TRANSLATION_COLUMNS = new Set(['SQL_EXPRESSION', 'TRANSLATION_GRADE', 'TRANSLATION_REASON']);
/** Set when a row changes, never a reason to change it. */
const CHILD_BOOKKEEPING = new Set(['SYNCED_AT']);

/** Target key column → load column: the last key part is the object's NAME, a TABLE_NAME before it is TABLE_NAME. */
function loadColumnFor(spec: TableSpec, column: string): string | undefined {
  if (column === 'MODEL_ID') return undefined;
  if (column === spec.key[spec.key.length - 1]) return spec.name === '_SEMANTIC_TABLES' ? 'TABLE_NAME' : 'NAME';
  if (column === 'TABLE_NAME' && spec.key.includes('TABLE_NAME')) return 'TABLE_NAME';
  return undefined;
}

function mergeChild(spec: TableSpec, modelId: string, batch: string, dialect: Dialect, ns: Namespace | undefined, load: string, keep?: ReadonlySet<string>): Statement {
  const d = DIALECTS[dialect];
  const select = spec.columns.map((c) => {
    if (c.name === 'MODEL_ID') return `${typed('?', 'text', dialect)} AS ${q(c.name)}`;
    const loadCol = loadColumnFor(spec, c.name);
    if (loadCol) return `l.${q(loadCol)} AS ${q(c.name)}`;
    return `${typed(d.jsonText(`l.${q('DOC')}`, c.name), c.type, dialect)} AS ${q(c.name)}`;
  });
  const source = `SELECT ${select.join(', ')} FROM ${load} l WHERE l.${q('BATCH')} = ? AND l.${q('KIND')} = ${sqlLiteral(KIND_OF[spec.name] ?? '')}`;
  const updated = spec.columns.map((c) => c.name).filter((n) => !spec.key.includes(n) && !keep?.has(n));
  const compare = updated.filter((n) => !CHILD_BOOKKEEPING.has(n));
  const set = updated.map((c) => `${q(c)} = s.${q(c)}`);
  return { sql: mergeSql(spec, ns, source, compare, [], set), binds: [modelId, batch], purpose: `merge ${spec.name}` };
}

/** Removes this model's objects that are no longer in the load table (a removed measure loses its row). */
function deleteVanished(spec: TableSpec, modelId: string, batch: string, ns: Namespace | undefined, load: string): Statement {
  const match = spec.key
    .filter((k) => k !== 'MODEL_ID')
    .map((k) => `l.${q(loadColumnFor(spec, k) ?? k)} = d.${q(k)}`)
    .join(' AND ');
  return {
    sql:
      `DELETE FROM ${qualified(ns, spec.name)} AS d WHERE d.${q('MODEL_ID')} = ? AND NOT EXISTS ` +
      `(SELECT 1 FROM ${load} l WHERE l.${q('BATCH')} = ? AND l.${q('KIND')} = ${sqlLiteral(KIND_OF[spec.name] ?? '')} AND ${match})`,
    binds: [modelId, batch],
    purpose: `delete vanished rows of ${spec.name}`,
  };
}
