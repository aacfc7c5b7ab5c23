// A semantic view built from a Power BI-shaped model with the planner helpers and the DDL builder,
// sent through the real snowflake-sdk to the Snowflake stand-in, which checks it against the
// documented grammar, records it and answers SHOW SEMANTIC VIEWS / DESCRIBE SEMANTIC VIEW in the
// documented shapes (issue 16 item 4).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Connection, SnowflakeError } from 'snowflake-sdk';
import { startSnowflakeStandIn, type SnowflakeStandIn } from '../support/snowflake-standin/index.js';
import { connectTo, destroy, exec } from '../support/snowflake-standin/driver.js';
import type { Column, SemanticModel } from '../../src/core/schema/model.js';
import { buildSemanticViewDdl } from '../../src/core/semantic-view/ddl.js';
import { columnRef } from '../../src/core/semantic-view/quote.js';
import { uniqueLogicalNames } from '../../src/core/semantic-view/names.js';
import { planRelationships } from '../../src/core/semantic-view/relationships.js';
import { tableKeys } from '../../src/core/semantic-view/keys.js';
import { classifyColumn } from '../../src/core/semantic-view/columns.js';
import type { SemanticViewSpec } from '../../src/core/semantic-view/spec.js';

const DAX = "Total Sales =\nSUMX ( 'Fact Sales', 'Fact Sales'[Amount] ) // \"net\" of returns\n-- C:\\path's end";

const col = (name: string, dataType: Column['dataType'], extra: Partial<Column> = {}): Column =>
  ({ name, dataType, kind: 'data', isHidden: false, isKey: false, ...extra });

const model: SemanticModel = {
  name: 'Sales', description: "The sales model's view", relationships: [
    { name: 'b1f2', fromTable: 'Fact Sales', fromColumn: 'CUSTOMER_ID', toTable: 'Customer', toColumn: 'CUSTOMER_ID',
      fromCardinality: 'many', toCardinality: 'one', crossFilteringBehavior: 'oneDirection', isActive: true },
    { name: 'c9e0', fromTable: 'Fact Sales', fromColumn: 'SELLER_ID', toTable: 'Customer', toColumn: 'CUSTOMER_ID',
      fromCardinality: 'many', toCardinality: 'one', crossFilteringBehavior: 'oneDirection', isActive: false },
  ],
  roles: [], perspectives: [], cultures: [], expressions: [], functions: [], dataSources: 0,
  tables: [
    { name: 'Fact Sales', isHidden: false, kind: 'data', storageMode: 'directQuery', partitions: [], hierarchies: [],
      columns: [col('ORDER_ID', 'int64', { summarizeBy: 'none' }), col('CUSTOMER_ID', 'int64'), col('SELLER_ID', 'int64'), col('AMOUNT', 'decimal'), col('Order Date', 'dateTime')],
      measures: [{ name: 'Total Sales', expression: DAX, isHidden: false }] },
    { name: 'Customer', isHidden: false, kind: 'data', storageMode: 'directQuery', partitions: [], hierarchies: [], measures: [],
      description: 'One row per customer', columns: [col('CUSTOMER_ID', 'int64'), col('NAME', 'string'), col('EMAIL', 'string')] },
  ],
};

/** Base objects in the stand-in for each Power BI table (what the lineage module will resolve). */
const SOURCES: Record<string, string> = { 'Fact Sales': 'FACT_SALES', Customer: 'Dim Customer' };

/** A minimal planner over the helpers, enough to exercise them end to end. */
function specFor(m: SemanticModel): SemanticViewSpec {
  const aliases = uniqueLogicalNames(m.tables.map((t) => t.name));
  const plan = planRelationships(m);
  const keys = tableKeys(m, plan.relationships);
  const spec: SemanticViewSpec = {
    view: { database: 'FABRIC_DB', schema: 'METADATA', name: `${m.name}_semantic_view` },
    ...(m.description ? { comment: m.description } : {}),
    tables: [], relationships: [], facts: [], dimensions: [], metrics: [],
  };
  for (const t of m.tables) {
    const alias = aliases.get(t.name)!;
    const k = keys.get(t.name);
    spec.tables.push({ alias, object: { database: 'FABRIC_DB', schema: 'RAW', name: SOURCES[t.name]! },
      ...(k ? { primaryKey: [k.primaryKey], ...(k.unique.length ? { unique: k.unique.map((u) => [u]) } : {}) } : {}),
      ...(t.description ? { comment: t.description } : {}) });
    const used = new Set(m.relationships.flatMap((r) => [r.fromTable === t.name ? r.fromColumn : '', r.toTable === t.name ? r.toColumn : '']));
    const names = uniqueLogicalNames([...t.columns.map((c) => c.name), ...t.measures.map((x) => x.name)]);
    for (const c of t.columns) {
      const role = classifyColumn(c, used).role;
      const item = { alias, name: names.get(c.name)!, sql: columnRef(alias, c.name) };
      if (role === 'fact') spec.facts.push(item);
      if (role === 'dimension') spec.dimensions.push(item);
    }
    for (const x of t.measures) spec.metrics.push({ alias, name: names.get(x.name)!, sql: `SUM(${columnRef(alias, 'AMOUNT')})`, comment: x.expression });
  }
  for (const r of plan.relationships) {
    spec.relationships.push({ name: r.name, fromAlias: aliases.get(r.fromTable)!, fromColumns: [r.fromColumn], toAlias: aliases.get(r.toTable)!, toColumns: [r.toColumn] });
  }
  return spec;
}

