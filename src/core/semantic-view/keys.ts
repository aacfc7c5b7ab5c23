// PRIMARY KEY and UNIQUE keys of each logical table (pure). A relationship must reference the
// primary key or a UNIQUE key of the referenced table
// (https://docs.snowflake.com/en/sql-reference/sql/create-semantic-view, "ref_column_name"), and in
// Power BI the "one" side of a relationship is exactly a column whose values are unique. So the
// columns referenced by the planned relationships are the keys: one becomes the PRIMARY KEY, any
// other referenced column of the same table a single-column UNIQUE key (Snowflake refuses a UNIQUE
// clause that repeats the primary key). A column marked as the table's key in Power BI
// (`isKey`, the date table's key) is preferred as primary key.
import type { SemanticModel } from '../schema/model.js';
import type { PlannedRelationship } from './relationships.js';

export interface TableKeys {
  /** Power BI column names (the planner maps them to the Snowflake source columns). */
  primaryKey: string;
  unique: string[];
}

/**
 * Keys per Power BI table, for the tables referenced by `relationships` (the "one" sides; both sides
 * of a one-to-one). Tables no relationship references get none: a semantic view does not need one.
 */
export function tableKeys(model: SemanticModel, relationships: readonly PlannedRelationship[]): Map<string, TableKeys> {
  const uses = new Map<string, Map<string, number>>();
  const count = (table: string, column: string): void => {
    const cols = uses.get(table) ?? new Map<string, number>();
    cols.set(column, (cols.get(column) ?? 0) + 1);
    uses.set(table, cols);
  };
  for (const r of relationships) {
    count(r.toTable, r.toColumn);
    // In a one-to-one the referencing column is unique too, and declaring it is what tells
    // Snowflake the relationship is one-to-one rather than many-to-one (validation-rules page).
    if (r.cardinality === 'one-to-one') count(r.fromTable, r.fromColumn);
  }
  const out = new Map<string, TableKeys>();
  for (const [table, cols] of uses) {
    const columns = model.tables.find((t) => t.name === table)?.columns ?? [];
    const position = (c: string): number => {
      const i = columns.findIndex((col) => col.name === c);
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    const isKey = (c: string): boolean => columns.some((col) => col.name === c && col.isKey);
    // isKey first, then the column most relationships reference, then model column order, then name.
    const ranked = [...cols.keys()].sort((a, b) => Number(isKey(b)) - Number(isKey(a))
      || cols.get(b)! - cols.get(a)!
      || position(a) - position(b)
      || (a < b ? -1 : a > b ? 1 : 0));
    out.set(table, { primaryKey: ranked[0]!, unique: ranked.slice(1) });
  }
  return out;
}
