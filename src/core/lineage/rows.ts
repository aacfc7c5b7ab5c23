// Rows of the `_SEMANTIC_LINEAGE` table (issue 16): one row per table (COLUMN null) and one per
// column, each with its source object or query, confidence and reason. Row building only: the
// warehouse planner decides the SQL.
import type { ModelLineage, TableLineage } from './types.js';

export interface LineageRow {
  model: string;
  table: string;
  /** null on the table's own row. */
  column: string | null;
  sourceDatabase: string | null;
  sourceSchema: string | null;
  sourceObject: string | null;
  /** `table` / `view` when the M says, else null. */
  sourceObjectKind: string | null;
  /** The native query, for a table read through Value.NativeQuery. */
  sourceQuery: string | null;
  sourceColumn: string | null;
  confidence: string;
  reason: string | null;
  /** The table's row filters as one SQL condition (the table's row only), when all translate. */
  filter: string | null;
}

/** `model` names the rows (the published model name or id); defaults to the lineage's model name. */
export function lineageRows(lineage: ModelLineage, model: string = lineage.model): LineageRow[] {
  const rows: LineageRow[] = [];
  for (const table of lineage.tables) {
    const source = sourceFields(table);
    const filters = table.filters.filter((f) => f.kind === 'rows');
    const filter = filters.length > 0 && filters.every((f) => f.sql !== undefined) ? filters.map((f) => f.sql).join(' AND ') : null;
    rows.push({ model, table: table.table, column: null, ...source, sourceColumn: null, confidence: table.confidence, reason: table.reason, filter });
    for (const column of table.columns) {
      rows.push({
        model,
        table: table.table,
        column: column.column,
        ...source,
        sourceColumn: column.sourceColumn,
        confidence: column.confidence,
        reason: column.reason ?? (column.confidence === 'none' ? table.reason : null),
        filter: null,
      });
    }
  }
  return rows;
}

function sourceFields(table: TableLineage): Pick<LineageRow, 'sourceDatabase' | 'sourceSchema' | 'sourceObject' | 'sourceObjectKind' | 'sourceQuery'> {
  const s = table.source;
  if (!s) return { sourceDatabase: null, sourceSchema: null, sourceObject: null, sourceObjectKind: null, sourceQuery: null };
  if (s.kind === 'query') return { sourceDatabase: s.database ?? null, sourceSchema: null, sourceObject: null, sourceObjectKind: null, sourceQuery: s.sql };
  return { sourceDatabase: s.database, sourceSchema: s.schema, sourceObject: s.name, sourceObjectKind: s.objectKind ?? null, sourceQuery: null };
}
