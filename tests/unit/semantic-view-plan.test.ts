// The semantic-view planner (issue 16, item 3) over the project's fixture model and small synthetic
// models: which tables, relationships, columns and measures go into the view, why the others stay
// out, and the DDL compared with the checked-in golden file.
import { beforeAll, describe, expect, test } from 'vitest';
import type { Column, Relationship, SemanticModel, Table } from '../../src/core/schema/model.js';
import { planFromLineage, planSemanticView, planSemanticViews, type SemanticViewPlan } from '../../src/core/semantic-view/plan.js';
import { traceModel } from '../../src/core/lineage/index.js';
import { loadSvFixture, readExpected, SV_FIXTURE_OPTIONS } from '../support/semantic-view-fixture.js';

const col = (name: string, dataType: Column['dataType'], over: Partial<Column> = {}): Column =>
  ({ name, dataType, kind: 'data', isHidden: false, isKey: false, sourceColumn: name.toUpperCase().replace(/ /g, '_'), ...over });

const snowflakeM = (object: string): string =>
  `let Source = Snowflake.Databases("acme.snowflakecomputing.com", "WH"), Db = Source{[Name="DW",Kind="Database"]}[Data], S = Db{[Name="MART",Kind="Schema"]}[Data], T = S{[Name="${object}",Kind="Table"]}[Data] in T`;

const table = (name: string, columns: Column[], m: string | undefined, measures: Table['measures'] = []): Table => ({
  name, isHidden: false, kind: 'data', storageMode: 'import', columns, measures, hierarchies: [],
  partitions: m === undefined ? [] : [{ name, sourceType: 'm', expression: m }],
});

const rel = (fromTable: string, fromColumn: string, toTable: string, toColumn: string, over: Partial<Relationship> = {}): Relationship => ({
  name: `${fromTable}-${toTable}`, fromTable, fromColumn, toTable, toColumn, fromCardinality: 'many', toCardinality: 'one',
  crossFilteringBehavior: 'oneDirection', isActive: true, ...over,
});

const model = (tables: Table[], relationships: Relationship[] = []): SemanticModel => ({
  name: 'Mini', tables, relationships, roles: [], perspectives: [], cultures: [], expressions: [], functions: [], dataSources: 0,
});

const OPTS = { database: 'ANALYTICS', schema: 'SEMANTIC' };

