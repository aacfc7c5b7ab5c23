// Checker for CREATE SEMANTIC VIEW, independent of the DDL builder in src/core/semantic-view (it
// shares no code with it, so it catches the builder's mistakes). It parses the statement from the
// documented grammar (semantic-view-parse.ts) and applies the documented validation rules:
//   https://docs.snowflake.com/en/sql-reference/sql/create-semantic-view
//   https://docs.snowflake.com/en/user-guide/views-semantic/validation-rules
//   https://docs.snowflake.com/en/user-guide/views-semantic/sql ("Defining derived metrics")
// Each problem names its rule and carries a Snowflake-shaped code and message. Snowflake documents
// the messages of syntax errors (001003), unknown identifiers (000904, "invalid identifier") and
// missing objects (002003); for the other semantic-view rules it documents the rule but not the
// code, so those are reported as SQL compilation errors with the stand-in's generic 002043.
import { SvSyntaxError } from './semantic-view-lexer.js';
import { parseSemanticView, type ParsedSemanticView, type SvExpression, type SvIdent } from './semantic-view-parse.js';
import { SQL_WORDS, exprShape } from './semantic-view-refs.js';

export type { ParsedSemanticView } from './semantic-view-parse.js';

export interface SemanticViewProblem {
  rule: string;
  code: string;
  sqlState: string;
  message: string;
  line?: number;
  position?: number;
}

export interface CheckContext {
  /** Session database and schema, for names with fewer than three parts. */
  database: string;
  schema: string;
  /** Columns of a base table or view, or undefined when it does not exist; without it, base objects are not looked up. */
  columnsOf?: (database: string, schema: string, name: string) => readonly string[] | undefined;
}

export interface CheckResult { view?: ParsedSemanticView; problems: SemanticViewProblem[] }

const at = (id: SvIdent): { line: number; position: number } => ({ line: id.token.line, position: id.token.position });
const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && new Set(a).size === a.length && a.every((x) => b.includes(x));

