// Aggregations, iterators and CALCULATE → SQL aggregates. A DAX aggregate reads the rows of one
// table that the filter context leaves; in SQL the query's WHERE and dimensions select those rows,
// and every filter a CALCULATE or FILTER adds becomes a CASE WHEN inside the aggregate (a filtered
// aggregate). Counts are NULLIF(…, 0) because DAX counts nothing as BLANK, not 0. See
// docs/dax-to-sql.md for each rule and for why plain CALCULATE filters are only approximate.
import type { DaxNode, Span } from './ast.js';
import { childrenOf } from './ast.js';
import type { ExprTranslator } from './expr.js';
import { untranslatableFunction } from './functions.js';
import { asValue } from './operators.js';
import { APPROX, columnLabel, filterKey, Untranslatable, type RowFilter, type Scope } from './scope.js';
import { asCondition, asDouble, combine, isAtomicSql, isNumeric, type DaxType, type SqlExpr } from './sql.js';

export type AggregateFunction = 'SUM' | 'AVERAGE' | 'MIN' | 'MAX' | 'COUNT' | 'COUNTA' | 'DISTINCTCOUNT' | 'DISTINCTCOUNTNOBLANK';
export type IteratorFunction = 'SUMX' | 'AVERAGEX' | 'MINX' | 'MAXX' | 'COUNTX' | 'COUNTAX';

type Call = Extract<DaxNode, { kind: 'call' }>;

const lower = (s: string): string => s.toLowerCase();
const fail = (cause: Untranslatable['code'], message: string, at?: Span): never => {
  throw new Untranslatable(cause, message, at);
};
const paren = (sql: string): string => (isAtomicSql(sql) ? sql : `(${sql})`);

/** A table an aggregation or iterator runs over, with the FILTER predicates wrapped around it. */
interface TableSource {
  table: string;
  predicates: string[];
  parts: SqlExpr[];
}

/** SUM / AVERAGE / MIN / MAX / COUNT / COUNTA / DISTINCTCOUNT(NOBLANK) over one column. */
export function aggregateColumn(t: ExprTranslator, fn: AggregateFunction, node: Call, scope: Scope): SqlExpr {
  if (scope.row !== undefined) return fail('unsupported-construct', `${fn} inside an iterator's row expression is not translated`, node);
  const ref = node.args[0] as DaxNode;
  if (ref.kind !== 'ref') return fail('unsupported-construct', `${fn} is translated only over a column reference`, ref);
  const tableName = ref.table ?? scope.home;
  const column = t.ctx.column(tableName, ref.name);
  if (!column) {
    if (t.ctx.measure(ref.name)) return fail('type-mismatch', `${fn} takes a column, not the measure [${ref.name}]`, ref);
    return fail('unknown-reference', `${columnLabel(tableName, ref.name)} is not a column of the model`, ref);
  }
  const table = t.ctx.table(tableName)?.name ?? tableName;
  const value = t.columnValue(table, column, ref);
  const approx: string[] = [];
  checkType(fn, value.type, columnLabel(table, column.name), approx, ref);
  const { predicates, key } = applicableFilters(t, table, scope, [], node);
  const v = whenRows(value.sql, predicates);
  let sql: string;
  let type: DaxType = value.type;
  let positive = false;
  switch (fn) {
    case 'SUM':
      sql = `SUM(${v})`;
      break;
    case 'AVERAGE':
      sql = `AVG(${asDouble({ ...value, sql: v })})`;
      type = 'double';
      break;
    case 'MIN':
    case 'MAX':
      sql = `${fn}(${v})`;
      break;
    case 'COUNT':
    case 'COUNTA':
      sql = `NULLIF(COUNT(${v}), 0)`;
      type = 'int64';
      break;
    case 'DISTINCTCOUNT': {
      // DISTINCTCOUNT counts BLANK as a value; COUNT(DISTINCT) skips NULL, so add 1 when a NULL is
      // present. Over no rows MAX(…) is NULL, and so is the sum: BLANK, as in DAX.
      const hasNull = whenRows(`CASE WHEN ${paren(value.sql)} IS NULL THEN 1 ELSE 0 END`, predicates);
      sql = `COUNT(DISTINCT ${v}) + MAX(${hasNull})`;
      type = 'int64';
      positive = true;
      break;
    }
    case 'DISTINCTCOUNTNOBLANK':
      sql = `NULLIF(COUNT(DISTINCT ${v}), 0)`;
      type = 'int64';
      break;
  }
  const e = combine([value], { sql, type, nullable: true, approx, atomic: fn !== 'DISTINCTCOUNT', sqlDouble: fn === 'AVERAGE' });
  e.level = 'aggregate';
  e.tables = new Set([table]);
  e.blankIfEmpty = key;
  if (positive) e.positiveIfRows = key;
  return e;
}

