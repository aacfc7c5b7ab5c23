// Model-level lineage: partitions that carry no M (Direct Lake entities, calculated tables,
// calculation groups, legacy query partitions), several partitions, the configuration map, column
// lineage of calculated columns, the _SEMANTIC_LINEAGE rows, resolveColumn, and a whole TMDL model
// written as Power BI Desktop writes one for Snowflake (tests/fixtures/lineage/).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MParseCache, lineageRows, resolveColumn, traceModel } from '../../src/core/lineage/index.js';
import type { ModelLineage } from '../../src/core/lineage/index.js';
import { loadModel } from '../../src/core/schema/load.js';
import type { Table } from '../../src/core/schema/model.js';
import { repoRoot } from '../support/paths.js';
import { calcCol, col, model, mTable, snowflakeM } from './lineage-models.js';

const FIXTURE = path.join(repoRoot, 'tests/fixtures/lineage/SnowflakeSales.SemanticModel');

function table(name: string, extra: Partial<Table>): Table {
  return { name, isHidden: false, kind: 'data', storageMode: 'import', partitions: [], columns: [col('A')], measures: [], hierarchies: [], ...extra };
}

describe('tables whose partitions carry no M', () => {
  const cases: Array<[string, Table, string, RegExp]> = [
    ['a Direct Lake entity partition', table('Churn', { storageMode: 'directLake', partitions: [{ name: 'churn', mode: 'directLake', sourceType: 'entity' }] }), 'entity-partition', /Direct Lake partition "churn" reads a Delta table in OneLake/],
    ['a calculated table', table('Dates', { kind: 'calculatedTable', partitions: [{ name: 'Dates', sourceType: 'calculated', expression: 'CALENDARAUTO()' }], columns: [{ name: 'Date', dataType: 'dateTime', kind: 'calculatedTableColumn', sourceColumn: '[Date]', isHidden: false, isKey: false }] }), 'calculated-table', /computed by DAX/],
    ['a calculation group', table('Time Intelligence', { kind: 'calculationGroup', partitions: [{ name: 'P', sourceType: 'calculationGroup' }], calculationGroup: { items: [{ name: 'YTD', expression: 'CALCULATE(SELECTEDMEASURE(), DATESYTD(\'Date\'[Date]))' }] } }), 'calculation-group', /calculation group/],
    ['a legacy query partition', table('Customer', { partitions: [{ name: 'Customer', sourceType: 'query', expression: 'SELECT * FROM dbo.DimCustomer' }] }), 'no-m', /legacy query partition/],
    ['a push table without partitions', table('RealTime', {}), 'no-partition', /no partition/],
    ['an M partition without expression', table('Empty', { partitions: [{ name: 'Empty', sourceType: 'm' }] }), 'no-m', /has no M expression/],
  ];
  for (const [what, t, code, reason] of cases) {
    it(`${what}: no source, reason ${code}`, async () => {
      const lineage = await traceModel(model([t]));
      const l = lineage.tables[0]!;
      expect(l).toMatchObject({ source: null, confidence: 'none', reasonCode: code, steps: [], filters: [] });
      expect(l.reason).toMatch(reason);
      expect(l.columns.every((c) => c.sourceColumn === null && c.confidence === 'none')).toBe(true);
    });
  }
});

