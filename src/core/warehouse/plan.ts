// The pure warehouse planner (docs/architecture.md#warehouse, issue 5): one model → ordered SQL statements with
// binds, in the portable Snowflake subset of docs/snowflake.md#what-the-stand-in-implements. Shape of a plan:
//
//   ddl:          CREATE TABLE IF NOT EXISTS × 5, CREATE TEMPORARY TABLE IF NOT EXISTS (load)
//                 — all before BEGIN, because Snowflake DDL commits an open transaction; applied
//                 once per connection, and only for the tables an INFORMATION_SCHEMA query misses
//   transaction:  BEGIN · INSERT load (array bind, ≤ 1,000 rows each, tagged with a batch id)
//                 · MERGE metadata · (MERGE + DELETE vanished) × 4 child tables · COMMIT
//
// The count is constant per model except for the INSERT chunks (one chunk up to 1,000 objects, so
// the largest corpus model, fuam-core with 916 objects, also needs one). Power BI names only ever
// travel as bind values; identifiers are always double-quoted.
import { randomUUID } from 'node:crypto';
import type { ConversionReport } from '../push/report.js';
import type { SemanticModel } from '../schema/model.js';
import { DIALECTS, type Dialect, type LogicalType, quoteIdent as q, sqlLiteral } from './dialect.js';
import { type ModelRows, type Scalar, buildModelRows, reportFingerprint } from './rows.js';
import { ALL_TABLES, CHILD_TABLES, LOAD, METADATA, type TableSpec } from './tables.js';
import { createTableSql } from './ddl.js';

export type Bind = Scalar;

export interface Statement {
  sql: string;
  /** Scalar binds (`Bind[]`) or an array bind, one inner array per row (`Bind[][]`). */
  binds?: Bind[] | Bind[][];
  /** What the statement is for, in a few words (shown by --dry-run and in errors). */
  purpose: string;
  /** For DDL: the permanent table it creates, so it is skipped when the table already exists. */
  creates?: string;
}

export interface WarehousePlan {
  ddl: Statement[];
  transaction: Statement[];
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
}

/** Rows per array-bound INSERT (issue 5: ≤ 1,000; × 4 values stays far below the driver's stage threshold). */
export const INSERT_CHUNK_ROWS = 1000;

/** UTC wall-clock text for TIMESTAMP_NTZ binds (docs/snowflake.md#sql-facts Types: never bind a Date). */
export function timestampBind(at: Date): string {
  return at.toISOString().replace('T', ' ').replace('Z', '');
}

/** The idempotent DDL every sync needs: the five tables and the session load table. */
export function planSchema(dialect: Dialect): Statement[] {
  return [...ALL_TABLES.map((t) => ({ ...createTableSql(t, dialect, false), creates: t.name })), createTableSql(LOAD, dialect, true)];
}

export function planModelSync(
  model: SemanticModel,
  report: ConversionReport | null,
  context: SyncContext,
  dialect: Dialect,
): WarehousePlan {
  const built = buildModelRows(model, report);
  // Each model's rows carry a batch id of their own, so the session load table never needs clearing:
  // a statement saved per model (the rows are rolled back with a failed transaction anyway).
  const batch = `${context.runId}/${context.modelId}/${randomUUID()}`;
  const transaction: Statement[] = [
    { sql: 'BEGIN', purpose: 'begin the model transaction' },
    ...loadInserts(built, batch),
    mergeMetadata(model, built, report, context, dialect),
  ];
  for (const spec of CHILD_TABLES) {
    transaction.push(mergeChild(spec, context.modelId, batch, dialect), deleteVanished(spec, context.modelId, batch));
  }
  transaction.push({ sql: 'COMMIT', purpose: 'commit the model' });
  const warnings = built.duplicates.map((d) => `duplicate ${d} written once`);
  return { ddl: planSchema(dialect), transaction, ...(warnings.length ? { warnings } : {}) };
}

/** Marks a model deleted (docs/architecture.md#reading-models-from-fabric: recorded, never erased). Its child rows stay as they were. */
export function planMarkDeleted(modelId: string, at: Date, dialect: Dialect = 'snowflake'): WarehousePlan {
  const ts = DIALECTS[dialect].types.timestamp;
  return {
    ddl: planSchema(dialect),
    transaction: [
      {
        sql: `UPDATE ${q(METADATA.name)} SET ${q('DELETED_AT')} = CAST(? AS ${ts}) WHERE ${q('MODEL_ID')} = ? AND ${q('DELETED_AT')} IS NULL`,
        binds: [timestampBind(at), modelId],
        purpose: 'mark the model deleted',
      },
    ],
  };
}

function loadInserts(built: ModelRows, batch: string): Statement[] {
  const cols = LOAD.columns.map((c) => q(c.name)).join(', ');
  const values = LOAD.columns.map(() => '?').join(', ');
  const rows: Bind[][] = built.rows.map((r) => [batch, r.kind, r.table, r.name, JSON.stringify(r.doc)]);
  const out: Statement[] = [];
  for (let i = 0; i < rows.length; i += INSERT_CHUNK_ROWS) {
    const chunk = rows.slice(i, i + INSERT_CHUNK_ROWS);
    out.push({
      sql: `INSERT INTO ${q(LOAD.name)} (${cols}) VALUES (${values})`,
      binds: chunk,
      purpose: `load ${chunk.length} object rows`,
    });
  }
  return out;
}

