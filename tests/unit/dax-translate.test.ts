// The DAX → SQL translator, function by function and grade by grade (issue 16, item 2), on the
// synthetic sales model of tests/support/dax-model.ts. Every SQL it produces — exact or
// approximate, here and in a property test over generated measures — must compile in DuckDB.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { createDaxContext, type MeasureTranslation } from '../../src/core/dax/context.js';
import { APPROX } from '../../src/core/dax/scope.js';
import { translateMeasure, translateModelMeasures } from '../../src/core/dax/translate.js';
import type { Measure } from '../../src/core/schema/model.js';
import { DUCKDB_FROM_ALL, DUCKDB_SETUP, measure, relationship, resolver, salesModel, table, col, tableResolver } from '../support/dax-model.js';

// Measures the cases below reference.
const BASE: Measure[] = [
  measure('Total', 'SUM(Sales[Amount])'),
  measure('Cost', 'SUM(Sales[Cost])'),
  measure('Lines', 'COUNTROWS(Sales)'),
  measure('Orders', 'DISTINCTCOUNT(Sales[OrderId])'),
  measure('YTD', "TOTALYTD([Total], 'Date'[Date])"),
  measure('Loop A', '[Loop B] + 1'),
  measure('Loop B', '[Loop A] + 1'),
  measure('Flag', 'IF([Total] > 0, TRUE())'),
];

const compiled: string[] = [];

function tr(dax: string, extra: Measure[] = [], home = 'Sales'): MeasureTranslation {
  const model = salesModel([...BASE, ...extra]);
  const ctx = createDaxContext(model, resolver, { resolveTable: tableResolver });
  const t = translateMeasure({ name: 'Under Test', expression: dax, table: home }, ctx);
  if (t.sql) compiled.push(t.sql);
  return t;
}

let instance: DuckDBInstance;
let conn: DuckDBConnection;
beforeAll(async () => {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
  for (const sql of DUCKDB_SETUP) await conn.run(sql);
});
afterAll(() => {
  conn?.closeSync();
  instance?.closeSync();
});

