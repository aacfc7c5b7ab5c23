// --create-tables (issue 5 item 3, docs/architecture.md#warehouse): one physical table per model table with mapped
// column types, additive only. Missing tables are created and missing columns added; nothing is
// ever dropped or narrowed, and a column whose existing type differs in kind from the mapped one is
// reported as a conflict, not altered. Pure planner + a reader of the existing columns.
import type { SemanticModel } from '../schema/model.js';
import type { WarehouseBackend } from './backend.js';
import { type Dialect, quoteIdent as q } from './dialect.js';
import type { Statement } from './plan.js';
import { typeFamily, warehouseType } from './types.js';

export interface ExistingColumn {
  table: string;
  column: string;
  type: string;
}

export interface TypeConflict {
  table: string;
  column: string;
  existingType: string;
  wantedType: string;
}

export interface PhysicalPlan {
  ddl: Statement[];
  createdTables: string[];
  addedColumns: { table: string; column: string; type: string }[];
  conflicts: TypeConflict[];
  skipped: { table: string; column?: string; reason: string }[];
}

/** Snowflake's identifier limit (docs/snowflake.md#sql-facts); a longer Power BI name cannot be a table or column. */
export const MAX_IDENTIFIER_LENGTH = 255;
const TOO_LONG = `name longer than ${MAX_IDENTIFIER_LENGTH} characters (Snowflake identifier limit)`;

/** An existing column of another kind than the mapped type is a conflict, except a decimal holding integers. */
function compatible(existing: string, wanted: string): boolean {
  const e = typeFamily(existing);
  const w = typeFamily(wanted);
  return e === w || (e === 'number' && w === 'integer');
}

export function planPhysicalTables(
  model: SemanticModel,
  existing: ExistingColumn[],
  options: { schema: string },
  dialect: Dialect,
): PhysicalPlan {
  // Snowflake quoted names are case-sensitive; DuckDB matches identifiers case-insensitively.
  const norm = dialect === 'duckdb' ? (s: string) => s.toLowerCase() : (s: string) => s;
  const byTable = new Map<string, Map<string, string>>();
  for (const c of existing) {
    const cols = byTable.get(norm(c.table)) ?? new Map<string, string>();
    cols.set(norm(c.column), c.type);
    byTable.set(norm(c.table), cols);
  }
  const plan: PhysicalPlan = { ddl: [], createdTables: [], addedColumns: [], conflicts: [], skipped: [] };
  for (const t of model.tables) {
    if (t.kind === 'calculationGroup') {
      plan.skipped.push({ table: t.name, reason: 'calculation group (no rows to hold)' });
      continue;
    }
    if (t.name.length > MAX_IDENTIFIER_LENGTH) {
      plan.skipped.push({ table: t.name, reason: TOO_LONG });
      continue;
    }
    const seen = new Set<string>();
    const columns = t.columns.filter((c) => {
      if (c.name.length > MAX_IDENTIFIER_LENGTH) {
        plan.skipped.push({ table: t.name, column: c.name, reason: TOO_LONG });
        return false;
      }
      return !seen.has(norm(c.name)) && seen.add(norm(c.name));
    });
    if (columns.length === 0) {
      plan.skipped.push({ table: t.name, reason: 'no columns' });
      continue;
    }
    const target = `${q(options.schema)}.${q(t.name)}`;
    const have = byTable.get(norm(t.name));
    if (!have) {
      const defs = columns.map((c) => `${q(c.name)} ${warehouseType(c.dataType, dialect)}`);
      plan.ddl.push({ sql: `CREATE TABLE IF NOT EXISTS ${target} (${defs.join(', ')})`, purpose: `create physical table ${t.name}` });
      plan.createdTables.push(t.name);
      continue;
    }
    for (const c of columns) {
      const wanted = warehouseType(c.dataType, dialect);
      const current = have.get(norm(c.name));
      if (current === undefined) {
        plan.ddl.push({ sql: `ALTER TABLE ${target} ADD COLUMN ${q(c.name)} ${wanted}`, purpose: `add column ${t.name}.${c.name}` });
        plan.addedColumns.push({ table: t.name, column: c.name, type: wanted });
      } else if (!compatible(current, wanted)) {
        plan.conflicts.push({ table: t.name, column: c.name, existingType: current, wantedType: wanted });
      }
    }
  }
  return plan;
}

/** Existing columns of every table in `schema` (current database), with NUMBER precision/scale spelled out. */
export async function readExistingColumns(backend: WarehouseBackend, schema: string): Promise<ExistingColumn[]> {
  const r = await backend.execute(
    `SELECT ${q('TABLE_NAME')} AS ${q('T')}, ${q('COLUMN_NAME')} AS ${q('C')}, ${q('DATA_TYPE')} AS ${q('D')}, ` +
      `${q('NUMERIC_PRECISION')} AS ${q('P')}, ${q('NUMERIC_SCALE')} AS ${q('S')} ` +
      `FROM ${q('INFORMATION_SCHEMA')}.${q('COLUMNS')} WHERE ${q('TABLE_SCHEMA')} = ? AND ${q('TABLE_CATALOG')} = CURRENT_DATABASE() ` +
      `ORDER BY ${q('TABLE_NAME')}, ${q('ORDINAL_POSITION')}`,
    [schema],
  );
  return r.rows.map((row) => {
    const d = String(row.D);
    const numeric = /^(NUMBER|DECIMAL|NUMERIC)$/i.test(d) && row.P !== null && row.P !== undefined && row.S !== null && row.S !== undefined;
    return { table: String(row.T), column: String(row.C), type: numeric ? `${d}(${Number(row.P)},${Number(row.S)})` : d };
  });
}
