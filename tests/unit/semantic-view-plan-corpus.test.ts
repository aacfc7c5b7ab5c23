// The planner over every real model of the shared corpus (issue 16, item 5). Few corpus models read
// Snowflake, so each is planned twice: as it is, and with a generated mapping of every table to a
// Snowflake object of the same name (`CORPUS."<model>"."<table>"`), which shows how far the DAX
// translates once every table has a source. Checks: planning never throws; every published
// metric is exact; every DDL produced passes the stand-in's CREATE SEMANTIC VIEW checker, with the
// base objects' columns taken from the plan. Prints tables and metrics by grade per model.
import { expect, it } from 'vitest';
import { MParseCache } from '../../src/core/lineage/index.js';
import { loadModel } from '../../src/core/schema/load.js';
import type { SemanticModel } from '../../src/core/schema/model.js';
import { planSemanticView, type SemanticViewPlan } from '../../src/core/semantic-view/plan.js';
import { corpusEntries } from '../support/paths.js';
import { checkSemanticView } from '../support/snowflake-standin/semantic-view.js';
import { describeCorpus } from '../support/tiers.js';

const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;

function mapping(id: string, model: SemanticModel): Record<string, string> {
  return Object.fromEntries(model.tables.filter((t) => t.kind !== 'calculationGroup').map((t) => [t.name, `CORPUS.${q(id)}.${q(t.name)}`]));
}

function checked(plan: SemanticViewPlan): string[] {
  if (plan.ddl === undefined) return [];
  const columns = new Map<string, string[]>();
  for (const t of plan.tables.filter((x) => x.included)) {
    const cols = [...plan.facts, ...plan.dimensions].filter((c) => c.table === t.name).map((c) => c.sourceColumn);
    columns.set(t.source!, cols);
  }
  const sourceKey = (db: string, schema: string, name: string): string =>
    [db, schema, name].map((p) => (/^[A-Z_][A-Z0-9_$]*$/.test(p) ? p : q(p))).join('.');
  const result = checkSemanticView(plan.ddl, { database: plan.view.database, schema: plan.view.schema, columnsOf: (d, s, n) => columns.get(sourceKey(d, s, n)) });
  return result.problems.map((p) => `${p.rule}: ${p.message}`);
}

function summary(plan: SemanticViewPlan): string {
  const grade = (g: string): number => plan.metrics.filter((m) => m.grade === g).length;
  const included = plan.tables.filter((t) => t.included).length;
  return `tables ${included}/${plan.tables.length}, relationships ${plan.relationships.filter((r) => r.included).length}/${plan.relationships.length}, `
    + `metrics ${plan.metrics.length}: exact ${grade('exact')}, approximate ${grade('approximate')}, untranslated ${grade('untranslated')}, `
    + `published ${plan.metrics.filter((m) => m.included).length}, ddl ${plan.ddl === undefined ? 'none' : 'yes'}`;
}

describeCorpus('semantic-view planner over the corpus', () => {
  const cache = new MParseCache();
  const totals = { tables: 0, included: 0, exact: 0, approximate: 0, untranslated: 0, views: 0 };
  for (const entry of corpusEntries()) {
    it(`${entry.id}: plans as traced and with every table mapped`, async () => {
      const { model } = await loadModel(entry.dir);
      const options = { database: 'ANALYTICS', schema: 'SEMANTIC' };
      const traced = await planSemanticView(model, options, cache);
      const mapped = await planSemanticView(model, { ...options, tables: mapping(entry.id, model) }, cache);
      for (const plan of [traced, mapped]) {
        expect(plan.metrics.filter((m) => m.included).every((m) => m.grade === 'exact')).toBe(true);
        for (const m of plan.metrics) if (m.grade === 'untranslated') expect(m.reason, m.measure).toBeTruthy();
        for (const t of plan.tables) expect(t.reason.length, t.name).toBeGreaterThan(0);
        if (plan.ddl === undefined) expect(plan.ddlReason).toBeTruthy();
        expect(checked(plan), `${entry.id}: the stand-in's checker`).toEqual([]);
        expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
      }
      totals.tables += mapped.tables.length;
      totals.included += mapped.tables.filter((t) => t.included).length;
      for (const g of ['exact', 'approximate', 'untranslated'] as const) totals[g] += mapped.metrics.filter((m) => m.grade === g).length;
      if (mapped.ddl !== undefined) totals.views += 1;
      console.log(`semantic view ${entry.id}: as traced: ${summary(traced)}\n  every table mapped: ${summary(mapped)}`);
    }, 60_000);
  }
  it('totals (every table mapped)', () => {
    console.log(`semantic view corpus totals (every table mapped): tables ${totals.included}/${totals.tables}, metrics exact ${totals.exact}, `
      + `approximate ${totals.approximate}, untranslated ${totals.untranslated}; views with DDL ${totals.views}/${corpusEntries().length}`);
    expect(totals.tables).toBeGreaterThan(0);
  });
});
