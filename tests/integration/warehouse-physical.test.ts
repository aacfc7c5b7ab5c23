// --create-tables on both targets (issues 5 and 12): tables created with mapped types, read back
// from INFORMATION_SCHEMA, a second run plans nothing, a new column is added, a type change is
// reported and not applied, existing data stays; two models with a table `Sales` get two tables.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/context.js';
import { loadModel } from '../../src/core/schema/load.js';
import type { SemanticModel } from '../../src/core/schema/model.js';
import type { WarehouseBackend } from '../../src/core/warehouse/backend.js';
import { applyPlan } from '../../src/core/publishers/warehouse/apply.js';
import { type Dialect, quoteIdent } from '../../src/core/warehouse/dialect.js';
import { openDuckDb } from '../../src/core/warehouse/duckdb.js';
import type { Namespace } from '../../src/core/warehouse/names.js';
import { physicalName } from '../../src/core/publishers/warehouse/physical-names.js';
import { planPhysicalTables, readExistingColumns } from '../../src/core/publishers/warehouse/physical.js';
import { planModelSync, type SyncContext } from '../../src/core/publishers/warehouse/plan.js';
import { probeWarehouse } from '../../src/core/warehouse/probe.js';
import { CURRENT_SCHEMA_VERSION, PROBED_TABLES } from '../../src/core/publishers/warehouse/schema.js';
import { readModelRows } from '../../src/core/publishers/warehouse/read.js';
import { ensureSchema } from '../../src/core/publishers/warehouse/schema.js';
import { physicalTablesStep } from '../../src/core/publishers/warehouse/physical-tables.js';
import { canonicalModel } from '../../src/core/schema/canonical.js';
import { fingerprint } from '../../src/core/schema/fingerprint.js';
import { openSnowflake } from '../../src/core/warehouse/snowflake.js';
import { warehouseType } from '../../src/core/schema/tom-types.js';
import { typeFamily } from '../../src/core/publishers/warehouse/type-family.js';
import { synthetic } from '../support/paths.js';
import { startSnowflakeStandIn, type SnowflakeStandIn } from '../support/snowflake-standin/index.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.SF_TELEMETRY_DISABLE_CONNECTION_SHAPE ??= '1';