/** Parses and validates `text`; `problems` is empty when Snowflake would accept it. */
export function checkSemanticView(text: string, context: CheckContext = { database: 'DB', schema: 'PUBLIC' }): CheckResult {
  let view: ParsedSemanticView;
  try {
    view = parseSemanticView(text);
  } catch (e) {
    if (!(e instanceof SvSyntaxError)) throw e;
    return { problems: [{ rule: 'syntax', code: '001003', sqlState: '42000', message: `SQL compilation error:\n${e.message}`, line: e.line, position: e.position }] };
  }
  const problems: SemanticViewProblem[] = [];
  const problem = (rule: string, message: string, where?: SvIdent): void => {
    problems.push({ rule, code: '002043', sqlState: '42000', message: `SQL compilation error:\n${message}`, ...(where ? at(where) : {}) });
  };
  const invalid = (rule: string, name: string, where: SvIdent): void => {
    problems.push({ rule, code: '000904', sqlState: '42000', ...at(where),
      message: `SQL compilation error: error line ${where.token.line} at position ${where.token.position}\ninvalid identifier '${name}'` });
  };

  if (view.orReplace && view.ifNotExists) problem('replace-if-not-exists', 'IF NOT EXISTS and OR REPLACE are incompatible.');

  // Logical tables: unique names, existing base objects, keys made of base columns, no repeated key.
  const tables = new Map<string, { columns?: readonly string[]; keys: string[][] }>();
  const expressionsOf = new Map<string, Map<string, SvExpression>>();
  for (const t of view.tables) {
    if (tables.has(t.name.value)) problem('duplicate-table', `Duplicate logical table name '${t.name.value}'.`, t.name);
    const [name, schema, database] = [...t.object].reverse();
    const obj = [database?.value ?? context.database, schema?.value ?? context.schema, name!.value];
    const columns = context.columnsOf?.(obj[0]!, obj[1]!, obj[2]!);
    if (context.columnsOf && columns === undefined) {
      problems.push({ rule: 'base-table', code: '002003', sqlState: '42S02', ...at(t.object[0]!),
        message: `SQL compilation error:\nObject '${obj.join('.')}' does not exist or not authorized.` });
    }
    const keys = [...(t.primaryKey ? [t.primaryKey] : []), ...t.unique].map((k) => k.map((c) => c.value));
    if (keys.some((k, i) => new Set(k).size !== k.length || keys.slice(0, i).some((o) => sameSet(o, k)))) {
      problem('duplicate-key', `Entity '${t.name.value}' has duplicate primary or unique keys.`, t.name);
    }
    tables.set(t.name.value, { ...(columns ? { columns } : {}), keys });
    expressionsOf.set(t.name.value, new Map());
  }

  // Facts, dimensions and metrics: a declared table, one name per table, derived metric names apart.
  const all = [...view.facts, ...view.dimensions, ...view.metrics];
  const derived = new Map<string, SvExpression>();
  for (const e of all) {
    if (e.table === undefined) {
      if (derived.has(e.name.value)) problem('duplicate-name', `Duplicate derived metric name '${e.name.value}'.`, e.name);
      derived.set(e.name.value, e);
      continue;
    }
    const own = expressionsOf.get(e.table.value);
    if (!own) { invalid('table-alias', `${e.table.value}.${e.name.value}`, e.table); continue; }
    if (own.has(e.name.value)) problem('duplicate-name', `Duplicate semantic expression name '${e.table.value}.${e.name.value}'.`, e.name);
    else own.set(e.name.value, e);
  }
  for (const [n, e] of derived) {
    if (view.metrics.some((m) => m.table !== undefined && m.name.value === n)) {
      problem('derived-metric-name', `Derived metric '${n}' cannot have the same name as a metric of a logical table.`, e.name);
    }
  }
  if (view.dimensions.length === 0 && view.metrics.length === 0) {
    problem('dimension-or-metric', 'A semantic view must define at least one dimension or metric.');
  }

  // Key columns must be base columns, or facts/dimensions that are exactly a base column.
  const isBaseColumn = (table: string, column: SvIdent): boolean => {
    const cols = tables.get(table)?.columns;
    if (cols === undefined || cols.includes(column.value)) return true;
    const e = expressionsOf.get(table)?.get(column.value);
    return e !== undefined && e.kind !== 'metric' && e.tokens.length <= 3 && exprShape(e.tokens).refs.length === 1;
  };
  for (const t of view.tables) {
    for (const c of [...(t.primaryKey ?? []), ...t.unique.flat()]) {
      if (!isBaseColumn(t.name.value, c)) invalid('key-column', c.value, c);
    }
  }

  // Relationships (foreign keys): declared tables, no self-reference, a key on the referenced side, no cycle.
  const edges = new Map<string, Set<string>>();
  const sameGrain = new Map<string, Set<string>>();
  const addEdge = (m: Map<string, Set<string>>, a: string, b: string): void => { m.set(a, (m.get(a) ?? new Set()).add(b)); };
  const relNames = new Set<string>();
  for (const r of view.relationships) {
    const label = r.name?.value ?? `${r.from.value}(${r.fromColumns.map((c) => c.value).join(', ')})`;
    if (r.name) {
      if (relNames.has(r.name.value)) problem('duplicate-relationship', `Duplicate relationship name '${r.name.value}'.`, r.name);
      relNames.add(r.name.value);
    }
    const from = tables.get(r.from.value);
    const to = tables.get(r.to.value);
    if (!from) invalid('table-alias', r.from.value, r.from);
    if (!to) invalid('table-alias', r.to.value, r.to);
    if (!from || !to) continue;
    if (r.from.value === r.to.value) { problem('self-reference', `Relationship '${label}': logical table '${r.from.value}' cannot reference itself.`, r.from); continue; }
    for (const c of r.fromColumns) if (!isBaseColumn(r.from.value, c)) invalid('relationship-column', c.value, c);
    if (r.range) {
      const range = view.tables.find((t) => t.name.value === r.to.value)?.distinctRange;
      if (!range || range.start.value !== r.range.start.value || range.end.value !== r.range.end.value) {
        problem('range-constraint', `Relationship '${label}': '${r.to.value}' has no DISTINCT RANGE constraint on (${r.range.start.value}, ${r.range.end.value}).`, r.to);
      }
    } else {
      const refCols = r.toColumns?.map((c) => c.value) ?? (to.keys.length === 1 ? to.keys[0]! : undefined);
      if (refCols === undefined) {
        problem('relationship-key', `Relationship '${label}': referenced table '${r.to.value}' has no single primary or unique key; name the referenced columns.`, r.to);
      } else if (!to.keys.some((k) => sameSet(k, refCols))) {
        problem('relationship-key', `Relationship '${label}': referenced columns (${refCols.join(', ')}) are not a primary or unique key of '${r.to.value}'.`, r.to);
      } else if (refCols.length !== r.fromColumns.length) {
        problem('relationship-columns', `Relationship '${label}': ${r.fromColumns.length} column(s) cannot reference ${refCols.length}.`, r.from);
      }
    }
    addEdge(edges, r.from.value, r.to.value);
    addEdge(sameGrain, r.from.value, r.to.value);
    // One-to-one when the referencing columns are themselves a key: then both tables have one grain.
    if (from.keys.some((k) => sameSet(k, r.fromColumns.map((c) => c.value)))) addEdge(sameGrain, r.to.value, r.from.value);
  }
  const reaches = (m: Map<string, Set<string>>, a: string, b: string): boolean => {
    const seen = new Set<string>();
    const stack = [...(m.get(a) ?? [])];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n === b) return true;
      if (!seen.has(n)) { seen.add(n); stack.push(...(m.get(n) ?? [])); }
    }
    return false;
  };
  const cyclic = [...edges.keys()].find((t) => reaches(edges, t, t));
  if (cyclic !== undefined) problem('circular-relationship', `Circular relationships are not allowed: '${cyclic}' refers back to itself through its relationships.`);

  checkExpressions(view, { expressionsOf, derived, tables, relNames, problem, invalid,
    lower: (a, b) => a === b || reaches(sameGrain, a, b),
    related: (a, b) => a === b || reaches(sameGrain, a, b) || reaches(sameGrain, b, a) });
  return { view, problems };
}

