// A small evaluator of M for lineage: it walks the parser's syntax tree and computes just enough —
// constants, parameters, the Snowflake navigation, and the table steps — to tell where a query's rows
// come from. It never runs anything, never throws on odd M, and evaluates each `let` step and each
// shared expression at most once (M's `let` is lazy and may list steps in any order).
// M language specification: https://learn.microsoft.com/powerquery-m/power-query-m-language-specification
import { Language } from '@microsoft/powerquery-parser';
import type { MNode, MParse } from './m-parse.js';
import { identifierName, unquoteText } from './m-parse.js';
import type { MValue, TableState } from './m-values.js';
import { ALL_COLUMNS, describeValue, unknown } from './m-values.js';
import { applyStep, unsupported } from './m-steps.js';
import { foreignSource } from './sources.js';
import type { LineageConnection, LineageSource } from './types.js';

const K = Language.Ast.NodeKind;

interface Binding {
  node?: MNode;
  /** The text the node was parsed from (to quote a filter as written). */
  text: string;
  label: string;
  query?: string;
  scope?: Scope;
  value?: MValue;
  busy?: boolean;
}

class Scope {
  constructor(
    readonly bindings: Map<string, Binding>,
    readonly parent?: Scope,
  ) {}

  find(name: string): Binding | undefined {
    return this.bindings.get(name) ?? this.parent?.find(name);
  }
}

interface Ctx {
  scope: Scope;
  label: string;
  query?: string;
  text: string;
}

export interface NamedQuery {
  name: string;
  text: string;
  parsed: MParse;
  /** Shared expressions prefix their step names (`RAW-Sales: Renamed Columns`); a table's own query does not. */
  prefixSteps: boolean;
}

export class MEvaluator {
  private readonly root: Scope;

  /**
   * `queries`: the model's shared expressions and table queries, referable by name from any M.
   * `dataSources`: how many legacy data sources the model has (M may name them; their details are not kept).
   */
  constructor(queries: readonly NamedQuery[], private readonly dataSources = 0) {
    const bindings = new Map<string, Binding>();
    for (const q of queries) {
      if (bindings.has(q.name)) continue;
      if (q.text.trim() === '') {
        bindings.set(q.name, { text: q.text, label: q.name, value: unknown(`the query "${q.name}" is empty`) });
        continue;
      }
      bindings.set(q.name, q.parsed.ok
        ? { node: q.parsed.ast, text: q.text, label: q.name, ...(q.prefixSteps ? { query: q.name } : {}) }
        : { text: q.text, label: q.name, value: { t: 'unknown', reason: `the query "${q.name}" does not parse: ${q.parsed.error}`, parseError: true } });
    }
    this.root = new Scope(bindings);
  }

  /** The value of a named query (shared expression or table query), evaluated once. */
  evaluateQuery(name: string): MValue | undefined {
    const binding = this.root.bindings.get(name);
    return binding ? this.force(binding, this.root) : undefined;
  }

  /** The value of a partition's M that is not itself a named query; `label` names its steps. */
  evaluate(ast: MNode, text: string, label: string): MValue {
    return this.eval(ast, { scope: this.root, label, text });
  }

  private force(binding: Binding, scope: Scope): MValue {
    if (binding.value) return binding.value;
    if (binding.busy) return unknown(`"${binding.label}" refers to itself`);
    binding.busy = true;
    const ctx: Ctx = { scope: binding.scope ?? scope, label: binding.label, text: binding.text };
    if (binding.query !== undefined) ctx.query = binding.query;
    try {
      binding.value = binding.node ? this.eval(binding.node, ctx) : unknown(`"${binding.label}" has no value`);
    } finally {
      binding.busy = false;
    }
    return binding.value;
  }

