// The translated form of a DAX (sub)expression and the SQL builders that keep DAX's BLANK semantics.
// BLANK maps to SQL NULL, but the two behave differently (https://www.sqlbi.com/articles/blank-handling-in-dax/):
// DAX treats BLANK as 0 in + and -, as 0 / "" / FALSE in comparisons, and propagates it only through
// * and /. Each builder here writes the SQL that gives the DAX result for every NULL combination, in
// a dialect both Snowflake and DuckDB accept (CASE, COALESCE, NULLIF, CAST AS DOUBLE, LOWER, POWER,
// IS [NOT] DISTINCT FROM, TIMESTAMP literals), so the parity tests can run the very SQL Snowflake gets.

import { Untranslatable } from './scope.js';

/**
 * Longer SQL is refused. Inlining measure chains can grow the text geometrically (BLANK-exact
 * + and - repeat their operands), so the limit is checked as each expression is built.
 */
export const MAX_METRIC_SQL = 20_000;

/** DAX value types, after the TOM data types (`decimal` is Fixed Decimal, i.e. Currency). */
export type DaxType = 'int64' | 'double' | 'decimal' | 'string' | 'boolean' | 'dateTime' | 'blank';

/** Where a value is computed: a literal, per row of an iterated table, or over the filter context. */
export type Level = 'constant' | 'row' | 'aggregate';

export interface SqlExpr {
  sql: string;
  /** Safe to use as an operand without parentheses (a literal, a name, a function call). */
  atomic: boolean;
  type: DaxType;
  /** May be BLANK (SQL NULL). */
  nullable: boolean;
  level: Level;
  /** Model tables whose rows the expression aggregates. */
  tables: ReadonlySet<string>;
  /** Measures referenced directly. */
  deps: ReadonlySet<string>;
  /** Documented differences from DAX (non-empty → grade `approximate`). */
  approx: readonly string[];
  /** Key of (table, applied filters) for which the value is BLANK whenever that table has no rows. */
  blankIfEmpty?: string;
  /** Key of (table, applied filters) for which the value is ≥ 1 when rows exist (COUNTROWS, DISTINCTCOUNT). */
  positiveIfRows?: string;
  /** The numeric value of a literal. */
  constant?: number;
  /** A logical result built from operands that may be BLANK: DAX can return BLANK where SQL returns FALSE. */
  blankLogic?: boolean;
  /** The SQL already yields DOUBLE (an AVG of a DOUBLE cast, a quotient). */
  sqlDouble?: boolean;
}

const NUMERIC: ReadonlySet<DaxType> = new Set(['int64', 'double', 'decimal']);
export const isNumeric = (t: DaxType): boolean => NUMERIC.has(t);

const SIMPLE_NAME = /^("[^"]*"|[A-Za-z_][A-Za-z0-9_$]*)(\.("[^"]*"|[A-Za-z_][A-Za-z0-9_$]*))*$/;

/** Whether resolver-supplied SQL can stand as an operand without parentheses. */
export const isAtomicSql = (sql: string): boolean => SIMPLE_NAME.test(sql);

/** The SQL of an operand, parenthesised unless atomic. */
export const operand = (e: Pick<SqlExpr, 'sql' | 'atomic'>): string => (e.atomic ? e.sql : `(${e.sql})`);

const LEVEL_RANK: Record<Level, number> = { constant: 0, row: 1, aggregate: 2 };

/** Builds an expression from parts, merging what every part carries (tables, deps, approximations). */
export function combine(parts: readonly SqlExpr[], fields: Partial<SqlExpr> & { sql: string; type: DaxType; nullable: boolean }): SqlExpr {
  const tables = new Set<string>();
  const deps = new Set<string>();
  const approx: string[] = [];
  let level: Level = 'constant';
  for (const p of parts) {
    for (const t of p.tables) tables.add(t);
    for (const d of p.deps) deps.add(d);
    for (const a of p.approx) if (!approx.includes(a)) approx.push(a);
    if (LEVEL_RANK[p.level] > LEVEL_RANK[level]) level = p.level;
  }
  for (const a of fields.approx ?? []) if (!approx.includes(a)) approx.push(a);
  if (fields.sql.length > MAX_METRIC_SQL) {
    throw new Untranslatable('unsupported-construct', `the SQL would exceed ${MAX_METRIC_SQL} characters; the measure chain is too deep to inline`);
  }
  return { atomic: false, level, ...fields, tables, deps, approx };
}