interface ExprContext {
  expressionsOf: Map<string, Map<string, SvExpression>>;
  derived: Map<string, SvExpression>;
  tables: Map<string, { columns?: readonly string[] }>;
  relNames: Set<string>;
  problem: (rule: string, message: string, where?: SvIdent) => void;
  invalid: (rule: string, name: string, where: SvIdent) => void;
  /** `b` is at the same or a lower granularity than `a` (each row of `a` has one row of `b`). */
  lower: (a: string, b: string) => boolean;
  related: (a: string, b: string) => boolean;
}

const label = (e: SvExpression): string => (e.table ? `${e.table.value}.${e.name.value}` : e.name.value);
const KIND = { fact: 'Fact', dimension: 'Dimension', metric: 'Metric' } as const;

function checkExpressions(view: ParsedSemanticView, cx: ExprContext): void {
  const deps = new Map<SvExpression, SvExpression[]>();
  const metricByName = (n: string): SvExpression[] => view.metrics.filter((m) => m.table !== undefined && m.name.value === n);
  for (const e of [...view.facts, ...view.dimensions, ...view.metrics]) {
    if (e.table && !cx.tables.has(e.table.value)) continue; // already reported
    const T = e.table?.value;
    const shape = exprShape(e.tokens);
    const uses: SvExpression[] = [];
    const where = { value: e.name.value, quoted: false, token: e.tokens[0]! };
    for (const ref of shape.refs) {
      const refId: SvIdent = { value: ref.name, quoted: false, token: ref.token };
      let target: SvExpression | undefined;
      let X: string | undefined = ref.table;
      if (ref.table !== undefined) {
        if (!cx.tables.has(ref.table)) { cx.invalid('table-alias', `${ref.table}.${ref.name}`, refId); continue; }
        target = cx.expressionsOf.get(ref.table)!.get(ref.name);
        if (target === e) target = undefined; // `t.c AS t.c`: the name means the column
        if (!target) {
          const cols = cx.tables.get(ref.table)!.columns;
          if (ref.table !== T || (cols !== undefined && !cols.includes(ref.name))) cx.invalid('column-reference', `${ref.table}.${ref.name}`, refId);
          continue;
        }
      } else {
        const own = T === undefined ? undefined : cx.expressionsOf.get(T)!.get(ref.name);
        const d = cx.derived.get(ref.name);
        if (own && own !== e) { target = own; X = T; } else if (d && d !== e) {
          if (e.table !== undefined) { cx.problem('derived-metric-use', `${KIND[e.kind]} '${label(e)}' cannot use derived metric '${ref.name}': only another derived metric can.`, where); continue; }
          target = d;
        } else if (T === undefined) {
          const ms = metricByName(ref.name);
          if (ms.length === 1) { target = ms[0]; X = ms[0]!.table!.value; } else if (!SQL_WORDS.has(ref.name)) {
            cx.problem('derived-metric-column', `Derived metric '${label(e)}' cannot refer to '${ref.name}': use qualified metrics or aggregated facts and dimensions.`, where);
          }
          if (!target) continue;
        } else continue; // a column of the expression's own table
      }
      uses.push(target!);
      // PARTITION BY / ORDER BY of a window metric name dimensions reachable from its table.
      if (ref.inWindow && e.kind === 'metric' && target!.kind !== 'metric') {
        if (T !== undefined && X !== undefined && !cx.lower(T, X)) cx.problem('window-dimension', `Metric '${label(e)}' cannot partition or order by ${target!.kind} '${label(target!)}'.`, where);
        continue;
      }
      ruleForReference(e, target!, X, ref.inAggregate, cx, where);
    }
    deps.set(e, uses);
    const refsMetric = uses.some((u) => u.kind === 'metric');
    if (e.kind === 'metric' && e.table && shape.aggregates.length === 0 && !refsMetric && !shape.window) {
      cx.problem('metric-aggregate', `Metric '${label(e)}' must use an aggregate function (or refer to other metrics).`, where);
    }
    if (e.kind === 'metric' && !e.table && shape.window) cx.problem('derived-metric-window', `Derived metric '${label(e)}' cannot use a window function.`, where);
    if (e.kind !== 'metric' && shape.aggregates.length > 0 && !shape.refs.some((r) => r.inAggregate && r.table !== undefined && r.table !== T)) {
      cx.problem('row-level-aggregate', `${KIND[e.kind]} '${label(e)}' is a row-level expression and cannot aggregate its own table; define it as a metric.`, where);
    }
    for (const u of e.using) if (!cx.relNames.has(u.value)) cx.invalid('metric-using', u.value, u);
    for (const d of e.nonAdditiveBy) {
      const [t, n] = d.length === 2 ? [d[0]!.value, d[1]!.value] : [e.table?.value, d[0]!.value];
      const target = t === undefined ? undefined : cx.expressionsOf.get(t)?.get(n);
      if (target?.kind !== 'dimension') cx.invalid('non-additive-by', d.map((x) => x.value).join('.'), d[0]!);
    }
  }
  // No expression may depend on itself, directly or through others.
  const state = new Map<SvExpression, 1 | 2>();
  const visit = (e: SvExpression): boolean => {
    if (state.get(e) === 2) return false;
    if (state.get(e) === 1) return true;
    state.set(e, 1);
    const cyclic = (deps.get(e) ?? []).some(visit);
    state.set(e, 2);
    return cyclic;
  };
  const inCycle = [...deps.keys()].find(visit);
  if (inCycle) cx.problem('expression-cycle', `Semantic expression '${label(inCycle)}' refers to itself through other expressions.`);
}

