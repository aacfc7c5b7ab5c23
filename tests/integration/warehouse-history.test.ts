// The model's history (issue 12 item 4): _SEMANTIC_MODEL_VERSIONS gets one row per
// (MODEL_ID, FINGERPRINT) the first time that definition is synced — a changed model keeps both
// versions, an unchanged re-run adds nothing — with the definition and conversion report; the
// reader lists the versions and returns two definitions; _SEMANTIC_CURRENT_MODELS leaves out the
// models marked deleted. DuckDB, the strict Snowflake stand-in, and a real account when live.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planPushDataset } from '../../src/core/publishers/push/plan.js';
import { canonicalModel } from '../../src/core/schema/canonical.js';
import { fingerprint } from '../../src/core/schema/fingerprint.js';
import { loadModel } from '../../src/core/schema/load.js';
import type { SemanticModel } from '../../src/core/schema/model.js';
import { WarehouseSession } from '../../src/core/publishers/warehouse/session.js';
import type { WarehouseBackend } from '../../src/core/warehouse/backend.js';
import type { Dialect } from '../../src/core/warehouse/dialect.js';
import { openDuckDb } from '../../src/core/warehouse/duckdb.js';
import { listModelVersions, readTwoVersions } from '../../src/core/publishers/warehouse/history.js';
import { type Namespace, qualified } from '../../src/core/warehouse/names.js';
import type { SyncContext } from '../../src/core/publishers/warehouse/plan.js';
import { example } from '../support/paths.js';
import { openTarget, warehouseTargetNames, type WarehouseTarget } from '../support/warehouse-target.js';

const WRITE = { dryRun: false, createTables: false, tablesSchema: 'FABRIC_MODELS' };

function ctx(id: string, m: SemanticModel, at: string): SyncContext {
  return {
    modelId: id, publishedName: `${m.name}_PushSync`, sourceName: m.name, workspaceId: 'ws', pushDatasetId: `push-${id}`,
    sourceFormat: 'TMDL', storageMode: 'import', fingerprint: fingerprint(m), definition: canonicalModel(m), syncedAt: new Date(at), runId: `run-${at}`, toolVersion: '0.2.0',
  };
}

describe.each(['duckdb', ...warehouseTargetNames()] as const)('model history (%s)', (name) => {
  let dialect: Dialect;
  let ns: Namespace | undefined;
  let open: () => Promise<WarehouseBackend>;
  let target: WarehouseTarget | undefined;
  let duck: WarehouseBackend | undefined;
  beforeAll(async () => {
    if (name === 'duckdb') {
      duck = await openDuckDb({ path: ':memory:' });
      const shared: WarehouseBackend = { dialect: 'duckdb', execute: (s, b) => duck!.execute(s, b), close: async () => undefined };
      dialect = 'duckdb';
      open = async () => shared;
    } else {
      target = await openTarget(name);
      dialect = 'snowflake';
      ns = target.ns;
      open = () => target!.open();
    }
  });
  afterAll(async () => {
    await duck?.close();
    await target?.close();
  });

  it('keeps one row per distinct definition, first time synced; lists them and returns two definitions', async () => {
    const v1 = (await loadModel(example.tmdl)).model;
    const v2 = structuredClone(v1);
    v2.tables[0]!.measures.push({ name: 'Added in v2', expression: 'COUNTROWS(\'x\')', isHidden: false });
    const run = new WarehouseSession({ dialect, ...(ns ? { namespace: ns } : {}), maxConnections: 1, open });
    const report = planPushDataset(v1).report;
    await run.syncModel(v1, report, ctx('hist', v1, '2026-12-01T08:00:00.000Z'), WRITE);
    await run.syncModel(v1, report, ctx('hist', v1, '2026-12-01T09:00:00.000Z'), WRITE); // unchanged: adds nothing
    await run.syncModel(v2, planPushDataset(v2).report, ctx('hist', v2, '2026-12-02T08:00:00.000Z'), WRITE);
    await run.syncModel(v1, report, ctx('hist', v1, '2026-12-03T08:00:00.000Z'), WRITE); // back to v1: already recorded
    const db = await open();
    const versions = await listModelVersions(db, 'hist', ns);
    expect(versions.map((v) => [v.fingerprint, v.syncedAt])).toEqual([
      [fingerprint(v1), '2026-12-01T08:00:00.000Z'],
      [fingerprint(v2), '2026-12-02T08:00:00.000Z'],
    ]);
    expect(versions[0]).toMatchObject({ modelName: `${v1.name}_PushSync`, sourceModelName: v1.name, sourceFormat: 'TMDL', toolVersion: '0.2.0', runId: 'run-2026-12-01T08:00:00.000Z' });
    const pair = await readTwoVersions(db, 'hist', {}, ns);
    expect(pair.from.fingerprint).toBe(fingerprint(v1));
    expect(pair.to.fingerprint).toBe(fingerprint(v2));
    expect(pair.from.definition).toEqual(JSON.parse(JSON.stringify(canonicalModel(v1))));
    expect(pair.to.definition).toEqual(JSON.parse(JSON.stringify(canonicalModel(v2))));
    expect(pair.from.conversionReport).toEqual(JSON.parse(JSON.stringify(report)));
    // By fingerprint prefix, in either order.
    const again = await readTwoVersions(db, 'hist', { from: fingerprint(v2).slice(0, 10), to: fingerprint(v1) }, ns);
    expect([again.from.fingerprint, again.to.fingerprint]).toEqual([fingerprint(v2), fingerprint(v1)]);
    await expect(readTwoVersions(db, 'hist', { from: 'ffffffffff' }, ns)).rejects.toThrow(/no version matching ffffffffff/);
    console.log(`model versions (${name}): 4 syncs of 2 definitions → ${versions.length} version rows`);

    // The current-models view leaves out a model marked deleted; its history stays.
    await run.markDeleted('hist', new Date('2026-12-04T00:00:00.000Z'));
    const current = await db.execute(`SELECT "MODEL_ID" AS "M" FROM ${qualified(ns, '_SEMANTIC_CURRENT_MODELS')} WHERE "MODEL_ID" = 'hist'`);
    expect(current.rows).toEqual([]);
    expect(await listModelVersions(db, 'hist', ns)).toHaveLength(2);
    if (name === 'stand-in') {
      // Informational keys declared with the tables (Snowflake records them, enforces none).
      const declared = target!.standIn!.constraints().join('\n');
      expect(declared).toMatch(/CONSTRAINT "PK_SEMANTIC_MODEL_VERSIONS" PRIMARY KEY \( "MODEL_ID" , "FINGERPRINT" \) RELY/);
      expect(declared).toMatch(/CONSTRAINT "FK_SEMANTIC_MODEL_VERSIONS_MODEL" FOREIGN KEY/);
    }
    await run.close();
    if (dialect === 'snowflake') await db.close();
  }, 120_000);
});
