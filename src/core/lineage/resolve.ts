// The lookup the semantic-view builder and the DAX translator use: which Snowflake column (or column
// of a native query's result) a model column reads. Model names match as DAX matches them: exactly
// first, then ignoring case (https://learn.microsoft.com/dax/dax-syntax-reference).
import type { ColumnLineage, LineageConfidence, ModelLineage, TableLineage } from './types.js';

export type ResolvedColumn =
  | { database: string; schema: string; object: string; column: string; confidence: LineageConfidence }
  | { query: string; database?: string; column: string; confidence: LineageConfidence }
  | { reason: string };

/** A table's lineage by model table name, or undefined. */
export function findTable(lineage: ModelLineage, table: string): TableLineage | undefined {
  return byName(lineage.tables, table, (t) => t.table);
}

/** Where `table[column]` comes from in Snowflake, or why it has no source. Never throws. */
export function resolveColumn(lineage: ModelLineage, table: string, column: string): ResolvedColumn {
  const t = findTable(lineage, table);
  if (!t) return { reason: `model "${lineage.model}" has no table "${table}"` };
  const c: ColumnLineage | undefined = byName(t.columns, column, (x) => x.column);
  if (!c) return { reason: `table "${t.table}" has no column "${column}"` };
  if (!t.source) return { reason: `table "${t.table}" has no Snowflake source: ${t.reason}` };
  if (c.sourceColumn === null) return { reason: `column "${t.table}"[${c.column}] has no source column: ${c.reason ?? 'not traced'}` };
  if (t.source.kind === 'object') {
    return { database: t.source.database, schema: t.source.schema, object: t.source.name, column: c.sourceColumn, confidence: c.confidence };
  }
  const resolved: ResolvedColumn = { query: t.source.sql, column: c.sourceColumn, confidence: c.confidence };
  if (t.source.database !== undefined) resolved.database = t.source.database;
  return resolved;
}

function byName<T>(items: readonly T[], name: string, key: (item: T) => string): T | undefined {
  const exact = items.find((i) => key(i) === name);
  if (exact) return exact;
  const lower = name.toLowerCase();
  return items.find((i) => key(i).toLowerCase() === lower);
}
