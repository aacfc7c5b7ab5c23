// The planned metrics run in DuckDB (issue 16, item 4): tables shaped like the view's logical tables
// (one column per fact or dimension, named as in the view) are built from the fixture's traced
// columns; every metric's SQL, exact or approximate, must compile against them, and on small
// synthetic rows the exact metrics must return the values worked out by hand from the DAX below.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { planSemanticView, type SemanticViewPlan } from '../../src/core/semantic-view/plan.js';
import { duckFrom, duckTables, loadSvFixture, SV_FIXTURE_OPTIONS } from '../support/semantic-view-fixture.js';

// The rows (– is NULL / BLANK). Product 5 (Lock) has no sales; sale 5 names product 99, which does
// not exist, so in DAX it belongs to the blank Product row: the LEFT JOIN gives it a NULL category.
//  r | order | customer | product (category, colour)  | channel | qty | unit price | amount | cost | discount
//  1 | O1    | 1        | 1 (Bikes, Red)              | Online  |  1  | 1000       |  950   | 700  |  50
//  2 | O1    | 1        | 3 (Accessories, RED)        | Online  |  2  |   50       |  100   |  40  |  –
//  3 | O2    | 2        | 2 (Bikes, Blue)             | Store   |  1  |  600       |  600   | 450  |  –
//  4 | O3    | 2        | 4 (Accessories, –)          | store   | 12  |   20       |  200   | 120  |  40
//  5 | –     | 3        | 99 (none: blank row)        | Online  |  1  |   30       |   30   |  10  |  –
//  6 | O4    | 3        | 1 (Bikes, Red)              | Store   |  0  | 1000       |   –    |  –   |  –
const DATA = [
  `INSERT INTO PRODUCTS (PRODUCT_KEY, PRODUCT, CATEGORY, COLOR, LIST_PRICE) VALUES
     (1, 'Road Bike', 'Bikes', 'Red', 1000), (2, 'City Bike', 'Bikes', 'Blue', 600), (3, 'Helmet', 'Accessories', 'RED', 50),
     (4, 'Gloves', 'Accessories', NULL, 20), (5, 'Lock', 'Accessories', 'Black', 30)`,
  `INSERT INTO CUSTOMERS (CUSTOMER_KEY, CUSTOMER, SEGMENT, COUNTRY) VALUES (1, 'Ann', 'Retail', 'FR'), (2, 'Bo', 'Retail', 'SE'), (3, 'Cy', 'Trade', 'DE')`,
  `INSERT INTO SALES (ORDER_ID, ORDER_DATE, CUSTOMER_KEY, PRODUCT_KEY, CHANNEL, CURRENCY, QUANTITY, UNIT_PRICE, AMOUNT, COST, DISCOUNT) VALUES
     ('O1', '2024-01-05', 1, 1, 'Online', 'EUR', 1, 1000, 950, 700, 50),
     ('O1', '2024-01-05', 1, 3, 'Online', 'EUR', 2, 50, 100, 40, NULL),
     ('O2', '2024-02-01', 2, 2, 'Store', 'EUR', 1, 600, 600, 450, NULL),
     ('O3', '2024-02-03', 2, 4, 'store', 'EUR', 12, 20, 200, 120, 40),
     (NULL, '2024-03-01', 3, 99, 'Online', 'EUR', 1, 30, 30, 10, NULL),
     ('O4', '2024-03-02', 3, 1, 'Store', 'EUR', 0, 1000, NULL, NULL, NULL)`,
];

