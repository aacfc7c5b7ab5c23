// Turns the predicate of a `Table.SelectRows` step into a Snowflake SQL condition over the source
// columns, when that can be done without changing which rows are kept. M and SQL differ on nulls:
// in M `null = "a"` is false and `null <> "a"` is true, where SQL yields NULL for both (and drops
// the row), so `<>` keeps null rows explicitly and a negation is pushed down to the comparisons
// instead of wrapping them in NOT. M operators: https://learn.microsoft.com/powerquery-m/operators
import { Language } from '@microsoft/powerquery-parser';
import type { MNode } from './m-parse.js';
import { identifierName } from './m-parse.js';
import type { MValue } from './m-values.js';
import { describeValue } from './m-values.js';

const K = Language.Ast.NodeKind;

export interface PredicateContext {
  /** The row variable: `_` for `each`, the parameter name for `(r) => …`. */
  rowVar: string;
  /** The SQL for an M column of the step's input (a quoted source column), or why there is none. */
  column(name: string): { sql: string } | { error: string };
  /** Evaluates an expression that does not read the row (a literal, a parameter). */
  constant(node: MNode): MValue;
}

export type Predicate = { sql: string } | { always: true } | { error: string };

class Untranslatable extends Error {}

/** The SQL for `body` (the lambda's expression). Never throws. */
export function translatePredicate(body: MNode, ctx: PredicateContext): Predicate {
  try {
    const sql = new Translator(ctx).condition(body, false);
    return sql === 'TRUE' ? { always: true } : { sql: stripOuterParens(sql) };
  } catch (err) {
    if (err instanceof Untranslatable) return { error: err.message };
    throw err;
  }
}

type Operand = { kind: 'column'; sql: string } | { kind: 'value'; value: MValue };

const FLIP: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
const NEGATE: Record<string, string> = { '<': '>=', '<=': '>', '>': '<=', '>=': '<' };
const TEXT_TESTS: Record<string, string> = { 'Text.StartsWith': 'STARTSWITH', 'Text.EndsWith': 'ENDSWITH', 'Text.Contains': 'CONTAINS' };

class Translator {
  constructor(private readonly ctx: PredicateContext) {}

  condition(node: MNode, negated: boolean): string {
    switch (node.kind) {
      case K.ParenthesizedExpression:
        return this.condition(node.content, negated);
      case K.LogicalExpression: {
        const and = node.operatorConstant.constantKind === 'and';
        const op = and !== negated ? 'AND' : 'OR';
        return `(${this.condition(node.left, negated)} ${op} ${this.condition(node.right as MNode, negated)})`;
      }
      case K.UnaryExpression: {
        let flip = negated;
        for (const op of node.operators.elements) {
          if (op.constantKind !== 'not') throw new Untranslatable(`the operator '${op.constantKind}' is not a condition`);
          flip = !flip;
        }
        return this.condition(node.typeExpression, flip);
      }
      case K.EqualityExpression:
        return this.equality(node.operatorConstant.constantKind === '=' ? !negated : negated, this.operand(node.left), this.operand(node.right as MNode));
      case K.RelationalExpression:
        return this.relational(node.operatorConstant.constantKind, negated, this.operand(node.left), this.operand(node.right as MNode));
      case K.RecursivePrimaryExpression:
        if (this.columnOf(node) === undefined) return this.call(node, negated);
        break;
      default:
        break;
    }
    // A bare logical: a column (`each [IsActive]`) or a constant (`each true`).
    const operand = this.operand(node);
    if (operand.kind === 'column') return `${operand.sql} = ${negated ? 'FALSE' : 'TRUE'}`;
    if (operand.value.t === 'logical') return operand.value.v !== negated ? 'TRUE' : 'FALSE';
    throw new Untranslatable(`${describeValue(operand.value)} is not a condition`);
  }

  private equality(equal: boolean, left: Operand, right: Operand): string {
    if (left.kind === 'value' && right.kind === 'column') return this.equality(equal, right, left);
    if (left.kind === 'column' && right.kind === 'column') {
      // M equality is null-safe (null = null is true), as Snowflake's EQUAL_NULL is.
      return equal ? `EQUAL_NULL(${left.sql}, ${right.sql})` : `NOT EQUAL_NULL(${left.sql}, ${right.sql})`;
    }
    if (left.kind === 'column' && right.kind === 'value') {
      if (right.value.t === 'null') return `${left.sql} IS ${equal ? '' : 'NOT '}NULL`;
      const literal = sqlLiteral(right.value);
      return equal ? `${left.sql} = ${literal}` : `(${left.sql} <> ${literal} OR ${left.sql} IS NULL)`;
    }
    throw new Untranslatable('a comparison of two constants');
  }

  private relational(op: string, negated: boolean, left: Operand, right: Operand): string {
    if (left.kind === 'value' && right.kind === 'column') return this.relational(FLIP[op]!, negated, right, left);
    if (left.kind !== 'column') throw new Untranslatable('a comparison that reads no column');
    const sqlOp = negated ? NEGATE[op]! : op;
    if (right.kind === 'column') return `${left.sql} ${sqlOp} ${right.sql}`;
    if (right.value.t === 'null') throw new Untranslatable(`a comparison with null ('${op}')`);
    return `${left.sql} ${sqlOp} ${sqlLiteral(right.value)}`;
  }

