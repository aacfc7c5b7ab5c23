// Scalar DAX → SQL: literals, references, variables, operators and the scalar functions (IF,
// SWITCH, DIVIDE, ISBLANK, COALESCE, logical functions). Aggregations, iterators and CALCULATE are in
// aggregate.ts. Each rule keeps DAX's BLANK semantics exactly (sql.ts) or records the difference
// as an approximation; docs/dax-to-sql.md lists every rule and why.
import type { DaxNode, Span } from './ast.js';
import type { DaxContext, MeasureInfo } from './context.js';
import type { Column, TomDataType } from '../schema/model.js';
import { aggregateColumn, calculate, countRows, iterate, type AggregateFunction, type IteratorFunction } from './aggregate.js';
import { TABLE_FUNCTIONS, untranslatableFunction } from './functions.js';
import { APPROX, columnLabel, Untranslatable, type Scope, type VarBinding } from './scope.js';
import {
  additiveOp,
  asValue,
  compare,
  concat,
  conditional,
  divide,
  divisionOperator,
  inList,
  logical,
  multiply,
  negate,
  not,
  power,
  requireNumeric,
  sameLevel,
  unify,
} from './operators.js';
import { combine, constant, isAtomicSql, operand, sqlNumber, sqlString, type DaxType, type SqlExpr } from './sql.js';

/** Translates a measure reference in a scope (translate.ts owns the memo and the cycle check). */
export type MeasureRefTranslator = (info: MeasureInfo, scope: Scope, at: Span) => SqlExpr;

const DAX_TYPES: Partial<Record<TomDataType, DaxType>> = {
  int64: 'int64',
  double: 'double',
  decimal: 'decimal',
  string: 'string',
  boolean: 'boolean',
  dateTime: 'dateTime',
};

const lower = (s: string): string => s.toLowerCase();
const fail = (cause: Untranslatable['code'], message: string, at?: Span): never => {
  throw new Untranslatable(cause, message, at);
};

export class ExprTranslator {
  constructor(
    readonly ctx: DaxContext,
    private readonly measureRef: MeasureRefTranslator,
  ) {}

  scalar(node: DaxNode, scope: Scope): SqlExpr {
    switch (node.kind) {
      case 'number': {
        const integer = /^\d+$/.test(node.text) && Number.isSafeInteger(node.value);
        return constant(sqlNumber(node.text), integer ? 'int64' : 'double', node.value);
      }
      case 'string':
        return constant(sqlString(node.value), 'string');
      case 'boolean':
        return constant(node.value ? 'TRUE' : 'FALSE', 'boolean');
      case 'blank':
        return constant('NULL', 'blank');
      case 'ref':
        return this.reference(node, scope);
      case 'name':
        return this.name(node, scope);
      case 'call':
        return this.call(node, scope);
      case 'unary':
        return this.unary(node.op, this.scalar(node.operand, scope), node);
      case 'binary':
        return this.binary(node, scope);
      case 'var': {
        let s = scope;
        for (const v of node.vars) {
          const vars = new Map(s.vars);
          // The binding sees the variables declared before it, not itself.
          vars.set(lower(v.name), { node: v.value, scope: s });
          s = { ...s, vars };
        }
        return this.scalar(node.body, s);
      }
      case 'tableConstructor':
      case 'tuple':
        return fail('table-expression', 'a table constructor is not a single value', node);
      case 'omitted':
        return fail('unsupported-construct', 'an argument is missing', node);
    }
  }

  /** The SQL of a model column read in the current row (resolver output), or why not. */
  columnValue(tableName: string, column: Column, at: Span): SqlExpr {
    const table = this.ctx.table(tableName)?.name ?? tableName;
    const label = columnLabel(table, column.name);
    const type = DAX_TYPES[column.dataType];
    if (!type) return fail('type-mismatch', `${label} has no data type the translator can use (${column.dataType})`, at);
    const r = this.ctx.resolveColumn(table, column.name);
    if ('reason' in r) return fail('no-lineage', `${label} has no Snowflake source: ${r.reason}`, at);
    return { sql: r.sql, atomic: isAtomicSql(r.sql), type, nullable: true, level: 'row', tables: new Set(), deps: new Set(), approx: [] };
  }

  varBinding(name: string, scope: Scope): VarBinding | undefined {
    return scope.vars.get(lower(name));
  }

  /** Whether a node denotes a table (so a VAR holding it is a table variable). */
  isTable(node: DaxNode, scope: Scope): boolean {
    if (node.kind === 'tableConstructor') return true;
    if (node.kind === 'name') {
      const v = this.varBinding(node.name, scope);
      if (v && !node.quoted) return this.isTable(v.node, v.scope);
      return this.ctx.table(node.name) !== undefined;
    }
    return node.kind === 'call' && TABLE_FUNCTIONS.has(node.name.toUpperCase());
  }

