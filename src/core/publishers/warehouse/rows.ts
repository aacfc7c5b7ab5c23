// Model → rows for the metadata tables (pure). Every attribute of a child row is keyed by its
// target column name, so the planner can move it from the load table's DOC into that column
// without a second mapping. Report entries are matched by (kind, table, name).
import { createHash } from 'node:crypto';
import type { SemanticFacts } from '../publisher.js';
import type { ConversionReport, ReportEntry, ReportObjectKind } from '../report.js';
import { TOM_TO_WAREHOUSE, pushTypeFor } from '../../schema/tom-types.js';
import type { SemanticModel, Table } from '../../schema/model.js';
import { allColumns, allHierarchies } from '../../schema/walk.js';

export type Scalar = string | number | boolean | null;

export type ChildKind = 'table' | 'column' | 'measure' | 'relationship' | 'lineage';

export interface LoadRow {
  kind: ChildKind;
  /** Owning table (the table itself for a table row; null for relationships). */
  table: string | null;
  name: string;
  doc: Record<string, Scalar>;
}

export interface ModelRows {
  rows: LoadRow[];
  counts: Record<string, number>;
  /** Objects whose key repeats (the second one is skipped: MERGE needs unique source keys). */
  duplicates: string[];
}

function reportIndex(report: ConversionReport | null): (kind: ReportObjectKind, table: string | null, name: string) => ReportEntry | undefined {
  if (!report) return () => undefined;
  const map = new Map<string, ReportEntry>();
  for (const e of report.entries) {
    const key = JSON.stringify([e.kind, e.kind === 'table' || e.kind === 'relationship' ? null : (e.table ?? null), e.name]);
    if (!map.has(key)) map.set(key, e);
  }
  return (kind, table, name) => map.get(JSON.stringify([kind, table, name]));
}

/**
 * The four push columns every child row carries; all NULL when there was no push conversion.
 * IN_PUSH speaks of the push dataset itself, so it is NULL too when the conversion was made but no
 * push dataset exists (push disabled, nothing pushable); the report columns still say what the
 * conversion did.
 */
function pushFields(report: ConversionReport | null, entry: ReportEntry | undefined, twin: boolean): Record<string, Scalar> {
  if (!report) return { IN_PUSH: null, PUSH_ACTION: null, PUSH_REASON: null, PUSH_DETAIL: null };
  // An object the report does not mention was not converted: it is not in the push dataset.
  const action = entry?.action ?? 'dropped';
  return {
    IN_PUSH: twin ? action !== 'dropped' : null,
    PUSH_ACTION: action,
    PUSH_REASON: entry?.reason ?? (entry ? null : 'notInReport'),
    PUSH_DETAIL: entry?.detail ?? null,
  };
}

const opt = (v: string | undefined): string | null => (v === undefined || v === '' ? null : v);

export interface RowOptions {
  /** A push dataset of the model exists (IN_PUSH is NULL without one). Default: when a report is given. */
  pushTwin?: boolean;
  /** The physical mirror table of a model table (--create-tables), or null when it gets none. */
  physicalName?: (table: Table) => string | null;
  /** The semantic view's lineage and measure translations: _SEMANTIC_LINEAGE rows and the measures' SQL. */
  semantic?: SemanticFacts | null;
  /** SYNCED_AT of the lineage rows (timestamp text, plan.ts timestampBind). */
  syncedAt?: string;
}

