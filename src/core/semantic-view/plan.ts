// The semantic-view planner (issue 16, item 3): joins the lineage (which Snowflake object each table
// reads), the DAX translator (which measures become metrics) and the DDL builder into one plan per
// model — tables, relationships, facts, dimensions, metrics, the CREATE SEMANTIC VIEW statement and
// advice, every left-out object with its reason. Pure: no I/O, no clock; the only asynchronous part
// is the Power Query parser inside `traceModel`. docs/semantic-view.md
import { formatSnowflakeName } from '../lineage/identifiers.js';
import { MParseCache } from '../lineage/m-parse.js';
import { findTable } from '../lineage/resolve.js';
import { traceModel } from '../lineage/trace.js';
import type { ModelLineage, TableLineage } from '../lineage/types.js';
import type { Relationship, SemanticModel, Table } from '../schema/model.js';
import { classifyColumn } from './columns.js';
import { buildSemanticViewDdl } from './ddl.js';
import { tableKeys } from './keys.js';
import { uniqueLogicalNames } from './names.js';
import { planMetrics } from './plan-metrics.js';
import type { LeftOutColumn, PlannedColumn, PlannedRelationshipItem, PlannedTable, SemanticViewPlan, SemanticViewPlanOptions } from './plan-types.js';
import { columnRef, identifierProblem, qualifiedName } from './quote.js';
import { planRelationships, type SkippedRelationship } from './relationships.js';
import { specProblems, type SemanticViewSpec } from './spec.js';

export type * from './plan-types.js';

/** The view's default name: `{Model}_semantic_view`, as the file beside the push definition. */
export const defaultViewName = (model: string): string => `${model}_semantic_view`;

/** Traces `model`'s lineage and plans its semantic view. Pass one `cache` to plan several models. */
export async function planSemanticView(model: SemanticModel, options: SemanticViewPlanOptions, cache: MParseCache = new MParseCache()): Promise<SemanticViewPlan> {
  const lineage = await traceModel(model, options.tables === undefined ? {} : { tables: options.tables }, cache);
  return planFromLineage(model, lineage, options);
}

/**
 * One plan per model, sharing the M parse cache, each with the file name it is written to
 * (`{Model}_semantic_view.sql`, beside the push definition). `viewName` applies to a single model
 * only; with several, each view takes its model's default name.
 */
export async function planSemanticViews(models: readonly SemanticModel[], options: SemanticViewPlanOptions): Promise<Array<{ fileName: string; plan: SemanticViewPlan }>> {
  const cache = new MParseCache();
  const out: Array<{ fileName: string; plan: SemanticViewPlan }> = [];
  for (const model of models) {
    const own: SemanticViewPlanOptions = models.length === 1 ? options : { ...options, viewName: undefined };
    out.push({ fileName: `${defaultViewName(model.name)}.sql`, plan: await planSemanticView(model, own, cache) });
  }
  return out;
}

interface Included {
  table: Table;
  lineage: TableLineage;
  alias: string;
  /** Why the view's rows may differ from the model's (row filter, approximate lineage). */
  rowsDiffer?: string;
}

