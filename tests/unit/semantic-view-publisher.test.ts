// The semantic-view publisher's pure parts (issue 16): its plan on the fixture (lineage rows and
// translations handed to the warehouse, the keyed file name), the outcome's phrase and grants, and
// what the warehouse planner makes of the facts (two more statements, the translation columns).
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/core/config/schema.js';
import { canonicalModel } from '../../src/core/schema/canonical.js';
import { fingerprint } from '../../src/core/schema/fingerprint.js';
import { loadModel } from '../../src/core/schema/load.js';
import type { SemanticModel } from '../../src/core/schema/model.js';
import type { PlanContext, RunFacts } from '../../src/core/publishers/publisher.js';
import { planModelSync, type SyncContext } from '../../src/core/publishers/warehouse/plan.js';
import { describeOutcome, grantsFor, outcomeOf } from '../../src/core/publishers/semantic-view/outcome.js';
import { semanticViewPublisher, type SemanticViewSettings } from '../../src/core/publishers/semantic-view/publisher.js';
import { planSemanticView } from '../../src/core/semantic-view/plan.js';
import { SV_FIXTURE_MODEL } from '../support/semantic-view-fixture.js';

const FLAGS = { dryRun: false, disabled: new Set<string>(), target: 'snowflake' as const };
const facts: RunFacts = { publishedName: 'x', report: null, twin: null, definitionFile: null };

async function plannedFixture(settings: Partial<SemanticViewSettings> = {}) {
  const loaded = await loadModel(SV_FIXTURE_MODEL);
  const config = configSchema.parse({ semanticView: { enabled: true, database: 'sales_dw', schema: 'SEMANTIC' } });
  const s = { ...semanticViewPublisher.settings(config, FLAGS), ...settings };
  const ctx: PlanContext<SemanticViewSettings> = {
    loaded, target: { modelId: 'local:/m', workspaceId: null, isPushDataset: false }, settings: s, fingerprint: 'f', now: new Date(0), runId: 'r', toolVersion: 't', facts,
  };
  return { model: loaded.model, planned: await semanticViewPublisher.plan(loaded.model, ctx) };
}

function syncContext(m: SemanticModel): SyncContext {
  return {
    modelId: 'm1', publishedName: m.name, sourceName: m.name, workspaceId: null, pushDatasetId: null, sourceFormat: 'TMDL', storageMode: 'import',
    fingerprint: fingerprint(m), definition: canonicalModel(m), syncedAt: new Date('2026-12-01T00:00:00Z'), runId: 'r', toolVersion: 't',
  };
}

describe('the semantic-view publisher', () => {
  it('is off unless configured, and resolves the view\'s database and schema as Snowflake names them', () => {
    expect(semanticViewPublisher.settings(configSchema.parse({}), FLAGS).enabled).toBe(false);
    const s = semanticViewPublisher.settings(configSchema.parse({ snowflake: { database: 'analytics', schema: '"Sem"' }, semanticView: { enabled: true } }), FLAGS);
    expect(s).toMatchObject({ enabled: true, database: 'ANALYTICS', schema: 'Sem', includeApproximate: false, tables: {} });
  });

  it('plans the fixture: the same DDL as the planner, one lineage row per table and column, one translation per measure', async () => {
    const { model, planned } = await plannedFixture();
    const direct = await planSemanticView(model, { database: 'SALES_DW', schema: 'SEMANTIC' });
    expect(planned.plan.ddl).toBe(direct.ddl);
    expect(planned.fileName).toMatch(/^Sales Analytics on Snowflake\.[0-9a-f]{12}_semantic_view\.sql$/);
    const columns = model.tables.reduce((n, t) => n + t.columns.length, 0);
    expect(planned.facts.lineage).toHaveLength(model.tables.length + columns);
    expect(planned.facts.measures).toHaveLength(model.tables.reduce((n, t) => n + t.measures.length, 0));
    expect(planned.facts.measures.find((m) => m.measure === 'Total Sales')).toEqual({ table: 'Sales', measure: 'Total Sales', sql: 'SUM(SALES.AMOUNT)', grade: 'exact', reason: null });
  });

  it('without a database or schema it still hands over the lineage, and says why there is no DDL', async () => {
    const { planned } = await plannedFixture({ database: null });
    expect(planned.plan.ddl).toBeUndefined();
    expect(planned.plan.ddlReason).toMatch(/semanticView\.database/);
    expect(planned.facts.lineage.length).toBeGreaterThan(0);
  });

  it('says in one phrase how many measures became metrics, and lists the grants', async () => {
    const { planned } = await plannedFixture();
    const o = { ...outcomeOf(planned.plan), file: null, executed: true };
    const published = planned.plan.metrics.filter((m) => m.included).length;
    const approx = planned.plan.metrics.filter((m) => m.grade === 'approximate').length;
    const none = planned.plan.metrics.filter((m) => m.grade === 'untranslated').length;
    expect(describeOutcome(o)).toBe(`view Sales Analytics on Snowflake_semantic_view: ${published} metrics of ${planned.plan.metrics.length} measures (${approx} approximate, ${none} not translated)`);
    expect(describeOutcome({ ...o, executed: false })).toMatch(/, file only$/);
    expect(grantsFor({ view: { database: 'DB', schema: 'My Schema', name: 'V' }, tables: [
      { name: 'A', source: 'DB.S.A', included: true, reason: '' },
      { name: 'B', source: 'DB.S.A', included: true, reason: '' },
      { name: 'C', source: null, included: false, reason: '' },
    ] })).toEqual(['CREATE SEMANTIC VIEW ON SCHEMA DB."My Schema"', 'SELECT ON DB.S.A']);
  });
});

