// Parity of translated DAX measures with DAX semantics (issue 16, item 4): small synthetic tables
// in DuckDB, every measure translated with grade `exact`, its SQL run over the whole table and
// grouped by a dimension (Product[Category], through the many-to-one join) and by a fact column
// (Sales[Customer]), and compared with values worked out by hand from DAX semantics below. BLANK is
// `null`. The rows are chosen to hit the BLANK cases: NULL amounts and discounts, a zero-sales
// group, an order without id, a sale whose product does not exist, colours differing in case.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { createDaxContext } from '../../src/core/dax/context.js';
import { translateMeasure } from '../../src/core/dax/translate.js';
import { DUCKDB_SETUP, measure, resolver, salesModel, tableResolver } from '../support/dax-model.js';

type V = number | string | null;
interface Case {
  name: string;
  dax: string;
  total: V;
  byCategory: Record<string, V>;
  byCustomer: Record<string, V>;
}

// The data (DUCKDB_SETUP in tests/support/dax-model.ts), one row per sale (– is NULL / BLANK):
//  r | order | product (category, colour) | customer | qty | amount | cost | discount | returned
//  1 | O1    | 1 (Bikes, Red)             | alice    |  2  |  100   |  60  |   10     | false
//  2 | O1    | 2 (Bikes, Blue)            | alice    |  1  |  200   | 150  |   –      | false
//  3 | O2    | 1 (Bikes, Red)             | bob      |  5  |  250   | 150  |    5     | true
//  4 | O3    | 3 (Helmets, RED)           | carol    |  1  |   30   |  35  |   –      | –
//  5 | O4    | 4 (Helmets, –)             | bob      |  3  |   60   |  30  |   –      | false
//  6 | O5    | 6 (Tools, Blue)            | –        |  2  |   –    |  –   |   –      | false
//  7 | –     | 99 (no such product)       | dave     |  1  |   40   |  20  |    2     | false
//  8 | O6    | 6 (Tools, Blue)            | erin     |  0  |    0   |   0  |   –      | false
// Product 5 (Gloves, Black) has no sales. Sale 7 belongs to DAX's blank Product row, which the
// LEFT JOIN reproduces as the NULL category ('(blank)' below). Power BI reads 'Red' and 'RED' as
// one value (case-insensitive collation), so both count as red.

