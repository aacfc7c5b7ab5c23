// METRICS of the semantic view (pure): every measure translated by the DAX module against the view
// itself — columns resolve to the view's facts and dimensions (`ALIAS.NAME`), and filters travel
// only along the relationships the view declares — then named, placed on the one logical table
// it aggregates (or made a derived metric when it aggregates several) and kept by grade:
// `exact` always, `approximate` only when asked. docs/semantic-view.md, docs/dax-to-sql.md
import type { Relationship, SemanticModel } from '../schema/model.js';
import { translateModelMeasures } from '../dax/translate.js';
import type { SqlResolution } from '../dax/context.js';
import { logicalName, uniqueLogicalNames } from './names.js';
import type { LeftOutColumn, PlannedColumn, PlannedMetric } from './plan-types.js';
import { columnRef, quoteIdentifier } from './quote.js';

export interface MetricInputs {
  /** Included model tables → logical table, and why their rows may differ from the model's. */
  included: ReadonlyMap<string, { alias: string; rowsDiffer?: string }>;
  /** Why each left-out table is left out. */
  tableReasons: ReadonlyMap<string, string>;
  /** The view's facts and dimensions. */
  columns: readonly PlannedColumn[];
  columnsLeftOut: readonly LeftOutColumn[];
  /** Fact/dimension logical names per model table (a metric may not reuse one on its table). */
  columnNames: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** The relationships the view declares (the only join paths a metric can filter along). */
  relationships: readonly Relationship[];
  includeApproximate: boolean;
}

const lower = (s: string): string => s.toLowerCase();
const key = (table: string, column: string): string => `${lower(table)}\u0000${lower(column)}`;

export function planMetrics(model: SemanticModel, inputs: MetricInputs, advice: string[]): PlannedMetric[] {
  const byColumn = new Map(inputs.columns.map((c) => [key(c.table, c.column), c]));
  const leftOut = new Map(inputs.columnsLeftOut.map((c) => [key(c.table, c.column), c.reason]));
  const tables = new Map([...inputs.included].map(([name, inc]) => [lower(name), { name, ...inc }]));
  const tableReason = new Map([...inputs.tableReasons].map(([name, reason]) => [lower(name), { name, reason }]));

  const resolveColumn = (table: string, column: string): SqlResolution => {
    const hit = byColumn.get(key(table, column));
    if (hit) return { sql: columnRef(hit.alias, hit.name) };
    const out = tableReason.get(lower(table));
    if (out) return { reason: `table '${out.name}' is not in the view: ${out.reason}` };
    const why = leftOut.get(key(table, column));
    return { reason: `'${table}'[${column}] is not a fact or dimension of the view${why ? `: ${why}` : ''}` };
  };
  const resolveTable = (table: string): { reason: string } | Record<string, never> => {
    if (tables.has(lower(table))) return {};
    const out = tableReason.get(lower(table));
    return { reason: out ? `table '${out.name}' is not in the view: ${out.reason}` : `unknown table '${table}'` };
  };
  // The translator follows the model's relationships for filters; the view joins only along its own.
  const viewModel: SemanticModel = { ...model, relationships: [...inputs.relationships] };
  const translated = translateModelMeasures(viewModel, resolveColumn, { resolveTable });

  // Tables whose rows in Snowflake may differ from the model's: an exact translation over them is
  // exact SQL over different rows, so the metric is only approximate.
  const differing = [...inputs.included.values()].filter((i) => i.rowsDiffer !== undefined);

  const drafts = translated.map(({ table, name, translation }) => {
    const measure = model.tables.find((t) => t.name === table)?.measures.find((m) => m.name === name);
    const dax = `${name} = ${measure?.expression ?? ''}`;
    let { grade, reason } = translation;
    if (grade !== 'untranslated' && translation.sql !== undefined) {
      // COUNT(*) names no table, so the aggregated tables count as touched too.
      const aggregated = new Set(translation.tables.map((t) => tables.get(lower(t))?.alias));
      const touched = differing.filter((d) => aggregated.has(d.alias) || translation.sql!.includes(`${quoteIdentifier(d.alias)}.`));
      if (touched.length > 0) {
        grade = 'approximate';
        reason = [reason, ...touched.map((d) => `over ${d.alias}: ${d.rowsDiffer!}`)].filter(Boolean).join('; ');
      }
    }
    const target = translation.tables.length === 1 ? tables.get(lower(translation.tables[0]!))?.alias : undefined;
    return { table, name, translation, dax, grade, reason, target };
  });

  // Names: regular metrics share their table's name space with its facts and dimensions; derived
  // metrics must not take a table metric's name.
  const nameOf = new Map<string, string>();
  const byAlias = new Map<string, string[]>();
  for (const d of drafts) if (d.grade !== 'untranslated' && d.target !== undefined) byAlias.set(d.target, [...(byAlias.get(d.target) ?? []), d.name]);
  const tableOfAlias = new Map([...inputs.included].map(([name, inc]) => [inc.alias, name]));
  const spoken = spokenNames(drafts.map((d) => d.name));
  const assign = (names: string[], reserved: Iterable<string>): void => {
    const logical = uniqueLogicalNames(names.map((n) => spoken.get(n)!), reserved);
    for (const n of names) nameOf.set(n, logical.get(spoken.get(n)!)!);
  };
  for (const [alias, names] of byAlias) assign(names, inputs.columnNames.get(tableOfAlias.get(alias)!)?.values() ?? []);
  assign(drafts.filter((d) => d.grade !== 'untranslated' && d.target === undefined).map((d) => d.name), [...nameOf.values()]);

  const metrics = drafts.map((d): PlannedMetric => {
    const t = d.translation;
    const included = d.grade === 'exact' || (d.grade === 'approximate' && inputs.includeApproximate);
    let reason = d.reason;
    if (d.grade === 'approximate' && !included) reason = `approximate, left out (includeApproximate is off): ${reason ?? ''}`;
    return {
      measure: d.name, table: d.table, name: nameOf.get(d.name) ?? logicalName(spoken.get(d.name)!),
      ...(d.grade !== 'untranslated' && d.target !== undefined ? { alias: d.target } : {}),
      grade: d.grade,
      ...(t.sql !== undefined && d.grade !== 'untranslated' ? { sql: t.sql } : {}),
      ...(reason !== undefined ? { reason } : {}),
      ...(t.cause !== undefined ? { cause: t.cause } : {}),
      dax: d.dax,
      included,
    };
  });

  const leftApprox = metrics.filter((m) => m.grade === 'approximate' && !m.included);
  if (leftApprox.length > 0) {
    advice.push(`${leftApprox.length} approximate metric(s) left out (${leftApprox.map((m) => m.measure).join(', ')}): publish them with includeApproximate, `
      + 'or make them exact — a plain CALCULATE filter becomes exact written as KEEPFILTERS(…) (docs/dax-to-sql.md).');
  }
  return metrics;
}

/**
 * Measure names with `%` spelled out (`Margin %` → `Margin Pct` → MARGIN_PCT), so that a ratio and
 * the amount it is the ratio of (`Margin`) do not become MARGIN and MARGIN_2. A measure keeps its
 * own name when the spelled-out form is another measure's name or already taken.
 */
function spokenNames(names: readonly string[]): Map<string, string> {
  const taken = new Set(names.map(lower));
  const out = new Map<string, string>();
  for (const n of names) {
    const s = n.replace(/%/g, ' Pct ').replace(/\s+/g, ' ').trim();
    const use = s !== n && s !== '' && !taken.has(lower(s)) ? s : n;
    taken.add(lower(use));
    out.set(n, use);
  }
  return out;
}