describe('exact', () => {
  test.each([
    ['SUM(Sales[Amount])', 'SUM(s.amount)'],
    ["SUM('Sales'[Amount])", 'SUM(s.amount)'],
    ['SUM([Amount])', 'SUM(s.amount)'],
    ['AVERAGE(Sales[Qty])', 'AVG(CAST(s.qty AS DOUBLE))'],
    ['MIN(Sales[Amount])', 'MIN(s.amount)'],
    ['MAX(Sales[OrderDate])', 'MAX(s.orderdate)'],
    ['COUNT(Sales[Discount])', 'NULLIF(COUNT(s.discount), 0)'],
    ['COUNTA(Sales[Customer])', 'NULLIF(COUNT(s.customer), 0)'],
    ['COUNTROWS(Sales)', 'NULLIF(COUNT(*), 0)'],
    ['COUNTROWS()', 'NULLIF(COUNT(*), 0)'],
    ['DISTINCTCOUNT(Sales[Customer])', 'COUNT(DISTINCT s.customer) + MAX(CASE WHEN s.customer IS NULL THEN 1 ELSE 0 END)'],
    ['DISTINCTCOUNTNOBLANK(Sales[Customer])', 'NULLIF(COUNT(DISTINCT s.customer), 0)'],
    ['[Total]', 'SUM(s.amount)'],
    ['Sales[Total]', 'SUM(s.amount)'],
    ['[Total] + [Cost]', 'COALESCE(SUM(s.amount) + SUM(s.cost), SUM(s.amount), SUM(s.cost))'],
    ['[Total] - [Cost]', 'COALESCE(SUM(s.amount) - SUM(s.cost), SUM(s.amount), -SUM(s.cost))'],
    ['[Total] + 1', 'COALESCE(SUM(s.amount), 0) + 1'],
    ['[Total] * 2', 'SUM(s.amount) * 2'],
    ['[Total] / 100', 'CAST(SUM(s.amount) AS DOUBLE) / 100'],
    ['[Total] / [Lines]', 'CAST(SUM(s.amount) AS DOUBLE) / NULLIF(NULLIF(COUNT(*), 0), 0)'],
    ['[Total] ^ 2', 'POWER(SUM(s.amount), 2)'],
    ['DIVIDE([Total], [Cost])', 'CAST(SUM(s.amount) AS DOUBLE) / NULLIF(SUM(s.cost), 0)'],
    ['DIVIDE([Total], [Cost], -1)', 'CASE WHEN COALESCE(SUM(s.cost), 0) = 0 THEN -1 ELSE CAST(SUM(s.amount) AS DOUBLE) / SUM(s.cost) END'],
    ['IF([Total] > 100, [Total])', 'CASE WHEN COALESCE(SUM(s.amount), 0) > 100 THEN SUM(s.amount) END'],
    ['IF(ISBLANK([Total]), 0, [Total])', 'CASE WHEN SUM(s.amount) IS NULL THEN 0 ELSE SUM(s.amount) END'],
    ['IF([Total] = BLANK(), 0, 1)', 'CASE WHEN COALESCE(SUM(s.amount), 0) = 0 THEN 0 ELSE 1 END'],
    ['IF([Total] == BLANK(), 0, 1)', 'CASE WHEN SUM(s.amount) IS NULL THEN 0 ELSE 1 END'],
    ['IF([Total] == 0, 0, 1)', 'CASE WHEN SUM(s.amount) IS NOT DISTINCT FROM 0 THEN 0 ELSE 1 END'],
    ['IF([Lines], 1, 0)', 'CASE WHEN COALESCE(NULLIF(COUNT(*), 0), 0) <> 0 THEN 1 ELSE 0 END'],
    ['IF([Lines] IN {1, 2}, 1)', 'CASE WHEN COALESCE(NULLIF(COUNT(*), 0) IN (1, 2), FALSE) THEN 1 END'],
    ['IF(NOT ([Total] > 0) || [Cost] < 0, 1)', 'CASE WHEN (NOT (COALESCE(SUM(s.amount), 0) > 0)) OR (COALESCE(SUM(s.cost), 0) < 0) THEN 1 END'],
    ['IF(AND([Total] > 0, [Cost] > 0), 1)', 'CASE WHEN (COALESCE(SUM(s.amount), 0) > 0) AND (COALESCE(SUM(s.cost), 0) > 0) THEN 1 END'],
    ['SWITCH([Lines], 1, "one", 2, "two", "many")', "CASE WHEN COALESCE(NULLIF(COUNT(*), 0), 0) = 1 THEN 'one' WHEN COALESCE(NULLIF(COUNT(*), 0), 0) = 2 THEN 'two' ELSE 'many' END"],
    ['SWITCH(TRUE(), [Total] > 10, 1, 0)', 'CASE WHEN COALESCE(SUM(s.amount), 0) > 10 THEN 1 ELSE 0 END'],
    ['COALESCE([Total], [Cost], 0)', 'COALESCE(SUM(s.amount), SUM(s.cost), 0)'],
    ['[Total] > 0 && [Cost] > 0', '(COALESCE(SUM(s.amount), 0) > 0) AND (COALESCE(SUM(s.cost), 0) > 0)'],
    ['SUMX(Sales, Sales[Qty] * Sales[Amount])', 'SUM(s.qty * s.amount)'],
    ['SUMX(Sales, Sales[Qty] * Sales[UnitPrice])', 'SUM(s.qty * s.unitprice)'],
    ['SUMX(Sales, Sales[Amount] + Sales[Cost])', 'SUM(COALESCE(s.amount + s.cost, s.amount, s.cost))'],
    ['AVERAGEX(Sales, Sales[Amount] - Sales[Cost])', 'AVG(CAST(COALESCE(s.amount - s.cost, s.amount, -s.cost) AS DOUBLE))'],
    ['MAXX(Sales, Sales[Qty])', 'MAX(s.qty)'],
    ['COUNTX(Sales, Sales[Discount])', 'NULLIF(COUNT(s.discount), 0)'],
    ['SUMX(FILTER(Sales, Sales[Qty] > 1), Sales[Amount])', 'SUM(CASE WHEN COALESCE(s.qty, 0) > 1 THEN s.amount END)'],
    ['COUNTROWS(FILTER(Sales, Sales[Returned]))', 'NULLIF(COUNT(CASE WHEN COALESCE(s.returned, FALSE) THEN 1 END), 0)'],
    ['VAR t = FILTER(Sales, Sales[Qty] > 1) RETURN COUNTROWS(t)', 'NULLIF(COUNT(CASE WHEN COALESCE(s.qty, 0) > 1 THEN 1 END), 0)'],
    ['CALCULATE([Total])', 'SUM(s.amount)'],
    ['CALCULATE([Total], KEEPFILTERS(Product[Color] = "Red"))', "SUM(CASE WHEN COALESCE(LOWER(p.color), '') = 'red' THEN s.amount END)"],
    ['CALCULATE([Lines], KEEPFILTERS(Sales[Qty] >= 2))', 'NULLIF(COUNT(CASE WHEN COALESCE(s.qty, 0) >= 2 THEN 1 END), 0)'],
    ['CALCULATE([Total], FILTER(Sales, Sales[Returned] = FALSE()))', 'SUM(CASE WHEN COALESCE(s.returned, FALSE) = FALSE THEN s.amount END)'],
    ['CALCULATE([Total], KEEPFILTERS(FILTER(Sales, Sales[Qty] > 0)))', 'SUM(CASE WHEN COALESCE(s.qty, 0) > 0 THEN s.amount END)'],
    ['CALCULATE([Total], KEEPFILTERS(\'Date\'[Year] = 2024))', 'SUM(CASE WHEN COALESCE(d.year, 0) = 2024 THEN s.amount END)'],
    ['CALCULATE([Total], KEEPFILTERS(Sales[OrderDate] < DATE(2024, 2, 1)))', "SUM(CASE WHEN COALESCE(s.orderdate, TIMESTAMP '1899-12-30 00:00:00') < TIMESTAMP '2024-02-01 00:00:00' THEN s.amount END)"],
    ['CALCULATE([Total], KEEPFILTERS(Product[Color] IN {"Red", BLANK()}))', "SUM(CASE WHEN p.color IS NULL OR (COALESCE(LOWER(p.color) IN ('red'), FALSE)) THEN s.amount END)"],
    ['CALCULATE(CALCULATE([Total], KEEPFILTERS(Product[Color] = "Red")), KEEPFILTERS(Product[Category] = "Bikes"))',
      "SUM(CASE WHEN (COALESCE(LOWER(p.category), '') = 'bikes') AND (COALESCE(LOWER(p.color), '') = 'red') THEN s.amount END)"],
    ['VAR t = [Total] RETURN CALCULATE(t, KEEPFILTERS(Product[Color] = "Red"))', 'SUM(s.amount)'],
    ['VAR s = [Total] VAR c = [Cost] RETURN IF(NOT ISBLANK(s) && NOT ISBLANK(c), s - c)',
      'CASE WHEN (NOT (SUM(s.amount) IS NULL)) AND (NOT (SUM(s.cost) IS NULL)) THEN COALESCE(SUM(s.amount) - SUM(s.cost), SUM(s.amount), -SUM(s.cost)) END'],
  ])('%s', (dax, sql) => {
    const t = tr(dax);
    expect(t, t.reason).toMatchObject({ grade: 'exact', sql, tables: ['Sales'] });
  });

  test('a measure over two tables is a derived metric: tables lists both', () => {
    expect(tr('[Total] + SUM(Budget[Target])')).toMatchObject({ grade: 'exact', tables: ['Budget', 'Sales'] });
  });

  test('COUNTROWS counts with COUNT(*) in a one-table metric and with the row key in a derived one', () => {
    expect(tr('COUNTROWS(Product)')).toMatchObject({ grade: 'exact', sql: 'NULLIF(COUNT(*), 0)', tables: ['Product'] });
    expect(tr('DIVIDE([Total], COUNTROWS(Product))')).toMatchObject({
      grade: 'exact',
      sql: 'CAST(SUM(s.amount) AS DOUBLE) / NULLIF(NULLIF(COUNT(p.productkey), 0), 0)',
      tables: ['Product', 'Sales'],
    });
    // Sales has no known never-NULL column: its rows cannot be counted inside a derived metric.
    expect(tr('[Lines] - COUNTROWS(Budget)')).toMatchObject({
      grade: 'untranslated',
      reason: expect.stringMatching(/COUNTROWS\('Sales'\) in a metric over several tables needs a column of 'Sales' that is never NULL/),
    });
  });

  test('dependsOn lists the measures referenced directly, in model spelling', () => {
    expect(tr('[total] + [COST] + [Total]').dependsOn).toEqual(['Total', 'Cost']);
    expect(tr('CALCULATE([YTD], KEEPFILTERS(Product[Color] = "Red"))').dependsOn).toEqual(['YTD']);
  });
});