describe('the warehouse plan with the semantic view\'s facts', () => {
  it('adds the MERGE and DELETE of _SEMANTIC_LINEAGE and sets the translation columns; without them neither is touched', async () => {
    const { model, planned } = await plannedFixture();
    const without = planModelSync(model, null, syncContext(model), 'snowflake');
    const withFacts = planModelSync(model, null, { ...syncContext(model), semantic: planned.facts }, 'snowflake');
    expect(without.transaction).toHaveLength(13); // the writer lock is added by the session: 14
    expect(withFacts.transaction).toHaveLength(15);
    expect(without.transaction.some((s) => s.sql.includes('_SEMANTIC_LINEAGE'))).toBe(false);
    expect(withFacts.transaction.filter((s) => s.sql.includes('"_SEMANTIC_LINEAGE"')).map((s) => s.purpose)).toEqual(['merge _SEMANTIC_LINEAGE', 'delete vanished rows of _SEMANTIC_LINEAGE']);
    const measures = (p: typeof without) => p.transaction.find((s) => s.purpose === 'merge _SEMANTIC_MEASURES')!.sql;
    // Without the view, the translation columns keep what the last run that published it wrote.
    expect(measures(without)).not.toMatch(/UPDATE SET .*"SQL_EXPRESSION" = s\."SQL_EXPRESSION"/);
    expect(measures(withFacts)).toMatch(/UPDATE SET .*"SQL_EXPRESSION" = s\."SQL_EXPRESSION"/);
    // SYNCED_AT is set when a lineage row changes, never compared (an unchanged re-run updates nothing).
    const lineage = withFacts.transaction.find((s) => s.purpose === 'merge _SEMANTIC_LINEAGE')!.sql;
    expect(lineage).not.toContain('t."SYNCED_AT" IS DISTINCT FROM');
    expect(lineage).toContain('"SYNCED_AT" = s."SYNCED_AT"');
  });
});

describe('validate with the semantic view enabled', () => {
  it('lists the grants the view needs, and fails when it has nowhere to go', async () => {
    const { checkSemanticView } = await import('../../src/core/validate/semantic-view-check.js');
    expect(checkSemanticView(configSchema.parse({}))).toEqual([]);
    const [ok] = checkSemanticView(configSchema.parse({ warehouse: { target: 'duckdb' }, semanticView: { enabled: true, database: 'sales_dw', schema: 'SEMANTIC', tables: { Targets: 'FIN.PLAN.TARGETS' } } }));
    expect(ok).toMatchObject({ status: 'ok', message: expect.stringMatching(/DuckDB has no semantic views/) });
    expect(ok!.details).toEqual([
      'GRANT CREATE SEMANTIC VIEW ON SCHEMA "SALES_DW"."SEMANTIC" TO ROLE <role>;',
      'GRANT SELECT ON TABLE FIN.PLAN.TARGETS TO ROLE <role>;   -- mapped in semanticView.tables',
      expect.stringMatching(/^GRANT SELECT ON TABLE <each base table>/),
    ]);
    const [missing] = checkSemanticView(configSchema.parse({ warehouse: { target: 'duckdb' }, semanticView: { enabled: true } }));
    expect(missing).toMatchObject({ status: 'fail', failure: 'config', hint: expect.stringMatching(/semanticView\.database/) });
  });
});