/** SUMX / AVERAGEX / MINX / MAXX / COUNTX / COUNTAX over a table (optionally FILTERed). */
export function iterate(t: ExprTranslator, fn: IteratorFunction, node: Call, scope: Scope): SqlExpr {
  if (scope.row !== undefined) return fail('unsupported-construct', `${fn} nested inside another iterator is not translated`, node);
  const source = tableSource(t, node.args[0] as DaxNode, scope);
  const rowScope: Scope = { ...scope, row: source.table };
  const value = asValue(t.scalar(node.args[1] as DaxNode, rowScope));
  if (value.level === 'aggregate') return fail('unsupported-construct', `the expression of ${fn} contains an aggregate, which SQL cannot nest`, node.args[1]);
  const approx: string[] = [];
  const base = fn.slice(0, -1) as 'SUM' | 'AVERAGE' | 'MIN' | 'MAX' | 'COUNT' | 'COUNTA';
  checkType(base, value.type, `the expression of ${fn}`, approx, node.args[1] as DaxNode);
  const { predicates, key } = applicableFilters(t, source.table, scope, source.predicates, node);
  const v = whenRows(value.sql, predicates);
  let sql: string;
  let type: DaxType = value.type;
  switch (fn) {
    case 'SUMX':
      sql = `SUM(${v})`;
      break;
    case 'AVERAGEX':
      sql = `AVG(CAST(${v} AS DOUBLE))`;
      type = 'double';
      break;
    case 'MINX':
    case 'MAXX':
      sql = `${fn.slice(0, 3)}(${v})`;
      break;
    default:
      sql = `NULLIF(COUNT(${v}), 0)`;
      type = 'int64';
  }
  const e = combine([value, ...source.parts], { sql, type, nullable: true, approx, atomic: true, sqlDouble: fn === 'AVERAGEX' });
  e.level = 'aggregate';
  e.tables = new Set([source.table]);
  e.blankIfEmpty = key;
  return e;
}

/** COUNTROWS(table) — COUNTROWS() counts the home table. */
export function countRows(t: ExprTranslator, node: Call, scope: Scope): SqlExpr {
  if (scope.row !== undefined) return fail('unsupported-construct', 'COUNTROWS inside an iterator is not translated', node);
  const source: TableSource =
    node.args.length === 0 ? { table: resolvedTable(t, scope.home, node), predicates: [], parts: [] } : tableSource(t, node.args[0] as DaxNode, scope);
  const { predicates, key } = applicableFilters(t, source.table, scope, source.predicates, node);
  // The row marker becomes * (regular metric) or the table's row key (derived metric) once the
  // measure's tables are known (translate.ts, finish).
  const rows = rowMarker(source.table);
  const sql = predicates.length > 0 ? `NULLIF(COUNT(${whenRows(rows, predicates)}), 0)` : `NULLIF(COUNT(${rows}), 0)`;
  const e = combine(source.parts, { sql, type: 'int64', nullable: true, atomic: true });
  e.level = 'aggregate';
  e.tables = new Set([source.table]);
  e.blankIfEmpty = key;
  e.positiveIfRows = key;
  return e;
}

/**
 * CALCULATE(expression, filter…): the filters join the scope and reach every aggregate inside.
 * KEEPFILTERS(predicate) and FILTER(T, predicate) intersect with the query's filters, exactly like
 * a filtered SQL aggregate. A plain predicate replaces the query's filter on its columns: the SQL
 * cannot, so it is graded approximate (docs/dax-to-sql.md, "CALCULATE").
 */
export function calculate(t: ExprTranslator, node: Call, scope: Scope): SqlExpr {
  if (scope.row !== undefined) {
    return fail('context-transition', 'CALCULATE inside an iterator turns the row into a filter (context transition), which a SQL aggregate cannot express', node);
  }
  if (node.args.length === 0) return fail('unsupported-construct', 'CALCULATE needs an expression', node);
  const added = node.args.slice(1).map((arg) => filterArgument(t, arg, scope));
  const approx: string[] = [];
  const kept = scope.filters.filter((outer) => {
    for (const f of added) {
      if (!f.replaces || lower(f.table) !== lower(outer.table)) continue;
      const same = !outer.sameTableOnly && sameSet(outer.columns, f.columns);
      if (same) return false;
      if (outer.sameTableOnly || outer.columns.some((c) => f.columns.includes(c))) {
        fail('unsupported-construct', `the CALCULATE filter on ${f.label} partly overrides an outer filter on ${outer.label}`, node);
      }
    }
    return true;
  });
  for (const f of added) {
    if (f.replaces) {
      approx.push(
        `the CALCULATE filter on ${f.label} replaces any filter a query puts on ${f.columns.length > 1 ? 'those columns' : 'that column'}, ` +
          `while the SQL filter inside the aggregate intersects with it: the metric differs when a query filters or groups by ${f.label} (KEEPFILTERS would make it exact)`,
      );
    }
  }
  const inner = t.scalar(node.args[0] as DaxNode, { ...scope, filters: [...kept, ...added] });
  return approx.length === 0 ? inner : { ...inner, approx: [...inner.approx, ...approx.filter((a) => !inner.approx.includes(a))] };
}