describe('approximate, with the documented difference', () => {
  test.each([
    ['CALCULATE([Total], Product[Color] = "Red")', /CALCULATE filter on 'Product'\[Color\] replaces any filter a query puts on that column/],
    ['CALCULATE([Total], Product[Color] = "Red", Sales[Qty] > 1)', /'Sales'\[Qty\] replaces/],
    ['[Total] / [Cost]', /the \/ operator returns Infinity or NaN/],
    ['MIN(Product[Color])', /text ordering/],
    ['AVERAGE(Sales[UnitPrice])', /Fixed Decimal/],
    ['SUMX(Sales, Sales[UnitPrice] * Sales[Tax])', /Fixed Decimal/],
    ['SUMX(Sales, Sales[UnitPrice] * 1.1)', /Fixed Decimal/],
    ['DIVIDE(SUM(Sales[UnitPrice]), [Lines])', /Fixed Decimal/],
    ['[Total] ^ 0.5', /exponent/],
    ['-[Total]', /unary minus/],
    ['SWITCH([Lines], 0, "none", "some")', /SWITCH compares a BLANK/],
    ['[Flag] && [Flag]', /logical operation over BLANK/],
  ])('%s', (dax, reason) => {
    const t = tr(dax);
    expect(t.grade, t.reason).toBe('approximate');
    expect(t.reason).toMatch(reason);
    expect(t.sql).toBeTruthy();
  });

  test('an inner plain filter replaces an outer one on the same column', () => {
    const t = tr('CALCULATE(CALCULATE([Total], Product[Color] = "Blue"), Product[Color] = "Red")');
    expect(t.grade).toBe('approximate');
    expect(t.sql).toBe("SUM(CASE WHEN COALESCE(LOWER(p.color), '') = 'blue' THEN s.amount END)");
  });

  test('an approximate dependency makes the measure approximate and says which', () => {
    const t = tr('[Red] + 1', [measure('Red', 'CALCULATE([Total], Product[Color] = "Red")')]);
    expect(t.grade).toBe('approximate');
    expect(t.reason).toMatch(/^via \[Red\]: the CALCULATE filter/);
  });

  test('every approximation reason is one of the documented ones', () => {
    const documented = Object.values(APPROX);
    for (const dax of ['[Total] / [Cost]', 'MIN(Product[Color])', 'AVERAGE(Sales[UnitPrice])', '-[Total]']) {
      expect(documented).toContain(tr(dax).reason);
    }
  });
});

