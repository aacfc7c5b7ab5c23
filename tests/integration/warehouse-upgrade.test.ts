// Schema evolution (issue 12 item 3): tables created and filled by release bc11fdd — replayed from
// a frozen copy of exactly what that release sent (tests/fixtures/warehouse-v1/bc11fdd.json) — are
// upgraded additively by the first run of this release: every v1 row intact, the new column and
// tables present, schema version 2 recorded, the model history backfilled, no MERGE failing on a
// missing column. On DuckDB, on the strict Snowflake stand-in, and on a real account when the live
// suite is on.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalModel } from '../../src/core/schema/canonical.js';
import { fingerprint } from '../../src/core/schema/fingerprint.js';
import { loadModel } from '../../src/core/schema/load.js';
import type { SemanticModel } from '../../src/core/schema/model.js';
import { WarehouseSession } from '../../src/core/publishers/warehouse/session.js';
import type { WarehouseBackend } from '../../src/core/warehouse/backend.js';
import type { Dialect } from '../../src/core/warehouse/dialect.js';
import { openDuckDb } from '../../src/core/warehouse/duckdb.js';
import { listModelVersions } from '../../src/core/publishers/warehouse/history.js';
import { type Namespace, qualified } from '../../src/core/warehouse/names.js';
import type { SyncContext } from '../../src/core/publishers/warehouse/plan.js';
import type { Bind } from '../../src/core/warehouse/statement.js';
import { normaliseRow } from '../../src/core/publishers/warehouse/read.js';
import { example, repoRoot, synthetic } from '../support/paths.js';
import { openTarget, warehouseTargetNames, type WarehouseTarget } from '../support/warehouse-target.js';

interface V1Write { sql: string; binds?: Bind[] | Bind[][] }
interface V1 { ddl: string[]; session: string[]; write: V1Write[] }
const fixture = JSON.parse(readFileSync(path.join(repoRoot, 'tests/fixtures/warehouse-v1/bc11fdd.json'), 'utf8')) as Record<Dialect, V1>;

const V1_TABLES = ['_SEMANTIC_METADATA', '_SEMANTIC_TABLES', '_SEMANTIC_COLUMNS', '_SEMANTIC_MEASURES', '_SEMANTIC_RELATIONSHIPS', '_SEMANTIC_SYNC_LOCK'];

function ctx(id: string, m: SemanticModel, at: string): SyncContext {
  return {
    modelId: id, publishedName: `${m.name}_PushSync`, sourceName: m.name, workspaceId: 'ws-v2', pushDatasetId: `push-${id}`,
    sourceFormat: 'BIM', storageMode: 'import', fingerprint: fingerprint(m), definition: canonicalModel(m), syncedAt: new Date(at), runId: `run-${at}`, toolVersion: '0.2.0',
  };
}

/**
 * One model's rows of each of `tables` (all rows of the version table, which has no model id), each
 * with exactly the columns of `columnsOf` when given (read with SELECT *, normalised, sorted).
 */
async function snapshot(db: WarehouseBackend, ns: Namespace | undefined, tables: readonly string[], modelId: string, columnsOf?: Record<string, string[]>): Promise<Record<string, Record<string, unknown>[]>> {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const t of tables) {
    const where = t === '_SEMANTIC_SCHEMA_VERSION' ? '' : ` WHERE "MODEL_ID" = '${modelId}'`;
    const r = await db.execute(`SELECT * FROM ${qualified(ns, t)}${where}`);
    const rows = r.rows.map(normaliseRow).map((row) => (columnsOf ? Object.fromEntries(columnsOf[t]!.map((c) => [c, row[c]])) : row));
    out[t] = rows.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return out;
}

interface Setup { dialect: Dialect; ns?: Namespace; open(): Promise<WarehouseBackend>; target?: WarehouseTarget; close(): Promise<void> }

async function setup(name: 'duckdb' | 'stand-in' | 'live'): Promise<Setup> {
  if (name === 'duckdb') {
    const db = await openDuckDb({ path: ':memory:' });
    // One connection: DuckDB's in-memory database lives with it (the session never closes it).
    const shared: WarehouseBackend = { dialect: 'duckdb', execute: (s, b) => db.execute(s, b), close: async () => undefined };
    return { dialect: 'duckdb', open: async () => shared, close: () => db.close() };
  }
  const target = await openTarget(name);
  return { dialect: 'snowflake', ns: target.ns, open: () => target.open(), target, close: () => target.close() };
}

