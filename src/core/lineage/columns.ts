// Column lineage: a data column is loaded from the M result column named by its `sourceColumn`;
// that name is followed back through the traced renames and selections to the source's column.
import type { Column, Table } from '../schema/model.js';
import type { ColumnMap } from './m-values.js';
import { lookupColumn } from './m-values.js';
import type { ColumnLineage, LineageConfidence } from './types.js';

/** Why a column has no source column whatever its table's source, or undefined for a data column. */
export function columnWithoutSource(column: Column): string | undefined {
  if (column.kind === 'calculated') return 'calculated column: computed by DAX inside the model, not loaded from the source';
  if (column.kind === 'calculatedTableColumn') return 'column of a calculated table: computed by DAX inside the model';
  return undefined;
}

/** The M result column a data column is loaded from. */
export function mColumnName(column: Column): string {
  return column.sourceColumn ?? column.name;
}

/**
 * Each column of `table` against the traced `columns` map (undefined when the table has no source;
 * `noneReason` then says why).
 */
export function columnLineage(table: Table, columns: ColumnMap | undefined, confidence: LineageConfidence, noneReason = 'the table has no Snowflake source'): ColumnLineage[] {
  return table.columns.map((column): ColumnLineage => {
    const own = columnWithoutSource(column);
    if (own) return { column: column.name, sourceColumn: null, confidence: 'none', reason: own };
    if (!columns) return { column: column.name, sourceColumn: null, confidence: 'none', reason: noneReason };
    const name = mColumnName(column);
    const origin = lookupColumn(columns, name);
    if (!origin) {
      return { column: column.name, sourceColumn: null, confidence: 'none', reason: `the traced M has no column "${name}" (removed, renamed or never selected)` };
    }
    if ('derived' in origin) return { column: column.name, sourceColumn: null, confidence: 'none', reason: origin.derived };
    const lineage: ColumnLineage = { column: column.name, sourceColumn: origin.source, confidence };
    if (column.sourceColumn === undefined) lineage.reason = 'the model gives no sourceColumn; the column name was used';
    return lineage;
  });
}
