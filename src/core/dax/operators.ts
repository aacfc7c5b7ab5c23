// The DAX operators and conditionals over translated values (sql.ts), each keeping DAX's BLANK
// and type rules exactly or recording the documented difference (scope.ts APPROX). Pure functions
// of their operands; expr.ts decides which one a syntax node needs.
import type { BinaryOp, Span } from './ast.js';
import { APPROX, Untranslatable } from './scope.js';
import {
  additive,
  arithmeticType,
  asCondition,
  asDouble,
  blankAs,
  combine,
  constant,
  isAtomicSql,
  isNumeric,
  lowerText,
  operand,
  type DaxType,
  type SqlExpr,
} from './sql.js';

export type ComparisonOp = Exclude<BinaryOp, 'IN' | '+' | '-' | '*' | '/' | '^' | '&' | '&&' | '||'>;

const fail = (cause: Untranslatable['code'], message: string, at?: Span): never => {
  throw new Untranslatable(cause, message, at);
};

const paren = (sql: string): string => (isAtomicSql(sql) ? sql : `(${sql})`);

/** Unary minus (a literal is folded). */
export function negate(e: SqlExpr, at: Span): SqlExpr {
  requireNumeric(e, at, 'unary -');
  if (e.constant !== undefined) return { ...constant(`-${operand(e)}`, e.type, -e.constant), atomic: false };
  const approx = e.nullable ? [APPROX.negation] : [];
  return combine([e], { sql: `-${operand(e)}`, type: e.type, nullable: e.nullable, approx });
}

/** NOT: BLANK reads as FALSE, so NOT BLANK is TRUE, as in DAX. */
export function not(e: SqlExpr, at: Span): SqlExpr {
  return combine([e], { sql: `NOT ${paren(asCondition(logicalOperand(e, at)))}`, type: 'boolean', nullable: false });
}

/** && / || (and the AND / OR functions). */
export function logical(op: 'AND' | 'OR', a: SqlExpr, b: SqlExpr, at: Span): SqlExpr {
  sameLevel([a, b], at);
  const blankLogic = [a, b].some((e) => e.nullable || e.blankLogic === true);
  const sql = `${paren(asCondition(logicalOperand(a, at)))} ${op} ${paren(asCondition(logicalOperand(b, at)))}`;
  return { ...combine([a, b], { sql, type: 'boolean', nullable: false }), blankLogic };
}

/** `a IN { v1, v2, … }` over literals: strict comparison (BLANK IN {0} is FALSE, BLANK IN {BLANK()} TRUE). */
export function inList(a: SqlExpr, items: readonly SqlExpr[], at: Span): SqlExpr {
  if (items.some((i) => i.level !== 'constant')) return fail('unsupported-construct', 'IN is translated only over literals', at);
  const values = items.filter((i) => i.type !== 'blank');
  for (const v of values) if (!comparableType(a.type, v.type)) fail('type-mismatch', `compares a ${a.type} value with a ${v.type} value`, at);
  const text = a.type === 'string' || values.some((v) => v.type === 'string');
  const side = (e: SqlExpr): string => (text ? lowerText(e) : operand(e));
  let sql = values.length === 0 ? 'FALSE' : `${side(a)} IN (${values.map(side).join(', ')})`;
  if (values.length > 0 && a.nullable) sql = `COALESCE(${sql}, FALSE)`;
  if (values.length < items.length) sql = `${operand(a)} IS NULL OR ${paren(sql)}`;
  return combine([a], { sql, type: 'boolean', nullable: false });
}

export function additiveOp(op: '+' | '-', a: SqlExpr, b: SqlExpr, at: Span): SqlExpr {
  requireNumeric(a, at, op);
  requireNumeric(b, at, op);
  const { sql, nullable } = additive(op, a, b);
  const e = combine([a, b], { sql, type: arithmeticType(a.type, b.type), nullable });
  if (nullable && a.blankIfEmpty !== undefined && a.blankIfEmpty === b.blankIfEmpty) e.blankIfEmpty = a.blankIfEmpty;
  return e;
}