type V = number | null;
/** Hand-computed from DAX semantics: [total, Bikes, Accessories, (blank)]. */
const EXPECTED: Record<string, [V, V, V, V]> = {
  // SUM skips BLANK; sale 6 has no amount.
  'Total Sales': [1880, 1550, 300, 30],
  'Total Cost': [1320, 1150, 160, 10],
  'Margin': [560, 400, 140, 20],
  'Margin %': [560 / 1880, 400 / 1550, 140 / 300, 20 / 30],
  'Units': [17, 2, 14, 1],
  // DISTINCTCOUNT counts BLANK as a value: sale 5 has no order id.
  'Orders': [5, 3, 2, 1],
  'Sales Lines': [6, 3, 2, 1],
  // AVERAGE divides by the non-BLANK values only (5 overall, 2 for bikes).
  'Avg Line Amount': [376, 775, 150, 30],
  'Largest Line': [950, 950, 200, 30],
  'Smallest Line': [30, 600, 100, 30],
  'Buying Customers': [3, 3, 2, 1],
  'Avg Order Value': [376, 1550 / 3, 150, 30],
  // SUM of only BLANK is BLANK; BLANK counts as 0 in the subtraction, so Net Sales of (blank) is 30.
  'Total Discount': [90, 50, 40, null],
  'Net Sales': [1790, 1500, 260, 30],
  // COUNT of no value is BLANK, not 0.
  'Discounted Lines': [2, 1, 1, null],
  // Row by row: 12 × 20 = 240; 0 × 1000 = 0.
  'Gross Revenue': [1970, 1600, 340, 30],
  'Online Sales': [1080, 950, 100, 30],
  // Collation is case-insensitive: 'RED' is red. The blank product row has a BLANK colour.
  'Red Product Sales': [1050, 950, 100, null],
  'Bulk Sales': [200, null, 200, null],
  // IF(BLANK-or-17 > 100, 1, 0) is 0 everywhere.
  'Volume Flag': [0, 0, 0, 0],
};

let instance: DuckDBInstance;
let conn: DuckDBConnection;
let plan: SemanticViewPlan;

beforeAll(async () => {
  plan = await planSemanticView(await loadSvFixture(), { ...SV_FIXTURE_OPTIONS, includeApproximate: true });
  const { DuckDBInstance } = await import('@duckdb/node-api');
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
  for (const sql of duckTables(plan)) await conn.run(sql);
  for (const sql of DATA) await conn.run(sql);
});
afterAll(() => {
  conn?.closeSync();
  instance?.closeSync();
});

const num = (v: unknown): V => (v === null ? null : Number(v));

describe('planned metrics in DuckDB', () => {
  test('every translated metric compiles against tables built from the traced columns', async () => {
    const translated = plan.metrics.filter((m) => m.sql !== undefined);
    expect(translated.length).toBe(29);
    const aliases = plan.tables.filter((t) => t.included).map((t) => t.alias!);
    const failures: string[] = [];
    for (const m of translated) {
      // A regular metric: its table and the tables it joins. A derived one: every table it names.
      const from = m.alias !== undefined
        ? duckFrom(plan, m.alias)
        : aliases.filter((a) => m.sql!.includes(`${a}.`)).map((a) => `"${a}"`).join(' CROSS JOIN ');
      try {
        await conn.run(`EXPLAIN SELECT ${m.sql!} FROM ${from}`);
      } catch (e) {
        failures.push(`${m.measure}: ${m.sql!} → ${(e as Error).message.split('\n')[0]!}`);
      }
    }
    expect(failures).toEqual([]);
  });

  test(`parity: ${Object.keys(EXPECTED).length} exact metrics equal the DAX values, in total and per product category`, async () => {
    const from = duckFrom(plan, 'SALES');
    for (const [measure, [total, bikes, accessories, blank]] of Object.entries(EXPECTED)) {
      const m = plan.metrics.find((x) => x.measure === measure)!;
      expect(m, measure).toMatchObject({ grade: 'exact', alias: 'SALES', included: true });
      const all = (await conn.runAndReadAll(`SELECT ${m.sql!} FROM ${from}`)).getRowsJS();
      expect(num(all[0]![0]), `${measure} total`).toBeCloseTo(total ?? NaN, 9);
      if (total === null) expect(all[0]![0]).toBeNull();
      const rows = (await conn.runAndReadAll(`SELECT PRODUCTS.CATEGORY, ${m.sql!} FROM ${from} GROUP BY PRODUCTS.CATEGORY`)).getRowsJS();
      const got = Object.fromEntries(rows.map((r) => [r[0] === null ? '(blank)' : String(r[0]), num(r[1])]));
      expect(Object.keys(got).sort(), measure).toEqual(['(blank)', 'Accessories', 'Bikes']);
      for (const [group, want] of [['Bikes', bikes], ['Accessories', accessories], ['(blank)', blank]] as const) {
        if (want === null) expect(got[group], `${measure} / ${group}`).toBeNull();
        else expect(got[group], `${measure} / ${group}`).toBeCloseTo(want, 9);
      }
    }
  });
});
