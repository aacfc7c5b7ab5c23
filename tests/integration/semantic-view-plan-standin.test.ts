// The planner's CREATE SEMANTIC VIEW for the fixture model, sent through the real snowflake-sdk to
// the Snowflake stand-in, whose checker (written from Snowflake's documentation, sharing no code
// with the builder) must accept it: grammar, base tables and columns, keys, relationships, and the
// expression rules of facts, dimensions, regular and derived metrics (issue 16, item 4).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Connection } from 'snowflake-sdk';
import { startSnowflakeStandIn, type SnowflakeStandIn } from '../support/snowflake-standin/index.js';
import { connectTo, destroy, exec } from '../support/snowflake-standin/driver.js';
import type { SemanticModel, TomDataType } from '../../src/core/schema/model.js';
import { planSemanticView, type SemanticViewPlan } from '../../src/core/semantic-view/plan.js';
import { loadSvFixture, SV_FIXTURE_OPTIONS } from '../support/semantic-view-fixture.js';

const SNOWFLAKE_TYPES: Record<TomDataType, string> = {
  int64: 'NUMBER(38,0)', double: 'FLOAT', decimal: 'NUMBER(19,4)', string: 'VARCHAR', dateTime: 'TIMESTAMP_NTZ', boolean: 'BOOLEAN',
  binary: 'BINARY', variant: 'VARIANT', unknown: 'VARCHAR', automatic: 'VARCHAR',
};

const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** The base tables a plan names, with the source columns its facts, dimensions and keys read. */
function baseTables(plan: SemanticViewPlan): string[] {
  const out: string[] = [];
  for (const t of plan.tables.filter((x) => x.included)) {
    const cols = new Map<string, string>();
    for (const c of [...plan.facts, ...plan.dimensions].filter((x) => x.table === t.name)) cols.set(c.sourceColumn, SNOWFLAKE_TYPES[c.dataType]);
    const [db, schema, name] = t.source!.split('.').map((p) => p.replace(/^"|"$/g, '').replaceAll('""', '"'));
    out.push(`CREATE SCHEMA IF NOT EXISTS ${q(db!)}.${q(schema!)}`);
    out.push(`CREATE OR REPLACE TABLE ${q(db!)}.${q(schema!)}.${q(name!)} (${[...cols].map(([c, type]) => `${q(c)} ${type}`).join(', ')})`);
  }
  return out;
}

describe('the planned semantic view through snowflake-sdk to the stand-in', () => {
  let standIn: SnowflakeStandIn;
  let conn: Connection;
  let fixture: SemanticModel;

  beforeAll(async () => {
    fixture = await loadSvFixture();
    standIn = await startSnowflakeStandIn({ database: 'SALES_DW', schema: 'SEMANTIC' });
    conn = await connectTo(standIn, { database: 'SALES_DW', schema: 'SEMANTIC' });
  });
  afterAll(async () => {
    await destroy(conn).catch(() => undefined);
    await standIn.close();
  });

  const publish = async (plan: SemanticViewPlan): Promise<void> => {
    for (const sql of baseTables(plan)) await exec(conn, sql);
    const { rows } = await exec(conn, plan.ddl!);
    expect(rows).toEqual([{ status: `Semantic view ${plan.view.name} successfully created.` }]);
    expect(standIn.statements.at(-1)!.error).toBeUndefined();
  };

  test('the fixture\'s view (exact metrics) is accepted and catalogued', async () => {
    const plan = await planSemanticView(fixture, SV_FIXTURE_OPTIONS);
    await publish(plan);
    const stored = standIn.semanticViews.get('SALES_DW', 'SEMANTIC', 'SALES_ANALYTICS')!;
    expect(stored.ddl).toBe(plan.ddl);
    const included = plan.metrics.filter((m) => m.included);
    expect(stored.definition.metrics.map((m) => [m.table?.value, m.name.value])).toEqual(included.map((m) => [m.alias, m.name]));
    expect(stored.definition.metrics.find((m) => m.name.value === 'TOTAL_SALES')!.comment).toBe('Sum of the sales amount, after line discounts.\nTotal Sales = SUM(Sales[Amount])');
    expect(stored.definition.relationships.map((r) => r.name?.value)).toEqual(plan.relationships.filter((r) => r.included).map((r) => r.name));
  });

  test('with approximate metrics and every table mapped, the view is accepted too', async () => {
    const plan = await planSemanticView(fixture, {
      ...SV_FIXTURE_OPTIONS, viewName: 'SALES_ANALYTICS_ALL', includeApproximate: true,
      tables: { Targets: 'SALES_DW.FINANCE.TARGETS', 'Exchange Rates': 'SALES_DW.FINANCE.LATEST_RATES' },
    });
    expect(plan.tables.every((t) => t.included)).toBe(true);
    await publish(plan);
    const stored = standIn.semanticViews.get('SALES_DW', 'SEMANTIC', 'SALES_ANALYTICS_ALL')!;
    expect(stored.definition.metrics).toHaveLength(plan.metrics.filter((m) => m.included).length);
    expect(plan.metrics.filter((m) => m.included && m.grade === 'approximate').length).toBeGreaterThan(0);
    const { rows } = await exec(conn, 'DESCRIBE SEMANTIC VIEW SALES_DW.SEMANTIC.SALES_ANALYTICS_ALL');
    // The mapped Excel table's measure is now a metric (named TARGET_2: its fact is TARGET).
    const target = plan.metrics.find((m) => m.measure === 'Target')!;
    expect(target).toMatchObject({ grade: 'exact', alias: 'TARGETS', name: 'TARGET_2' });
    expect(rows.filter((r) => r.object_kind === 'METRIC' && r.object_name === 'TARGET_2').map((r) => [r.parent_entity, r.property, r.property_value]))
      .toContainEqual(['TARGETS', 'EXPRESSION', 'SUM(TARGETS.TARGET)']);
  });

  test('a view whose base table is missing is refused by the stand-in, not by the planner', async () => {
    const plan = await planSemanticView(fixture, { ...SV_FIXTURE_OPTIONS, viewName: 'BROKEN', tables: { Targets: 'SALES_DW.FINANCE.NO_SUCH_TABLE' } });
    expect(plan.ddl).toBeDefined();
    await expect(exec(conn, plan.ddl!)).rejects.toMatchObject({ code: '002003' });
  });
});
