// What the DAX translator needs to know about a model, built once per model: its tables, columns,
// measures (names are model-global and case-insensitive in DAX), relationships, and the resolver
// that maps a model column to the SQL expression that reads it in Snowflake (through lineage).
// It also holds the memo of measure translations, so each measure is translated once per model.
import type { Column, Measure, Relationship, SemanticModel, Table } from '../schema/model.js';
import type { SqlExpr } from './sql.js';

/** The SQL for a model object, or why there is none (e.g. "table 'Targets' comes from Excel"). */
export type SqlResolution = { sql: string } | { reason: string };

/**
 * Maps a model column to the SQL that reads it inside a semantic-view metric: a logical-table
 * column or fact such as `SALES.AMOUNT`. The caller builds it from lineage; the translator only
 * splices the returned text. It must name a fact or dimension the view declares, because derived
 * (view-level) metrics may not reference physical columns.
 */
export type ColumnResolver = (table: string, column: string) => SqlResolution;

/**
 * Whether a whole table is traced (COUNTROWS needs the table, not a column), and optionally the
 * SQL of a column that is never NULL on any of its rows (its key). A regular metric counts rows
 * with COUNT(*); a derived metric spans several logical tables, where COUNT(*) names none, so
 * COUNTROWS there is COUNT(rowKey) — or untranslated when the table has no such column.
 */
export type TableResolver = (table: string) => { rowKey?: string } | { reason: string };

export type Grade = 'exact' | 'approximate' | 'untranslated';

/** Why a measure is untranslated, as a stable code (for coverage reports and JSON output). */
export type UntranslatedCause =
  | 'parse-error'
  | 'time-intelligence'
  | 'filter-removal'
  | 'relationship-override'
  | 'filter-inspection'
  | 'related-table'
  | 'context-transition'
  | 'table-expression'
  | 'no-lineage'
  | 'unknown-reference'
  | 'unknown-function'
  | 'unsupported-function'
  | 'unsupported-construct'
  | 'type-mismatch'
  | 'filter-path'
  | 'dependency'
  | 'cycle'
  | 'no-aggregation';

export interface MeasureTranslation {
  grade: Grade;
  /** The metric's SQL: an aggregate expression (present unless untranslated). */
  sql?: string;
  /** approximate: the documented difference(s); untranslated: why. */
  reason?: string;
  cause?: UntranslatedCause;
  /** Source span of the construct the reason is about, when it has one. */
  at?: { start: number; end: number };
  /** Measures this one references directly, with the model's spelling. */
  dependsOn: string[];
  /**
   * The model tables whose rows the SQL aggregates. One table: a regular metric on that logical
   * table. Several: a derived (view-level) metric, which may aggregate facts of any table.
   */
  tables: string[];
}

export interface MeasureInfo {
  table: string;
  measure: Measure;
}

export interface DaxContext {
  model: SemanticModel;
  resolveColumn: ColumnResolver;
  resolveTable: TableResolver;
  /** Table by lower-cased name. */
  table(name: string): Table | undefined;
  column(table: string, column: string): Column | undefined;
  /** Measure by lower-cased name (names are model-global). */
  measure(name: string): MeasureInfo | undefined;
  /** User-defined DAX functions of the model (compatibility level 1702+), lower-cased. */
  userFunctions: ReadonlySet<string>;
  /**
   * Whether a filter on `to` reaches rows of `from` along active relationships whose filter flows
   * from the one side to the many side (many-to-one chains from `from`, or one-to-one links).
   */
  reaches(from: string, to: string): boolean;
  /** Memo of top-level translations by lower-cased measure name (internal to the translator). */
  memo: Map<string, { result: MeasureTranslation; expr?: SqlExpr }>;
}

export interface DaxContextOptions {
  /** Default: a table resolves (without a row key) when one of its columns does. */
  resolveTable?: TableResolver;
}

const lower = (s: string): string => s.toLowerCase();

/** Builds the translation context of one model. */
export function createDaxContext(model: SemanticModel, resolveColumn: ColumnResolver, options: DaxContextOptions = {}): DaxContext {
  const tables = new Map<string, Table>();
  const columns = new Map<string, Map<string, Column>>();
  const measures = new Map<string, MeasureInfo>();
  for (const t of model.tables) {
    tables.set(lower(t.name), t);
    columns.set(lower(t.name), new Map(t.columns.map((c) => [lower(c.name), c])));
    for (const m of t.measures) if (!measures.has(lower(m.name))) measures.set(lower(m.name), { table: t.name, measure: m });
  }
  const edges = filterEdges(model.relationships);
  const reachCache = new Map<string, boolean>();

  const resolveTable: TableResolver =
    options.resolveTable ??
    ((name): ReturnType<TableResolver> => {
      const t = tables.get(lower(name));
      if (!t) return { reason: `unknown table '${name}'` };
      let first: { reason: string } | undefined;
      for (const c of t.columns) {
        const r = resolveColumn(t.name, c.name);
        if ('sql' in r) return {};
        first ??= r;
      }
      return first ?? { reason: `table '${t.name}' has no columns` };
    });

  return {
    model,
    resolveColumn,
    resolveTable,
    table: (name) => tables.get(lower(name)),
    column: (table, column) => columns.get(lower(table))?.get(lower(column)),
    measure: (name) => measures.get(lower(name)),
    userFunctions: new Set(model.functions.map((f) => lower(f.name))),
    reaches(from, to) {
      const key = `${lower(from)}\u0000${lower(to)}`;
      let hit = reachCache.get(key);
      if (hit === undefined) {
        hit = search(edges, lower(from), lower(to));
        reachCache.set(key, hit);
      }
      return hit;
    },
    memo: new Map(),
  };
}

// Edges `a → b` meaning "a filter on b reaches the rows of a": the many side of an active
// relationship points at its one side; a one-to-one link filters both ways. Many-to-many links
// are left out (their filtering is not a semantic-view join).
function filterEdges(relationships: readonly Relationship[]): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  const add = (a: string, b: string): void => {
    const list = edges.get(a) ?? [];
    list.push(b);
    edges.set(a, list);
  };
  for (const r of relationships) {
    if (!r.isActive) continue;
    const from = lower(r.fromTable);
    const to = lower(r.toTable);
    if (r.toCardinality === 'one' && r.fromCardinality !== 'none') add(from, to);
    if (r.fromCardinality === 'one' && r.toCardinality === 'one') add(to, from);
  }
  return edges;
}

function search(edges: Map<string, string[]>, from: string, to: string): boolean {
  if (from === to) return true;
  const seen = new Set([from]);
  const queue = [from];
  while (queue.length > 0) {
    const cur = queue.shift() as string;
    for (const next of edges.get(cur) ?? []) {
      if (next === to) return true;
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return false;
}
