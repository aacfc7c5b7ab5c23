// traceModel: the lineage of every table and column of a semantic model, from its Power Query M
// (partitions, shared expressions, parameters) and the configuration map. Pure: no I/O, never throws
// on a model's content — whatever cannot be traced gets a reason instead. docs/lineage.md
import type { Partition, SemanticModel, Table } from '../schema/model.js';
import { configureTable } from './configure.js';
import { columnLineage } from './columns.js';
import { MEvaluator, type NamedQuery } from './m-eval.js';
import { MParseCache, type MParse } from './m-parse.js';
import type { ColumnMap, MValue, TableState } from './m-values.js';
import { none, toLineage, type Traced } from './traced.js';
import { describeValue } from './m-values.js';
import type { LineageFilter, LineageOptions, LineageSource, ModelLineage } from './types.js';
import { allPartitions } from '../schema/walk.js';

/**
 * Traces every table of `model`. Pass one `cache` to several calls to parse an M text shared by
 * several models once.
 */
export async function traceModel(model: SemanticModel, options: LineageOptions = {}, cache: MParseCache = new MParseCache()): Promise<ModelLineage> {
  const warnings: string[] = [];
  const shared = model.expressions.filter((e) => e.kind === 'm');
  const texts = new Set<string>(shared.map((e) => e.expression));
  for (const p of allPartitions(model)) if (p.sourceType === 'm' && p.expression !== undefined) texts.add(p.expression);
  // One at a time: the parser is asynchronous, and hundreds of interleaved parses only add memory
  // pressure (measured about twice as slow as parsing in turn).
  const parsed = new Map<string, MParse>();
  for (const text of texts) parsed.set(text, await cache.parse(text));

  const sharedNames = new Set(shared.map((e) => e.name));
  const queries: NamedQuery[] = shared.map((e) => ({ name: e.name, text: e.expression, parsed: parsed.get(e.expression)!, prefixSteps: true }));
  for (const e of shared) {
    const p = parsed.get(e.expression)!;
    if (!p.ok && e.expression.trim() !== '') warnings.push(`shared expression "${e.name}" does not parse: ${p.error}`);
  }
  // In Power BI each table's M is also a query other M can refer to by the table's name.
  for (const table of model.tables) {
    const only = table.partitions.length === 1 ? table.partitions[0]! : undefined;
    if (only?.sourceType === 'm' && only.expression !== undefined && !sharedNames.has(table.name)) {
      queries.push({ name: table.name, text: only.expression, parsed: parsed.get(only.expression)!, prefixSteps: false });
    }
  }
  const evaluator = new MEvaluator(queries, model.dataSources);

  const configured = options.tables ?? {};
  const tableNames = new Set(model.tables.map((t) => t.name));
  for (const name of Object.keys(configured)) {
    if (!tableNames.has(name)) warnings.push(`the configuration maps table "${name}", which model "${model.name}" does not have`);
  }

  const tables = model.tables.map((table) => {
    let traced: Traced;
    try {
      traced = traceTable(table, evaluator, parsed, sharedNames);
    } catch (err) {
      // A defect here must cost one table its lineage, not the whole run (e.g. M nested deeper than the stack).
      const message = err instanceof Error ? err.message : String(err);
      warnings.push(`tracing table "${table.name}" failed: ${message}`);
      traced = none('unresolved', `tracing the M failed: ${message}`);
    }
    const config = Object.prototype.hasOwnProperty.call(configured, table.name) ? configured[table.name] : undefined;
    return config === undefined ? toLineage(table, traced) : configureTable(table, traced, config, warnings);
  });
  return { model: model.name, tables, warnings };
}

function traceTable(table: Table, evaluator: MEvaluator, parsed: ReadonlyMap<string, MParse>, sharedNames: ReadonlySet<string>): Traced {
  if (table.kind === 'calculationGroup') return none('calculation-group', 'a calculation group holds DAX calculation items, not data');
  if (table.kind === 'calculatedTable') return none('calculated-table', 'a calculated table is computed by DAX inside the model, not loaded from a source');
  if (table.partitions.length === 0) return none('no-partition', 'the table has no partition, so the model does not say where its rows come from');

  const results = table.partitions.map((p): Traced => {
    if (p.sourceType === 'm') return tracePartition(table, p, evaluator, parsed, sharedNames);
    return nonM(p);
  });
  if (results.length === 1) return results[0]!;
  return combinePartitions(table, results);
}

function tracePartition(table: Table, p: Partition, evaluator: MEvaluator, parsed: ReadonlyMap<string, MParse>, sharedNames: ReadonlySet<string>): Traced {
  if (p.expression === undefined || p.expression.trim() === '') return none('no-m', `partition "${p.name}" has no M expression`);
  const result = parsed.get(p.expression)!;
  if (!result.ok) return none('parse-error', `the M of table "${table.name}" (partition "${p.name}") does not parse: ${result.error}`);
  const ownQuery = table.partitions.length === 1 && !sharedNames.has(table.name);
  const value = ownQuery ? evaluator.evaluateQuery(table.name)! : evaluator.evaluate(result.ast, p.expression, 'Source');
  return fromValue(value);
}