/** The plan for `model` given its traced `lineage` (synchronous and pure). */
export function planFromLineage(model: SemanticModel, lineage: ModelLineage, options: SemanticViewPlanOptions): SemanticViewPlan {
  const view = { database: options.database, schema: options.schema, name: options.viewName ?? defaultViewName(model.name) };
  const advice: string[] = [];

  // TABLES: Snowflake objects only. A native query is not an object a semantic view can name.
  const decided = model.tables.map((table) => {
    const traced = findTable(lineage, table.name) ?? untraced(table);
    return { table, lineage: traced, ...decideTable(table, traced, advice) };
  });
  const aliases = uniqueLogicalNames(decided.filter((d) => d.included).map((d) => d.table.name));
  const included = new Map<string, Included>();
  for (const d of decided) {
    if (!d.included) continue;
    included.set(d.table.name, { table: d.table, lineage: d.lineage, alias: aliases.get(d.table.name)!, ...(d.rowsDiffer ? { rowsDiffer: d.rowsDiffer } : {}) });
  }

  // RELATIONSHIPS: only between included tables and over columns with a source column.
  const sourceOf = (table: string, column: string): string | null =>
    findTable(lineage, table)?.columns.find((c) => c.column === column)?.sourceColumn ?? null;
  const preSkipped: SkippedRelationship[] = [];
  const usable: Relationship[] = [];
  for (const r of model.relationships) {
    const ends = [[r.fromTable, r.fromColumn], [r.toTable, r.toColumn]] as const;
    const missing = included.has(r.fromTable) && included.has(r.toTable) ? ends.find(([t, c]) => sourceOf(t, c) === null) : undefined;
    if (r.isActive && missing) preSkipped.push({ source: r, reason: `column '${missing[0]}'[${missing[1]}] has no Snowflake source column` });
    else usable.push(r);
  }
  const relPlan = planRelationships({ ...model, relationships: usable }, { tables: new Set(included.keys()) });
  const keys = tableKeys(model, relPlan.relationships);
  const relationships: PlannedRelationshipItem[] = [];
  const skippedBy = new Map([...preSkipped, ...relPlan.skipped].map((s) => [s.source, s.reason]));
  const keptBy = new Map(relPlan.relationships.map((r) => [r.source, r]));
  for (const r of model.relationships) {
    const kept = keptBy.get(r);
    if (kept) {
      relationships.push({ source: r.name, from: { table: kept.fromTable, column: kept.fromColumn }, to: { table: kept.toTable, column: kept.toColumn },
        included: true, name: kept.name, ...(relationshipNote(kept.note, included.get(kept.toTable)) ?? {}) });
    } else {
      relationships.push({ source: r.name, from: { table: r.fromTable, column: r.fromColumn }, to: { table: r.toTable, column: r.toColumn },
        included: false, reason: skippedBy.get(r) ?? 'left out' });
    }
  }

  // FACTS and DIMENSIONS: every data column with a source column, by type and use.
  const facts: PlannedColumn[] = [];
  const dimensions: PlannedColumn[] = [];
  const columnsLeftOut: LeftOutColumn[] = [];
  const columnNames = new Map<string, Map<string, string>>();
  const relationshipColumns = (table: string): Set<string> =>
    new Set(model.relationships.flatMap((r) => [r.fromTable === table ? r.fromColumn : undefined, r.toTable === table ? r.toColumn : undefined]).filter((c): c is string => c !== undefined));
  for (const inc of included.values()) {
    const keyColumns = relationshipColumns(inc.table.name);
    const kept: Array<{ column: Table['columns'][number]; sourceColumn: string; role: 'fact' | 'dimension'; note?: string }> = [];
    for (const column of inc.table.columns) {
      const cl = inc.lineage.columns.find((c) => c.column === column.name);
      const role = classifyColumn(column, keyColumns);
      if (role.role === 'none') { columnsLeftOut.push({ table: inc.table.name, column: column.name, reason: role.reason }); continue; }
      if (!cl || cl.sourceColumn === null) {
        columnsLeftOut.push({ table: inc.table.name, column: column.name, reason: cl?.reason ?? 'no source column' });
        continue;
      }
      kept.push({ column, sourceColumn: cl.sourceColumn, role: role.role, ...(role.reason ? { note: role.reason } : {}) });
    }
    const names = uniqueLogicalNames(kept.map((k) => k.column.name));
    columnNames.set(inc.table.name, names);
    for (const k of kept) {
      const item: PlannedColumn = {
        table: inc.table.name, column: k.column.name, name: names.get(k.column.name)!, alias: inc.alias, sourceColumn: k.sourceColumn,
        dataType: k.column.dataType, sql: columnRef(inc.alias, k.sourceColumn), ...(k.note ? { note: k.note } : {}),
      };
      (k.role === 'fact' ? facts : dimensions).push(item);
    }
  }

  // METRICS: the DAX translator over the view's own joins and names.
  const metrics = planMetrics(model, {
    included: new Map([...included].map(([name, inc]) => [name, { alias: inc.alias, ...(inc.rowsDiffer ? { rowsDiffer: inc.rowsDiffer } : {}) }])),
    tableReasons: new Map(decided.filter((d) => !d.included).map((d) => [d.table.name, d.reason])),
    columns: [...facts, ...dimensions],
    columnsLeftOut,
    columnNames,
    relationships: relPlan.relationships.map((r) => r.source),
    includeApproximate: options.includeApproximate ?? false,
  }, advice);

  const tables: PlannedTable[] = decided.map((d) => {
    const inc = included.get(d.table.name);
    const k = keys.get(d.table.name);
    const physical = (c: string): string => sourceOf(d.table.name, c)!;
    return {
      name: d.table.name,
      ...(inc ? { alias: inc.alias } : {}),
      source: d.source,
      included: d.included,
      reason: d.reason,
      ...(inc && k ? { primaryKey: [physical(k.primaryKey)], ...(k.unique.length > 0 ? { unique: k.unique.map((u) => [physical(u)]) } : {}) } : {}),
    };
  });

  const spec: SemanticViewSpec = {
    view,
    ...(model.description ? { comment: model.description } : {}),
    tables: tables.filter((t) => t.included).map((t) => {
      const inc = included.get(t.name)!;
      const src = inc.lineage.source as Extract<TableLineage['source'], { kind: 'object' }>;
      return {
        alias: inc.alias, object: { database: src.database, schema: src.schema, name: src.name },
        ...(t.primaryKey ? { primaryKey: t.primaryKey } : {}), ...(t.unique ? { unique: t.unique } : {}),
        ...(inc.table.description ? { comment: inc.table.description } : {}),
      };
    }),
    relationships: relPlan.relationships.map((r) => ({
      name: r.name, fromAlias: included.get(r.fromTable)!.alias, fromColumns: [sourceOf(r.fromTable, r.fromColumn)!],
      toAlias: included.get(r.toTable)!.alias, toColumns: [sourceOf(r.toTable, r.toColumn)!],
    })),
    facts: facts.map((f) => withComment(model, f, { alias: f.alias, name: f.name, sql: f.sql })),
    dimensions: dimensions.map((d) => withComment(model, d, { alias: d.alias, name: d.name, sql: d.sql })),
    metrics: metrics.filter((m) => m.included).map((m) => ({
      ...(m.alias ? { alias: m.alias } : {}), name: m.name, sql: m.sql!,
      comment: metricComment(model, m.table, m.measure, m.dax),
    })),
  };

  let ddl: string | undefined;
  let ddlReason: string | undefined;
  if (spec.tables.length === 0) {
    ddlReason = 'no table of the model reads a Snowflake table or view; map tables to Snowflake objects with `tables`';
  } else {
    const problems = specProblems(spec);
    if (problems.length > 0) ddlReason = `the view cannot be defined: ${problems.join('; ')}`;
    else ddl = buildSemanticViewDdl(spec);
  }
  return {
    model: model.name, view, viewName: viewNameText(view), tables, relationships, facts, dimensions, columnsLeftOut, metrics,
    ddl, ...(ddlReason ? { ddlReason } : {}), advice, warnings: lineage.warnings,
  };
}