  private eval(node: MNode, ctx: Ctx): MValue {
    switch (node.kind) {
      case K.LiteralExpression:
        return literal(node);
      case K.IdentifierExpression:
        return this.identifier(identifierName(node.identifier.literal), ctx);
      case K.ParenthesizedExpression:
        return this.eval(node.content, ctx);
      case K.LetExpression:
        return this.let(node, ctx);
      case K.RecursivePrimaryExpression:
        return this.primary(node, ctx);
      case K.MetadataExpression:
        // A parameter: `"SALES" meta [IsParameterQuery=true, …]` is the text "SALES".
        return this.eval(node.left, ctx);
      case K.ListExpression:
        return { t: 'list', items: node.content.elements.map((e) => (e.node.kind === K.RangeExpression ? unknown('a list range') : this.eval(e.node, ctx))) };
      case K.RecordExpression: {
        const fields = new Map<string, MValue>();
        for (const e of node.content.elements) fields.set(identifierName(e.node.key.literal), this.eval(e.node.value, ctx));
        return { t: 'record', fields };
      }
      case K.EachExpression:
      case K.FunctionExpression:
        return { t: 'lambda', node, text: sourceText(node, ctx.text) };
      case K.ArithmeticExpression:
        return arithmetic(node.operatorConstant.constantKind, this.eval(node.left, ctx), this.eval(node.right as MNode, ctx));
      case K.EqualityExpression:
      case K.RelationalExpression:
        return compare(node.operatorConstant.constantKind, this.eval(node.left, ctx), this.eval(node.right as MNode, ctx));
      case K.LogicalExpression: {
        const [l, r] = [this.eval(node.left, ctx), this.eval(node.right as MNode, ctx)];
        if (l.t !== 'logical' || r.t !== 'logical') return unknown('a logical expression over values that are not constants');
        return { t: 'logical', v: node.operatorConstant.constantKind === 'and' ? l.v && r.v : l.v || r.v };
      }
      case K.UnaryExpression:
        return this.unary(node, ctx);
      case K.IfExpression: {
        const condition = this.eval(node.condition, ctx);
        if (condition.t !== 'logical') return unknown(`an if whose condition is ${describeValue(condition)}`);
        return this.eval(condition.v ? node.trueExpression : node.falseExpression, ctx);
      }
      case K.ErrorHandlingExpression: {
        const value = this.eval(node.protectedExpression, ctx);
        if (value.t !== 'unknown' || !node.handler || node.handler.kind !== K.OtherwiseExpression) return value;
        return this.eval(node.handler.paired, ctx);
      }
      case K.NullCoalescingExpression: {
        const left = this.eval(node.left, ctx);
        return left.t === 'null' ? this.eval(node.right as MNode, ctx) : left;
      }
      case K.AsExpression:
        return this.eval(node.left, ctx);
      default:
        return unknown(`${describeKind(node.kind)} is not traced`);
    }
  }

  private identifier(name: string, ctx: Ctx): MValue {
    const binding = ctx.scope.find(name);
    if (binding) return this.force(binding, ctx.scope);
    // Library functions and constants (`Table.RenameColumns`, `#date`, `Int64.Type`).
    if (name.includes('.') || name.startsWith('#')) return { t: 'function', name };
    if (this.dataSources > 0) {
      return unknown(`"${name}" is not a query of the model; it is probably one of its ${this.dataSources} legacy data source(s), whose connection details are not kept`);
    }
    return unknown(`"${name}" is not defined in the model`);
  }

  private let(node: Language.Ast.LetExpression, ctx: Ctx): MValue {
    const bindings = new Map<string, Binding>();
    const scope = new Scope(bindings, ctx.scope);
    for (const v of node.variableList.elements) {
      const name = identifierName(v.node.key.literal);
      const binding: Binding = { node: v.node.value, text: ctx.text, label: ctx.query ? `${ctx.query}: ${name}` : name, scope };
      if (ctx.query !== undefined) binding.query = ctx.query;
      bindings.set(name, binding);
    }
    // Steps usually refer to the one before; evaluating them in order keeps the recursion shallow
    // for long queries. Evaluation is pure and memoized, so an unused step only costs its time.
    for (const binding of bindings.values()) this.force(binding, scope);
    return this.eval(node.expression, { ...ctx, scope });
  }

  private unary(node: Language.Ast.UnaryExpression, ctx: Ctx): MValue {
    let value = this.eval(node.typeExpression, ctx);
    for (const op of [...node.operators.elements].reverse()) {
      const kind = op.constantKind;
      if (kind === 'not' && value.t === 'logical') value = { t: 'logical', v: !value.v };
      else if (kind === '-' && value.t === 'number') value = { t: 'number', v: -value.v };
      else if (kind === '+' && value.t === 'number') continue;
      else return unknown(`the operator ${kind} on ${describeValue(value)}`);
    }
    return value;
  }

  private primary(node: Language.Ast.RecursivePrimaryExpression, ctx: Ctx): MValue {
    let value = this.eval(node.head, ctx);
    let name = node.head.kind === K.IdentifierExpression ? identifierName(node.head.identifier.literal) : undefined;
    for (const part of node.recursiveExpressions.elements) {
      if (part.kind === K.InvokeExpression) {
        value = this.invoke(value, name, part.content.elements.map((e) => e.node), ctx);
      } else if (part.kind === K.ItemAccessExpression) {
        value = navigate(value, this.eval(part.content, ctx));
      } else if (part.kind === K.FieldSelector) {
        value = field(value, identifierName(part.content.literal));
      } else {
        value = unknown('a field projection is not traced');
      }
      name = undefined;
    }
    return value;
  }