describe('several partitions', () => {
  const part = (name: string, filter: string | undefined, object = 'ORDERS') => ({
    name,
    sourceType: 'm',
    expression: snowflakeM('SALES', 'PUBLIC', object, 'Table', filter ? `    Filtered = Table.SelectRows(${object}_Table, each ${filter})` : '', filter ? 'Filtered' : `${object}_Table`),
  });

  it('one source: the filters of the partitions combine with OR', async () => {
    const t = table('Orders', { partitions: [part('2023', '[YEAR] = 2023'), part('2024', '[YEAR] = 2024')], columns: [col('YEAR')] });
    const l = (await traceModel(model([t]))).tables[0]!;
    expect(l.confidence).toBe('exact');
    expect(l.source).toMatchObject({ name: 'ORDERS' });
    expect(l.filters).toEqual([{ step: 'partitions 2023, 2024', m: 'each [YEAR] = 2023 | each [YEAR] = 2024', sql: '("YEAR" = 2023) OR ("YEAR" = 2024)', kind: 'rows' }]);
    expect(l.steps.map((s) => s.name)).toEqual(['2023: Filtered', '2024: Filtered']);
  });

  it('one partition unfiltered and one filtered: approximate (the union is not one condition)', async () => {
    const t = table('Orders', { partitions: [part('all', undefined), part('recent', '[YEAR] = 2024')], columns: [col('YEAR')] });
    const l = (await traceModel(model([t]))).tables[0]!;
    expect(l.confidence).toBe('approximate');
  });

  it('different objects: approximate, naming why', async () => {
    const t = table('Orders', { partitions: [part('a', undefined, 'ORDERS'), part('b', undefined, 'ORDERS_ARCHIVE')], columns: [col('YEAR')] });
    const l = (await traceModel(model([t]))).tables[0]!;
    expect(l).toMatchObject({ confidence: 'approximate', reasonCode: 'partitions-differ' });
    expect(l.reason).toContain('the 2 partitions read different sources or columns');
  });

  it('no partition traced: the first reason', async () => {
    const t = table('X', { partitions: [{ name: 'a', sourceType: 'entity' }, { name: 'b', sourceType: 'entity' }] });
    const l = (await traceModel(model([t]))).tables[0]!;
    expect(l.reasonCode).toBe('entity-partition');
  });
});

describe('configuration map', () => {
  const excel = mTable('Targets', 'let\n    Source = Excel.Workbook(File.Contents("t.xlsx"), null, true)\nin\n    Source', [col('Month'), col('Target Value'), calcCol('Gap')]);

  it('gives a table without Snowflake source a configured one, identifiers read with Snowflake rules', async () => {
    const lineage = await traceModel(model([excel]), { tables: { Targets: 'finance."Planning".store_targets' } });
    const l = lineage.tables[0]!;
    expect(l.source).toEqual({ kind: 'object', database: 'FINANCE', schema: 'Planning', name: 'STORE_TARGETS' });
    expect(l).toMatchObject({ confidence: 'configured', reasonCode: 'configured', steps: [], filters: [] });
    expect(l.reason).toBe('mapped in configuration to FINANCE."Planning".STORE_TARGETS; the M gives no source (not read with the Snowflake connector: the data comes from an Excel workbook (Excel.Workbook))');
    expect(l.columns.map((c) => [c.column, c.sourceColumn, c.confidence])).toEqual([
      ['Month', 'MONTH', 'configured'],
      ['Target Value', 'Target Value', 'configured'],
      ['Gap', null, 'none'],
    ]);
    expect(lineage.warnings).toEqual([]);
  });

  it('maps columns explicitly', async () => {
    const lineage = await traceModel(model([excel]), { tables: { Targets: { object: 'FIN.PLAN.TARGETS', columns: { 'Target Value': 'TARGET_VALUE', Month: '"Month"' } } } });
    expect(lineage.tables[0]!.columns.map((c) => c.sourceColumn)).toEqual(['Month', 'TARGET_VALUE', null]);
  });

  it('overrides a traced Snowflake table and keeps the column names the M traced', async () => {
    const t = mTable('Orders', snowflakeM('SALES_DEV', 'PUBLIC', 'ORDERS', 'Table', '    R = Table.RenameColumns(ORDERS_Table,{{"ORDER_ID", "Order"}})', 'R'), [col('Order')]);
    const l = (await traceModel(model([t]), { tables: { Orders: 'SALES_PRD.PUBLIC.ORDERS' } })).tables[0]!;
    expect(l.source).toMatchObject({ database: 'SALES_PRD' });
    expect(l.reason).toContain('the M reads SALES_DEV.PUBLIC.ORDERS');
    expect(l.columns[0]).toMatchObject({ sourceColumn: 'ORDER_ID', confidence: 'configured', reason: 'named as in the traced M' });
  });

  it('warns about configured columns the table lacks or that are not identifiers, and survives a malformed entry', async () => {
    const lineage = await traceModel(model([excel, mTable('Other', 'let x = 1 in x')]), {
      tables: { Targets: { object: 'FIN.PLAN.TARGETS', columns: { Nope: 'X', Month: 'a.b' } }, Other: null as unknown as string },
    });
    expect(lineage.tables[0]!.columns[0]).toMatchObject({ sourceColumn: 'MONTH', reason: expect.stringContaining('assumed') });
    expect(lineage.tables[1]).toMatchObject({ confidence: 'none', reasonCode: 'config-error' });
    expect(lineage.warnings).toEqual([
      'the configuration maps column "Nope" of table "Targets", which the table does not have',
      `the configured source column of "Targets"[Month] is not a Snowflake identifier: 'a.b' must be a single identifier`,
      expect.stringContaining('the configured source of table "Other" is not a Snowflake object name'),
    ]);
  });

  it('reports a configured name that is not DATABASE.SCHEMA.OBJECT, and a table the model lacks', async () => {
    const lineage = await traceModel(model([excel]), { tables: { Targets: 'PLANNING.TARGETS', Budget: 'A.B.C' } });
    expect(lineage.tables[0]).toMatchObject({ confidence: 'none', reasonCode: 'config-error', source: null });
    expect(lineage.tables[0]!.reason).toContain("'PLANNING.TARGETS' must be fully qualified as DATABASE.SCHEMA.OBJECT (2 parts given)");
    expect(lineage.warnings).toEqual([
      'the configuration maps table "Budget", which model "Sales" does not have',
      expect.stringContaining('the configured source of table "Targets" is not a Snowflake object name'),
    ]);
  });
});

