// --create-tables planning (issue 5 item 3) and the TOM → warehouse type table, row by row.
import { describe, expect, it } from 'vitest';
import type { Column, SemanticModel, Table, TomDataType } from '../../src/core/schema/model.js';
import { modelKey, physicalName } from '../../src/core/publishers/warehouse/physical-names.js';
import { planPhysicalTables } from '../../src/core/publishers/warehouse/physical.js';
import { TOM_TO_WAREHOUSE, warehouseType } from '../../src/core/schema/tom-types.js';
import { typeFamily } from '../../src/core/publishers/warehouse/type-family.js';

function column(name: string, dataType: TomDataType = 'string'): Column {
  return { name, dataType, kind: 'data', isHidden: false, isKey: false };
}
function table(name: string, columns: Column[], extra: Partial<Table> = {}): Table {
  return { name, isHidden: false, kind: 'data', storageMode: 'import', partitions: [], columns, measures: [], hierarchies: [], ...extra };
}
function model(tables: Table[]): SemanticModel {
  return { name: 'm', tables, relationships: [], roles: [], perspectives: [], cultures: [], expressions: [], functions: [], dataSources: 0 };
}

describe('TOM → warehouse type table', () => {
  it.each([
    ['string', 'VARCHAR', 'VARCHAR'],
    ['int64', 'NUMBER(19,0)', 'BIGINT'],
    ['double', 'FLOAT', 'DOUBLE'],
    ['decimal', 'NUMBER(19,4)', 'DECIMAL(19,4)'],
    ['dateTime', 'TIMESTAMP_NTZ', 'TIMESTAMP'],
    ['boolean', 'BOOLEAN', 'BOOLEAN'],
    ['binary', 'BINARY', 'BLOB'],
    ['variant', 'VARIANT', 'JSON'],
    ['unknown', 'VARCHAR', 'VARCHAR'],
    ['automatic', 'VARCHAR', 'VARCHAR'],
  ] as const)('%s → Snowflake %s, DuckDB %s', (tom, snowflake, duckdb) => {
    expect(TOM_TO_WAREHOUSE[tom]).toEqual({ snowflake, duckdb });
    expect(warehouseType(tom, 'snowflake')).toBe(snowflake);
    expect(warehouseType(tom, 'duckdb')).toBe(duckdb);
  });

  it.each([
    ['NUMBER(19,0)', 'integer'], ['NUMBER(38,0)', 'integer'], ['DECIMAL(19,4)', 'number'], ['NUMBER(19,4)', 'number'], ['NUMBER', 'integer'],
    ['BIGINT', 'integer'], ['INTEGER', 'integer'], ['FLOAT', 'float'], ['DOUBLE', 'float'], ['TEXT', 'text'], ['VARCHAR', 'text'],
    ['VARCHAR(100)', 'text'], ['BOOLEAN', 'boolean'], ['TIMESTAMP_NTZ', 'timestamp'], ['TIMESTAMP', 'timestamp'], ['BINARY', 'binary'],
    ['BLOB', 'binary'], ['VARIANT', 'json'], ['JSON', 'json'], ['GEOGRAPHY', 'other'],
  ])('%s is in family %s', (sql, family) => expect(typeFamily(sql)).toBe(family));
});

describe('planPhysicalTables', () => {
  const m = model([
    table('Sales', [column('Id', 'int64'), column('Amount', 'decimal'), column('When', 'dateTime')]),
    table('x"; DROP TABLE t; --', [column("O'Brien")]),
    table('Time Intelligence', [column('Name')], { kind: 'calculationGroup' }),
    table('Empty', []),
    table('L'.repeat(246), [column('c')]),
    table('Wide', [column('ok'), column('C'.repeat(256))]),
  ]);
  const key = modelKey('model-1');
  const target = { database: 'DB', schema: 'PBI' };
  const COMMENT = " COMMENT = 'Mirror table of one semantic model table kept by fabric-sync --create-tables; _SEMANTIC_TABLES.PHYSICAL_TABLE names its model and table.'";

  it('names each mirror table after its model: <8 hex of SHA-256(model id)>__<table>', () => {
    expect(key).toMatch(/^[0-9a-f]{8}$/);
    expect(physicalName('model-1', 'Sales')).toBe(`${key}__Sales`);
    expect(physicalName('model-2', 'Sales')).not.toBe(physicalName('model-1', 'Sales'));
  });

  it('creates every missing table with mapped types, quoting hostile names', () => {
    const plan = planPhysicalTables(m, 'model-1', [], target, 'snowflake');
    expect(plan.ddl.map((s) => s.sql)).toEqual([
      `CREATE TABLE IF NOT EXISTS "DB"."PBI"."${key}__Sales" ("Id" NUMBER(19,0), "Amount" NUMBER(19,4), "When" TIMESTAMP_NTZ)${COMMENT}`,
      `CREATE TABLE IF NOT EXISTS "DB"."PBI"."${key}__x""; DROP TABLE t; --" ("O'Brien" VARCHAR)${COMMENT}`,
      `CREATE TABLE IF NOT EXISTS "DB"."PBI"."${key}__Wide" ("ok" VARCHAR)${COMMENT}`,
    ]);
    expect(plan.createdTables).toEqual(['Sales', 'x"; DROP TABLE t; --', 'Wide']);
    expect(plan.skipped.map((s) => [s.table.slice(0, 10), s.column?.length ?? 0])).toEqual([
      ['Time Intel', 0], ['Empty', 0], ['LLLLLLLLLL', 0], ['Wide', 256],
    ]);
  });

  it('adds only missing columns of the model\'s own tables and reports a type conflict without applying it', () => {
    const existing = [
      { table: `${key}__Sales`, column: 'Id', type: 'TEXT' },
      { table: `${key}__Sales`, column: 'Amount', type: 'NUMBER(38,4)' },
      { table: `${key}__Sales`, column: 'Legacy', type: 'TEXT' },
      { table: `${key}__x"; DROP TABLE t; --`, column: "O'Brien", type: 'VARCHAR' },
      // Another model's Sales is another table: never merged into this one.
      { table: `${modelKey('model-2')}__Sales`, column: 'Other', type: 'TEXT' },
    ];
    const plan = planPhysicalTables(m, 'model-1', existing, target, 'snowflake');
    expect(plan.ddl.map((s) => s.sql)).toEqual([
      `ALTER TABLE "DB"."PBI"."${key}__Sales" ADD COLUMN IF NOT EXISTS "When" TIMESTAMP_NTZ`,
      `CREATE TABLE IF NOT EXISTS "DB"."PBI"."${key}__Wide" ("ok" VARCHAR)${COMMENT}`,
    ]);
    expect(plan.addedColumns).toEqual([{ table: 'Sales', column: 'When', type: 'TIMESTAMP_NTZ' }]);
    expect(plan.conflicts).toEqual([{ table: 'Sales', column: 'Id', existingType: 'TEXT', wantedType: 'NUMBER(19,0)' }]);
    // Never drops (Legacy stays) and never alters a type.
    expect(plan.ddl.some((s) => /DROP COLUMN|ALTER COLUMN|SET DATA TYPE/.test(s.sql))).toBe(false);
  });

  it('accepts a decimal column for integers (no narrowing) and matches DuckDB names case-insensitively', () => {
    const plan = planPhysicalTables(
      model([table('Sales', [column('Id', 'int64')])]),
      'model-1',
      [{ table: `${key}__sales`, column: 'ID', type: 'DECIMAL(19,4)' }],
      { schema: 'main' },
      'duckdb',
    );
    expect(plan).toMatchObject({ ddl: [], conflicts: [], createdTables: [] });
  });
});
