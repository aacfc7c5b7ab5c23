// FACT or DIMENSION for each Power BI column (pure). In a semantic view, facts are the row-level
// numbers metrics aggregate and dimensions are what queries group and filter by
// (https://docs.snowflake.com/en/user-guide/views-semantic/overview). The TOM data type decides
// first (one typed table, tested row by row); then a numeric column that Power BI itself never sums
// — a key, a relationship column, or `summarizeBy: none` (years, codes) — is a dimension, because
// as a fact it could not be grouped by.
import type { Column, TomDataType } from '../schema/model.js';

export type ColumnRole = 'fact' | 'dimension';

/** `numeric` → fact unless a key; `attribute` → dimension; `none` → left out (reason). */
export const SEMANTIC_ROLE_BY_TOM_TYPE: Readonly<Record<TomDataType, 'numeric' | 'attribute' | { none: string }>> = {
  int64: 'numeric',
  double: 'numeric',
  decimal: 'numeric',
  string: 'attribute',
  dateTime: 'attribute',
  boolean: 'attribute',
  binary: { none: 'binary column: not a value to group by or aggregate' },
  variant: { none: 'variant column: its type is only known at query time' },
  unknown: { none: 'column of unknown type' },
  automatic: { none: 'column of undetermined (automatic) type' },
};

export type ColumnClass = { role: ColumnRole; reason?: string } | { role: 'none'; reason: string };

/**
 * How one column appears in the view. `keyColumns` are the columns used by relationships (either
 * end) of its table. Calculated columns have DAX, not a source column, so they are left to the DAX
 * translator and reported here.
 */
export function classifyColumn(column: Column, keyColumns: ReadonlySet<string> = new Set()): ColumnClass {
  if (column.kind !== 'data') return { role: 'none', reason: `${column.kind === 'calculated' ? 'calculated column' : 'column of a calculated table'}: no Snowflake source column` };
  const rule = (SEMANTIC_ROLE_BY_TOM_TYPE as Record<string, (typeof SEMANTIC_ROLE_BY_TOM_TYPE)[TomDataType]>)[column.dataType]
    ?? SEMANTIC_ROLE_BY_TOM_TYPE.unknown;
  if (typeof rule === 'object') return { role: 'none', reason: rule.none };
  if (rule === 'attribute') return { role: 'dimension' };
  if (column.isKey) return { role: 'dimension', reason: 'numeric key column' };
  if (keyColumns.has(column.name)) return { role: 'dimension', reason: 'numeric relationship column' };
  if (column.summarizeBy?.toLowerCase() === 'none') return { role: 'dimension', reason: 'numeric column Power BI does not summarize (summarizeBy none)' };
  return { role: 'fact' };
}