const CASES: Case[] = [
  {
    // SUM skips BLANK; a group whose only value is 0 sums to 0, one with only BLANK is BLANK.
    name: 'Total Sales', dax: 'SUM(Sales[Amount])', total: 680,
    byCategory: { Bikes: 550, Helmets: 90, Tools: 0, '(blank)': 40 },
    byCustomer: { alice: 300, bob: 310, carol: 30, dave: 40, erin: 0, '(blank)': null },
  },
  {
    name: 'Total Cost', dax: 'SUM(Sales[Cost])', total: 445,
    byCategory: { Bikes: 360, Helmets: 65, Tools: 0, '(blank)': 20 },
    byCustomer: { alice: 210, bob: 180, carol: 35, dave: 20, erin: 0, '(blank)': null },
  },
  {
    // BLANK - BLANK is BLANK; otherwise BLANK counts as 0.
    name: 'Margin', dax: '[Total Sales] - [Total Cost]', total: 235,
    byCategory: { Bikes: 190, Helmets: 25, Tools: 0, '(blank)': 20 },
    byCustomer: { alice: 90, bob: 130, carol: -5, dave: 20, erin: 0, '(blank)': null },
  },
  {
    // DIVIDE is BLANK when the divisor is 0 (Tools, erin) or BLANK.
    name: 'Margin %', dax: 'DIVIDE([Margin], [Total Sales])', total: 235 / 680,
    byCategory: { Bikes: 190 / 550, Helmets: 25 / 90, Tools: null, '(blank)': 0.5 },
    byCustomer: { alice: 0.3, bob: 130 / 310, carol: -5 / 30, dave: 0.5, erin: null, '(blank)': null },
  },
  {
    // DISTINCTCOUNT counts BLANK as a value: sale 7 has no order id.
    name: 'Orders', dax: 'DISTINCTCOUNT(Sales[OrderId])', total: 7,
    byCategory: { Bikes: 2, Helmets: 2, Tools: 2, '(blank)': 1 },
    byCustomer: { alice: 1, bob: 2, carol: 1, dave: 1, erin: 1, '(blank)': 1 },
  },
  {
    name: 'Customers', dax: 'DISTINCTCOUNT(Sales[Customer])', total: 6,
    byCategory: { Bikes: 2, Helmets: 2, Tools: 2, '(blank)': 1 },
    byCustomer: { alice: 1, bob: 1, carol: 1, dave: 1, erin: 1, '(blank)': 1 },
  },
  {
    name: 'Lines', dax: 'COUNTROWS(Sales)', total: 8,
    byCategory: { Bikes: 3, Helmets: 2, Tools: 2, '(blank)': 1 },
    byCustomer: { alice: 2, bob: 2, carol: 1, dave: 1, erin: 1, '(blank)': 1 },
  },
  {
    // AVERAGE divides by the number of non-BLANK values (7 overall).
    name: 'Avg Line', dax: 'AVERAGE(Sales[Amount])', total: 680 / 7,
    byCategory: { Bikes: 550 / 3, Helmets: 45, Tools: 0, '(blank)': 40 },
    byCustomer: { alice: 150, bob: 155, carol: 30, dave: 40, erin: 0, '(blank)': null },
  },
  {
    name: 'Max Qty', dax: 'MAX(Sales[Qty])', total: 5,
    byCategory: { Bikes: 5, Helmets: 3, Tools: 2, '(blank)': 1 },
    byCustomer: { alice: 2, bob: 5, carol: 1, dave: 1, erin: 0, '(blank)': 2 },
  },
  {
    // COUNT of no non-BLANK value is BLANK, not 0.
    name: 'Discount Lines', dax: 'COUNT(Sales[Discount])', total: 3,
    byCategory: { Bikes: 2, Helmets: null, Tools: null, '(blank)': 1 },
    byCustomer: { alice: 1, bob: 1, carol: null, dave: 1, erin: null, '(blank)': null },
  },
  {
    name: 'Total Discount', dax: 'SUM(Sales[Discount])', total: 17,
    byCategory: { Bikes: 15, Helmets: null, Tools: null, '(blank)': 2 },
    byCustomer: { alice: 10, bob: 5, carol: null, dave: 2, erin: null, '(blank)': null },
  },
  {
    // 90 - BLANK = 90 and 0 - BLANK = 0 in DAX; SQL NULL would propagate without the COALESCE.
    name: 'Net Sales', dax: '[Total Sales] - [Total Discount]', total: 663,
    byCategory: { Bikes: 535, Helmets: 90, Tools: 0, '(blank)': 38 },
    byCustomer: { alice: 290, bob: 305, carol: 30, dave: 38, erin: 0, '(blank)': null },
  },
  {
    // The alternate result replaces a 0 or BLANK divisor; BLANK / 90 stays BLANK (Helmets, carol).
    name: 'Discount Rate', dax: 'DIVIDE([Total Discount], [Total Sales], 0)', total: 17 / 680,
    byCategory: { Bikes: 15 / 550, Helmets: null, Tools: 0, '(blank)': 0.05 },
    byCustomer: { alice: 10 / 300, bob: 5 / 310, carol: null, dave: 0.05, erin: 0, '(blank)': 0 },
  },
  {
    // `/` by a distinct count of the same rows: the count is ≥ 1 whenever there are rows, and both
    // sides are BLANK when there are none, so no Infinity can occur.
    name: 'Avg per Order', dax: '[Total Sales] / [Orders]', total: 680 / 7,
    byCategory: { Bikes: 275, Helmets: 45, Tools: 0, '(blank)': 40 },
    byCustomer: { alice: 300, bob: 155, carol: 30, dave: 40, erin: 0, '(blank)': null },
  },
  {
    // Row by row: 2 * BLANK is BLANK and SUMX skips it.
    name: 'Revenue', dax: 'SUMX(Sales, Sales[Qty] * Sales[Amount])', total: 1900,
    byCategory: { Bikes: 1650, Helmets: 210, Tools: 0, '(blank)': 40 },
    byCustomer: { alice: 400, bob: 1430, carol: 30, dave: 40, erin: 0, '(blank)': null },
  },
  {
    name: 'Multi-unit Sales', dax: 'SUMX(FILTER(Sales, Sales[Qty] > 1), Sales[Amount])', total: 410,
    byCategory: { Bikes: 350, Helmets: 60, Tools: null, '(blank)': null },
    byCustomer: { alice: 100, bob: 310, carol: null, dave: null, erin: null, '(blank)': null },
  },
  {
    // KEEPFILTERS intersects with the query's filters; "Red" matches 'Red' and 'RED'.
    name: 'Red Sales', dax: 'CALCULATE([Total Sales], KEEPFILTERS(Product[Color] = "Red"))', total: 380,
    byCategory: { Bikes: 350, Helmets: 30, Tools: null, '(blank)': null },
    byCustomer: { alice: 100, bob: 250, carol: 30, dave: null, erin: null, '(blank)': null },
  },
  {
    // BLANK <> "Red" is TRUE: the NULL-colour product and the missing product (blank row) count.
    name: 'Not Red Lines', dax: 'CALCULATE([Lines], KEEPFILTERS(Product[Color] <> "Red"))', total: 5,
    byCategory: { Bikes: 1, Helmets: 1, Tools: 2, '(blank)': 1 },
    byCustomer: { alice: 1, bob: 1, carol: null, dave: 1, erin: 1, '(blank)': 1 },
  },
  {
    // BLANK = FALSE() is TRUE: sale 4 (returned unknown) is kept.
    name: 'Kept Sales', dax: 'CALCULATE(SUM(Sales[Amount]), KEEPFILTERS(Sales[Returned] = FALSE()))', total: 430,
    byCategory: { Bikes: 300, Helmets: 90, Tools: 0, '(blank)': 40 },
    byCustomer: { alice: 300, bob: 60, carol: 30, dave: 40, erin: 0, '(blank)': null },
  },
  {
    // DATE(…) compares with the order timestamp; sales 1 and 2 are in January.
    name: 'Since February', dax: 'CALCULATE([Total Sales], KEEPFILTERS(Sales[OrderDate] >= DATE(2024, 2, 1)))', total: 380,
    byCategory: { Bikes: 250, Helmets: 90, Tools: 0, '(blank)': 40 },
    byCustomer: { alice: null, bob: 310, carol: 30, dave: 40, erin: 0, '(blank)': null },
  },
  {
    // A variable is evaluated where it is declared: the CALCULATE filter does not reach it.
    name: 'Unfiltered Total', dax: 'VAR t = [Total Sales] RETURN CALCULATE(t, KEEPFILTERS(Product[Color] = "Red"))', total: 680,
    byCategory: { Bikes: 550, Helmets: 90, Tools: 0, '(blank)': 40 },
    byCustomer: { alice: 300, bob: 310, carol: 30, dave: 40, erin: 0, '(blank)': null },
  },
  {
    name: 'Bikes or Tools Lines', dax: 'CALCULATE([Lines], KEEPFILTERS(Product[Category] IN {"Bikes", "TOOLS"}))', total: 5,
    byCategory: { Bikes: 3, Helmets: null, Tools: 2, '(blank)': null },
    byCustomer: { alice: 2, bob: 1, carol: null, dave: null, erin: 1, '(blank)': 1 },
  },
  {
    // BLANK < 0 is FALSE and BLANK = 0 is TRUE: a BLANK margin is 0.
    name: 'Margin Sign', dax: 'IF([Margin] < 0, -1, IF([Margin] = 0, 0, 1))', total: 1,
    byCategory: { Bikes: 1, Helmets: 1, Tools: 0, '(blank)': 1 },
    byCustomer: { alice: 1, bob: 1, carol: -1, dave: 1, erin: 0, '(blank)': 0 },
  },
  {
    name: 'Sales Band', dax: 'SWITCH(TRUE(), [Total Sales] >= 300, "High", [Total Sales] > 0, "Low", "None")', total: 'High',
    byCategory: { Bikes: 'High', Helmets: 'Low', Tools: 'None', '(blank)': 'Low' },
    byCustomer: { alice: 'High', bob: 'High', carol: 'Low', dave: 'Low', erin: 'None', '(blank)': 'None' },
  },
  {
    // Variables; IF without an else is BLANK.
    name: 'Net When Discounted',
    dax: 'VAR s = [Total Sales] VAR d = [Total Discount] RETURN IF(NOT ISBLANK(s) && NOT ISBLANK(d), s - d)',
    total: 663,
    byCategory: { Bikes: 535, Helmets: null, Tools: null, '(blank)': 38 },
    byCustomer: { alice: 290, bob: 305, carol: null, dave: 38, erin: null, '(blank)': null },
  },
];

