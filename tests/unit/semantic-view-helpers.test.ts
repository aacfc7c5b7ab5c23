// The pure helpers the semantic-view planner builds on (issue 16 item 3): logical names, which
// relationships a view can express, primary/unique keys from the "one" sides, and FACT vs
// DIMENSION per column, row by row.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { TOM_DATA_TYPES, type Column, type Relationship, type SemanticModel, type TomDataType } from '../../src/core/schema/model.js';
import { logicalName, uniqueLogicalNames } from '../../src/core/semantic-view/names.js';
import { planRelationships } from '../../src/core/semantic-view/relationships.js';
import { tableKeys } from '../../src/core/semantic-view/keys.js';
import { SEMANTIC_ROLE_BY_TOM_TYPE, classifyColumn } from '../../src/core/semantic-view/columns.js';
import { identifierProblem, quoteIdentifier } from '../../src/core/semantic-view/quote.js';

describe('logicalName', () => {
  test.each([
    ['Sales', 'SALES'],
    ['Customer Name', 'CUSTOMER_NAME'],
    ['ProductID', 'PRODUCT_ID'],
    ['TotalSalesYTD', 'TOTAL_SALES_YTD'],
    ['IDNumber', 'ID_NUMBER'],
    ['% Margin (gross)', 'MARGIN_GROSS'],
    ['2024 Target', '_2024_TARGET'],
    ['Größe', 'GROSSE'],
    ['Café Crème', 'CAFE_CREME'],
    ['Umsatz €', 'UMSATZ'],
    ['売上', '売上'],
    ['Продажи  за\tгод', 'Продажи за год'],
    ['ORDER', 'ORDER'], // a keyword is a fine name: the builder quotes it
  ])('%j → %j', (original, name) => {
    expect(logicalName(original)).toBe(name);
  });

  test('a name with no letters or digits gets a stable hashed name', () => {
    expect(logicalName('%%%')).toMatch(/^N_[0-9a-f]{6}$/);
    expect(logicalName('%%%')).toBe(logicalName('%%%'));
    expect(logicalName('%%%')).not.toBe(logicalName('###'));
  });

  test('long names are cut to 255 characters and stay distinct', () => {
    const a = `${'Revenue '.repeat(40)}A`;
    const b = `${'Revenue '.repeat(40)}B`;
    expect(logicalName(a)).toHaveLength(255);
    expect(logicalName(a)).not.toBe(logicalName(b));
    expect(logicalName('売'.repeat(300))).toHaveLength(255);
  });

  test('every logical name is a valid identifier (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => {
      const n = logicalName(s);
      expect(identifierProblem(n)).toBeUndefined();
      expect(() => quoteIdentifier(n)).not.toThrow();
    }), { numRuns: 500 });
  });
});

describe('uniqueLogicalNames', () => {
  test('collisions (case-insensitive) get _2, _3 in the order of the original names', () => {
    const m = uniqueLogicalNames(['Sales Amount', 'SalesAmount', 'sales amount', 'SALES_AMOUNT']);
    expect(m).toEqual(new Map([
      ['Sales Amount', 'SALES_AMOUNT_2'],
      ['SalesAmount', 'SALES_AMOUNT_3'],
      ['sales amount', 'SALES_AMOUNT_4'],
      ['SALES_AMOUNT', 'SALES_AMOUNT'], // already in logical form: keeps its name
    ]));
  });

  test('the result does not depend on input order', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.constantFrom('A b', 'A_B', 'a B', 'AB', 'a-b', 'Ab', 'x', 'X', '1', '_1'), { minLength: 1 }), (names) => {
      const forward = uniqueLogicalNames(names);
      const backward = uniqueLogicalNames([...names].reverse());
      for (const n of names) expect(backward.get(n)).toBe(forward.get(n));
      expect(new Set([...forward.values()].map((v) => v.toUpperCase())).size).toBe(names.length);
    }));
  });

  test('never hands out a reserved name, and suffixes stay within 255 characters', () => {
    const long = 'L'.repeat(255);
    const m = uniqueLogicalNames([long, long.toLowerCase(), 'Total'], ['TOTAL']);
    expect(m.get('Total')).toBe('TOTAL_2');
    expect([...m.values()].every((v) => v.length <= 255)).toBe(true);
    expect(new Set(m.values()).size).toBe(3);
  });
});