  private call(node: Language.Ast.RecursivePrimaryExpression, negated: boolean): string {
    const head = node.head;
    const invoke = node.recursiveExpressions.elements[0];
    if (head.kind !== K.IdentifierExpression || node.recursiveExpressions.elements.length !== 1 || invoke?.kind !== K.InvokeExpression) {
      throw new Untranslatable('an expression that is not a simple comparison');
    }
    const fn = head.identifier.literal;
    const args = invoke.content.elements.map((e) => e.node);
    const textTest = TEXT_TESTS[fn];
    if (textTest && args.length === 2 && !negated) {
      const col = this.operand(args[0]!);
      const needle = this.operand(args[1]!);
      if (col.kind === 'column' && needle.kind === 'value' && needle.value.t === 'text') {
        return `${textTest}(${col.sql}, ${sqlLiteral(needle.value)})`;
      }
    }
    if (fn === 'List.Contains' && args.length === 2) {
      const list = this.operand(args[0]!);
      const col = this.operand(args[1]!);
      if (col.kind === 'column' && list.kind === 'value' && list.value.t === 'list') return this.inList(col.sql, list.value.items, negated);
    }
    throw new Untranslatable(`${fn}(…) in a row filter`);
  }

  private inList(column: string, items: readonly MValue[], negated: boolean): string {
    const hasNull = items.some((i) => i.t === 'null');
    const literals = [...new Set(items.filter((i) => i.t !== 'null').map(sqlLiteral))];
    if (literals.length === 0) return hasNull ? `${column} IS ${negated ? 'NOT ' : ''}NULL` : negated ? 'TRUE' : 'FALSE';
    const list = literals.join(', ');
    if (!negated) return hasNull ? `(${column} IN (${list}) OR ${column} IS NULL)` : `${column} IN (${list})`;
    return hasNull ? `(${column} NOT IN (${list}) AND ${column} IS NOT NULL)` : `(${column} NOT IN (${list}) OR ${column} IS NULL)`;
  }

  private operand(node: MNode): Operand {
    const column = this.columnOf(node);
    if (column !== undefined) {
      const resolved = this.ctx.column(column);
      if ('error' in resolved) throw new Untranslatable(resolved.error);
      return { kind: 'column', sql: resolved.sql };
    }
    if (node.kind === K.ParenthesizedExpression) return this.operand(node.content);
    const value = this.ctx.constant(node);
    if (value.t === 'unknown' || value.t === 'foreign') throw new Untranslatable(value.reason);
    return { kind: 'value', value };
  }

  /** The column an expression reads from the row (`[A]`, `_[A]`, `r[A]`), if it is one. */
  private columnOf(node: MNode): string | undefined {
    if (node.kind === K.FieldSelector && this.ctx.rowVar === '_') return identifierName(node.content.literal);
    if (node.kind === K.RecursivePrimaryExpression && node.head.kind === K.IdentifierExpression) {
      const parts = node.recursiveExpressions.elements;
      if (node.head.identifier.literal === this.ctx.rowVar && parts.length === 1 && parts[0]!.kind === K.FieldSelector) {
        return identifierName(parts[0]!.content.literal);
      }
    }
    return undefined;
  }
}

/**
 * `(a AND b)` → `a AND b`, when the outer parentheses wrap the whole condition. A top-level OR keeps
 * them, so that conditions joined with AND (several filter steps) keep their meaning.
 */
function stripOuterParens(sql: string): string {
  if (!sql.startsWith('(') || !sql.endsWith(')')) return sql;
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!;
    if (quote) {
      if (ch === quote && sql[i + 1] === quote) i++;
      else if (ch === '\\' && quote === "'") i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0 && i < sql.length - 1) return sql;
    else if (depth === 1 && sql.startsWith(' OR ', i)) return sql;
  }
  return sql.slice(1, -1);
}

/** A Snowflake literal for an M constant. Backslash is an escape in Snowflake strings, so it is doubled too. */
export function sqlLiteral(value: MValue): string {
  switch (value.t) {
    case 'text':
      return `'${value.v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
    case 'number':
      if (!Number.isFinite(value.v)) throw new Untranslatable(`the number ${value.v}`);
      return String(value.v);
    case 'logical':
      return value.v ? 'TRUE' : 'FALSE';
    case 'datetime':
      return value.sql;
    default:
      throw new Untranslatable(`${describeValue(value)} in a row filter`);
  }
}

/** The names an expression refers to (to spot `RangeStart`/`RangeEnd` in a filter). */
export function referencedNames(node: MNode): Set<string> {
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    const n = value as { kind?: string; identifier?: { literal?: string } };
    if (n.kind === K.IdentifierExpression && n.identifier?.literal) names.add(identifierName(n.identifier.literal));
    for (const [key, child] of Object.entries(value)) if (key !== 'tokenRange') visit(child);
  };
  visit(node);
  return names;
}