describe('the fixture model', () => {
  let plan: SemanticViewPlan;
  let fixture: SemanticModel;
  beforeAll(async () => {
    fixture = await loadSvFixture();
    plan = await planSemanticView(fixture, SV_FIXTURE_OPTIONS);
  });

  test('the DDL equals the checked-in golden file', async () => {
    expect(plan.ddl).toBeDefined();
    expect(`${plan.ddl!}\n`).toBe(await readExpected());
  });

  test('tables: traced Snowflake objects in, the native query and the Excel table out with reasons', () => {
    expect(plan.tables.map((t) => [t.name, t.included, t.source, t.alias])).toEqual([
      ['Sales', true, 'SALES_DW.MART.FCT_SALES', 'SALES'],
      ['Returns', true, 'SALES_DW.MART.FCT_RETURNS', 'RETURNS'],
      ['Products', true, 'SALES_DW.MART.DIM_PRODUCT', 'PRODUCTS'],
      ['Customers', true, 'SALES_DW.MART.DIM_CUSTOMER', 'CUSTOMERS'],
      ['Dates', true, 'SALES_DW.MART.DIM_DATE', 'DATES'],
      ['Exchange Rates', false, null, undefined],
      ['Targets', false, null, undefined],
    ]);
    expect(plan.tables.find((t) => t.name === 'Exchange Rates')!.reason).toMatch(/native query \(Value\.NativeQuery\)/);
    expect(plan.tables.find((t) => t.name === 'Targets')!.reason).toMatch(/Excel/);
    // PRIMARY KEY from the one side, as Snowflake column names.
    expect(plan.tables.filter((t) => t.primaryKey).map((t) => [t.name, t.primaryKey])).toEqual([
      ['Products', ['PRODUCT_KEY']], ['Customers', ['CUSTOMER_KEY']], ['Dates', ['DATE_DAY']],
    ]);
    expect(plan.advice.join('\n')).toContain('CREATE VIEW SALES_DW.<SCHEMA>.<VIEW> AS select CURRENCY_CODE, RATE_TO_EUR from FINANCE.FX_RATES');
    expect(plan.advice.join('\n')).toContain('tables: { "Targets": "DATABASE.SCHEMA.OBJECT" }');
    expect(plan.advice.join('\n')).toContain('WHERE "IS_TEST" = FALSE');
  });

  test('relationships: active many-to-one kept, the others reported', () => {
    const out = plan.relationships.filter((r) => !r.included).map((r) => `${r.from.table}[${r.from.column}] -> ${r.to.table}: ${r.reason!}`);
    expect(out).toEqual([
      'Sales[Ship Date] -> Dates: inactive: only USERELATIONSHIP uses it, and a semantic view has no equivalent',
      "Sales[Currency] -> Exchange Rates: table 'Exchange Rates' is not in the view (no Snowflake source)",
      "Targets[Month] -> Dates: table 'Targets' is not in the view (no Snowflake source)",
    ]);
    expect(plan.relationships.filter((r) => r.included).map((r) => r.name)).toEqual([
      'SALES_TO_CUSTOMERS', 'SALES_TO_PRODUCTS', 'SALES_TO_DATES', 'RETURNS_TO_PRODUCTS', 'RETURNS_TO_DATES',
    ]);
    expect(plan.relationships.find((r) => r.name === 'SALES_TO_CUSTOMERS')!.reason).toMatch(/^bidirectional .*; 'Customers' holds rows in Snowflake that the model leaves out/);
    expect(plan.relationships.find((r) => r.name === 'SALES_TO_PRODUCTS')!.reason).toBeUndefined();
  });

  test('facts are numeric columns, dimensions the others; keys and calculated columns as documented', () => {
    expect(plan.facts.filter((f) => f.alias === 'SALES').map((f) => f.name)).toEqual(['QUANTITY', 'UNIT_PRICE', 'AMOUNT', 'COST', 'DISCOUNT']);
    const keyDim = plan.dimensions.find((d) => d.table === 'Sales' && d.column === 'Customer Key')!;
    expect(keyDim).toMatchObject({ name: 'CUSTOMER_KEY', sourceColumn: 'CUSTOMER_KEY', note: 'numeric relationship column' });
    expect(plan.dimensions.find((d) => d.table === 'Dates' && d.column === 'Year')!.note).toMatch(/summarizeBy none/);
    expect(plan.columnsLeftOut).toEqual([{ table: 'Sales', column: 'Line Margin Amount', reason: expect.stringMatching(/calculated column/) }]);
  });

  test('metrics by grade, with reasons, DAX and placement', () => {
    const by = (g: string): string[] => plan.metrics.filter((m) => m.grade === g).map((m) => m.measure);
    expect(plan.metrics).toHaveLength(40);
    expect(by('exact')).toHaveLength(25);
    expect(by('approximate')).toEqual(['Bike Sales', 'Store Sales', 'Price per Unit', 'Customer Count']);
    expect(by('untranslated')).toEqual(['Sales YTD', 'Sales LY', 'YoY Growth', 'All Channel Sales', 'Channel Share', 'Sales by Ship Date',
      'Line Margin', 'Sales in EUR', 'Sales vs Target', 'Avg Rate', 'Target']);
    const m = (name: string): SemanticViewPlan['metrics'][number] => plan.metrics.find((x) => x.measure === name)!;
    // Exact by default; approximate left out with its reason; untranslated never has SQL.
    expect(plan.metrics.filter((x) => x.included).every((x) => x.grade === 'exact')).toBe(true);
    expect(m('Bike Sales')).toMatchObject({ included: false, reason: expect.stringMatching(/^approximate, left out .*'Products'\[Category\]/) });
    for (const u of plan.metrics.filter((x) => x.grade === 'untranslated')) expect(u.sql).toBeUndefined();
    // A measure referencing an untranslated one is untranslated, naming it.
    expect(m('YoY Growth')).toMatchObject({ cause: 'dependency', reason: expect.stringContaining('[Sales LY]') });
    expect(m('Sales vs Target').reason).toMatch(/\[Target\].*Excel/);
    // A table whose Snowflake rows are filtered in M makes its metrics approximate.
    expect(m('Customer Count').reason).toMatch(/over CUSTOMERS: .*Kept Real Customers/);
    // Placement: the table aggregated, a derived metric across two, names free of collisions.
    expect(m('Return Rate')).toMatchObject({ name: 'RETURN_RATE', included: true });
    expect(m('Return Rate').alias).toBeUndefined();
    expect(m('Margin %')).toMatchObject({ alias: 'SALES', name: 'MARGIN_PCT' });
    expect(m('Total Sales').dax).toBe('Total Sales = SUM(Sales[Amount])');
    expect(plan.ddl).toContain("COMMENT = 'Sum of the sales amount, after line discounts.\\nTotal Sales = SUM(Sales[Amount])'");
    expect(plan.ddl).toContain("COMMENT = 'Online Sales = CALCULATE([Total Sales], KEEPFILTERS(Sales[Channel] = \"Online\"))'");
  });

  test('includeApproximate publishes the approximate metrics too', async () => {
    const wide = await planSemanticView(fixture, { ...SV_FIXTURE_OPTIONS, includeApproximate: true });
    expect(wide.metrics.filter((x) => x.included).map((x) => x.grade).sort()).toEqual([...Array(25).fill('exact'), ...Array(4).fill('approximate')].sort());
    expect(wide.ddl).toContain('SALES.BIKE_SALES AS');
    expect(wide.advice.join('\n')).not.toMatch(/approximate metric/);
  });

  test('the tables mapping brings a non-Snowflake table and a native-query table in', async () => {
    const mapped = await planSemanticView(fixture, { ...SV_FIXTURE_OPTIONS, tables: { Targets: 'FINANCE.PLANNING.TARGETS', 'Exchange Rates': 'sales_dw.finance.latest_rates' } });
    expect(mapped.tables.filter((t) => !t.included)).toEqual([]);
    expect(mapped.tables.find((t) => t.name === 'Exchange Rates')!.source).toBe('SALES_DW.FINANCE.LATEST_RATES');
    const m = (name: string): SemanticViewPlan['metrics'][number] => mapped.metrics.find((x) => x.measure === name)!;
    const grades = (g: string): number => mapped.metrics.filter((x) => x.grade === g).length;
    expect([grades('exact'), grades('approximate'), grades('untranslated')]).toEqual([28, 4, 8]);
    expect(m('Target')).toMatchObject({ grade: 'exact', alias: 'TARGETS', sql: 'SUM(TARGETS.TARGET)' });
    expect(m('Sales vs Target')).toMatchObject({ grade: 'exact', included: true });
    expect(m('Sales vs Target').alias).toBeUndefined();
    expect(m('Avg Rate')).toMatchObject({ grade: 'exact', alias: 'EXCHANGE_RATES' });
    expect(mapped.relationships.find((r) => r.to.table === 'Exchange Rates')).toMatchObject({ included: true, name: 'SALES_TO_EXCHANGE_RATES' });
    // Targets[Month] -> Dates is many-to-many: still reported, now for its cardinality.
    expect(mapped.relationships.find((r) => r.from.table === 'Targets')!.reason).toMatch(/many-to-many/);
    expect(mapped.ddl).toContain('TARGETS AS FINANCE.PLANNING.TARGETS');
  });

  test('the same input always gives the same plan (pure, deterministic)', async () => {
    const again = await planSemanticView(await loadSvFixture(), SV_FIXTURE_OPTIONS);
    expect(again).toEqual(plan);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(JSON.parse(JSON.stringify(again)));
  });
});

