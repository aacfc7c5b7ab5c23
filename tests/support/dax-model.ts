// A small synthetic sales model for the DAX translator tests: a fact table, two dimensions related
// many-to-one, an unrelated table and one whose data is not in Snowflake. `resolver` maps each
// traced column to the alias-qualified column of the DuckDB tables that the parity test builds
// (s = SALES, p = PRODUCT, d = CALENDAR, b = BUDGET).
import type { Column, Measure, Relationship, SemanticModel, Table, TomDataType } from '../../src/core/schema/model.js';
import type { ColumnResolver, TableResolver } from '../../src/core/dax/context.js';

export const col = (name: string, dataType: TomDataType, over: Partial<Column> = {}): Column => ({
  name, dataType, kind: 'data', isHidden: false, isKey: false, ...over,
});
export const measure = (name: string, expression: string): Measure => ({ name, expression, isHidden: false });
export const table = (name: string, columns: Column[], measures: Measure[] = []): Table => ({
  name, isHidden: false, kind: 'data', storageMode: 'import', partitions: [], columns, measures, hierarchies: [],
});
export const relationship = (fromTable: string, fromColumn: string, toTable: string, toColumn: string, over: Partial<Relationship> = {}): Relationship => ({
  name: `${fromTable}_${toTable}`, fromTable, fromColumn, toTable, toColumn, fromCardinality: 'many', toCardinality: 'one',
  crossFilteringBehavior: 'oneDirection', isActive: true, ...over,
});

/** The sales model with `measures` on the Sales table (plus any extra tables' measures). */
export function salesModel(measures: Measure[], extra: { relationships?: Relationship[]; tables?: Table[] } = {}): SemanticModel {
  return {
    name: 'Sales Model',
    tables: [
      table('Sales', [
        col('OrderId', 'string'), col('ProductKey', 'int64'), col('Customer', 'string'), col('Qty', 'int64'),
        col('Amount', 'double'), col('Cost', 'double'), col('Discount', 'double'), col('Returned', 'boolean'),
        col('OrderDate', 'dateTime'), col('UnitPrice', 'decimal'), col('Tax', 'decimal'),
        col('Margin Calc', 'double', { kind: 'calculated', expression: 'Sales[Amount] - Sales[Cost]' }),
      ], measures),
      table('Product', [col('ProductKey', 'int64'), col('Category', 'string'), col('Color', 'string'), col('ListPrice', 'decimal')]),
      table('Date', [col('Date', 'dateTime'), col('Year', 'int64')]),
      table('Budget', [col('Region', 'string'), col('Target', 'double')]),
      table('Targets', [col('Month', 'string'), col('Goal', 'double')]),
      ...(extra.tables ?? []),
    ],
    relationships: [
      relationship('Sales', 'ProductKey', 'Product', 'ProductKey'),
      relationship('Sales', 'OrderDate', 'Date', 'Date'),
      ...(extra.relationships ?? []),
    ],
    roles: [], perspectives: [], cultures: [], expressions: [], functions: [], dataSources: 0,
  };
}

const ALIAS: Record<string, string> = { sales: 's', product: 'p', date: 'd', budget: 'b' };

/** `'Sales'[Unit Price]` → `s.unitprice`; calculated columns and the Targets table have no source. */
export const resolver: ColumnResolver = (t, c) => {
  const alias = ALIAS[t.toLowerCase()];
  if (!alias) return { reason: `table '${t}' is loaded from an Excel workbook` };
  if (c === 'Margin Calc') return { reason: 'calculated column' };
  return { sql: `${alias}.${c.toLowerCase().replace(/[^a-z0-9]/g, '')}` };
};

/** Traced tables; Product and Budget have a never-NULL key column to count rows by. */
export const tableResolver: TableResolver = (t) => {
  const alias = ALIAS[t.toLowerCase()];
  if (!alias) return { reason: `table '${t}' is loaded from an Excel workbook` };
  const keys: Record<string, string> = { product: 'p.productkey', budget: 'b.region' };
  const rowKey = keys[t.toLowerCase()];
  return rowKey ? { rowKey } : {};
};

/** DuckDB tables holding the rows the parity test reasons about (see tests/unit/dax-parity.test.ts). */
export const DUCKDB_SETUP = [
  `CREATE TABLE product (productkey INTEGER, category VARCHAR, color VARCHAR, listprice DECIMAL(18,4))`,
  `INSERT INTO product VALUES (1,'Bikes','Red',100),(2,'Bikes','Blue',200),(3,'Helmets','RED',30),(4,'Helmets',NULL,20),(5,'Gloves','Black',10),(6,'Tools','Blue',5)`,
  `CREATE TABLE sales (orderid VARCHAR, productkey INTEGER, customer VARCHAR, qty INTEGER, amount DOUBLE, cost DOUBLE,
     discount DOUBLE, returned BOOLEAN, orderdate TIMESTAMP, unitprice DECIMAL(18,4), tax DECIMAL(18,4))`,
  `INSERT INTO sales VALUES
     ('O1', 1, 'alice', 2, 100, 60, 10, false, '2024-01-05', 50, 1),
     ('O1', 2, 'alice', 1, 200, 150, NULL, false, '2024-01-05', 200, 2),
     ('O2', 1, 'bob', 5, 250, 150, 5, true, '2024-02-01', 50, 3),
     ('O3', 3, 'carol', 1, 30, 35, NULL, NULL, '2024-02-03', 30, 0),
     ('O4', 4, 'bob', 3, 60, 30, NULL, false, '2024-03-01', 20, 0),
     ('O5', 6, NULL, 2, NULL, NULL, NULL, false, '2024-03-02', 5, 0),
     (NULL, 99, 'dave', 1, 40, 20, 2, false, '2024-03-03', 40, 0),
     ('O6', 6, 'erin', 0, 0, 0, NULL, false, '2024-03-04', 5, 0)`,
  `CREATE TABLE "date" (date TIMESTAMP, year INTEGER)`,
  `INSERT INTO "date" VALUES ('2024-01-05', 2024), ('2024-02-01', 2024)`,
  `CREATE TABLE budget (region VARCHAR, target DOUBLE)`,
  `INSERT INTO budget VALUES ('North', 100), ('South', NULL)`,
];

/** Every table joined as the semantic view would (plus the unrelated Budget), for compile checks. */
export const DUCKDB_FROM_ALL =
  'FROM sales s LEFT JOIN product p ON s.productkey = p.productkey LEFT JOIN "date" d ON s.orderdate = d.date CROSS JOIN budget b';
