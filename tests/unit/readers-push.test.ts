// readPushTables: the `GET …/datasets/{id}/tables` shape (Power BI swagger `Table`/`Column`/`Measure`)
// → SemanticModel, with push types mapped case-insensitively (`bool` accepted).
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { fingerprint } from '../../src/core/schema/fingerprint.js';
import { pushTypeToTom, readPushTables } from '../../src/core/schema/push-reader.js';
import { summarize } from '../../src/core/schema/summary.js';

// As the API answers (`value` of the OData wrapper), with the spellings seen in the wild.
const tables = [
  {
    name: 'Sales',
    isHidden: false,
    description: 'Fact table',
    columns: [
      { name: 'Id', dataType: 'Int64', isHidden: true },
      { name: 'Amount', dataType: 'Double', formatString: '0.00', summarizeBy: 'sum' },
      { name: 'Price', dataType: 'decimal' },
      { name: 'When', dataType: 'Datetime' },
      { name: 'When2', dataType: 'DateTime' },
      { name: 'Flag', dataType: 'bool' },
      { name: 'Flag2', dataType: 'Boolean' },
      { name: 'Label', dataType: 'String', dataCategory: 'City', sortByColumn: 'Id' },
      { name: 'Odd', dataType: 'Geography' },
    ],
    measures: [{ name: 'Total', expression: 'SUM(Sales[Amount])', formatString: '0', isHidden: false, description: 'Sum' }],
  },
  { name: 'Product', columns: [{ name: 'Id', dataType: 'INT64' }] },
];
const relationships = [{ name: 'Sales_Product', fromTable: 'Sales', fromColumn: 'Id', toTable: 'Product', toColumn: 'Id', crossFilteringBehavior: 'BothDirections' }];

describe('readPushTables', () => {
  const model = readPushTables('Sales_PushSync', tables, relationships);

  it('maps push types to TOM types case-insensitively', () => {
    expect(model.tables[0]!.columns.map((c) => c.dataType)).toEqual([
      'int64', 'double', 'decimal', 'dateTime', 'dateTime', 'boolean', 'boolean', 'string', 'unknown',
    ]);
    expect(model.tables[1]!.columns[0]!.dataType).toBe('int64');
    expect(['Int64', 'DOUBLE', ' bool ', 'DateTime', 'x'].map(pushTypeToTom)).toEqual(['int64', 'double', 'boolean', 'dateTime', 'unknown']);
  });

  it('keeps column and measure properties, every table a push data table', () => {
    const sales = model.tables[0]!;
    expect(sales).toMatchObject({ name: 'Sales', description: 'Fact table', isHidden: false, kind: 'data', storageMode: 'push', partitions: [], hierarchies: [] });
    expect(sales.columns[0]).toEqual({ name: 'Id', dataType: 'int64', kind: 'data', isHidden: true, isKey: false });
    expect(sales.columns[1]).toMatchObject({ formatString: '0.00', summarizeBy: 'sum' });
    expect(sales.columns[7]).toMatchObject({ dataCategory: 'City', sortByColumn: 'Id' });
    expect(sales.measures).toEqual([{ name: 'Total', expression: 'SUM(Sales[Amount])', formatString: '0', isHidden: false, description: 'Sum' }]);
    expect(model).toMatchObject({ name: 'Sales_PushSync', defaultMode: 'push', roles: [], dataSources: 0 });
  });

  it('reads relationships as active many-to-one', () => {
    expect(model.relationships).toEqual([
      { name: 'Sales_Product', fromTable: 'Sales', fromColumn: 'Id', toTable: 'Product', toColumn: 'Id', fromCardinality: 'many', toCardinality: 'one', crossFilteringBehavior: 'bothDirections', isActive: true },
    ]);
    expect(readPushTables('X', tables).relationships).toEqual([]);
  });

  it('summarises and fingerprints like any model', () => {
    expect(summarize(model, 'PUSH')).toMatchObject({ tables: 2, columns: 10, measures: 1, relationships: 1, calculatedColumns: 0 });
    expect(fingerprint(readPushTables('Y', [...tables].reverse(), relationships))).toBe(fingerprint(model));
  });

  it('a malformed answer is an InputError naming the field', () => {
    expect(() => readPushTables('X', [{ name: 'T', columns: [{ name: 1 }] }])).toThrow(InputError);
    expect(() => readPushTables('X', [{ name: 'T', columns: {} }])).toThrow(/tables\[0\]\.columns must be an array/);
    expect(() => readPushTables('X', [null as unknown])).toThrow(/tables\[0\] must be an object/);
  });
});