describe('untranslated, with a specific reason', () => {
  test.each([
    ["TOTALYTD([Total], 'Date'[Date])", 'time-intelligence', /time intelligence \(TOTALYTD\)/],
    ["CALCULATE([Total], SAMEPERIODLASTYEAR('Date'[Date]))", 'time-intelligence', /SAMEPERIODLASTYEAR/],
    ["CALCULATE([Total], DATEADD('Date'[Date], -1, YEAR))", 'time-intelligence', /DATEADD/],
    ['[YTD] * 2', 'dependency', /depends on \[YTD\], which is untranslated: time intelligence/],
    ["IF([YTD] > 0, CALCULATE([Total], DATESYTD('Date'[Date])))", 'time-intelligence', /DATESYTD/],
    ['CALCULATE([Total], ALL(Product))', 'filter-removal', /ALL removes filters/],
    ['CALCULATE([Total], REMOVEFILTERS(Product[Color]))', 'filter-removal', /REMOVEFILTERS/],
    ['CALCULATE([Total], ALLEXCEPT(Sales, Sales[Customer]))', 'filter-removal', /ALLEXCEPT/],
    ["CALCULATE([Total], USERELATIONSHIP(Sales[OrderDate], 'Date'[Date]))", 'relationship-override', /USERELATIONSHIP/],
    ['CALCULATE([Total], TREATAS({"Red"}, Product[Color]))', 'relationship-override', /TREATAS/],
    ['KEEPFILTERS(Product[Color] = "Red")', 'table-expression', /KEEPFILTERS returns a table/],
    ['SELECTEDVALUE(Product[Color])', 'filter-inspection', /SELECTEDVALUE inspects the filter context/],
    ['IF(HASONEVALUE(Product[Color]), [Total])', 'filter-inspection', /HASONEVALUE/],
    ['SUMX(Sales, RELATED(Product[ListPrice]))', 'related-table', /RELATED follows a relationship/],
    ['SUMX(Sales, Product[ListPrice])', 'related-table', /not a column of the iterated table 'Sales'/],
    ['SUMX(Product, SUMX(RELATEDTABLE(Sales), Sales[Amount]))', 'unsupported-construct', /nested inside another iterator/],
    ['SUMX(RELATEDTABLE(Sales), Sales[Amount])', 'related-table', /RELATEDTABLE/],
    ['SUMX(VALUES(Sales[Customer]), [Total])', 'filter-inspection', /VALUES/],
    ['SUMX(Sales, [Total])', 'context-transition', /context transition/],
    ['SUMX(Sales, CALCULATE(SUM(Sales[Amount])))', 'context-transition', /context transition/],
    ['SUMX(Sales, SUM(Sales[Amount]))', 'unsupported-construct', /inside an iterator/],
    ['SUM(Targets[Goal])', 'no-lineage', /'Targets'\[Goal\] has no Snowflake source: table 'Targets' is loaded from an Excel workbook/],
    ['COUNTROWS(Targets)', 'no-lineage', /table 'Targets' has no Snowflake source/],
    ['SUM(Sales[Margin Calc])', 'no-lineage', /calculated column/],
    ['SUM(Sales[Nope])', 'unknown-reference', /'Sales'\[Nope\] is not a column/],
    ['[Nope]', 'unknown-reference', /\[Nope\] is neither a measure nor a column/],
    ['SUM(Nope[X])', 'unknown-reference', /not a column of the model/],
    ['FOO([Total])', 'unknown-function', /unknown function FOO/],
    ['ROUND([Total], 2)', 'unsupported-function', /ROUND is not translated/],
    ['IFERROR([Total], 0)', 'unsupported-function', /IFERROR/],
    ['MAX([Total], 1)', 'unsupported-function', /two-argument MAX/],
    ['SUM(Sales[Customer])', 'type-mismatch', /SUM of 'Sales'\[Customer\], a string value/],
    ['[Total] & "x"', 'type-mismatch', /& converts a double value to text/],
    ['IF([Total] > 0, 1, "x")', 'type-mismatch', /branches return/],
    ['[Total] = "x"', 'type-mismatch', /compares a double value with a string value/],
    ['Sales[Amount] + 1', 'unsupported-construct', /read outside an aggregation or iterator/],
    ['[Total] + Sales[Amount]', 'unsupported-construct', /read outside an aggregation/],
    ['CALCULATE([Total], Budget[Region] = "North")', 'filter-path', /'Budget'\[Region\] does not reach 'Sales'/],
    ['CALCULATE([Total], FILTER(Product, Product[Color] = "Red"))', 'filter-path', /only for aggregations over 'Product' itself/],
    ['CALCULATE([Total], Sales[Qty] > [Lines])', 'unsupported-construct', /reads the measure \[Lines\]/],
    ['CALCULATE([Total], Sales[Qty] = 1 || Product[Color] = "Red")', 'unsupported-construct', /columns of several tables/],
    ['VAR m = MAX(Sales[Qty]) RETURN CALCULATE([Lines], Sales[Qty] = m)', 'unsupported-construct', /aggregate is combined with a value of the current row/],
    ['VAR t = FILTER(Sales, Sales[Qty] > 1) RETURN CALCULATE(COUNTROWS(t), KEEPFILTERS(Sales[Qty] < 5))', 'table-expression', /table variable t is used under other filters/],
    ['VAR t = FILTER(Sales, Sales[Qty] > 1) RETURN t + 1', 'table-expression', /variable t holds a table/],
    ['CALCULATE([Total], KEEPFILTERS(FILTER(Product, Product[Category] = "Bikes")))', 'filter-path', /FILTER\('Product', …\) as a CALCULATE filter/],
    ['CALCULATE(CALCULATE([Lines], Product[Color] = "Red"), FILTER(Product, Product[Category] = "Bikes"))', 'unsupported-construct', /partly overrides an outer filter/],
    ['1', 'no-aggregation', /aggregates no table/],
    ['BLANK()', 'no-aggregation', /always BLANK/],
    ['[Loop A]', 'cycle', /circular measure reference: \[Under Test\] → \[Loop A\] → \[Loop B\] → \[Loop A\]|depends on \[Loop A\]/],
    ['SUM(Sales[Amount]', 'parse-error', /does not parse: .*line 1, column 18/],
  ])('%s', (dax, cause, reason) => {
    const t = tr(dax);
    expect(t.grade, t.sql).toBe('untranslated');
    expect(t.cause, t.reason).toBe(cause);
    expect(t.reason).toMatch(reason);
    expect(t.sql).toBeUndefined();
  });

  test('the reason points at the construct: position in the text and a span', () => {
    const dax = 'DIVIDE(\n  [Total],\n  CALCULATE([Total], ALL(Product))\n)';
    const t = tr(dax);
    expect(t.reason).toMatch(/\(line 3, column 22\)$/);
    expect(dax.slice(t.at!.start, t.at!.end)).toBe('ALL(Product)');
  });

  test('a user-defined DAX function is named as such', () => {
    const model = salesModel([measure('M', 'MyFn(1)')]);
    model.functions.push({ name: 'MyFn', expression: '(x) => x + 1' });
    const [m] = translateModelMeasures(model, resolver).filter((r) => r.name === 'M');
    expect(m!.translation).toMatchObject({ grade: 'untranslated', cause: 'unsupported-function', reason: expect.stringMatching(/user-defined function MyFn/) });
  });
});