function decideTable(table: Table, t: TableLineage, advice: string[]): { included: boolean; source: string | null; reason: string; rowsDiffer?: string } {
  const src = t.source;
  if (src === null) {
    const mappable = !['calculated-table', 'calculation-group'].includes(t.reasonCode);
    if (mappable && table.columns.length > 0) {
      advice.push(`Table '${table.name}' has no Snowflake source (${t.reasonCode}); if its rows are in Snowflake, map it: tables: { ${JSON.stringify(table.name)}: "DATABASE.SCHEMA.OBJECT" }.`);
    }
    return { included: false, source: null, reason: t.reason };
  }
  if (src.kind === 'query') {
    advice.push(`Table '${table.name}' is loaded by Value.NativeQuery; a semantic view reads tables and views only. Create a view over the query`
      + ` (CREATE VIEW ${src.database ?? '<DATABASE>'}.<SCHEMA>.<VIEW> AS ${oneLine(src.sql)}) and map the table to it with tables: { ${JSON.stringify(table.name)}: "DATABASE.SCHEMA.VIEW" }.`);
    return { included: false, source: null, reason: 'loaded by a native query (Value.NativeQuery): a semantic view can only name tables and views' };
  }
  const source = formatSnowflakeName([src.database, src.schema, src.name]);
  const differ: string[] = [];
  if (t.confidence === 'approximate') differ.push(`its lineage is approximate (${t.reason})`);
  const filters = t.filters.filter((f) => f.kind === 'rows');
  if (filters.length > 0) {
    const where = filters.every((f) => f.sql !== undefined) ? filters.map((f) => f.sql).join(' AND ') : undefined;
    differ.push(`the model keeps only the rows of ${filters.map((f) => f.step).join(', ')}`);
    if (where !== undefined) {
      advice.push(`Table '${table.name}' keeps only some rows of ${source} (${filters.map((f) => f.step).join(', ')}); for exact metrics over it, create a view with those rows`
        + ` (CREATE VIEW … AS SELECT * FROM ${source} WHERE ${where}) and map the table to it with tables.`);
    }
  }
  return {
    included: true, source, reason: t.reason,
    ...(differ.length > 0 ? { rowsDiffer: `the table's rows in the view may differ from the model's: ${differ.join('; ')}` } : {}),
  };
}