export function buildModelRows(model: SemanticModel, report: ConversionReport | null, options: RowOptions = {}): ModelRows {
  const find = reportIndex(report);
  const twin = options.pushTwin ?? report !== null;
  const pushColumns = (r: ConversionReport | null, e: ReportEntry | undefined): Record<string, Scalar> => pushFields(r, e, twin);
  const rows: LoadRow[] = [];
  const seen = new Set<string>();
  const duplicates: string[] = [];
  const add = (row: LoadRow): void => {
    const key = JSON.stringify([row.kind, row.table, row.name]);
    if (seen.has(key)) {
      duplicates.push(`${row.kind} ${row.table === null ? '' : `${row.table}/`}${row.name}`);
      return;
    }
    seen.add(key);
    rows.push(row);
  };
  let columnOrdinal = 0;
  let measureOrdinal = 0;
  const translations = new Map((options.semantic?.measures ?? []).map((m) => [JSON.stringify([m.table, m.measure]), m]));
  model.tables.forEach((t, ti) => {
    const entry = find('table', null, t.name);
    const sourceTypes = [...new Set(t.partitions.map((p) => p.sourceType))];
    add({
      kind: 'table',
      table: t.name,
      name: t.name,
      doc: {
        ORDINAL: ti,
        TABLE_KIND: t.kind,
        STORAGE_MODE: opt(t.storageMode),
        IS_HIDDEN: t.isHidden,
        DESCRIPTION: opt(t.description),
        COLUMN_COUNT: t.columns.length,
        MEASURE_COUNT: t.measures.length,
        HIERARCHY_COUNT: t.hierarchies.length,
        PARTITION_COUNT: t.partitions.length,
        PARTITION_SOURCE_TYPES: sourceTypes.length ? sourceTypes.join(',') : null,
        SOURCE_EXPRESSION: opt(t.partitions.find((p) => p.expression !== undefined)?.expression),
        PUSH_TABLE_NAME: opt(entry?.pushName),
        ...pushColumns(report, entry),
        PHYSICAL_TABLE: options.physicalName?.(t) ?? null,
      },
    });
    for (const c of t.columns) {
      const entry = find('column', t.name, c.name);
      const types = TOM_TO_WAREHOUSE[c.dataType] ?? TOM_TO_WAREHOUSE.unknown;
      const pushed = pushColumns(report, entry);
      // The push converter's own type rule, for columns the push dataset keeps.
      const pushType = pushed.IN_PUSH === true ? pushTypeFor(c.dataType).push : null;
      add({
        kind: 'column',
        table: t.name,
        name: c.name,
        doc: {
          ORDINAL: columnOrdinal++,
          TOM_DATA_TYPE: c.dataType,
          PUSH_DATA_TYPE: pushType,
          SNOWFLAKE_DATA_TYPE: types.snowflake,
          COLUMN_KIND: c.kind,
          IS_CALCULATED: c.kind === 'calculated',
          EXPRESSION: opt(c.expression),
          SOURCE_COLUMN: opt(c.sourceColumn),
          IS_HIDDEN: c.isHidden,
          IS_KEY: c.isKey,
          FORMAT_STRING: opt(c.formatString),
          DISPLAY_FOLDER: opt(c.displayFolder),
          DATA_CATEGORY: opt(c.dataCategory),
          SUMMARIZE_BY: opt(c.summarizeBy),
          SORT_BY_COLUMN: opt(c.sortByColumn),
          DESCRIPTION: opt(c.description),
          ...pushed,
        },
      });
    }
    for (const m of t.measures) {
      add({
        kind: 'measure',
        table: t.name,
        name: m.name,
        doc: {
          ORDINAL: measureOrdinal++,
          EXPRESSION: m.expression,
          FORMAT_STRING: opt(m.formatString),
          DISPLAY_FOLDER: opt(m.displayFolder),
          DESCRIPTION: opt(m.description),
          IS_HIDDEN: m.isHidden,
          ...pushColumns(report, find('measure', t.name, m.name)),
          ...(options.semantic ? translationColumns(translations.get(JSON.stringify([t.name, m.name]))) : {}),
        },
      });
    }
  });
  model.relationships.forEach((r, ri) => {
    // A relationship always has a key: an unnamed one is named after its ends.
    const name = r.name !== '' ? r.name : `${r.fromTable}[${r.fromColumn}] -> ${r.toTable}[${r.toColumn}]`;
    add({
      kind: 'relationship',
      table: null,
      name,
      doc: {
        ORDINAL: ri,
        FROM_TABLE: r.fromTable,
        FROM_COLUMN: r.fromColumn,
        TO_TABLE: r.toTable,
        TO_COLUMN: r.toColumn,
        FROM_CARDINALITY: r.fromCardinality,
        TO_CARDINALITY: r.toCardinality,
        CROSS_FILTERING_BEHAVIOR: r.crossFilteringBehavior,
        IS_ACTIVE: r.isActive,
        SECURITY_FILTERING_BEHAVIOR: opt(r.securityFilteringBehavior),
        ...pushColumns(report, find('relationship', null, name)),
      },
    });
  });
  for (const l of options.semantic?.lineage ?? []) {
    add({
      kind: 'lineage',
      table: l.table,
      name: l.column ?? '',
      doc: {
        SOURCE_DATABASE: l.sourceDatabase,
        SOURCE_SCHEMA: l.sourceSchema,
        SOURCE_OBJECT: l.sourceObject,
        SOURCE_OBJECT_KIND: l.sourceObjectKind,
        SOURCE_QUERY: l.sourceQuery,
        SOURCE_COLUMN: l.sourceColumn,
        CONFIDENCE: l.confidence,
        REASON: l.reason,
        ROW_FILTER: l.filter,
        SYNCED_AT: options.syncedAt ?? null,
      },
    });
  }
  const count = (k: ChildKind): number => rows.filter((r) => r.kind === k).length;
  const columns = allColumns(model);
  return {
    rows,
    duplicates,
    counts: {
      TABLE_COUNT: count('table'),
      COLUMN_COUNT: count('column'),
      CALCULATED_COLUMN_COUNT: columns.filter((c) => c.kind === 'calculated').length,
      MEASURE_COUNT: count('measure'),
      RELATIONSHIP_COUNT: count('relationship'),
      CALCULATED_TABLE_COUNT: model.tables.filter((t) => t.kind === 'calculatedTable').length,
      CALCULATION_GROUP_COUNT: model.tables.filter((t) => t.kind === 'calculationGroup').length,
      HIERARCHY_COUNT: allHierarchies(model).length,
      ROLE_COUNT: model.roles.length,
    },
  };
}

function translationColumns(t: SemanticFacts['measures'][number] | undefined): Record<string, Scalar> {
  return { SQL_EXPRESSION: t?.sql ?? null, TRANSLATION_GRADE: t?.grade ?? null, TRANSLATION_REASON: t?.reason ?? null };
}

/** SHA-256 of the report JSON, so the MERGE can tell a changed report without comparing VARIANTs. */
export function reportFingerprint(report: ConversionReport | null): string | null {
  return report ? createHash('sha256').update(JSON.stringify(report)).digest('hex') : null;
}