describe('relationships decide where filters reach', () => {
  test('a filter on a table two many-to-one steps away reaches the fact', () => {
    const model = salesModel([measure('Total', 'SUM(Sales[Amount])'), measure('M', 'CALCULATE([Total], KEEPFILTERS(Category[Group] = "A"))')], {
      tables: [table('Category', [col('Category', 'string'), col('Group', 'string')])],
      relationships: [relationship('Product', 'Category', 'Category', 'Category')],
    });
    const r = (t: string, c: string) => (t === 'Category' ? { sql: `c.${c.toLowerCase()}` } : resolver(t, c));
    const m = translateModelMeasures(model, r).find((x) => x.name === 'M')!;
    expect(m.translation).toMatchObject({ grade: 'exact', sql: "SUM(CASE WHEN COALESCE(LOWER(c.group), '') = 'a' THEN s.amount END)" });
  });

  test('an inactive or many-to-many relationship does not carry the filter', () => {
    for (const over of [{ isActive: false }, { toCardinality: 'many' as const }]) {
      const model = salesModel([measure('M', 'CALCULATE(SUM(Sales[Amount]), KEEPFILTERS(Budget[Region] = "N"))')], {
        relationships: [relationship('Sales', 'Customer', 'Budget', 'Region', over)],
      });
      expect(translateModelMeasures(model, resolver)[0]!.translation).toMatchObject({ grade: 'untranslated', cause: 'filter-path' });
    }
  });

  test('a one-to-one relationship carries filters both ways', () => {
    const model = salesModel([measure('M', 'CALCULATE(SUM(Budget[Target]), KEEPFILTERS(Sales[Customer] = "x"))')], {
      relationships: [relationship('Sales', 'Customer', 'Budget', 'Region', { fromCardinality: 'one', toCardinality: 'one' })],
    });
    expect(translateModelMeasures(model, resolver)[0]!.translation).toMatchObject({ grade: 'exact' });
  });
});

