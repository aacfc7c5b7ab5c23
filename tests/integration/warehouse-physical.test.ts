// --create-tables on both targets (issue 5 item 3): tables created with mapped types, read back
// from INFORMATION_SCHEMA, a second run plans nothing, a new column is added, a type change is
// reported and not applied, existing data stays.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/context.js';
import { loadModel } from '../../src/core/schema/load.js';
import type { SemanticModel } from '../../src/core/schema/model.js';
import { applyPlan, type WarehouseBackend } from '../../src/core/warehouse/backend.js';
import { type Dialect, quoteIdent } from '../../src/core/warehouse/dialect.js';
import { openDuckDb } from '../../src/core/warehouse/duckdb.js';
import { planPhysicalTables, readExistingColumns } from '../../src/core/warehouse/physical.js';
import { planSchema } from '../../src/core/warehouse/plan.js';
import { probeWarehouse } from '../../src/core/warehouse/probe.js';
import { openSnowflake } from '../../src/core/warehouse/snowflake.js';
import { typeFamily, warehouseType } from '../../src/core/warehouse/types.js';
import { synthetic } from '../support/paths.js';
import { startSnowflakeStandIn, type SnowflakeStandIn } from '../support/snowflake-standin/index.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.SF_TELEMETRY_DISABLE_CONNECTION_SHAPE ??= '1';

const targets: Record<Dialect, { schema: string; open(): Promise<{ db: WarehouseBackend; close(): Promise<void> }> }> = {
  duckdb: {
    schema: 'main',
    async open() {
      const db = await openDuckDb({ path: ':memory:' });
      return { db, close: () => db.close() };
    },
  },
  snowflake: {
    schema: 'METADATA',
    async open() {
      const standIn: SnowflakeStandIn = await startSnowflakeStandIn();
      const db = await openSnowflake({
        account: standIn.account, accessUrl: standIn.url, username: 'FABRIC_SYNC', password: 'secret',
        database: 'FABRIC_DB', schema: 'METADATA', queryTag: 'fabric-sync/test/physical', logger: silentLogger,
      });
      return { db, close: async () => { await db.close(); await standIn.close(); } };
    },
  },
};

describe.each(['duckdb', 'snowflake'] as Dialect[])('--create-tables (%s)', (dialect) => {
  let db: WarehouseBackend;
  let close: () => Promise<void>;
  let model: SemanticModel;
  const schema = targets[dialect].schema;
  beforeAll(async () => {
    ({ db, close } = await targets[dialect].open());
    model = (await loadModel(synthetic.composite)).model;
  });
  afterAll(async () => close?.());

  it('probeWarehouse reports where the session points and which metadata tables exist', async () => {
    const before = await probeWarehouse(db);
    expect(before.schema.toUpperCase()).toBe(schema.toUpperCase());
    expect(before.present).toEqual([]);
    expect(before.missing).toHaveLength(5);
    await applyPlan(db, { ddl: planSchema(dialect), transaction: [] });
    const after = await probeWarehouse(db);
    expect(after.missing).toEqual([]);
    expect(after.present).toEqual(['_SEMANTIC_METADATA', '_SEMANTIC_TABLES', '_SEMANTIC_COLUMNS', '_SEMANTIC_MEASURES', '_SEMANTIC_RELATIONSHIPS']);
  });

  it('creates one table per model table with mapped types; a second run plans nothing', async () => {
    const first = planPhysicalTables(model, await readExistingColumns(db, schema), { schema }, dialect);
    expect(first.createdTables).toEqual(model.tables.map((t) => t.name));
    expect(first.ddl).toHaveLength(model.tables.length);
    await applyPlan(db, { ddl: first.ddl, transaction: [] });
    const existing = await readExistingColumns(db, schema);
    for (const t of model.tables) {
      const cols = existing.filter((c) => c.table === t.name);
      expect(cols.map((c) => c.column)).toEqual(t.columns.map((c) => c.name));
      for (const c of t.columns) {
        const found = cols.find((x) => x.column === c.name)!;
        expect(typeFamily(found.type), `${t.name}.${c.name} ${found.type}`).toBe(typeFamily(warehouseType(c.dataType, dialect)));
      }
    }
    expect(planPhysicalTables(model, existing, { schema }, dialect)).toMatchObject({ ddl: [], conflicts: [], createdTables: [], addedColumns: [] });
  });

  it('adds a new column, reports a changed type without applying it, and keeps the data', async () => {
    const t = model.tables[0]!;
    const target = `${quoteIdent(schema)}.${quoteIdent(t.name)}`;
    await db.execute(`INSERT INTO ${target} (${quoteIdent(t.columns[0]!.name)}) VALUES (NULL)`);
    const changed = structuredClone(model);
    const first = changed.tables[0]!;
    first.columns.push({ name: 'Added Later', dataType: 'double', kind: 'data', isHidden: false, isKey: false });
    const victim = first.columns.find((c) => c.dataType === 'string')!;
    victim.dataType = 'boolean';
    const plan = planPhysicalTables(changed, await readExistingColumns(db, schema), { schema }, dialect);
    expect(plan.addedColumns.map((c) => c.column)).toEqual(['Added Later']);
    expect(plan.conflicts.map((c) => [c.table, c.column, typeFamily(c.existingType), typeFamily(c.wantedType)])).toEqual([[t.name, victim.name, 'text', 'boolean']]);
    await applyPlan(db, { ddl: plan.ddl, transaction: [] });
    const after = await readExistingColumns(db, schema);
    expect(typeFamily(after.find((c) => c.table === t.name && c.column === 'Added Later')!.type)).toBe('float');
    expect(typeFamily(after.find((c) => c.table === t.name && c.column === victim.name)!.type)).toBe('text');
    const count = await db.execute(`SELECT COUNT(*) AS ${quoteIdent('N')} FROM ${target}`);
    expect(Number(count.rows[0]!.N)).toBe(1);
  });
});