export function multiply(a: SqlExpr, b: SqlExpr, at: Span): SqlExpr {
  requireNumeric(a, at, '*');
  requireNumeric(b, at, '*');
  // Currency times a whole number is exact whatever the result type; with anything else DAX may
  // round the product to 4 decimal places.
  const wholeTimesCurrency = (x: SqlExpr, y: SqlExpr): boolean => x.type === 'decimal' && (y.type === 'int64' || y.type === 'blank');
  const currency = (a.type === 'decimal' || b.type === 'decimal') && !wholeTimesCurrency(a, b) && !wholeTimesCurrency(b, a);
  const approx = currency ? [APPROX.currency] : [];
  const e = combine([a, b], { sql: `${operand(a)} * ${operand(b)}`, type: arithmeticType(a.type, b.type), nullable: a.nullable || b.nullable, approx });
  const key = a.blankIfEmpty ?? b.blankIfEmpty;
  if (key !== undefined) e.blankIfEmpty = key;
  return e;
}

export function divide(a: SqlExpr, b: SqlExpr, at: Span, alternate?: SqlExpr): SqlExpr {
  requireNumeric(a, at, 'division');
  requireNumeric(b, at, 'division');
  const approx: string[] = a.type === 'decimal' || b.type === 'decimal' ? [APPROX.currency] : [];
  const parts = alternate ? [a, b, alternate] : [a, b];
  if (alternate) {
    if (!isNumeric(alternate.type) && alternate.type !== 'blank') fail('type-mismatch', `the alternate result of DIVIDE is ${alternate.type}`, at);
    // DIVIDE: the alternate result when the divisor is 0 or BLANK, else the quotient.
    const sql = `CASE WHEN ${blankAs(b, 'double')} = 0 THEN ${alternate.sql} ELSE ${asDouble(a)} / ${operand(b)} END`;
    return combine(parts, { sql, type: 'double', nullable: a.nullable || alternate.nullable, approx, atomic: true });
  }
  // DIVIDE is BLANK when the divisor is 0 or BLANK; NULLIF turns 0 into NULL, which SQL propagates.
  const sql = b.constant !== undefined && b.constant !== 0 ? `${asDouble(a)} / ${operand(b)}` : `${asDouble(a)} / NULLIF(${b.sql}, 0)`;
  const e = combine(parts, { sql, type: 'double', nullable: true, approx, sqlDouble: true });
  if (a.blankIfEmpty !== undefined) e.blankIfEmpty = a.blankIfEmpty;
  return e;
}

// The `/` operator: exact when the divisor is a non-zero literal, or is positive whenever the
// numerator's table has rows (COUNTROWS, DISTINCTCOUNT under the same filters) while the numerator
// is BLANK when it has none — then a zero or BLANK divisor never meets a non-BLANK numerator.
export function divisionOperator(a: SqlExpr, b: SqlExpr, at: Span): SqlExpr {
  const e = divide(a, b, at);
  const safe = (b.constant !== undefined && b.constant !== 0) || (b.positiveIfRows !== undefined && a.blankIfEmpty === b.positiveIfRows);
  return safe ? e : { ...e, approx: [...e.approx, APPROX.division] };
}

export function power(a: SqlExpr, b: SqlExpr, at: Span): SqlExpr {
  requireNumeric(a, at, '^');
  requireNumeric(b, at, '^');
  const exact = b.constant !== undefined && Number.isInteger(b.constant) && b.constant >= 1;
  // 1 ^ BLANK is 1 in DAX: BLANK reads as 0 in the exponent.
  const exponent = b.nullable ? `COALESCE(${b.sql}, 0)` : b.sql;
  return combine([a, b], { sql: `POWER(${a.sql}, ${exponent})`, type: 'double', nullable: a.nullable, approx: exact ? [] : [APPROX.power] });
}

export function concat(a: SqlExpr, b: SqlExpr, at: Span): SqlExpr {
  for (const e of [a, b]) {
    if (e.type !== 'string' && e.type !== 'blank') fail('type-mismatch', `& converts a ${e.type} value to text with DAX formatting, which SQL does not reproduce`, at);
  }
  const side = (e: SqlExpr): string => (e.nullable ? `COALESCE(${e.sql}, '')` : operand(e));
  const both = a.nullable && b.nullable;
  return combine([a, b], { sql: `${side(a)} || ${side(b)}`, type: 'string', nullable: false, approx: both ? [APPROX.concat] : [] });
}