const oneLine = (sql: string): string => sql.replace(/\s+/g, ' ').trim();

function withComment<T extends object>(model: SemanticModel, c: PlannedColumn, item: T): T & { comment?: string } {
  const description = model.tables.find((t) => t.name === c.table)?.columns.find((x) => x.name === c.column)?.description;
  return description ? { ...item, comment: description } : item;
}

function metricComment(model: SemanticModel, table: string, measure: string, dax: string): string {
  const description = model.tables.find((t) => t.name === table)?.measures.find((m) => m.name === measure)?.description;
  return description ? `${description}\n${dax}` : dax;
}

/** The view's name as the DDL writes it; with an invalid part (reported in ddlReason), as given. */
function viewNameText(view: SemanticViewPlan['view']): string {
  const parts = [view.database, view.schema, view.name];
  return parts.some((p) => identifierProblem(p) !== undefined) ? parts.join('.') : qualifiedName(view);
}

/** A lineage passed in that lacks a table (traced from another version of the model). */
function untraced(table: Table): TableLineage {
  const reason = 'the lineage given has no entry for this table';
  return {
    table: table.name, source: null, confidence: 'none', reasonCode: 'unresolved', reason, steps: [], filters: [],
    columns: table.columns.map((c) => ({ column: c.name, sourceColumn: null, confidence: 'none', reason })),
  };
}

/**
 * What the view does not keep of a kept relationship: bidirectional filtering, and a referenced
 * table whose Snowflake rows differ from the model's — rows whose key the model filtered out are
 * grouped under that table's Snowflake values in the view, under the blank row in Power BI.
 */
function relationshipNote(note: string | undefined, to: Included | undefined): { reason: string } | undefined {
  const notes = [note, to?.rowsDiffer === undefined ? undefined
    : `'${to.table.name}' holds rows in Snowflake that the model leaves out: grouped by its columns, rows referencing them are not under the blank row as in Power BI`]
    .filter((n): n is string => n !== undefined);
  return notes.length > 0 ? { reason: notes.join('; ') } : undefined;
}