  private reference(node: Extract<DaxNode, { kind: 'ref' }>, scope: Scope): SqlExpr {
    if (node.table !== undefined) {
      const column = this.ctx.column(node.table, node.name);
      if (column) return this.rowColumn(node.table, column, scope, node);
      const info = this.ctx.measure(node.name);
      if (info && this.ctx.table(node.table)) return this.measure(info, scope, node);
      if (!this.ctx.table(node.table)) return fail('unknown-reference', `unknown table '${node.table}'`, node);
      return fail('unknown-reference', `${columnLabel(node.table, node.name)} is neither a column nor a measure`, node);
    }
    const info = this.ctx.measure(node.name);
    if (info) return this.measure(info, scope, node);
    if (scope.row !== undefined) {
      const column = this.ctx.column(scope.row, node.name);
      if (column) return this.rowColumn(scope.row, column, scope, node);
    }
    if (this.ctx.column(scope.home, node.name)) {
      return fail('unsupported-construct', `column [${node.name}] is read outside an aggregation or iterator`, node);
    }
    return fail('unknown-reference', `[${node.name}] is neither a measure nor a column of '${scope.home}'`, node);
  }

  private rowColumn(table: string, column: Column, scope: Scope, at: Span): SqlExpr {
    const label = columnLabel(this.ctx.table(table)?.name ?? table, column.name);
    if (scope.row === undefined) return fail('unsupported-construct', `${label} is read outside an aggregation or iterator`, at);
    if (lower(table) !== lower(scope.row)) {
      return fail('related-table', `${label} is not a column of the iterated table '${scope.row}' (reading it needs RELATED)`, at);
    }
    return this.columnValue(table, column, at);
  }

  private measure(info: MeasureInfo, scope: Scope, at: Span): SqlExpr {
    if (scope.row !== undefined) {
      return fail(
        'context-transition',
        `[${info.measure.name}] inside an iterator is evaluated per row by context transition, which a SQL aggregate cannot express`,
        at,
      );
    }
    return this.measureRef(info, scope, at);
  }

  private name(node: Extract<DaxNode, { kind: 'name' }>, scope: Scope): SqlExpr {
    const binding = node.quoted ? undefined : this.varBinding(node.name, scope);
    if (binding) {
      if (this.isTable(binding.node, binding.scope)) return fail('table-expression', `variable ${node.name} holds a table and is used as a value`, node);
      binding.value ??= this.scalar(binding.node, binding.scope);
      return binding.value;
    }
    if (this.ctx.table(node.name)) return fail('table-expression', `table '${node.name}' is used as a value`, node);
    return fail('unknown-reference', `unknown name ${node.name}`, node);
  }

  private unary(op: '-' | '+' | 'NOT', e: SqlExpr, at: Span): SqlExpr {
    if (op === 'NOT') return not(e, at);
    if (op === '-') return negate(e, at);
    requireNumeric(e, at, 'unary +');
    return e;
  }

  private binary(node: Extract<DaxNode, { kind: 'binary' }>, scope: Scope): SqlExpr {
    if (node.op === 'IN') return this.inList(this.scalar(node.left, scope), node.right, scope, node);
    const a = this.scalar(node.left, scope);
    const b = this.scalar(node.right, scope);
    sameLevel([a, b], node);
    switch (node.op) {
      case '+':
      case '-':
        return additiveOp(node.op, a, b, node);
      case '*':
        return multiply(a, b, node);
      case '/':
        return divisionOperator(a, b, node);
      case '^':
        return power(a, b, node);
      case '&':
        return concat(a, b, node);
      case '&&':
        return logical('AND', a, b, node);
      case '||':
        return logical('OR', a, b, node);
      default:
        return compare(node.op, a, b, node);
    }
  }








  private inList(a: SqlExpr, list: DaxNode, scope: Scope, at: Span): SqlExpr {
    if (list.kind !== 'tableConstructor' || list.rows.some((r) => r.length !== 1)) {
      return fail('table-expression', 'IN is translated only over a one-column list of literals', at);
    }
    return inList(a, list.rows.map((r) => this.scalar(r[0] as DaxNode, scope)), at);
  }