const col = (name: string, dataType: TomDataType = 'int64', extra: Partial<Column> = {}): Column =>
  ({ name, dataType, kind: 'data', isHidden: false, isKey: false, ...extra });
const rel = (name: string, fromTable: string, fromColumn: string, toTable: string, toColumn: string, extra: Partial<Relationship> = {}): Relationship =>
  ({ name, fromTable, fromColumn, toTable, toColumn, fromCardinality: 'many', toCardinality: 'one', crossFilteringBehavior: 'oneDirection', isActive: true, ...extra });
const model = (tables: Record<string, Column[]>, relationships: Relationship[]): SemanticModel => ({
  name: 'M', relationships, roles: [], perspectives: [], cultures: [], expressions: [], functions: [], dataSources: 0,
  tables: Object.entries(tables).map(([name, columns]) => ({ name, isHidden: false, kind: 'data', storageMode: 'import', partitions: [], columns, measures: [], hierarchies: [] })),
});

describe('planRelationships', () => {
  const tables = {
    Sales: [col('CustomerKey'), col('ProductKey'), col('DateKey'), col('ShipDateKey'), col('Amount', 'decimal')],
    Customer: [col('CustomerKey'), col('Name', 'string')],
    Product: [col('ProductKey'), col('Category', 'string')],
    Date: [col('DateKey', 'int64', { isKey: true }), col('Date', 'dateTime')],
    Details: [col('CustomerKey')],
    Employee: [col('EmployeeKey'), col('ManagerKey')],
    Budget: [col('Category', 'string')],
  };

  test('keeps active many-to-one and one-to-one, oriented from the referencing side, and reports the others', () => {
    const plan = planRelationships(model(tables, [
      rel('r1', 'Sales', 'CustomerKey', 'Customer', 'CustomerKey'),
      rel('r2', 'Product', 'ProductKey', 'Sales', 'ProductKey', { fromCardinality: 'one', toCardinality: 'many' }),
      rel('r3', 'Sales', 'DateKey', 'Date', 'DateKey', { crossFilteringBehavior: 'bothDirections' }),
      rel('r4', 'Sales', 'ShipDateKey', 'Date', 'DateKey', { isActive: false }),
      rel('r5', 'Details', 'CustomerKey', 'Customer', 'CustomerKey', { fromCardinality: 'one', toCardinality: 'one' }),
      rel('r6', 'Budget', 'Category', 'Product', 'Category', { fromCardinality: 'many', toCardinality: 'many' }),
      rel('r7', 'Employee', 'ManagerKey', 'Employee', 'EmployeeKey'),
      rel('r8', 'Customer', 'CustomerKey', 'Details', 'CustomerKey'),
    ]));
    expect(plan.relationships.map((r) => [r.source.name, r.name, r.cardinality, `${r.fromTable}.${r.fromColumn}`, `${r.toTable}.${r.toColumn}`])).toEqual([
      ['r1', 'SALES_TO_CUSTOMER', 'many-to-one', 'Sales.CustomerKey', 'Customer.CustomerKey'],
      ['r2', 'SALES_TO_PRODUCT', 'many-to-one', 'Sales.ProductKey', 'Product.ProductKey'],
      ['r3', 'SALES_TO_DATE', 'many-to-one', 'Sales.DateKey', 'Date.DateKey'],
      ['r5', 'DETAILS_TO_CUSTOMER', 'one-to-one', 'Details.CustomerKey', 'Customer.CustomerKey'],
    ]);
    expect(plan.relationships[2]!.note).toMatch(/bidirectional cross-filtering is not kept/);
    expect(plan.skipped.map((s) => [s.source.name, s.reason])).toEqual([
      ['r4', expect.stringMatching(/^inactive/)],
      ['r6', expect.stringMatching(/^many-to-many/)],
      ['r7', expect.stringMatching(/^self-referencing/)],
      ['r8', expect.stringMatching(/^second path between 'Customer' and 'Details'/)],
    ]);
  });

  test('refuses a relationship that would close a cycle, and one whose table is not in the view', () => {
    const plan = planRelationships(model({ A: [col('b')], B: [col('c')], C: [col('a')] }, [
      rel('ab', 'A', 'b', 'B', 'b'), rel('bc', 'B', 'c', 'C', 'c'), rel('ca', 'C', 'a', 'A', 'a'),
    ]));
    expect(plan.relationships.map((r) => r.source.name)).toEqual(['ab', 'bc']);
    expect(plan.skipped[0]!.reason).toMatch(/would close a circular path back to 'C'/);
    const partial = planRelationships(model({ A: [col('b')], B: [col('c')] }, [rel('ab', 'A', 'b', 'B', 'b')]), { tables: new Set(['A']) });
    expect(partial.skipped[0]!.reason).toBe("table 'B' is not in the view (no Snowflake source)");
  });
});