describe('the Snowflake Sales fixture (TMDL as Desktop writes it)', () => {
  async function fixture(): Promise<ModelLineage> {
    const loaded = await loadModel(FIXTURE);
    return traceModel(loaded.model, { tables: { Targets: 'FINANCE.PLANNING.STORE_TARGETS' } });
  }

  it('traces every table as expected', async () => {
    const lineage = await fixture();
    const summary = Object.fromEntries(lineage.tables.map((t) => [t.table, [t.confidence, t.reasonCode, t.source && (t.source.kind === 'object' ? `${t.source.database}.${t.source.schema}.${t.source.name}` : `query in ${t.source.database}`)]]));
    expect(summary).toEqual({
      Orders: ['exact', 'traced', 'SALES_PROD.MART.FCT_ORDERS'],
      Customer: ['exact', 'traced', 'SALES_PROD.MART.DIM_CUSTOMER'],
      Product: ['exact', 'traced', 'query in SALES_PROD'],
      Date: ['exact', 'traced', 'SALES_PROD.MART.DIM_DATE'],
      Store: ['approximate', 'unsupported-step', 'SALES_PROD.MART.DIM_STORE'],
      Targets: ['configured', 'configured', 'FINANCE.PLANNING.STORE_TARGETS'],
      Measures: ['none', 'calculated-table', null],
    });
    expect(lineage.warnings).toEqual([]);
    const orders = lineage.tables[0]!;
    expect(orders.filters.map((f) => f.sql)).toEqual([`("STATUS" <> 'CANCELLED' OR "STATUS" IS NULL) AND "ORDER_DATE" >= '2020-01-01'::DATE`]);
    expect(orders.connection).toEqual({ server: 'xy12345.west-europe.azure.snowflakecomputing.com', warehouse: 'REPORTING_WH', role: 'POWERBI_READER' });
    expect(lineage.tables[1]!.source).toMatchObject({ objectKind: 'view' });
    expect(lineage.tables[2]!.source).toMatchObject({ sql: expect.stringContaining('from MART.DIM_PRODUCT p\njoin MART.DIM_CATEGORY') });
  });

  it('resolveColumn answers the DAX translator and the DDL builder', async () => {
    const lineage = await fixture();
    expect(resolveColumn(lineage, 'Orders', 'Unit Price')).toEqual({ database: 'SALES_PROD', schema: 'MART', object: 'FCT_ORDERS', column: 'UNIT_PRICE', confidence: 'exact' });
    expect(resolveColumn(lineage, 'orders', 'unit price')).toMatchObject({ column: 'UNIT_PRICE' });
    expect(resolveColumn(lineage, 'Product', 'Category')).toEqual({ query: expect.stringContaining('select p.PRODUCT_ID'), database: 'SALES_PROD', column: 'CATEGORY_NAME', confidence: 'exact' });
    expect(resolveColumn(lineage, 'Store', 'Store')).toMatchObject({ column: 'STORE_NAME', confidence: 'approximate' });
    expect(resolveColumn(lineage, 'Targets', 'Target')).toMatchObject({ object: 'STORE_TARGETS', column: 'TARGET', confidence: 'configured' });
    expect(resolveColumn(lineage, 'Orders', 'Line Total')).toEqual({ reason: expect.stringContaining('calculated column') });
    expect(resolveColumn(lineage, 'Date', 'Month Name')).toEqual({ reason: expect.stringContaining('Table.AddColumn') });
    expect(resolveColumn(lineage, 'Measures', 'Value')).toEqual({ reason: expect.stringContaining('has no Snowflake source') });
    expect(resolveColumn(lineage, 'Nope', 'X')).toEqual({ reason: 'model "SnowflakeSales" has no table "Nope"' });
    expect(resolveColumn(lineage, 'Orders', 'Nope')).toEqual({ reason: 'table "Orders" has no column "Nope"' });
  });

  it('builds one _SEMANTIC_LINEAGE row per table and per column, JSON-serialisable', async () => {
    const lineage = await fixture();
    expect(JSON.parse(JSON.stringify(lineage))).toEqual(lineage);
    const rows = lineageRows(lineage, 'Snowflake Sales_PushSync');
    const columns = lineage.tables.reduce((n, t) => n + t.columns.length, 0);
    expect(rows).toHaveLength(lineage.tables.length + columns);
    expect(rows[0]).toEqual({
      model: 'Snowflake Sales_PushSync', table: 'Orders', column: null,
      sourceDatabase: 'SALES_PROD', sourceSchema: 'MART', sourceObject: 'FCT_ORDERS', sourceObjectKind: 'table', sourceQuery: null, sourceColumn: null,
      confidence: 'exact', reason: lineage.tables[0]!.reason, filter: `("STATUS" <> 'CANCELLED' OR "STATUS" IS NULL) AND "ORDER_DATE" >= '2020-01-01'::DATE`,
    });
    expect(rows.find((r) => r.table === 'Orders' && r.column === 'Quantity')).toMatchObject({ sourceColumn: 'QUANTITY', confidence: 'exact', reason: null, filter: null });
    expect(rows.find((r) => r.table === 'Product' && r.column === 'Product')).toMatchObject({ sourceDatabase: 'SALES_PROD', sourceObject: null, sourceQuery: expect.stringContaining('select'), sourceColumn: 'PRODUCT_NAME' });
    expect(rows.find((r) => r.table === 'Measures' && r.column === 'Value')).toMatchObject({ sourceDatabase: null, sourceColumn: null, confidence: 'none', reason: expect.stringContaining('calculated table') });
    expect(lineageRows(lineage)[0]!.model).toBe('SnowflakeSales');
  });
});

describe('parsing', () => {
  it('parses each distinct M text once, across tables and models sharing a cache', async () => {
    const same = snowflakeM('SALES', 'PUBLIC', 'ORDERS');
    const m1 = model([mTable('A', same), mTable('B', same), mTable('C', snowflakeM('SALES', 'PUBLIC', 'ITEMS'))]);
    const m2 = model([mTable('A', same)], [], 'Other');
    const cache = new MParseCache();
    await traceModel(m1, {}, cache);
    await traceModel(m2, {}, cache);
    expect(cache.size).toBe(2);
  });

  it('a 400-table model traces every table', async () => {
    const tables = Array.from({ length: 400 }, (_, i) => mTable(`T${i}`, snowflakeM('SALES', 'PUBLIC', `T_${i}`, 'Table', `    R = Table.RenameColumns(T_${i}_Table,{{"ID", "Id"}})`, 'R'), [col('Id')]));
    const lineage = await traceModel(model(tables));
    expect(lineage.tables.filter((t) => t.confidence === 'exact')).toHaveLength(400);
    expect(lineage.tables[399]!.columns[0]!.sourceColumn).toBe('ID');
  });
});
