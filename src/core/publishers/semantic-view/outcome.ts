// What the semantic-view publisher reports per model: the `semanticView` object of `--json`
// (`tables`, `metrics`, `ddl`), the phrase of the human output, and the grants the view needs.
// Pure: built from the planner's plan (docs/semantic-view.md).
import type { SemanticFacts } from '../publisher.js';
import type { SemanticViewPlan } from '../../semantic-view/plan.js';

export interface SemanticViewOutcome {
  /** The view's fully qualified name as written in the DDL. */
  view: string;
  /** The view's own name. */
  name: string;
  tables: Array<{ name: string; source: string | null; reason: string }>;
  /** One per measure: `name` is the measure's; `metric` its name in the view when it is published. */
  metrics: Array<{ name: string; table: string; metric: string | null; grade: string; sql: string | null; reason: string | null }>;
  /** The CREATE OR REPLACE SEMANTIC VIEW statement, null when nothing can be published (`ddlReason`). */
  ddl: string | null;
  ddlReason?: string;
  /** The `{Model}.{key}_semantic_view.sql` file written, null when none was (dry run, no DDL, no push.outDir). */
  file: string | null;
  /** The DDL ran in Snowflake. */
  executed: boolean;
  /** Why it did not run (DuckDB target, dry run, no DDL), or the error it failed with. */
  note?: string;
  /** The grants the view needs (CREATE SEMANTIC VIEW on its schema, SELECT on each base table). */
  grants: string[];
  advice: string[];
}

export function outcomeOf(plan: SemanticViewPlan): Omit<SemanticViewOutcome, 'file' | 'executed' | 'note'> {
  return {
    view: plan.viewName,
    name: plan.view.name,
    tables: plan.tables.map((t) => ({ name: t.name, source: t.source, reason: t.reason })),
    metrics: plan.metrics.map((m) => ({
      name: m.measure,
      table: m.table,
      metric: m.included ? m.name : null,
      grade: m.grade,
      sql: m.sql ?? null,
      reason: m.reason ?? null,
    })),
    ddl: plan.ddl ?? null,
    ...(plan.ddl === undefined && plan.ddlReason ? { ddlReason: plan.ddlReason } : {}),
    grants: grantsFor(plan),
    advice: plan.advice,
  };
}

/**
 * The privileges that CREATE SEMANTIC VIEW needs
 * (https://docs.snowflake.com/en/sql-reference/sql/create-semantic-view#access-control-requirements):
 * CREATE SEMANTIC VIEW on the view's schema, and SELECT on every table or view it names.
 */
export function grantsFor(plan: Pick<SemanticViewPlan, 'view' | 'tables'>): string[] {
  const schema = [plan.view.database, plan.view.schema].map(sqlName).join('.');
  const bases = [...new Set(plan.tables.filter((t) => t.included && t.source).map((t) => t.source!))];
  return [`CREATE SEMANTIC VIEW ON SCHEMA ${schema}`, ...bases.map((b) => `SELECT ON ${b}`)];
}

/** A name as Snowflake reads it back: bare when upper-case letters, digits and `_`, else quoted. */
function sqlName(name: string): string {
  return /^[A-Z_][A-Z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

/** The lineage rows and translations the warehouse publisher writes (RunFacts.semantic). */
export function factsOf(plan: SemanticViewPlan, lineage: SemanticFacts['lineage']): SemanticFacts {
  return {
    lineage,
    measures: plan.metrics.map((m) => ({ table: m.table, measure: m.measure, sql: m.sql ?? null, grade: m.grade, reason: m.reason ?? null })),
  };
}

/** `view SALES_ANALYTICS: 10 metrics of 25 measures (4 approximate, 11 not translated)`. */
export function describeOutcome(o: SemanticViewOutcome): string {
  const published = o.metrics.filter((m) => m.metric !== null).length;
  const approximate = o.metrics.filter((m) => m.grade === 'approximate').length;
  const untranslated = o.metrics.filter((m) => m.grade === 'untranslated').length;
  const counts = `${published} metric${published === 1 ? '' : 's'} of ${o.metrics.length} measure${o.metrics.length === 1 ? '' : 's'} (${approximate} approximate, ${untranslated} not translated)`;
  const state = o.ddl === null ? ', not published' : o.executed ? '' : ', file only';
  return `view ${o.name}: ${counts}${state}`;
}