function fromValue(value: MValue): Traced {
  switch (value.t) {
    case 'table':
      return { ok: true, state: value.state };
    case 'foreign':
      return none('not-snowflake', `not read with the Snowflake connector: ${value.reason}`);
    case 'unknown':
      return none(value.parseError ? 'parse-error' : 'unresolved', `the M source could not be traced: ${value.reason}`);
    case 'nav':
      return none('unresolved', `the M stops at a Snowflake ${value.level} navigation table and picks no table or view`);
    default:
      return none('unresolved', `the M returns ${describeValue(value)}, not a table`);
  }
}

function nonM(p: Partition): Traced {
  switch (p.sourceType) {
    case 'entity':
      return none('entity-partition', `Direct Lake partition "${p.name}" reads a Delta table in OneLake (an entity of a Lakehouse, Warehouse or mirrored database); the model does not say which Snowflake object, if any, it mirrors`);
    case 'calculated':
      return none('calculated-table', 'a calculated table is computed by DAX inside the model, not loaded from a source');
    case 'calculationGroup':
      return none('calculation-group', 'a calculation group holds DAX calculation items, not data');
    case 'query':
      return none('no-m', `partition "${p.name}" is a legacy query partition (SQL sent through a data source whose connection the model does not keep)`);
    default:
      return none('no-m', `partition "${p.name}" has source type "${p.sourceType}", which carries no M to trace`);
  }
}

/**
 * Several partitions load one table. They are one source only when they read the same object or
 * query with the same columns; their filters then combine with OR (the table holds the union).
 */
function combinePartitions(table: Table, results: Traced[]): Traced {
  const traced = results.filter((r): r is Extract<Traced, { ok: true }> => r.ok);
  if (traced.length === 0) {
    const first = results[0] as Extract<Traced, { ok: false }>;
    return results.every((r) => !r.ok && r.code === first.code) ? first : none(first.code, `${first.reason} (and ${results.length - 1} more partition(s))`);
  }
  const names = table.partitions.map((p) => p.name);
  const base = traced[0]!.state;
  const prefixed = (i: number, s: TableState): TableState => ({
    ...s,
    steps: s.steps.map((st) => ({ ...st, name: `${names[i]}: ${st.name}` })),
    filters: s.filters.map((f) => ({ ...f, step: `${names[i]}: ${f.step}` })),
  });
  const all = results.map((r, i) => (r.ok ? prefixed(i, r.state) : undefined));
  const steps = all.flatMap((s) => s?.steps ?? []);
  const approximate = all.flatMap((s) => s?.approximate ?? []);
  const sameSource = traced.every((r) => sameLineageSource(r.state.source, base.source) && sameColumns(r.state.columns, base.columns, table));
  if (traced.length < results.length || !sameSource) {
    const why = traced.length < results.length
      ? `${results.length - traced.length} of ${results.length} partitions have no Snowflake source`
      : `the ${results.length} partitions read different sources or columns`;
    return { ok: true, state: { ...base, steps, filters: all.flatMap((s) => s?.filters ?? []), approximate: [...approximate, why] }, note: { code: 'partitions-differ', reason: why } };
  }
  const perPartition = all.map((s) => s!.filters);
  const filters: LineageFilter[] = [];
  if (perPartition.every((f) => f.length > 0 && f.every((x) => x.sql !== undefined))) {
    const sql = perPartition.map((f) => f.map((x) => x.sql!).join(' AND ')).map((s) => `(${s})`).join(' OR ');
    filters.push({ step: `partitions ${names.join(', ')}`, m: perPartition.map((f) => f.map((x) => x.m).join(' and ')).join(' | '), sql, kind: 'rows' });
  } else if (perPartition.some((f) => f.length > 0)) {
    filters.push(...perPartition.flat());
    approximate.push('partition filters that do not combine into one condition');
  }
  return { ok: true, state: { ...base, steps, filters, approximate } };
}

function sameLineageSource(a: LineageSource, b: LineageSource): boolean {
  if (a.kind === 'object' && b.kind === 'object') return a.database === b.database && a.schema === b.schema && a.name === b.name;
  if (a.kind === 'query' && b.kind === 'query') return a.database === b.database && a.sql === b.sql;
  return false;
}

function sameColumns(a: ColumnMap, b: ColumnMap, table: Table): boolean {
  const other = columnLineage(table, b, 'exact');
  return columnLineage(table, a, 'exact').every((c, i) => c.sourceColumn === other[i]!.sourceColumn);
}

