// The typed description of one Snowflake semantic view, and the rules a description must meet
// before DDL is built from it. The rules are the documented ones a builder can check without the
// warehouse (https://docs.snowflake.com/en/sql-reference/sql/create-semantic-view and
// https://docs.snowflake.com/en/user-guide/views-semantic/validation-rules); expressions are SQL
// text from the translator and are checked by Snowflake (and by the test stand-in), not here.
//
// Every name is the identifier's value (what Snowflake stores), never pre-quoted: the builder
// quotes. Names are compared exactly, as Snowflake compares quoted identifiers.
import { identifierProblem } from './quote.js';

export interface ObjectRef {
  database: string;
  schema: string;
  name: string;
}

export interface LogicalTableSpec {
  /** The logical table name used by relationships, facts, dimensions and metrics. */
  alias: string;
  /** The base table or view in Snowflake. */
  object: ObjectRef;
  /** Physical columns of the base object. */
  primaryKey?: string[];
  /** Further unique column sets (never the primary key again: Snowflake rejects duplicate keys). */
  unique?: string[][];
  synonyms?: string[];
  comment?: string;
}

/** `fromAlias (fromColumns) REFERENCES toAlias (toColumns)`: many (or one) rows of `from` → one row of `to`. */
export interface RelationshipSpec {
  name: string;
  fromAlias: string;
  fromColumns: string[];
  toAlias: string;
  /** Must be the primary key or one UNIQUE set of `toAlias`. */
  toColumns: string[];
}

export interface ExpressionSpec {
  /** Logical table the expression belongs to. */
  alias: string;
  name: string;
  /** SQL expression, written with quoted identifiers (see quote.ts `columnRef`). */
  sql: string;
  synonyms?: string[];
  comment?: string;
}

export interface FactSpec extends ExpressionSpec {
  /** PRIVATE facts can be used by other expressions but not queried. */
  private?: boolean;
}

export type DimensionSpec = ExpressionSpec;

export interface MetricSpec extends Omit<ExpressionSpec, 'alias'> {
  /** Absent: a derived metric, scoped to the view, combining metrics of several tables. */
  alias?: string;
  private?: boolean;
}