function filterArgument(t: ExprTranslator, arg: DaxNode, scope: Scope): RowFilter {
  if (arg.kind === 'call') {
    const fn = arg.name.toUpperCase();
    if (fn === 'KEEPFILTERS') {
      if (arg.args.length !== 1) return fail('unsupported-construct', 'KEEPFILTERS takes one argument', arg);
      const inner = arg.args[0] as DaxNode;
      if (inner.kind === 'call' && inner.name.toUpperCase() === 'FILTER') return tableFilter(t, inner, scope);
      return predicateFilter(t, inner, scope, false);
    }
    if (fn === 'FILTER') return tableFilter(t, arg, scope);
    const known = untranslatableFunction(fn);
    if (known) return fail(known.cause, known.why, arg);
  }
  if (arg.kind === 'name' || arg.kind === 'tableConstructor') {
    return fail('table-expression', 'a table (or table variable) as a CALCULATE filter is not translated', arg);
  }
  return predicateFilter(t, arg, scope, true);
}

// FILTER(T, predicate) as a CALCULATE filter: its rows are computed within the outer filters, so
// the result intersects with them. Exact for aggregations over T itself (see RowFilter).
function tableFilter(t: ExprTranslator, call: Call, scope: Scope): RowFilter {
  const source = tableSource(t, call, scope);
  if (source.parts.some((p) => p.approx.length > 0)) {
    return fail('unsupported-construct', 'an approximate FILTER predicate inside CALCULATE is not translated', call);
  }
  return {
    table: source.table,
    columns: (t.ctx.table(source.table)?.columns ?? []).map((c) => lower(c.name)),
    predicate: source.predicates.length > 0 ? conjunction(source.predicates) : 'TRUE',
    replaces: false,
    sameTableOnly: true,
    label: `FILTER('${source.table}', …)`,
  };
}

// A boolean filter: a predicate over the columns of one table, evaluated per row of that table.
function predicateFilter(t: ExprTranslator, node: DaxNode, scope: Scope, replaces: boolean): RowFilter {
  const refs = columnRefs(node);
  const tables = new Map<string, Set<string>>();
  for (const r of refs) {
    if (r.table === undefined) {
      const what = t.ctx.measure(r.name) ? `the measure [${r.name}]` : `the unqualified column [${r.name}]`;
      return fail('unsupported-construct', `a CALCULATE filter that reads ${what} is not translated`, r);
    }
    const table = t.ctx.table(r.table);
    if (!table || !t.ctx.column(r.table, r.name)) {
      return fail('unknown-reference', `${columnLabel(r.table, r.name)} in a CALCULATE filter is not a column of the model`, r);
    }
    const cols = tables.get(table.name) ?? new Set<string>();
    cols.add(lower(r.name));
    tables.set(table.name, cols);
  }
  if (tables.size !== 1) {
    return fail('unsupported-construct', tables.size === 0 ? 'a CALCULATE filter must read a column' : 'a CALCULATE filter reads columns of several tables', node);
  }
  const [table, cols] = [...tables][0] as [string, Set<string>];
  const value = t.scalar(node, { ...scope, row: table });
  if (value.level === 'aggregate') return fail('unsupported-construct', 'a CALCULATE filter that compares with an aggregate is not translated', node);
  if (value.approx.length > 0) return fail('unsupported-construct', `a CALCULATE filter that is only approximate is not translated: ${value.approx.join('; ')}`, node);
  if (value.type === 'string' || value.type === 'dateTime') return fail('type-mismatch', 'a CALCULATE filter must be a logical expression', node);
  const columns = [...cols];
  return {
    table,
    columns,
    predicate: asCondition(value),
    replaces,
    sameTableOnly: false,
    label: columns.map((c) => columnLabel(table, t.ctx.column(table, c)?.name ?? c)).join(', '),
  };
}