  private call(node: Extract<DaxNode, { kind: 'call' }>, scope: Scope): SqlExpr {
    const fn = node.name.toUpperCase();
    const args = node.args;
    const arity = (min: number, max = min): void => {
      if (args.length < min || args.length > max) {
        fail('unsupported-construct', `${fn} takes ${min === max ? min : `${min} to ${max}`} arguments, not ${args.length}`, node);
      }
    };
    const arg = (i: number): SqlExpr => this.scalar(args[i] as DaxNode, scope);
    switch (fn) {
      case 'SUM':
      case 'AVERAGE':
      case 'MIN':
      case 'MAX':
      case 'COUNT':
      case 'COUNTA':
      case 'DISTINCTCOUNT':
      case 'DISTINCTCOUNTNOBLANK':
        if ((fn === 'MIN' || fn === 'MAX') && args.length === 2) {
          return fail('unsupported-function', `two-argument ${fn} orders BLANK as 0, which is not modelled`, node);
        }
        arity(1);
        return aggregateColumn(this, fn as AggregateFunction, node, scope);
      case 'SUMX':
      case 'AVERAGEX':
      case 'MINX':
      case 'MAXX':
      case 'COUNTX':
      case 'COUNTAX':
        arity(2);
        return iterate(this, fn as IteratorFunction, node, scope);
      case 'COUNTROWS':
        arity(0, 1);
        return countRows(this, node, scope);
      case 'CALCULATE':
        return calculate(this, node, scope);
      case 'DIVIDE': {
        arity(2, 3);
        const parts = [arg(0), arg(1), ...(args.length === 3 ? [arg(2)] : [])];
        sameLevel(parts, node);
        return divide(parts[0] as SqlExpr, parts[1] as SqlExpr, node, parts[2]);
      }
      case 'IF':
      case 'IF.EAGER':
        arity(2, 3);
        return conditional([[arg(0), asValue(arg(1))]], args.length === 3 ? asValue(arg(2)) : undefined, node);
      case 'SWITCH':
        return this.switch(node, scope);
      case 'ISBLANK': {
        arity(1);
        const e = arg(0);
        return combine([e], { sql: `${operand(e)} IS NULL`, type: 'boolean', nullable: false });
      }
      case 'COALESCE': {
        if (args.length < 2) arity(2, Number.MAX_SAFE_INTEGER);
        const parts = args.map((_, i) => asValue(arg(i)));
        sameLevel(parts, node);
        const type = parts.map((p) => p.type).reduce((t, u) => unify(t, u) ?? fail('type-mismatch', `COALESCE mixes ${t} and ${u} values`, node));
        return combine(parts, { sql: `COALESCE(${parts.map((p) => p.sql).join(', ')})`, type, nullable: parts.every((p) => p.nullable), atomic: true });
      }
      case 'NOT':
        arity(1);
        return not(arg(0), node);
      case 'AND':
      case 'OR':
        arity(2);
        return logical(fn, arg(0), arg(1), node);
      case 'POWER':
        arity(2);
        return power(arg(0), arg(1), node);
      case 'DATE':
        return this.date(node);
      default:
        return this.unsupported(node, fn);
    }
  }

  private switch(node: Extract<DaxNode, { kind: 'call' }>, scope: Scope): SqlExpr {
    const args = node.args;
    if (args.length < 3) return fail('unsupported-construct', 'SWITCH needs an expression and at least one value/result pair', node);
    const first = args[0] as DaxNode;
    const pairs = Math.floor((args.length - 1) / 2);
    const otherwise = args.length % 2 === 0 ? asValue(this.scalar(args[args.length - 1] as DaxNode, scope)) : undefined;
    const branches: Array<[SqlExpr, SqlExpr]> = [];
    const subject = first.kind === 'boolean' && first.value ? undefined : this.scalar(first, scope);
    const approx: string[] = [];
    for (let i = 0; i < pairs; i += 1) {
      const valueNode = args[1 + 2 * i] as DaxNode;
      const result = asValue(this.scalar(args[2 + 2 * i] as DaxNode, scope));
      if (!subject) {
        branches.push([this.scalar(valueNode, scope), result]);
        continue;
      }
      const value = this.scalar(valueNode, scope);
      if (value.level !== 'constant') return fail('unsupported-construct', 'SWITCH case values must be constants', valueNode);
      if (subject.nullable && (value.constant === 0 || value.sql === "''" || value.sql === 'FALSE')) approx.push(APPROX.switchBlank);
      branches.push([compare('=', subject, value, valueNode), result]);
    }
    const e = conditional(branches, otherwise, node);
    return approx.length > 0 ? { ...e, approx: [...e.approx, ...approx.filter((a) => !e.approx.includes(a))] } : e;
  }


  private date(node: Extract<DaxNode, { kind: 'call' }>): SqlExpr {
    const [y, m, d] = node.args.map((a) => (a.kind === 'number' && Number.isInteger(a.value) ? a.value : NaN));
    const valid = node.args.length === 3 && [y, m, d].every((v) => Number.isFinite(v));
    const date = valid ? new Date(Date.UTC(y as number, (m as number) - 1, d as number)) : undefined;
    if (!date || date.getUTCFullYear() !== y || date.getUTCMonth() !== (m as number) - 1 || date.getUTCDate() !== d) {
      return fail('unsupported-function', 'DATE is translated only with a valid literal year, month and day', node);
    }
    return constant(`TIMESTAMP '${date.toISOString().slice(0, 10)} 00:00:00'`, 'dateTime');
  }

  private unsupported(node: Extract<DaxNode, { kind: 'call' }>, fn: string): never {
    if (this.ctx.userFunctions.has(lower(node.name))) return fail('unsupported-function', `user-defined function ${node.name} is not translated`, node);
    const known = untranslatableFunction(fn);
    if (known) return fail(known.cause, known.why, node);
    if (TABLE_FUNCTIONS.has(fn)) return fail('table-expression', `${fn} returns a table, which is not a single value here`, node);
    return fail('unknown-function', `unknown function ${node.name}`, node);
  }



}