describe.each(['duckdb', ...warehouseTargetNames({ announce: true })] as const)('upgrade from release bc11fdd (%s)', (name) => {
  let s: Setup;
  let v1Rows: Record<string, Record<string, unknown>[]>;
  let v1Columns: Record<string, string[]>;
  beforeAll(async () => {
    s = await setup(name);
    const v1 = fixture[s.dialect];
    // Release bc11fdd named nothing in full: it relied on the session's current schema (the login's).
    const old = await s.open();
    for (const sql of [...v1.ddl, ...v1.session]) await old.execute(sql);
    for (const st of v1.write) await old.execute(st.sql, st.binds);
    v1Rows = await snapshot(old, s.ns, V1_TABLES, 'v1-sales');
    v1Columns = Object.fromEntries(Object.entries(v1Rows).map(([t, rows]) => [t, Object.keys(rows[0] ?? {})]));
    if (s.dialect === 'snowflake') await old.close();
  }, 120_000);
  afterAll(async () => s?.close());

  it('the first run upgrades the tables additively; every v1 row is intact and the history is backfilled', async () => {
    expect(v1Rows._SEMANTIC_METADATA).toHaveLength(1);
    expect(v1Rows._SEMANTIC_COLUMNS!.length).toBeGreaterThan(5);
    expect(Object.keys(v1Rows._SEMANTIC_TABLES![0]!)).not.toContain('PHYSICAL_TABLE');

    const run = new WarehouseSession({ dialect: s.dialect, ...(s.ns ? { namespace: s.ns } : {}), maxConnections: 1, open: s.open });
    const other = (await loadModel(synthetic.minimal)).model;
    const result = await run.syncModel(other, null, ctx('v2-abc', other, '2026-12-01T09:00:00.000Z'), { dryRun: false, createTables: false, tablesSchema: 'FABRIC_MODELS' });
    expect(result.notes).toContain('upgraded the warehouse tables from schema version 1 to 3');
    const db = await s.open();
    // Every v1 row, every v1 column, unchanged.
    expect(await snapshot(db, s.ns, V1_TABLES, 'v1-sales', v1Columns)).toEqual(v1Rows);
    // The new column exists (NULL on v1 rows), the version is recorded, the v1 model has its version row.
    const tables = (await db.execute(`SELECT "PHYSICAL_TABLE" AS "P" FROM ${qualified(s.ns, '_SEMANTIC_TABLES')} WHERE "MODEL_ID" = 'v1-sales'`)).rows;
    expect(tables.length).toBe(v1Rows._SEMANTIC_TABLES!.length);
    expect(tables.every((r) => r.P === null)).toBe(true);
    const version = (await db.execute(`SELECT "SCHEMA_VERSION" AS "V", "FROM_VERSION" AS "F", "TOOL_VERSION" AS "T" FROM ${qualified(s.ns, '_SEMANTIC_SCHEMA_VERSION')}`)).rows.map(normaliseRow);
    expect(version).toEqual([{ V: 3, F: 1, T: '0.2.0' }]);
    const history = await listModelVersions(db, 'v1-sales', s.ns);
    expect(history).toEqual([expect.objectContaining({ fingerprint: v1Rows._SEMANTIC_METADATA![0]!.FINGERPRINT, syncedAt: v1Rows._SEMANTIC_METADATA![0]!.LAST_SYNCED_AT, toolVersion: '0.1.0' })]);
    const current = (await db.execute(`SELECT "MODEL_ID" AS "M" FROM ${qualified(s.ns, '_SEMANTIC_CURRENT_MODELS')} ORDER BY 1`)).rows;
    expect(current.map((r) => r.M)).toEqual(['v1-sales', 'v2-abc']);
    if (name === 'stand-in') {
      // Informational keys declared on the v1 tables, RELY; every statement passed the parser, and the
      // only one that failed is the version probe that found no version table (002003).
      const declared = s.target!.standIn!.constraints();
      expect(declared.filter((c) => /ADD CONSTRAINT .*PRIMARY KEY .* RELY$/.test(c))).toHaveLength(5);
      expect(declared.filter((c) => /ADD CONSTRAINT .*FOREIGN KEY .* REFERENCES .* RELY$/.test(c))).toHaveLength(4);
      expect(s.target!.standIn!.statements.filter((x) => x.parseError)).toEqual([]);
      expect(s.target!.standIn!.statements.filter((x) => x.error).map((x) => [x.code, x.sqlText])).toEqual([
        ['002003', 'SELECT MAX("SCHEMA_VERSION") AS "V" FROM "FABRIC_DB"."METADATA"."_SEMANTIC_SCHEMA_VERSION"'],
      ]);
    }

    // The v1 model, changed, written by this release: a second version, rows replaced in place.
    const sales = (await loadModel(example.tmdl)).model;
    const changed = structuredClone(sales);
    changed.description = 'changed by release 2';
    await run.syncModel(changed, null, ctx('v1-sales', changed, '2026-12-02T09:00:00.000Z'), { dryRun: false, createTables: false, tablesSchema: 'FABRIC_MODELS' });
    const after = (await db.execute(`SELECT "SYNC_COUNT" AS "N", "FIRST_SYNCED_AT" AS "F" FROM ${qualified(s.ns, '_SEMANTIC_METADATA')} WHERE "MODEL_ID" = 'v1-sales'`)).rows.map(normaliseRow);
    expect(after).toEqual([{ N: 2, F: v1Rows._SEMANTIC_METADATA![0]!.FIRST_SYNCED_AT }]);
    expect((await listModelVersions(db, 'v1-sales', s.ns)).map((v) => v.fingerprint)).toEqual([v1Rows._SEMANTIC_METADATA![0]!.FINGERPRINT, fingerprint(changed)]);
    await run.close();
    if (s.dialect === 'snowflake') await db.close();
  }, 120_000);
});