  private invoke(fn: MValue, name: string | undefined, argNodes: MNode[], ctx: Ctx): MValue {
    if (fn.t === 'lambda') return unknown(`calls the M function ${name ? `"${name}" ` : ''}defined in the model`);
    if (fn.t !== 'function') return fn.t === 'unknown' || fn.t === 'foreign' ? fn : unknown(`invokes ${describeValue(fn)}`);
    const args = (): MValue[] => argNodes.map((a) => this.eval(a, ctx));
    switch (fn.name) {
      case 'Snowflake.Databases':
        return snowflake(args());
      case 'Value.NativeQuery':
        return nativeQuery(args(), ctx.label);
      case '#date':
      case '#datetime':
      case '#datetimezone':
        return datetime(fn.name, args(), argNodes.map((a) => sourceText(a, ctx.text)).join(', '));
      default:
        break;
    }
    const foreign = foreignSource(fn.name);
    if (foreign) return { t: 'foreign', reason: `the data comes from ${foreign} (${fn.name})` };
    if (fn.name.startsWith('Table.')) {
      const values = args();
      return applyStep(stepInput(values[0]), { fn: fn.name, label: ctx.label, args: values, argNodes, constant: (n) => this.eval(n, ctx) });
    }
    return unknown(`${fn.name}(…) is not traced`);
  }
}

function literal(node: Language.Ast.LiteralExpression): MValue {
  switch (node.literalKind) {
    case 'Text':
      return { t: 'text', v: unquoteText(node.literal) };
    case 'Numeric': {
      const v = Number(node.literal);
      return Number.isNaN(v) ? unknown(`the number ${node.literal}`) : { t: 'number', v };
    }
    case 'Logical':
      return { t: 'logical', v: node.literal === 'true' };
    case 'Null':
      return { t: 'null' };
    default:
      return unknown(`the literal ${node.literal}`);
  }
}

function text(value: MValue | undefined): string | undefined {
  return value?.t === 'text' ? value.v : undefined;
}

function snowflake(args: MValue[]): MValue {
  const server = text(args[0]);
  if (server === undefined) return unknown(`Snowflake.Databases with a server that is ${describeValue(args[0] ?? { t: 'null' })}`);
  const connection: LineageConnection = { server };
  const warehouse = text(args[1]);
  if (warehouse !== undefined) connection.warehouse = warehouse;
  const options = args[2];
  const role = options?.t === 'record' ? text(options.fields.get('Role')) : undefined;
  if (role !== undefined) connection.role = role;
  return { t: 'nav', level: 'account', connection };
}

const LEVELS = {
  account: { next: 'database', kinds: ['Database'], what: 'database' },
  database: { next: 'schema', kinds: ['Schema'], what: 'schema' },
  schema: { next: 'object', kinds: ['Table', 'View'], what: 'table or view' },
} as const;

/** `nav{[Name="X", Kind="…"]}`: one row of a Snowflake navigation table. */
function navigate(value: MValue, key: MValue): MValue {
  if (value.t === 'foreign' || value.t === 'unknown') return value;
  if (value.t !== 'nav') return unknown(`item access on ${describeValue(value)}`);
  const level = LEVELS[value.level];
  if (key.t !== 'record') return unknown(`navigation by position (${describeValue(key)}) in Snowflake.Databases`);
  const name = key.fields.get('Name');
  if (name?.t !== 'text') return unknown(`the Snowflake ${level.what} name is ${name ? describeValue(name) : 'missing'}`);
  const kindValue = key.fields.get('Kind');
  const kind = kindValue === undefined ? undefined : text(kindValue);
  if (kindValue !== undefined && (kind === undefined || !(level.kinds as readonly string[]).includes(kind))) {
    return unknown(`navigation to Kind=${describeValue(kindValue)} where a ${level.what} is expected`);
  }
  if (level.next === 'database') return { t: 'navrow', target: { t: 'nav', level: 'database', connection: value.connection, database: name.v } };
  if (level.next === 'schema') return { t: 'navrow', target: { ...value, level: 'schema', schema: name.v } };
  const source: LineageSource = { kind: 'object', database: value.database!, schema: value.schema!, name: name.v };
  if (kind === 'Table') source.objectKind = 'table';
  if (kind === 'View') source.objectKind = 'view';
  const state: TableState = { source, connection: value.connection, columns: ALL_COLUMNS, steps: [], filters: [], approximate: [] };
  return { t: 'navrow', target: { t: 'table', state } };
}

function field(value: MValue, name: string): MValue {
  if (value.t === 'foreign' || value.t === 'unknown') return value;
  if (value.t === 'navrow') return name === 'Data' ? value.target : unknown(`the navigation field [${name}]`);
  if (value.t === 'record') return value.fields.get(name) ?? unknown(`the record has no field ${name}`);
  if (value.t === 'table') return unknown(`the column [${name}] of a table, used as a value`);
  return unknown(`the field [${name}] of ${describeValue(value)}`);
}