/** `CAST(expr AS type)`, or `PARSE_JSON(expr)` for JSON columns. */
function typed(expr: string, type: LogicalType, dialect: Dialect): string {
  const d = DIALECTS[dialect];
  return type === 'json' ? d.parseJson(expr) : `CAST(${expr} AS ${d.types[type]})`;
}

/**
 * MERGE's single MATCHED clause only fires when a compared column differs (IS DISTINCT FROM treats
 * NULLs as values), so re-running an unchanged model updates no row.
 */
function mergeSql(spec: TableSpec, source: string, compare: string[], extraCondition: string[], set: string[]): string {
  const on = spec.key.map((k) => `t.${q(k)} = s.${q(k)}`).join(' AND ');
  const differs = [...compare.map((c) => `t.${q(c)} IS DISTINCT FROM s.${q(c)}`), ...extraCondition].join(' OR ');
  const insertCols = spec.columns.map((c) => q(c.name));
  return (
    `MERGE INTO ${q(spec.name)} t USING (${source}) s ON ${on} ` +
    `WHEN MATCHED AND (${differs}) THEN UPDATE SET ${set.join(', ')} ` +
    `WHEN NOT MATCHED THEN INSERT (${insertCols.join(', ')}) VALUES (${insertCols.map((c) => `s.${c}`).join(', ')})`
  );
}

const BOOKKEEPING = new Set(['DEFINITION', 'CONVERSION_REPORT', 'FIRST_SYNCED_AT', 'LAST_SYNCED_AT', 'SYNC_COUNT', 'DELETED_AT', 'TOOL_VERSION', 'RUN_ID']);

function mergeMetadata(model: SemanticModel, built: ModelRows, report: ConversionReport | null, ctx: SyncContext, dialect: Dialect): Statement {
  const now = timestampBind(ctx.syncedAt);
  const values: Record<string, Bind> = {
    MODEL_ID: ctx.modelId,
    MODEL_NAME: ctx.publishedName,
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
  return metadataStatement(values, dialect);
}

function metadataStatement(values: Record<string, Bind>, dialect: Dialect): Statement {
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
    sql: mergeSql(METADATA, `SELECT ${select.join(', ')}`, compare, [`t.${q('DELETED_AT')} IS NOT NULL`], set),
    binds,
    purpose: `merge ${METADATA.name}`,
  };
}

const KIND_OF: Record<string, string> = {
  _SEMANTIC_TABLES: 'table',
  _SEMANTIC_COLUMNS: 'column',
  _SEMANTIC_MEASURES: 'measure',
  _SEMANTIC_RELATIONSHIPS: 'relationship',
};

/** Target key column → load column: the last key part is the object's NAME, a TABLE_NAME before it is TABLE_NAME. */
function loadColumnFor(spec: TableSpec, column: string): string | undefined {
  if (column === 'MODEL_ID') return undefined;
  if (column === spec.key[spec.key.length - 1]) return spec.name === '_SEMANTIC_TABLES' ? 'TABLE_NAME' : 'NAME';
  if (column === 'TABLE_NAME' && spec.key.includes('TABLE_NAME')) return 'TABLE_NAME';
  return undefined;
}

function mergeChild(spec: TableSpec, modelId: string, batch: string, dialect: Dialect): Statement {
  const d = DIALECTS[dialect];
  const select = spec.columns.map((c) => {
    if (c.name === 'MODEL_ID') return `${typed('?', 'text', dialect)} AS ${q(c.name)}`;
    const loadCol = loadColumnFor(spec, c.name);
    if (loadCol) return `l.${q(loadCol)} AS ${q(c.name)}`;
    return `${typed(d.jsonText(`l.${q('DOC')}`, c.name), c.type, dialect)} AS ${q(c.name)}`;
  });
  const source = `SELECT ${select.join(', ')} FROM ${q(LOAD.name)} l WHERE l.${q('BATCH')} = ? AND l.${q('KIND')} = ${sqlLiteral(KIND_OF[spec.name] ?? '')}`;
  const compare = spec.columns.map((c) => c.name).filter((n) => !spec.key.includes(n));
  const set = compare.map((c) => `${q(c)} = s.${q(c)}`);
  return { sql: mergeSql(spec, source, compare, [], set), binds: [modelId, batch], purpose: `merge ${spec.name}` };
}

/** Removes this model's objects that are no longer in the load table (a removed measure loses its row). */
function deleteVanished(spec: TableSpec, modelId: string, batch: string): Statement {
  const target = q(spec.name);
  const match = spec.key
    .filter((k) => k !== 'MODEL_ID')
    .map((k) => `l.${q(loadColumnFor(spec, k) ?? k)} = ${target}.${q(k)}`)
    .join(' AND ');
  return {
    sql:
      `DELETE FROM ${target} WHERE ${target}.${q('MODEL_ID')} = ? AND NOT EXISTS ` +
      `(SELECT 1 FROM ${q(LOAD.name)} l WHERE l.${q('BATCH')} = ? AND l.${q('KIND')} = ${sqlLiteral(KIND_OF[spec.name] ?? '')} AND ${match})`,
    binds: [modelId, batch],
    purpose: `delete vanished rows of ${spec.name}`,
  };
}