describe('context', () => {
  test('translations are memoised per model and cycles end', () => {
    const model = salesModel(BASE);
    const ctx = createDaxContext(model, resolver, { resolveTable: tableResolver });
    const a = translateMeasure({ name: 'Loop A', expression: '[Loop B] + 1', table: 'Sales' }, ctx);
    expect(translateMeasure({ name: 'Loop A', expression: '[Loop B] + 1', table: 'Sales' }, ctx)).toBe(a);
    expect(a.cause).toBe('cycle');
    expect(translateMeasure({ name: 'Loop B', expression: '[Loop A] + 1', table: 'Sales' }, ctx).cause).toBe('cycle');
  });

  test('without a table resolver, a table resolves when one of its columns does', () => {
    const model = salesModel([measure('A', 'COUNTROWS(Sales)'), measure('B', 'COUNTROWS(Targets)')]);
    const [a, b] = translateModelMeasures(model, resolver);
    expect(a!.translation.grade).toBe('exact');
    expect(b!.translation).toMatchObject({ grade: 'untranslated', cause: 'no-lineage' });
  });

  test('a measure chain whose inlined SQL would explode is cut off quickly, not built', () => {
    const chain = [measure('M0', 'SUM(Sales[Amount])')];
    for (let i = 1; i <= 40; i += 1) chain.push(measure(`M${i}`, `[M${i - 1}] - [M${i - 1}]`));
    const started = performance.now();
    const results = translateModelMeasures(salesModel(chain), resolver);
    expect(performance.now() - started).toBeLessThan(2000);
    const last = results.find((r) => r.name === 'M40')!.translation;
    expect(last.grade).toBe('untranslated');
    expect(results.some((r) => r.translation.reason?.includes('exceed 20000 characters'))).toBe(true);
    expect(results.find((r) => r.name === 'M3')!.translation.grade).toBe('exact');
  });

  test('a backslash in a string literal is spelled so Snowflake and DuckDB read it alike', () => {
    const t = tr('CALCULATE([Lines], KEEPFILTERS(Sales[Customer] = "a\\\\b"))');
    expect(t.sql).toContain("LOWER('a' || CHR(92) || CHR(92) || 'b')");
  });
});