// Schema version 2 → 3 (issue 16): tables installed and filled by release 6a43a52 — replayed from a
// frozen copy of exactly what that release sent (tests/fixtures/warehouse-v2/6a43a52.json) — gain
// _SEMANTIC_LINEAGE and the measures' translation columns on the first run of this release; every
// version-2 row is kept, and the run writes the next model's lineage and translations.
interface V2 { install: V1Write[]; session: string[]; write: V1Write[] }
const fixtureV2 = JSON.parse(readFileSync(path.join(repoRoot, 'tests/fixtures/warehouse-v2/6a43a52.json'), 'utf8')) as Record<Dialect, V2>;
const V2_TABLES = [...V1_TABLES, '_SEMANTIC_MODEL_VERSIONS', '_SEMANTIC_SCHEMA_VERSION'];

/** The frozen statements name "FABRIC_DB"."METADATA": the target's own database and schema take their place. */
function inNamespace(sql: string, ns: Namespace | undefined): string {
  if (!ns) return sql;
  const prefix = qualified(ns, 'X').slice(0, -'"X"'.length);
  return sql.split('"FABRIC_DB"."METADATA".').join(prefix);
}

describe.each(['duckdb', ...warehouseTargetNames()] as const)('upgrade from release 6a43a52, schema version 2 (%s)', (name) => {
  let s: Setup;
  afterAll(async () => s?.close());

  it('adds _SEMANTIC_LINEAGE and the translation columns; the version-2 rows stay as they were', async () => {
    s = await setup(name);
    const v2 = fixtureV2[s.dialect];
    const old = await s.open();
    for (const st of [...v2.install, ...v2.session.map((sql): V1Write => ({ sql })), ...v2.write]) await old.execute(inNamespace(st.sql, s.ns), st.binds);
    const before = await snapshot(old, s.ns, V2_TABLES, 'v2-sales');
    const v2Columns = Object.fromEntries(Object.entries(before).map(([t, rows]) => [t, Object.keys(rows[0] ?? {})]));
    if (s.dialect === 'snowflake') await old.close();
    expect(before._SEMANTIC_METADATA).toHaveLength(1);
    expect(before._SEMANTIC_MEASURES!.length).toBeGreaterThan(3);
    expect(before._SEMANTIC_MODEL_VERSIONS).toHaveLength(1);
    expect(before._SEMANTIC_SCHEMA_VERSION).toEqual([expect.objectContaining({ SCHEMA_VERSION: 2, FROM_VERSION: 0 })]);
    expect(Object.keys(before._SEMANTIC_MEASURES![0]!)).not.toContain('SQL_EXPRESSION');

    // The next run: another model, with its semantic-view facts.
    const other = (await loadModel(synthetic.retailBim)).model;
    const measure = other.tables.flatMap((t) => t.measures.map((m) => ({ table: t.name, measure: m.name })))[0]!;
    const semantic = {
      lineage: [{ model: other.name, table: other.tables[0]!.name, column: null, sourceDatabase: 'DW', sourceSchema: 'MART', sourceObject: 'T', sourceObjectKind: 'table', sourceQuery: null, sourceColumn: null, confidence: 'exact', reason: null, filter: null }],
      measures: [{ ...measure, sql: 'SUM(T.X)', grade: 'exact', reason: null }],
    };
    const run = new WarehouseSession({ dialect: s.dialect, ...(s.ns ? { namespace: s.ns } : {}), maxConnections: 1, open: s.open });
    const result = await run.syncModel(other, null, { ...ctx('v3-min', other, '2026-12-02T09:00:00.000Z'), semantic }, { dryRun: false, createTables: false, tablesSchema: 'FABRIC_MODELS' });
    expect(result.notes).toContain('upgraded the warehouse tables from schema version 2 to 3');
    const db = await s.open();
    // Every version-2 row, every version-2 column, unchanged (the version table gains a row of its own).
    const after = await snapshot(db, s.ns, V2_TABLES, 'v2-sales', v2Columns);
    expect({ ...after, _SEMANTIC_SCHEMA_VERSION: after._SEMANTIC_SCHEMA_VERSION!.filter((r) => r.SCHEMA_VERSION === 2) }).toEqual(before);
    const versions = (await db.execute(`SELECT "SCHEMA_VERSION" AS "V", "FROM_VERSION" AS "F" FROM ${qualified(s.ns, '_SEMANTIC_SCHEMA_VERSION')} ORDER BY 1`)).rows.map(normaliseRow);
    expect(versions).toEqual([{ V: 2, F: 0 }, { V: 3, F: 2 }]);
    const measures = qualified(s.ns, '_SEMANTIC_MEASURES');
    const kept = (await db.execute(`SELECT "SQL_EXPRESSION" AS "S", "TRANSLATION_GRADE" AS "G" FROM ${measures} WHERE "MODEL_ID" = 'v2-sales'`)).rows.map(normaliseRow);
    expect(kept.length).toBe(before._SEMANTIC_MEASURES!.length);
    expect(kept.every((r) => r.S === null && r.G === null)).toBe(true);
    const lineage = (await db.execute(`SELECT "MODEL_ID" AS "M", "TABLE_NAME" AS "T", "COLUMN_NAME" AS "C", "SOURCE_OBJECT" AS "O", "CONFIDENCE" AS "K" FROM ${qualified(s.ns, '_SEMANTIC_LINEAGE')}`)).rows.map(normaliseRow);
    expect(lineage).toEqual([{ M: 'v3-min', T: other.tables[0]!.name, C: '', O: 'T', K: 'exact' }]);
    const graded = (await db.execute(`SELECT "SQL_EXPRESSION" AS "S", "TRANSLATION_GRADE" AS "G" FROM ${measures} WHERE "MODEL_ID" = 'v3-min' AND "MEASURE_NAME" = ?`, [measure.measure])).rows.map(normaliseRow);
    expect(graded).toEqual([{ S: 'SUM(T.X)', G: 'exact' }]);
    const current = (await db.execute(`SELECT "MODEL_ID" AS "M" FROM ${qualified(s.ns, '_SEMANTIC_CURRENT_MODELS')} ORDER BY 1`)).rows;
    expect(current.map((r) => r.M)).toEqual(['v2-sales', 'v3-min']);
    if (name === 'stand-in') expect(s.target!.standIn!.statements.filter((x) => x.parseError)).toEqual([]);
    await run.close();
    if (s.dialect === 'snowflake') await db.close();
  }, 120_000);
});