async function failure(p: Promise<unknown>): Promise<SnowflakeError> {
  try { await p; } catch (e) { return e as SnowflakeError; }
  throw new Error('expected the statement to fail');
}

describe('CREATE SEMANTIC VIEW through snowflake-sdk to the stand-in', () => {
  let standIn: SnowflakeStandIn;
  let conn: Connection;
  const ddl = buildSemanticViewDdl(specFor(model));

  beforeAll(async () => {
    standIn = await startSnowflakeStandIn();
    conn = await connectTo(standIn);
    await exec(conn, 'create schema if not exists FABRIC_DB.RAW');
    await exec(conn, 'create table FABRIC_DB.RAW.FACT_SALES (ORDER_ID number, CUSTOMER_ID number, SELLER_ID number, AMOUNT number(12,2), "Order Date" date)');
    await exec(conn, 'create table FABRIC_DB.RAW."Dim Customer" (CUSTOMER_ID number, NAME varchar, EMAIL varchar)');
  });
  afterAll(async () => {
    await destroy(conn).catch(() => undefined);
    await standIn.close();
  });

  test('the generated statement is accepted, logged and catalogued', async () => {
    const { rows } = await exec(conn, ddl);
    expect(rows).toEqual([{ status: 'Semantic view Sales_semantic_view successfully created.' }]);
    expect(standIn.statements.at(-1)).toMatchObject({ sqlText: ddl });
    expect(standIn.statements.at(-1)!.error).toBeUndefined();
    const stored = standIn.semanticViews.get('FABRIC_DB', 'METADATA', 'Sales_semantic_view')!;
    expect(stored.ddl).toBe(ddl);
    expect(stored.definition.metrics.map((x) => [x.table?.value, x.name.value, x.sql, x.comment])).toEqual([
      ['FACT_SALES', 'TOTAL_SALES', 'SUM(FACT_SALES.AMOUNT)', DAX],
    ]);
    // The inactive relationship stayed out; the active one references the customer's key.
    expect(stored.definition.relationships.map((r) => r.name?.value)).toEqual(['FACT_SALES_TO_CUSTOMER']);
  });

  test('SHOW SEMANTIC VIEWS answers in the documented columns', async () => {
    const { rows } = await exec(conn, "SHOW SEMANTIC VIEWS LIKE '%semantic%' IN SCHEMA FABRIC_DB.METADATA");
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0]!)).toEqual(['created_on', 'name', 'database_name', 'schema_name', 'comment', 'owner', 'owner_role_type', 'extension']);
    expect(rows[0]).toMatchObject({ name: 'Sales_semantic_view', database_name: 'FABRIC_DB', schema_name: 'METADATA', comment: "The sales model's view" });
    expect(rows[0]!.created_on).toBeInstanceOf(Date);
    const terse = await exec(conn, 'show terse semantic views in account');
    expect(Object.keys(terse.rows[0]!)).toEqual(['created_on', 'name', 'kind', 'database_name', 'schema_name']);
    expect(terse.rows[0]!.kind).toBe('SEMANTIC_VIEW');
    expect((await exec(conn, "SHOW SEMANTIC VIEWS STARTS WITH 'Other'")).rows).toEqual([]);
  });

  test('DESCRIBE SEMANTIC VIEW lists each property as a row', async () => {
    const { rows } = await exec(conn, 'DESCRIBE SEMANTIC VIEW FABRIC_DB.METADATA."Sales_semantic_view"');
    const props = rows.map((r) => [r.object_kind, r.object_name, r.parent_entity, r.property, r.property_value]);
    expect(props).toContainEqual([null, null, null, 'COMMENT', "The sales model's view"]);
    expect(props).toContainEqual(['TABLE', 'CUSTOMER', null, 'BASE_TABLE_NAME', 'Dim Customer']);
    expect(props).toContainEqual(['TABLE', 'CUSTOMER', null, 'PRIMARY_KEY', '["CUSTOMER_ID"]']);
    expect(props).toContainEqual(['RELATIONSHIP', 'FACT_SALES_TO_CUSTOMER', 'FACT_SALES', 'REF_TABLE', 'CUSTOMER']);
    expect(props).toContainEqual(['RELATIONSHIP', 'FACT_SALES_TO_CUSTOMER', 'FACT_SALES', 'FOREIGN_KEY', '["CUSTOMER_ID"]']);
    expect(props).toContainEqual(['FACT', 'AMOUNT', 'FACT_SALES', 'EXPRESSION', 'FACT_SALES.AMOUNT']);
    expect(props).toContainEqual(['DIMENSION', 'ORDER_DATE', 'FACT_SALES', 'EXPRESSION', 'FACT_SALES."Order Date"']);
    expect(props).toContainEqual(['DIMENSION', 'ORDER_ID', 'FACT_SALES', 'TABLE', 'FACT_SALES']);
    expect(props).toContainEqual(['METRIC', 'TOTAL_SALES', 'FACT_SALES', 'COMMENT', DAX]);
    expect(Object.keys(rows[0]!)).toEqual(['object_kind', 'object_name', 'parent_entity', 'property', 'property_value']);
  });

  test('a statement that breaks a documented rule fails with a Snowflake-shaped error', async () => {
    const bad = ddl.replace('SUM(FACT_SALES.AMOUNT)', 'FACT_SALES.AMOUNT * 2');
    const err = await failure(exec(conn, bad));
    expect(err.code).toBe('002043');
    expect(err.sqlState).toBe('42000');
    expect(err.message).toBe("SQL compilation error:\nMetric 'FACT_SALES.TOTAL_SALES' must aggregate fact 'FACT_SALES.AMOUNT'.");
    const syntax = await failure(exec(conn, ddl.replace('  DIMENSIONS (', '  FACTS (')));
    expect([syntax.code, syntax.sqlState]).toEqual(['001003', '42000']);
    expect(syntax.message).toMatch(/^SQL compilation error:\nsyntax error line \d+ at position 2 unexpected 'FACTS'\.$/);
    const missing = await failure(exec(conn, ddl.replace('"Dim Customer"', 'DIM_CUSTOMER')));
    expect(missing.code).toBe('002003');
    expect(missing.message).toContain("Object 'FABRIC_DB.RAW.DIM_CUSTOMER' does not exist or not authorized.");
    const column = await failure(exec(conn, ddl.replace('FACT_SALES."Order Date"', 'FACT_SALES.ORDER_DATE_KEY')));
    expect(column.code).toBe('000904');
    expect(column.message).toContain("invalid identifier 'FACT_SALES.ORDER_DATE_KEY'");
    expect(standIn.semanticViews.list()).toHaveLength(1);
  });

  test('CREATE without OR REPLACE refuses an existing view; IF NOT EXISTS keeps it', async () => {
    const err = await failure(exec(conn, buildSemanticViewDdl(specFor(model), { mode: 'create' })));
    expect(err.code).toBe('002002');
    const { rows } = await exec(conn, buildSemanticViewDdl(specFor(model), { mode: 'ifNotExists' }));
    expect(rows[0]!.status).toBe('Sales_semantic_view already exists, statement succeeded.');
  });

  test('like any DDL, CREATE SEMANTIC VIEW commits the open transaction; a rejected one does not', async () => {
    await exec(conn, 'create table FABRIC_DB.RAW.T (N number)');
    await exec(conn, 'begin');
    await exec(conn, 'insert into FABRIC_DB.RAW.T values (1)');
    await exec(conn, ddl);
    await exec(conn, 'rollback');
    expect((await exec(conn, 'select count(*) as N from FABRIC_DB.RAW.T')).rows[0]!.N).toBe(1);
    await exec(conn, 'begin');
    await exec(conn, 'insert into FABRIC_DB.RAW.T values (2)');
    await failure(exec(conn, ddl.replace('TABLES (', 'TABLES (\n    X AS NOWHERE.T,')));
    await exec(conn, 'rollback');
    expect((await exec(conn, 'select count(*) as N from FABRIC_DB.RAW.T')).rows[0]!.N).toBe(1);
  });

  test('DROP SEMANTIC VIEW removes it; a second DROP fails unless IF EXISTS', async () => {
    const { rows } = await exec(conn, 'drop semantic view FABRIC_DB.METADATA."Sales_semantic_view"');
    expect(rows[0]!.status).toBe('Sales_semantic_view successfully dropped.');
    expect(standIn.semanticViews.list()).toEqual([]);
    const err = await failure(exec(conn, 'drop semantic view "Sales_semantic_view"'));
    expect(err.code).toBe('002003');
    await exec(conn, 'drop semantic view if exists "Sales_semantic_view"');
    const describe = await failure(exec(conn, 'desc semantic view "Sales_semantic_view"'));
    expect(describe.code).toBe('002003');
  });
});