const targets: Record<Dialect, { schema: string; ns?: Namespace; open(): Promise<{ db: WarehouseBackend; close(): Promise<void> }> }> = {
  duckdb: {
    schema: 'main',
    async open() {
      const db = await openDuckDb({ path: ':memory:' });
      return { db, close: () => db.close() };
    },
  },
  snowflake: {
    schema: 'METADATA',
    ns: { database: 'FABRIC_DB', schema: 'METADATA' },
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

function ctx(id: string, m: SemanticModel): SyncContext {
  return {
    modelId: id, publishedName: m.name, sourceName: m.name, workspaceId: 'ws', pushDatasetId: null, sourceFormat: 'BIM', storageMode: 'import',
    fingerprint: fingerprint(m), definition: canonicalModel(m), syncedAt: new Date('2026-11-26T10:00:00.000Z'), runId: 'run-p', toolVersion: '0.1.0',
  };
}

describe.each(['duckdb', 'snowflake'] as Dialect[])('--create-tables (%s)', (dialect) => {
  let db: WarehouseBackend;
  let close: () => Promise<void>;
  let model: SemanticModel;
  const ns = targets[dialect].ns;
  const mirror = { ...(ns ? { database: ns.database } : {}), schema: dialect === 'duckdb' ? 'main' : 'FABRIC_MODELS' };
  const run = async (statements: { sql: string }[]) => {
    for (const st of statements) await db.execute(st.sql);
  };
  beforeAll(async () => {
    ({ db, close } = await targets[dialect].open());
    model = (await loadModel(synthetic.composite)).model;
  });
  afterAll(async () => close?.());

  it.runIf(dialect === 'snowflake')('probeWarehouse reports which tables of the configured schema exist, and their schema version', async () => {
    const before = await probeWarehouse(db, ns!, PROBED_TABLES);
    expect(before).toMatchObject({ database: 'FABRIC_DB', schema: 'METADATA', present: [], schemaVersion: 0 });
    expect(before.missing).toHaveLength(PROBED_TABLES.names.length);
    await ensureSchema(db, { dialect, namespace: ns!, toolVersion: '0.1.0', at: new Date() });
    const after = await probeWarehouse(db, ns!, PROBED_TABLES);
    expect(after.missing).toEqual([]);
    expect(after.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    expect(after.present).toEqual(['_SEMANTIC_METADATA', '_SEMANTIC_TABLES', '_SEMANTIC_COLUMNS', '_SEMANTIC_MEASURES', '_SEMANTIC_RELATIONSHIPS', '_SEMANTIC_MODEL_VERSIONS', '_SEMANTIC_LINEAGE', '_SEMANTIC_SYNC_LOCK', '_SEMANTIC_SCHEMA_VERSION']);
  });

  it('creates one table per model table with mapped types; a second run plans nothing', async () => {
    if (dialect === 'snowflake') await db.execute('CREATE SCHEMA IF NOT EXISTS "FABRIC_DB"."FABRIC_MODELS"');
    const names = model.tables.map((t) => physicalName('m1', t.name));
    const first = planPhysicalTables(model, 'm1', await readExistingColumns(db, mirror, ns, names), mirror, dialect);
    expect(first.createdTables).toEqual(model.tables.map((t) => t.name));
    expect(first.ddl).toHaveLength(model.tables.length);
    await run(first.ddl);
    const existing = await readExistingColumns(db, mirror, ns, names);
    for (const t of model.tables) {
      const cols = existing.filter((c) => c.table === physicalName('m1', t.name));
      expect(cols.map((c) => c.column)).toEqual(t.columns.map((c) => c.name));
      for (const c of t.columns) {
        const found = cols.find((x) => x.column === c.name)!;
        expect(typeFamily(found.type), `${t.name}.${c.name} ${found.type}`).toBe(typeFamily(warehouseType(c.dataType, dialect)));
      }
    }
    expect(planPhysicalTables(model, 'm1', existing, mirror, dialect)).toMatchObject({ ddl: [], conflicts: [], createdTables: [], addedColumns: [] });
  });

  it('adds a new column, reports a changed type without applying it, and keeps the data', async () => {
    const t = model.tables[0]!;
    const target = [...(ns ? [ns.database] : []), mirror.schema, physicalName('m1', t.name)].map(quoteIdent).join('.');
    await db.execute(`INSERT INTO ${target} (${quoteIdent(t.columns[0]!.name)}) VALUES (NULL)`);
    const changed = structuredClone(model);
    const first = changed.tables[0]!;
    first.columns.push({ name: 'Added Later', dataType: 'double', kind: 'data', isHidden: false, isKey: false });
    const victim = first.columns.find((c) => c.dataType === 'string')!;
    victim.dataType = 'boolean';
    const names = changed.tables.map((x) => physicalName('m1', x.name));
    const plan = planPhysicalTables(changed, 'm1', await readExistingColumns(db, mirror, ns, names), mirror, dialect);
    expect(plan.addedColumns.map((c) => c.column)).toEqual(['Added Later']);
    expect(plan.conflicts.map((c) => [c.table, c.column, typeFamily(c.existingType), typeFamily(c.wantedType)])).toEqual([[t.name, victim.name, 'text', 'boolean']]);
    await run(plan.ddl);
    const after = await readExistingColumns(db, mirror, ns, names);
    const own = physicalName('m1', t.name);
    expect(typeFamily(after.find((c) => c.table === own && c.column === 'Added Later')!.type)).toBe('float');
    expect(typeFamily(after.find((c) => c.table === own && c.column === victim.name)!.type)).toBe('text');
    const count = await db.execute(`SELECT COUNT(*) AS ${quoteIdent('N')} FROM ${target}`);
    expect(Number(count.rows[0]!.N)).toBe(1);
  });

  it('gives two models with a table `Sales` two tables, records them in _SEMANTIC_TABLES, and reports conflicts per model', async () => {
    const sales = (cols: [string, 'string' | 'int64' | 'double'][]): SemanticModel => ({
      name: 'Sales', description: '', tables: [{ name: 'Sales', isHidden: false, kind: 'data', storageMode: 'import', partitions: [], measures: [], hierarchies: [],
        columns: cols.map(([name, dataType]) => ({ name, dataType, kind: 'data', isHidden: false, isKey: false })) }],
      relationships: [], roles: [], perspectives: [], cultures: [], expressions: [], functions: [], dataSources: 0,
    });
    const dev = sales([['Id', 'int64'], ['Region', 'string']]);
    const prod = sales([['Id', 'string'], ['Amount', 'double']]);
    const step = physicalTablesStep(dialect, ns);
    for (const [id, m] of [['dev-sales', dev], ['prod-sales', prod]] as const) {
      await applyPlan(db, planModelSync(m, null, { ...ctx(id, m), physicalSchema: mirror }, dialect, ns));
      const r = await step(db, m, id, mirror);
      expect(r.notes, id).toEqual([]);
    }
    const devCols = await readExistingColumns(db, mirror, ns, [physicalName('dev-sales', 'Sales')]);
    const prodCols = await readExistingColumns(db, mirror, ns, [physicalName('prod-sales', 'Sales')]);
    expect(devCols.map((c) => [c.column, typeFamily(c.type)])).toEqual([['Id', 'integer'], ['Region', 'text']]);
    expect(prodCols.map((c) => [c.column, typeFamily(c.type)])).toEqual([['Id', 'text'], ['Amount', 'float']]);
    const recorded = (await readModelRows(db, 'prod-sales', ns)).tables[0]!.PHYSICAL_TABLE;
    expect(recorded).toBe([...(ns ? [ns.database] : []), mirror.schema, physicalName('prod-sales', 'Sales')].map(quoteIdent).join('.'));
    // A later change of one model conflicts only in that model's table.
    const devChanged = sales([['Id', 'string'], ['Region', 'string']]);
    const again = await step(db, devChanged, 'dev-sales', mirror);
    expect(again.notes).toEqual([expect.stringMatching(/^physical table Sales: column Id is .*, the model wants VARCHAR; left as it is$/)]);
    expect(typeFamily((await readExistingColumns(db, mirror, ns, [physicalName('prod-sales', 'Sales')]))[0]!.type)).toBe('text');
  });
});