describe('tableKeys', () => {
  test('the referenced column is the primary key; isKey, then use count, then column order decide between several', () => {
    const m = model({
      Sales: [col('CustomerKey'), col('AltKey')],
      Store: [col('StoreKey'), col('Code', 'string')],
      Customer: [col('Email', 'string'), col('CustomerKey')],
      Date: [col('Date', 'dateTime'), col('DateKey', 'int64', { isKey: true })],
      Details: [col('CustomerKey')],
      Orders: [col('A'), col('C')],
      Returns: [col('B')],
    }, [
      rel('1', 'Sales', 'CustomerKey', 'Customer', 'CustomerKey'),
      rel('2', 'Orders', 'A', 'Customer', 'Email'),
      rel('3', 'Returns', 'B', 'Customer', 'CustomerKey'),
      rel('4', 'Sales', 'AltKey', 'Date', 'Date'),
      rel('5', 'Orders', 'C', 'Date', 'DateKey'),
      rel('6', 'Details', 'CustomerKey', 'Store', 'StoreKey', { fromCardinality: 'one', toCardinality: 'one' }),
    ]);
    const keys = tableKeys(m, planRelationships(m).relationships);
    expect(Object.fromEntries(keys)).toEqual({
      Customer: { primaryKey: 'CustomerKey', unique: ['Email'] },
      Date: { primaryKey: 'DateKey', unique: ['Date'] },
      Store: { primaryKey: 'StoreKey', unique: [] },
      Details: { primaryKey: 'CustomerKey', unique: [] },
    });
  });
});

describe('classifyColumn', () => {
  const rows: [TomDataType, 'fact' | 'dimension' | 'none'][] = [
    ['int64', 'fact'], ['double', 'fact'], ['decimal', 'fact'],
    ['string', 'dimension'], ['dateTime', 'dimension'], ['boolean', 'dimension'],
    ['binary', 'none'], ['variant', 'none'], ['unknown', 'none'], ['automatic', 'none'],
  ];
  test('covers every TOM type exactly once', () => {
    expect(Object.keys(SEMANTIC_ROLE_BY_TOM_TYPE).sort()).toEqual([...TOM_DATA_TYPES].sort());
    expect(rows.map((r) => r[0]).sort()).toEqual([...TOM_DATA_TYPES].sort());
  });
  test.each(rows)('%s → %s', (type, role) => {
    expect(classifyColumn(col('X', type)).role).toBe(role);
  });
  test('a numeric column Power BI never sums is a dimension', () => {
    expect(classifyColumn(col('Id', 'int64', { isKey: true }))).toEqual({ role: 'dimension', reason: 'numeric key column' });
    expect(classifyColumn(col('CustomerKey'), new Set(['CustomerKey']))).toEqual({ role: 'dimension', reason: 'numeric relationship column' });
    expect(classifyColumn(col('Year', 'int64', { summarizeBy: 'none' })).role).toBe('dimension');
    expect(classifyColumn(col('Qty', 'int64', { summarizeBy: 'sum' })).role).toBe('fact');
  });
  test('calculated columns have no source column', () => {
    expect(classifyColumn(col('Margin', 'double', { kind: 'calculated', expression: '[A]-[B]' }))).toEqual({ role: 'none', reason: 'calculated column: no Snowflake source column' });
    expect(classifyColumn(col('X', 'string', { kind: 'calculatedTableColumn' })).reason).toMatch(/calculated table/);
  });
});