export function constant(sql: string, type: DaxType, value?: number): SqlExpr {
  // A string literal spelled with CHR(92) is a concatenation, not an atom.
  const e: SqlExpr = { sql, atomic: !sql.includes(' || '), type, nullable: type === 'blank', level: 'constant', tables: new Set(), deps: new Set(), approx: [] };
  if (value !== undefined) e.constant = value;
  return e;
}

/**
 * A SQL string literal. Snowflake reads a backslash in '…' as an escape and DuckDB does not, so a
 * backslash is spelled CHR(92), which both read the same way. U+E000 is spelled CHR(57344) so that
 * the translator's internal marker (aggregate.ts, rowMarker) never occurs inside a literal.
 */
export function sqlString(value: string): string {
  const pieces: string[] = [];
  let run = '';
  for (const ch of value) {
    if (ch === '\\' || ch === '\uE000') {
      if (run !== '') pieces.push(`'${run.replace(/'/g, "''")}'`);
      pieces.push(`CHR(${ch.codePointAt(0)})`);
      run = '';
    } else {
      run += ch;
    }
  }
  if (run !== '' || pieces.length === 0) pieces.push(`'${run.replace(/'/g, "''")}'`);
  return pieces.join(' || ');
}

/** A numeric literal as SQL (`.5` → `0.5`, `5.` → `5.0`). */
export function sqlNumber(text: string): string {
  let t = text;
  if (t.startsWith('.')) t = `0${t}`;
  t = t.replace(/\.(?=$|[eE])/, '.0');
  return t;
}

/** The value BLANK converts to when compared with a value of this type. */
export function blankEquivalent(type: DaxType): string {
  switch (type) {
    case 'string':
      return "''";
    case 'boolean':
      return 'FALSE';
    case 'dateTime':
      // DAX dates are day numbers from 1899-12-30, so BLANK compares as that date.
      return "TIMESTAMP '1899-12-30 00:00:00'";
    default:
      return '0';
  }
}

/**
 * Text compared the way the model's default (case-insensitive) collation compares it: through
 * LOWER. A plain ASCII literal is lower-cased here, which is what SQL LOWER would do.
 */
export function lowerText(e: SqlExpr): string {
  if (e.level === 'constant' && /^'([\x20-\x26\x28-\x7e]|'')*'$/.test(e.sql)) return e.sql.toLowerCase();
  return `LOWER(${e.sql})`;
}

/** `e`, or its BLANK-equivalent when NULL (how DAX reads BLANK in a comparison). */
export function blankAs(e: SqlExpr, type: DaxType): string {
  const inner = type === 'string' ? lowerText(e) : e.sql;
  if (e.type === 'blank') return blankEquivalent(type);
  return e.nullable ? `COALESCE(${inner}, ${blankEquivalent(type)})` : type === 'string' ? inner : operand(e);
}

/** A two-valued SQL condition for a DAX logical value (BLANK reads as FALSE). */
export function asCondition(e: SqlExpr): string {
  if (e.type === 'blank') return 'FALSE';
  if (e.type === 'boolean') return e.nullable ? `COALESCE(${e.sql}, FALSE)` : e.sql;
  return `${blankAs(e, e.type)} <> 0`;
}

/** `a + b` / `a - b` with DAX's BLANK-as-0, BLANK ± BLANK = BLANK. */
export function additive(op: '+' | '-', a: SqlExpr, b: SqlExpr): { sql: string; nullable: boolean } {
  const A = operand(a);
  const B = operand(b);
  if (!a.nullable && !b.nullable) return { sql: `${A} ${op} ${B}`, nullable: false };
  if (a.nullable && !b.nullable) return { sql: `COALESCE(${A}, 0) ${op} ${B}`, nullable: false };
  if (!a.nullable && b.nullable) return { sql: `${A} ${op} COALESCE(${B}, 0)`, nullable: false };
  // Both may be BLANK: the sum when both exist, else whichever exists, else NULL.
  return { sql: `COALESCE(${A} ${op} ${B}, ${A}, ${op === '+' ? B : `-${B}`})`, nullable: true };
}

/** The numeric type of `a op b` in DAX (https://www.sqlbi.com/articles/understanding-numeric-data-type-conversions-in-dax/). */
export function arithmeticType(a: DaxType, b: DaxType): DaxType {
  const types = [a, b].filter((t) => t !== 'blank');
  if (types.includes('double')) return 'double';
  if (types.includes('decimal')) return 'decimal';
  if (types.length === 0) return 'blank';
  return 'int64';
}

/** Wraps a SQL value in a CAST to DOUBLE: DAX divides and averages in floating point. */
export const asDouble = (e: SqlExpr): string => (e.sqlDouble ? operand(e) : `CAST(${e.sql} AS DOUBLE)`);