describe('synthetic models', () => {
  test('nothing from Snowflake: no DDL, with a reason and advice per table', async () => {
    const m = model([table('Budget', [col('Amount', 'double')], 'let Source = Excel.Workbook(File.Contents("b.xlsx")) in Source', [{ name: 'Total', expression: 'SUM(Budget[Amount])', isHidden: false }])]);
    const plan = await planSemanticView(m, OPTS);
    expect(plan.ddl).toBeUndefined();
    expect(plan.ddlReason).toMatch(/no table of the model reads a Snowflake table or view/);
    expect(plan.metrics[0]).toMatchObject({ grade: 'untranslated', cause: 'no-lineage', included: false });
    expect(plan.advice).toHaveLength(1);
  });

  test('a view with tables but neither dimension nor metric is refused with the builder\'s reason', async () => {
    const m = model([table('Blob', [col('Payload', 'binary')], snowflakeM('BLOBS'))]);
    const plan = await planSemanticView(m, OPTS);
    expect(plan.ddl).toBeUndefined();
    expect(plan.ddlReason).toMatch(/at least one dimension or metric/);
    expect(plan.columnsLeftOut[0]!.reason).toMatch(/binary/);
  });

  test('a relationship over a calculated column is reported, and its key is not declared', async () => {
    const m = model([
      table('Fact', [col('Key Calc', 'int64', { kind: 'calculated', expression: '1' }), col('Amount', 'double')], snowflakeM('FACT'),
        [{ name: 'Amount', expression: 'SUM(Fact[Amount])', isHidden: false }]),
      table('Dim', [col('Key', 'int64'), col('Name', 'string')], snowflakeM('DIM')),
    ], [rel('Fact', 'Key Calc', 'Dim', 'Key')]);
    const plan = await planSemanticView(m, OPTS);
    expect(plan.relationships[0]).toMatchObject({ included: false, reason: "column 'Fact'[Key Calc] has no Snowflake source column" });
    expect(plan.tables.every((t) => t.primaryKey === undefined)).toBe(true);
    // A metric takes a free name in its table's name space (the fact is AMOUNT).
    expect(plan.metrics[0]).toMatchObject({ alias: 'FACT', name: 'AMOUNT_2', sql: 'SUM(FACT.AMOUNT)' });
    expect(plan.ddl).toContain('FACT.AMOUNT_2 AS SUM(FACT.AMOUNT)');
  });

  test('a filter across a relationship the view leaves out is not exact', async () => {
    const m = model([
      table('Fact', [col('Key', 'int64'), col('Amount', 'double')], snowflakeM('FACT'),
        [{ name: 'Red', expression: 'CALCULATE(SUM(Fact[Amount]), KEEPFILTERS(Dim[Color] = "Red"))', isHidden: false }]),
      table('Dim', [col('Key', 'int64'), col('Color', 'string')], snowflakeM('DIM')),
    ], [rel('Fact', 'Key', 'Dim', 'Key', { isActive: false })]);
    const plan = await planSemanticView(m, OPTS);
    expect(plan.metrics[0]!.grade).toBe('untranslated');
    expect(plan.metrics[0]!.cause).toBe('filter-path');
  });

  test('an invalid view name gives no DDL and a reason, never an exception', async () => {
    const m = model([table('Fact', [col('Amount', 'double')], snowflakeM('FACT'))]);
    const plan = await planSemanticView(m, { database: '', schema: 'S' });
    expect(plan.ddl).toBeUndefined();
    expect(plan.ddlReason).toMatch(/view\.database: name "" is empty/);
    expect(plan.viewName).toBe('.S.Mini_semantic_view');
  });

  test('viewName, default name, and one file per model', async () => {
    const m = model([table('Fact', [col('Amount', 'double')], snowflakeM('FACT'), [{ name: 'Total', expression: 'SUM(Fact[Amount])', isHidden: false }])]);
    const lineage = await traceModel(m);
    expect(planFromLineage(m, lineage, OPTS).viewName).toBe('ANALYTICS."SEMANTIC"."Mini_semantic_view"');
    // A lineage that lacks a table (traced from another version of the model) leaves it out.
    const stale = planFromLineage(m, { ...lineage, tables: [] }, OPTS);
    expect(stale.tables[0]).toMatchObject({ included: false, reason: 'the lineage given has no entry for this table' });
    expect(stale.ddl).toBeUndefined();
    expect(planFromLineage(m, lineage, { ...OPTS, viewName: 'MINI' }).ddl).toMatch(/^CREATE OR REPLACE SEMANTIC VIEW ANALYTICS."SEMANTIC".MINI\n/);
    const many = await planSemanticViews([m, { ...m, name: 'Other' }], { ...OPTS, viewName: 'IGNORED' });
    expect(many.map((p) => [p.fileName, p.plan.view.name])).toEqual([
      ['Mini_semantic_view.sql', 'Mini_semantic_view'], ['Other_semantic_view.sql', 'Other_semantic_view'],
    ]);
  });
});