/** `Value.NativeQuery(<Snowflake database>, "SELECT …" [, params, options])`. */
function nativeQuery(args: MValue[], label: string): MValue {
  const [target, sql, params] = args;
  if (!target || target.t === 'foreign' || target.t === 'unknown') return target ?? unknown('Value.NativeQuery without a target');
  if (target.t !== 'nav') return unknown(`Value.NativeQuery on ${describeValue(target)}`);
  if (sql?.t !== 'text') return unknown(`the native query text is ${describeValue(sql ?? { t: 'null' })}`);
  const source = target.database === undefined ? { kind: 'query' as const, sql: sql.v } : { kind: 'query' as const, database: target.database, sql: sql.v };
  const state: TableState = { source, connection: target.connection, columns: ALL_COLUMNS, steps: [], filters: [], approximate: [] };
  if (params && params.t !== 'null') return { t: 'table', state: unsupported(state, label, 'Value.NativeQuery', 'the query takes parameters') };
  return { t: 'table', state };
}

/** A table step's input: its first argument, or the first table of a list (`Table.Combine({a, b})`). */
function stepInput(first: MValue | undefined): MValue {
  if (!first) return unknown('a table step without arguments');
  if (first.t !== 'list') return first;
  return first.items.find((i) => i.t === 'table') ?? first.items.find((i) => i.t === 'foreign') ?? unknown('a list of tables none of which is traced');
}

function datetime(fn: string, args: MValue[], written: string): MValue {
  const n = args.map((a) => (a.t === 'number' && Number.isInteger(a.v) ? a.v : NaN));
  if (n.some(Number.isNaN)) return unknown(`${fn} with arguments that are not whole numbers`);
  const pad = (v: number | undefined, w = 2): string => String(v ?? 0).padStart(w, '0');
  const date = `${pad(n[0], 4)}-${pad(n[1])}-${pad(n[2])}`;
  const m = `${fn}(${written})`;
  if (fn === '#date' && n.length === 3) return { t: 'datetime', sql: `'${date}'::DATE`, m };
  if (fn === '#datetime' && n.length === 6) return { t: 'datetime', sql: `'${date} ${pad(n[3])}:${pad(n[4])}:${pad(n[5])}'::TIMESTAMP_NTZ`, m };
  if (fn === '#datetimezone' && n.length === 8) {
    const sign = n[6]! < 0 || n[7]! < 0 ? '-' : '+';
    const offset = `${sign}${pad(Math.abs(n[6]!))}:${pad(Math.abs(n[7]!))}`;
    return { t: 'datetime', sql: `'${date} ${pad(n[3])}:${pad(n[4])}:${pad(n[5])} ${offset}'::TIMESTAMP_TZ`, m };
  }
  return unknown(`${fn} with ${n.length} arguments`);
}

function arithmetic(op: string, l: MValue, r: MValue): MValue {
  if (op === '&') {
    if (l.t === 'text' && r.t === 'text') return { t: 'text', v: l.v + r.v };
    if (l.t === 'list' && r.t === 'list') return { t: 'list', items: [...l.items, ...r.items] };
    if (l.t === 'record' && r.t === 'record') return { t: 'record', fields: new Map([...l.fields, ...r.fields]) };
    return unknown(`${describeValue(l)} & ${describeValue(r)}`);
  }
  if (l.t === 'number' && r.t === 'number') {
    const v = op === '+' ? l.v + r.v : op === '-' ? l.v - r.v : op === '*' ? l.v * r.v : l.v / r.v;
    return { t: 'number', v };
  }
  return unknown(`${describeValue(l)} ${op} ${describeValue(r)}`);
}

function compare(op: string, l: MValue, r: MValue): MValue {
  const scalar = (v: MValue): string | number | boolean | null | undefined =>
    v.t === 'text' || v.t === 'number' || v.t === 'logical' ? v.v : v.t === 'null' ? null : undefined;
  const [a, b] = [scalar(l), scalar(r)];
  if (a === undefined || b === undefined) return unknown(`a comparison of ${describeValue(l)} and ${describeValue(r)}`);
  if (op === '=') return { t: 'logical', v: a === b };
  if (op === '<>') return { t: 'logical', v: a !== b };
  if (a === null || b === null || typeof a !== typeof b) return unknown(`${describeValue(l)} ${op} ${describeValue(r)}`);
  const v = op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
  return { t: 'logical', v };
}

function sourceText(node: MNode, text: string): string {
  const range = node.tokenRange;
  return text.slice(range.positionStart.codeUnit, range.positionEnd.codeUnit);
}

function describeKind(kind: string): string {
  return kind.replace(/Expression$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase() || kind;
}