const model = salesModel(CASES.map((c) => measure(c.name, c.dax)));
const ctx = createDaxContext(model, resolver, { resolveTable: tableResolver });
const translated = new Map(CASES.map((c) => [c.name, translateMeasure({ name: c.name, expression: c.dax, table: 'Sales' }, ctx)]));

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

const FROM = 'FROM sales s LEFT JOIN product p ON s.productkey = p.productkey';

async function rows(sql: string): Promise<Array<[string, V]>> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowsJS().map((r) => [r[0] === null ? '(blank)' : String(r[0]), toValue(r[1])]);
}

async function single(sql: string): Promise<V> {
  const all = await rows(sql);
  expect(all).toHaveLength(1);
  return (all[0] as [string, V])[1];
}

function toValue(v: unknown): V {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  return Number(v);
}

function expectValue(actual: V, expected: V, where: string): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    expect(actual, where).toBeCloseTo(expected, 9);
  } else {
    expect(actual, where).toEqual(expected);
  }
}

describe('DAX → SQL parity on synthetic data', () => {
  test('the parity set has at least 12 measures', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(12);
  });

  describe.each(CASES)('$name', (c) => {
    test('translates with grade exact', () => {
      const t = translated.get(c.name);
      expect(t, JSON.stringify(t)).toMatchObject({ grade: 'exact' });
    });

    test('whole table', async () => {
      const { sql } = translated.get(c.name)!;
      const value = await single(`SELECT 'all', ${sql} ${FROM}`);
      expectValue(value, c.total, `${c.name} over everything: ${sql}`);
    });

    test('grouped by Product[Category]', async () => {
      const { sql } = translated.get(c.name)!;
      const got = Object.fromEntries(await rows(`SELECT p.category, ${sql} ${FROM} GROUP BY p.category`));
      expect(Object.keys(got).sort()).toEqual(Object.keys(c.byCategory).sort());
      for (const [k, v] of Object.entries(c.byCategory)) expectValue(got[k] as V, v, `${c.name} for ${k}`);
    });

    test('grouped by Sales[Customer]', async () => {
      const { sql } = translated.get(c.name)!;
      const got = Object.fromEntries(await rows(`SELECT s.customer, ${sql} ${FROM} GROUP BY s.customer`));
      expect(Object.keys(got).sort()).toEqual(Object.keys(c.byCustomer).sort());
      for (const [k, v] of Object.entries(c.byCustomer)) expectValue(got[k] as V, v, `${c.name} for ${k}`);
    });
  });

  test('a plain CALCULATE filter is graded approximate, and the difference is real', async () => {
    // DAX: CALCULATE([Total Sales], Product[Color] = "Red") replaces a query filter on Color, so a
    // query restricted to blue products still shows all red sales: 100 + 250 + 30 = 380.
    const m = salesModel([measure('Total Sales', 'SUM(Sales[Amount])'), measure('Red (plain)', 'CALCULATE([Total Sales], Product[Color] = "Red")')]);
    const c2 = createDaxContext(m, resolver, { resolveTable: tableResolver });
    const plain = translateMeasure({ name: 'Red (plain)', expression: 'CALCULATE([Total Sales], Product[Color] = "Red")', table: 'Sales' }, c2);
    expect(plain.grade).toBe('approximate');
    expect(plain.reason).toMatch(/replaces any filter a query puts on that column/);
    const filtered = await single(`SELECT 'x', ${plain.sql} ${FROM} WHERE LOWER(p.color) = 'blue'`);
    expect(filtered).toBeNull(); // the SQL intersects: no row is both blue and red
    // Where the query does not touch Color, the two agree (by category: Bikes 350, Helmets 30).
    const got = Object.fromEntries(await rows(`SELECT p.category, ${plain.sql} ${FROM} GROUP BY p.category`));
    expect(got).toMatchObject({ Bikes: 350, Helmets: 30, Tools: null });
    // The KEEPFILTERS form is exact: restricted to blue products it is BLANK in DAX too.
    const keep = translated.get('Red Sales')!;
    const kept = await single(`SELECT 'x', ${keep.sql} ${FROM} WHERE LOWER(p.color) = 'blue'`);
    expect(kept).toBeNull();
  });
});