export interface SemanticViewSpec {
  view: ObjectRef;
  comment?: string;
  tables: LogicalTableSpec[];
  relationships: RelationshipSpec[];
  facts: FactSpec[];
  dimensions: DimensionSpec[];
  metrics: MetricSpec[];
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && new Set(a).size === a.length && a.every((x) => b.includes(x));

/** Every problem with `spec`, as `path: problem` lines; empty when DDL can be built from it. */
export function specProblems(spec: SemanticViewSpec): string[] {
  const issues: string[] = [];
  const ident = (path: string, name: string | undefined): void => {
    const p = name === undefined ? 'is missing' : identifierProblem(name);
    if (p !== undefined) issues.push(`${path}: name ${JSON.stringify(name ?? '')} ${p}`);
  };
  const columns = (path: string, cols: readonly string[] | undefined): void => {
    if (cols === undefined || cols.length === 0) { issues.push(`${path}: needs at least one column`); return; }
    cols.forEach((c, i) => ident(`${path}[${i}]`, c));
    if (new Set(cols).size !== cols.length) issues.push(`${path}: lists a column twice`);
  };

  ident('view.database', spec.view.database);
  ident('view.schema', spec.view.schema);
  ident('view.name', spec.view.name);
  if (spec.tables.length === 0) issues.push('tables: a semantic view needs at least one logical table');

  const tables = new Map<string, LogicalTableSpec>();
  spec.tables.forEach((t, i) => {
    const at = `tables[${i}]`;
    ident(`${at}.alias`, t.alias);
    ident(`${at}.object.database`, t.object.database);
    ident(`${at}.object.schema`, t.object.schema);
    ident(`${at}.object.name`, t.object.name);
    if (tables.has(t.alias)) issues.push(`${at}.alias: logical table "${t.alias}" is declared twice`);
    tables.set(t.alias, t);
    if (t.primaryKey !== undefined) columns(`${at}.primaryKey`, t.primaryKey);
    const keys = t.primaryKey === undefined ? [] : [t.primaryKey];
    (t.unique ?? []).forEach((u, k) => {
      columns(`${at}.unique[${k}]`, u);
      if (keys.some((key) => sameSet(key, u))) issues.push(`${at}.unique[${k}]: repeats the primary key or another UNIQUE set`);
      keys.push(u);
    });
  });

  const relNames = new Set<string>();
  const edges = new Map<string, string[]>();
  spec.relationships.forEach((r, i) => {
    const at = `relationships[${i}]`;
    ident(`${at}.name`, r.name);
    if (relNames.has(r.name)) issues.push(`${at}.name: relationship "${r.name}" is declared twice`);
    relNames.add(r.name);
    const from = tables.get(r.fromAlias);
    const to = tables.get(r.toAlias);
    if (!from) issues.push(`${at}.fromAlias: no logical table "${r.fromAlias}"`);
    if (!to) issues.push(`${at}.toAlias: no logical table "${r.toAlias}"`);
    if (r.fromAlias === r.toAlias) issues.push(`${at}: a table cannot reference itself`);
    columns(`${at}.fromColumns`, r.fromColumns);
    columns(`${at}.toColumns`, r.toColumns);
    if (r.fromColumns.length !== r.toColumns.length) issues.push(`${at}: ${r.fromColumns.length} column(s) reference ${r.toColumns.length}`);
    if (to) {
      const keys = [...(to.primaryKey ? [to.primaryKey] : []), ...(to.unique ?? [])];
      if (!keys.some((k) => sameSet(k, r.toColumns))) {
        issues.push(`${at}.toColumns: (${r.toColumns.join(', ')}) is not the primary key or a UNIQUE set of "${r.toAlias}"`);
      }
    }
    edges.set(r.fromAlias, [...(edges.get(r.fromAlias) ?? []), r.toAlias]);
  });
  const cycle = findCycle(edges);
  if (cycle) issues.push(`relationships: circular path ${cycle.join(' -> ')} (Snowflake refuses cycles)`);

  // Facts, dimensions and metrics of one logical table share one name space; derived metrics
  // (no table) must not reuse any metric's name.
  const names = new Map<string, string>();
  const metricNames = new Set(spec.metrics.filter((m) => m.alias !== undefined).map((m) => m.name));
  const check = (kind: string, list: readonly (ExpressionSpec | MetricSpec)[]): void => {
    list.forEach((e, i) => {
      const at = `${kind}[${i}]`;
      ident(`${at}.name`, e.name);
      if (!e.sql || e.sql.trim() === '') issues.push(`${at}.sql: is empty`);
      if (e.alias === undefined) {
        if (kind !== 'metrics') issues.push(`${at}.alias: is missing`);
        else if (metricNames.has(e.name)) issues.push(`${at}.name: derived metric "${e.name}" has the name of a table metric`);
      } else if (!tables.has(e.alias)) {
        issues.push(`${at}.alias: no logical table "${e.alias}"`);
      }
      const key = `${e.alias ?? ''}\u0000${e.name}`;
      const seen = names.get(key);
      if (seen !== undefined) issues.push(`${at}.name: "${e.name}" is already used by ${seen}`);
      else names.set(key, at);
    });
  };
  check('facts', spec.facts);
  check('dimensions', spec.dimensions);
  check('metrics', spec.metrics);
  if (spec.dimensions.length === 0 && spec.metrics.length === 0) {
    issues.push('dimensions/metrics: a semantic view must define at least one dimension or metric');
  }
  return issues;
}

/** A directed cycle in `edges` (as a closed path), or undefined. */
function findCycle(edges: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'open');
    path.push(node);
    for (const next of edges.get(node) ?? []) {
      const found = visit(next);
      if (found) return found;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of edges.keys()) {
    const found = visit(node);
    if (found) return found;
  }
  return undefined;
}