export function compare(op: Exclude<BinaryOp, 'IN' | '+' | '-' | '*' | '/' | '^' | '&' | '&&' | '||'>, a: SqlExpr, b: SqlExpr, at: Span): SqlExpr {
  const type = comparableType(a.type, b.type) ?? fail('type-mismatch', `compares a ${a.type} value with a ${b.type} value`, at);
  let sql: string;
  const approx: string[] = [];
  if (op === '==') {
    // Strict equality: BLANK equals only BLANK.
    if (a.type === 'blank' && b.type === 'blank') sql = 'TRUE';
    else if (a.type === 'blank') sql = `${operand(b)} IS NULL`;
    else if (b.type === 'blank') sql = `${operand(a)} IS NULL`;
    else {
      const side = (e: SqlExpr): string => (type === 'string' ? lowerText(e) : operand(e));
      sql = a.nullable || b.nullable ? `${side(a)} IS NOT DISTINCT FROM ${side(b)}` : `${side(a)} = ${side(b)}`;
    }
  } else {
    if (type === 'string' && op !== '=' && op !== '<>') approx.push(APPROX.collation);
    sql = `${blankAs(a, type)} ${op} ${blankAs(b, type)}`;
  }
  return combine([a, b], { sql, type: 'boolean', nullable: false, approx });
}

/** CASE WHEN c1 THEN r1 … [ELSE r] END with DAX condition semantics (BLANK → FALSE). */
export function conditional(branches: Array<[SqlExpr, SqlExpr]>, otherwise: SqlExpr | undefined, at: Span): SqlExpr {
  const parts: SqlExpr[] = [];
  let type: DaxType = 'blank';
  for (const [cond, result] of branches) {
    if (cond.type === 'string' || cond.type === 'dateTime') fail('type-mismatch', `a ${cond.type} value is used as a condition`, at);
    parts.push(cond, result);
    type = unify(type, result.type) ?? fail('type-mismatch', `branches return ${type} and ${result.type} values`, at);
  }
  if (otherwise) {
    parts.push(otherwise);
    type = unify(type, otherwise.type) ?? fail('type-mismatch', `branches return ${type} and ${otherwise.type} values`, at);
  }
  sameLevel(parts, at);
  const whens = branches.map(([c, r]) => `WHEN ${asCondition(c)} THEN ${r.sql}`).join(' ');
  const tail = otherwise && otherwise.type !== 'blank' ? ` ELSE ${otherwise.sql}` : '';
  const nullable = !otherwise || otherwise.nullable || branches.some(([, r]) => r.nullable);
  return combine(parts, { sql: `CASE ${whens}${tail} END`, type, nullable, atomic: true });
}

/** A value used as a result: a BLANK-sensitive logical result becomes an approximation. */
export function asValue(e: SqlExpr): SqlExpr {
  if (!e.blankLogic) return e;
  return { ...e, blankLogic: false, approx: e.approx.includes(APPROX.blankLogic) ? e.approx : [...e.approx, APPROX.blankLogic] };
}

function logicalOperand(e: SqlExpr, at: Span): SqlExpr {
  if (e.type === 'string' || e.type === 'dateTime') fail('type-mismatch', `a ${e.type} value is used as a logical value`, at);
  return e;
}

export function requireNumeric(e: SqlExpr, at: Span, what: string): void {
  if (isNumeric(e.type) || e.type === 'blank') return;
  if (e.type === 'dateTime') fail('unsupported-construct', `${what} on a date is date arithmetic, which is not translated`, at);
  fail('type-mismatch', `${what} on a ${e.type} value`, at);
}

/** Row values and aggregates cannot meet in one SQL expression outside an aggregate. */
export function sameLevel(parts: readonly SqlExpr[], at: Span): void {
  if (parts.some((p) => p.level === 'row') && parts.some((p) => p.level === 'aggregate')) {
    fail('unsupported-construct', 'an aggregate is combined with a value of the current row (a per-row expression cannot read an aggregate)', at);
  }
}

/** The common comparison type of two DAX types (BLANK compares with anything), or undefined. */
function comparableType(a: DaxType, b: DaxType): DaxType | undefined {
  if (a === 'blank') return b === 'blank' ? 'int64' : b;
  if (b === 'blank') return a;
  if (isNumeric(a) && isNumeric(b)) return 'double';
  return a === b ? a : undefined;
}

/** The type of a value that can come from either of two branches. */
export function unify(a: DaxType, b: DaxType): DaxType | undefined {
  if (a === 'blank') return b;
  if (b === 'blank') return a;
  if (isNumeric(a) && isNumeric(b)) return arithmeticType(a, b);
  return a === b ? a : undefined;
}