function ruleForReference(e: SvExpression, target: SvExpression, X: string | undefined, inAggregate: boolean,
  cx: ExprContext, where: SvIdent): void {
  const T = e.table?.value;
  const what = `${KIND[e.kind]} '${label(e)}'`;
  const it = `${target.kind} '${label(target)}'`;
  if (target.kind === 'metric') {
    if (exprShape(target.tokens).window && e.kind === 'metric') cx.problem('window-metric-use', `${what} cannot use window function ${it}.`, where);
    if (e.kind !== 'metric') {
      // A row-level expression may use a metric only of a table at a higher granularity.
      if (X === T || T === undefined || X === undefined || !cx.lower(X, T)) cx.problem('row-level-metric', `${what} cannot refer to ${it}.`, where);
    } else if (T === undefined) {
      if (inAggregate) cx.problem('derived-metric-aggregate', `${what} cannot aggregate ${it}.`, where);
    } else if (!inAggregate && X !== undefined && !cx.lower(T, X)) {
      if (!cx.related(T, X)) cx.problem('unrelated-tables', `${what} cannot refer to ${it}: no relationship connects '${T}' and '${X}'.`, where);
      else cx.problem('metric-granularity', `${what} must aggregate ${it}, which is at a higher granularity.`, where);
    }
    return;
  }
  if (X === undefined) return;
  if (T === undefined) {
    if (!inAggregate) cx.problem('derived-metric-row-level', `${what} cannot use ${it} without aggregating it.`, where);
    return;
  }
  if (e.kind === 'metric') {
    if (!inAggregate) cx.problem('metric-row-level', `${what} must aggregate ${it}.`, where);
    else if (!cx.related(T, X)) cx.problem('unrelated-tables', `${what} cannot refer to ${it}: no relationship connects '${T}' and '${X}'.`, where);
    return;
  }
  if (X === T) return;
  if (inAggregate ? !cx.related(T, X) : !cx.lower(T, X)) {
    cx.problem(inAggregate || !cx.related(T, X) ? 'unrelated-tables' : 'row-level-granularity',
      cx.related(T, X) ? `${what} must aggregate ${it}, which is at a higher granularity.` : `${what} cannot refer to ${it}: no relationship connects '${T}' and '${X}'.`, where);
  }
}