/** The table an iterator, COUNTROWS or FILTER reads: a model table, FILTER(…) of one, or a table variable. */
function tableSource(t: ExprTranslator, node: DaxNode, scope: Scope): TableSource {
  if (node.kind === 'name') {
    const binding = node.quoted ? undefined : t.varBinding(node.name, scope);
    if (binding) {
      // A table variable keeps the filters of the place it was declared.
      if (binding.scope.filters !== scope.filters) {
        return fail('table-expression', `table variable ${node.name} is used under other filters than where it was declared`, node);
      }
      return tableSource(t, binding.node, binding.scope);
    }
    return { table: resolvedTable(t, node.name, node), predicates: [], parts: [] };
  }
  if (node.kind === 'call') {
    const fn = node.name.toUpperCase();
    if (fn === 'FILTER') {
      if (node.args.length !== 2) return fail('unsupported-construct', 'FILTER takes two arguments', node);
      const inner = tableSource(t, node.args[0] as DaxNode, scope);
      const cond = t.scalar(node.args[1] as DaxNode, { ...scope, row: inner.table });
      if (cond.level === 'aggregate') return fail('unsupported-construct', 'a FILTER condition that contains an aggregate is not translated', node.args[1]);
      if (cond.type === 'string' || cond.type === 'dateTime') return fail('type-mismatch', 'a FILTER condition must be a logical expression', node.args[1]);
      return { table: inner.table, predicates: [...inner.predicates, asCondition(cond)], parts: [...inner.parts, cond] };
    }
    const known = untranslatableFunction(fn);
    if (known) return fail(known.cause, known.why, node);
  }
  return fail('table-expression', 'iterating over a table expression other than a model table or FILTER of one is not translated', node);
}

/** Stands for "one non-NULL value per row of `table`" inside COUNT(…) until the metric form is known (string literals spell U+E000 as CHR(57344), so it occurs nowhere else). */
export const rowMarker = (table: string): string => `\uE000ROWS:${table}\uE000`;

/** The markers left in a SQL text, by table. */
export const ROW_MARKER = /\uE000ROWS:([^\uE000]*)\uE000/g;

function resolvedTable(t: ExprTranslator, name: string, at: Span): string {
  const table = t.ctx.table(name);
  if (!table) return fail('unknown-reference', `unknown table '${name}'`, at);
  const r = t.ctx.resolveTable(table.name);
  if ('reason' in r) return fail('no-lineage', `table '${table.name}' has no Snowflake source: ${r.reason}`, at);
  return table.name;
}

/**
 * The predicates of the scope that reach an aggregation over `table`, plus `extra` (FILTER
 * predicates of the iterated table). A filter on another table counts when it reaches `table`
 * along active many-to-one relationships — the join a semantic view makes; otherwise DAX's
 * behaviour (no effect, or a bidirectional path) is not modelled and the measure is untranslated.
 */
function applicableFilters(t: ExprTranslator, table: string, scope: Scope, extra: readonly string[], at: Span): { predicates: string[]; key: string } {
  const predicates = [...extra];
  for (const f of scope.filters) {
    if (lower(f.table) === lower(table)) {
      predicates.push(f.predicate);
    } else if (f.sameTableOnly) {
      fail('filter-path', `${f.label} as a CALCULATE filter is translated only for aggregations over '${f.table}' itself, not over '${table}'`, at);
    } else if (t.ctx.reaches(table, f.table)) {
      predicates.push(f.predicate);
    } else {
      fail('filter-path', `the filter on ${f.label} does not reach '${table}' through active many-to-one relationships`, at);
    }
  }
  return { predicates, key: filterKey(table, predicates) };
}

const conjunction = (predicates: readonly string[]): string =>
  predicates.length === 1 ? (predicates[0] as string) : predicates.map(paren).join(' AND ');

const whenRows = (value: string, predicates: readonly string[]): string =>
  predicates.length === 0 ? value : `CASE WHEN ${conjunction(predicates)} THEN ${value} END`;

function checkType(fn: AggregateFunction | 'COUNT' | 'COUNTA', type: DaxType, what: string, approx: string[], at: Span): void {
  // COUNT rejects Boolean columns in DAX (COUNTA takes them).
  if (fn === 'COUNT' && type === 'boolean') fail('type-mismatch', `COUNT of ${what}, a boolean value (COUNTA counts those)`, at);
  if (fn === 'COUNT' || fn === 'COUNTA' || fn === 'DISTINCTCOUNT' || fn === 'DISTINCTCOUNTNOBLANK') return;
  if (fn === 'MIN' || fn === 'MAX') {
    if (type === 'string') approx.push(APPROX.collation);
    else if (!isNumeric(type) && type !== 'dateTime') fail('type-mismatch', `${fn} of ${what}, a ${type} value`, at);
    return;
  }
  if (!isNumeric(type)) fail('type-mismatch', `${fn} of ${what}, a ${type} value`, at);
  if (fn === 'AVERAGE' && type === 'decimal') approx.push(APPROX.currency);
}

function columnRefs(node: DaxNode): Array<Extract<DaxNode, { kind: 'ref' }>> {
  const out: Array<Extract<DaxNode, { kind: 'ref' }>> = [];
  const stack = [node];
  while (stack.length > 0) {
    const n = stack.pop() as DaxNode;
    if (n.kind === 'ref') out.push(n);
    stack.push(...childrenOf(n));
  }
  return out;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