describe('robustness', () => {
  // Syntactically valid measures built from real DAX pieces: every outcome is a result (never a
  // throw), untranslated ones carry a reason, and every SQL produced compiles in DuckDB.
  const columnRef = fc.constantFrom('Sales[Amount]', 'Sales[Qty]', 'Sales[UnitPrice]', 'Sales[Customer]', 'Product[Color]', 'Sales[OrderDate]', 'Targets[Goal]', 'Sales[Returned]');
  const literal = fc.constantFrom('0', '1', '2.5', '"Red"', 'BLANK()', 'TRUE()', 'DATE(2024, 1, 1)');
  const predicate = fc.tuple(columnRef, fc.constantFrom('=', '<>', '>', '<=', '=='), literal).map(([c, op, l]) => `${c} ${op} ${l}`);
  const dax = fc.letrec<{ e: string }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom('[Total]', '[Cost]', '[Lines]', '[Orders]', '[YTD]', '[Flag]', '1', 'BLANK()'),
      fc.tuple(fc.constantFrom('SUM', 'AVERAGE', 'MIN', 'MAX', 'COUNT', 'DISTINCTCOUNT'), columnRef).map(([f, c]) => `${f}(${c})`),
      fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '/', '^', '&', '=', '<', '&&', '||'), tie('e')).map(([a, op, b]) => `(${a} ${op} ${b})`),
      fc.tuple(tie('e'), tie('e')).map(([a, b]) => `DIVIDE(${a}, ${b})`),
      fc.tuple(tie('e'), tie('e'), tie('e')).map(([a, b, c]) => `IF(${a}, ${b}, ${c})`),
      fc.tuple(tie('e'), predicate, fc.boolean()).map(([a, p, k]) => `CALCULATE(${a}, ${k ? `KEEPFILTERS(${p})` : p})`),
      fc.tuple(predicate, columnRef).map(([p, c]) => `SUMX(FILTER(Sales, ${p}), ${c})`),
      tie('e').map((a) => `VAR v = ${a} RETURN v + v`),
      tie('e').map((a) => `SWITCH(TRUE(), ${a} > 0, 1, 2)`),
    ),
  }));

  test('generated measures: results, never throws', () => {
    fc.assert(
      fc.property(dax.e, (text) => {
        const t = tr(text);
        expect(['exact', 'approximate', 'untranslated']).toContain(t.grade);
        if (t.grade === 'untranslated') {
          expect(t.reason).toBeTruthy();
          expect(t.cause).toBeTruthy();
        } else {
          expect(t.sql).toBeTruthy();
          expect(t.tables.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 400 },
    );
  });

  test('arbitrary text never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (text) => {
        expect(['exact', 'approximate', 'untranslated']).toContain(tr(text).grade);
      }),
      { numRuns: 500 },
    );
  });

  test('every SQL the translator produced in this file compiles in DuckDB', async () => {
    const distinct = [...new Set(compiled)];
    expect(distinct.length).toBeGreaterThan(100);
    const failures: string[] = [];
    for (const sql of distinct) {
      try {
        await conn.run(`EXPLAIN SELECT ${sql} ${DUCKDB_FROM_ALL}`);
      } catch (e) {
        failures.push(`${sql}\n  → ${(e as Error).message.split('\n')[0]}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
