// --create-tables (issue 5 item 3, docs/architecture.md#warehouse): one physical table per model table with mapped
// column types, additive only. Missing tables are created and missing columns added; nothing is
// ever dropped or narrowed, and a column whose existing type differs in kind from the mapped one is
// reported as a conflict, not altered. Each model's tables carry its model key (physical-names.ts),
// so two models' `Sales` tables never share columns. Pure planner + readers of the catalog.
import type { SemanticModel } from '../../schema/model.js';
import type { WarehouseBackend } from '../../warehouse/backend.js';
import { type Dialect, quoteIdent as q, sqlLiteral } from '../../warehouse/dialect.js';
import { type Namespace, catalogFilter, infoSchema, MAX_IDENTIFIER_LENGTH } from '../../warehouse/names.js';
import { type PhysicalTarget, physicalName, physicalSkipReason, qualifiedPhysical } from './physical-names.js';
import type { Statement } from '../../warehouse/statement.js';
import { warehouseType } from '../../schema/tom-types.js';
import { typeFamily } from './type-family.js';

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
  /** Model table → its mirror table's own name (tables that get one). */
  names: Record<string, string>;
  createdTables: string[];
  addedColumns: { table: string; column: string; type: string }[];
  conflicts: TypeConflict[];
  skipped: { table: string; column?: string; reason: string }[];
}

export { MAX_IDENTIFIER_LENGTH };
const TOO_LONG = `name longer than ${MAX_IDENTIFIER_LENGTH} characters (Snowflake identifier limit)`;

/** An existing column of another kind than the mapped type is a conflict, except a decimal holding integers. */
function compatible(existing: string, wanted: string): boolean {
  const e = typeFamily(existing);
  const w = typeFamily(wanted);
  return e === w || (e === 'number' && w === 'integer');
}

export function planPhysicalTables(
  model: SemanticModel,
  modelId: string,
  existing: ExistingColumn[],
  target: PhysicalTarget,
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
  const plan: PhysicalPlan = { ddl: [], names: {}, createdTables: [], addedColumns: [], conflicts: [], skipped: [] };
  for (const t of model.tables) {
    const reason = physicalSkipReason(modelId, t);
    if (reason !== undefined) {
      plan.skipped.push({ table: t.name, reason });
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
    const own = physicalName(modelId, t.name);
    plan.names[t.name] = own;
    const name = qualifiedPhysical(target, own);
    const have = byTable.get(norm(own));
    if (!have) {
      const defs = columns.map((c) => `${q(c.name)} ${warehouseType(c.dataType, dialect)}`);
      // The Power BI names stay out of the comment (DDL cannot bind them); _SEMANTIC_TABLES maps back.
      const comment = dialect === 'snowflake' ? ` COMMENT = ${sqlLiteral('Mirror table of one semantic model table kept by fabric-sync --create-tables; _SEMANTIC_TABLES.PHYSICAL_TABLE names its model and table.')}` : '';
      plan.ddl.push({ sql: `CREATE TABLE IF NOT EXISTS ${name} (${defs.join(', ')})${comment}`, purpose: `create physical table ${t.name}` });
      plan.createdTables.push(t.name);
      continue;
    }
    for (const c of columns) {
      const wanted = warehouseType(c.dataType, dialect);
      const current = have.get(norm(c.name));
      if (current === undefined) {
        plan.ddl.push({ sql: `ALTER TABLE ${name} ADD COLUMN IF NOT EXISTS ${q(c.name)} ${wanted}`, purpose: `add column ${t.name}.${c.name}` });
        plan.addedColumns.push({ table: t.name, column: c.name, type: wanted });
      } else if (!compatible(current, wanted)) {
        plan.conflicts.push({ table: t.name, column: c.name, existingType: current, wantedType: wanted });
      }
    }
  }
  return plan;
}

/**
 * Existing columns of the named tables in the mirror schema, with NUMBER precision/scale spelled
 * out. Read from the configured database's INFORMATION_SCHEMA (never the session's current one).
 */
export async function readExistingColumns(backend: WarehouseBackend, target: PhysicalTarget, ns: Namespace | undefined, tables: string[]): Promise<ExistingColumn[]> {
  if (tables.length === 0) return [];
  const r = await backend.execute(
    `SELECT ${q('TABLE_NAME')} AS ${q('T')}, ${q('COLUMN_NAME')} AS ${q('C')}, ${q('DATA_TYPE')} AS ${q('D')}, ` +
      `${q('NUMERIC_PRECISION')} AS ${q('P')}, ${q('NUMERIC_SCALE')} AS ${q('S')} ` +
      `FROM ${infoSchema(ns, 'COLUMNS')} WHERE ${q('TABLE_SCHEMA')} = ?${catalogFilter(ns, 'TABLE_CATALOG')} ` +
      `AND ${q('TABLE_NAME')} IN (${tables.map(() => '?').join(', ')}) ORDER BY ${q('TABLE_NAME')}, ${q('ORDINAL_POSITION')}`,
    [target.schema, ...tables],
  );
  return r.rows.map((row) => {
    const d = String(row.D);
    const numeric = /^(NUMBER|DECIMAL|NUMERIC)$/i.test(d) && row.P !== null && row.P !== undefined && row.S !== null && row.S !== undefined;
    return { table: String(row.T), column: String(row.C), type: numeric ? `${d}(${Number(row.P)},${Number(row.S)})` : d };
  });
}

/**
 * Whether the mirror schema exists, from INFORMATION_SCHEMA.SCHEMATA: CREATE SCHEMA … IF NOT EXISTS
 * still needs the CREATE SCHEMA privilege on the database when the schema exists
 * (https://docs.snowflake.com/en/sql-reference/sql/create-schema, access control requirements), so a
 * least-privilege role whose schema an administrator created must never send it.
 */
export async function schemaExists(backend: WarehouseBackend, target: PhysicalTarget, ns: Namespace | undefined): Promise<boolean> {
  const r = await backend.execute(
    `SELECT ${q('SCHEMA_NAME')} AS ${q('S')} FROM ${infoSchema(ns, 'SCHEMATA')} WHERE ${q('SCHEMA_NAME')} = ?${catalogFilter(ns, 'CATALOG_NAME')}`,
    [target.schema],
  );
  return r.rows.length > 0;
}
