// Publishing push plans against the local Fabric/Power BI emulator (issue 4 "Must show"):
// create, idempotent second run with zero writes, one changed measure → exactly one PUT, a new
// relationship → recreate (or ConversionError with `fail`), racing publishers → one dataset,
// dry-run → zero writes, and the push definition file equal to the body sent.
// A tiny PushApi adapter over fetch speaks to the emulator (it also records the bodies sent at the
// network boundary); the last test runs the same lifecycle through the real Fabric client.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFabricEmulator, type FabricEmulator } from '../support/fabric-emulator/index.js';
import { modelEntries, synthetic } from '../support/paths.js';
import { loadModel } from '../../src/core/schema/load.js';
import type { SemanticModel } from '../../src/core/schema/model.js';
import { planPushDataset } from '../../src/core/publishers/push/plan.js';
import { publishPushDataset, type PushApi } from '../../src/core/publishers/push/publish.js';
import { pushDefinitionFileName, pushFileKey, writePushDefinition } from '../../src/core/publishers/push/files.js';
import { ApiError, ConversionError } from '../../src/core/errors.js';
import { createFabricClient } from '../../src/core/fabric/index.js';
import { HostPauses } from '../../src/core/http/index.js';
import { realSleep, silentLogger, systemClock } from '../../src/core/context.js';

interface Adapter extends PushApi { sentBodies: { method: string; path: string; text: string }[] }

function pushApi(base: string): Adapter {
  const sentBodies: Adapter['sentBodies'] = [];
  const call = async (method: string, p: string, body?: unknown): Promise<unknown> => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    if (text !== undefined) sentBodies.push({ method, path: p, text });
    const res = await fetch(`${base}${p}`, {
      method,
      headers: { authorization: 'Bearer test-token', ...(text !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(text !== undefined ? { body: text } : {}),
    });
    const out = await res.text();
    if (!res.ok) throw new ApiError(`${method} ${p} failed: ${out}`, { status: res.status, url: p, method });
    return out ? JSON.parse(out) : undefined;
  };
  const g = (ws: string): string => `/v1.0/myorg/groups/${encodeURIComponent(ws)}/datasets`;
  return {
    sentBodies,
    async findDatasetsByName(ws, name) {
      const r = (await call('GET', g(ws))) as { value: { id: string; name: string; createdDate?: string; addRowsAPIEnabled?: boolean }[] };
      return r.value.filter((d) => d.name === name);
    },
    async createPushDataset(ws, body, retention) {
      return (await call('POST', `${g(ws)}${retention ? `?defaultRetentionPolicy=${retention}` : ''}`, body)) as { id: string; name: string };
    },
    async getPushTables(ws, id) {
      return ((await call('GET', `${g(ws)}/${id}/tables`)) as { value: unknown[] }).value;
    },
    async putPushTable(ws, id, name, table) {
      await call('PUT', `${g(ws)}/${id}/tables/${encodeURIComponent(name)}`, table);
    },
    async deleteDataset(ws, id) {
      await call('DELETE', `${g(ws)}/${id}`);
    },
  };
}

let emulator: FabricEmulator;
let api: Adapter;
let source: SemanticModel;
const clone = <T>(x: T): T => structuredClone(x);

beforeAll(async () => {
  emulator = await startFabricEmulator();
  api = pushApi(emulator.url);
  // DirectQuery, dual and import tables with an inactive relationship between two pushed tables.
  source = (await loadModel(synthetic.composite)).model;
});
afterAll(async () => {
  expect(emulator.violations).toEqual([]);
  await emulator.close();
});

describe('publishPushDataset against the emulator', () => {
  test('create → unchanged → one measure → one PUT → new relationship → recreate or fail', async () => {
    const ws = emulator.addWorkspace({ name: 'Lifecycle' });
    const plan1 = planPushDataset(source);
    const first = await publishPushDataset(api, ws, plan1, { onIncompatible: 'recreate' });
    expect(first.action).toBe('created');
    expect(emulator.pushDatasets(ws).map((d) => [d.id, d.name])).toEqual([[first.datasetId, `${source.name}_PushSync`]]);

    emulator.resetStats();
    const second = await publishPushDataset(api, ws, plan1, { onIncompatible: 'recreate', previous: plan1.request });
    expect(second).toMatchObject({ action: 'unchanged', datasetId: first.datasetId, tablesUpdated: [], requests: [] });
    expect(emulator.stats.writes).toBe(0);
    // Without a previous request the live tables alone decide: still unchanged.
    expect((await publishPushDataset(api, ws, plan1, { onIncompatible: 'recreate' })).action).toBe('unchanged');
    expect(emulator.stats.writes).toBe(0);

    // One measure changes → exactly its table is PUT.
    const changed = clone(source);
    const host = changed.tables.find((t) => t.measures.length > 0 && plan1.nameMap[t.name] !== undefined);
    const measure = host?.measures[0];
    if (!host || !measure) throw new Error('the source model has no measure in a pushed table');
    measure.expression = `(${measure.expression}) * 1`;
    const plan2 = planPushDataset(changed);
    emulator.resetStats();
    const third = await publishPushDataset(api, ws, plan2, { onIncompatible: 'recreate', previous: plan1.request });
    expect(third).toMatchObject({ action: 'updated', datasetId: first.datasetId, tablesUpdated: [plan1.nameMap[host.name]] });
    expect(emulator.stats.writes).toBe(1);
    const stored = emulator.pushDatasets(ws)[0]?.tables.find((t) => t.name === plan1.nameMap[host.name]);
    expect(stored.measures.find((m: { name: string }) => m.name === measure.name).expression).toBe(measure.expression);

    // A relationship appears (the inactive one is activated) → incompatible.
    const withRel = clone(changed);
    const inactive = withRel.relationships.find((r) => !r.isActive);
    if (!inactive) throw new Error('the source model has no inactive relationship');
    inactive.isActive = true;
    const plan3 = planPushDataset(withRel);
    expect(plan3.request.relationships?.length).toBe((plan2.request.relationships?.length ?? 0) + 1);
    emulator.resetStats();
    await expect(publishPushDataset(api, ws, plan3, { onIncompatible: 'fail', previous: plan2.request })).rejects.toThrow(ConversionError);
    expect(emulator.stats.writes).toBe(0);
    const fourth = await publishPushDataset(api, ws, plan3, { onIncompatible: 'recreate', previous: plan2.request });
    expect(fourth.action).toBe('recreated');
    expect(fourth.requests.map((r) => r.method)).toEqual(['DELETE', 'POST']);
    expect(emulator.stats.writes).toBe(2);
    const now = emulator.pushDatasets(ws);
    expect(now).toHaveLength(1);
    expect(now[0]?.id).toBe(fourth.datasetId);
    expect(now[0]?.relationships).toHaveLength(plan3.request.relationships?.length ?? 0);

    // A changed table set (a table dropped from the model) is incompatible too.
    const fewer = clone(withRel);
    fewer.tables = fewer.tables.filter((t) => t.name !== withRel.tables.at(-1)?.name);
    fewer.relationships = [];
    const plan4 = planPushDataset(fewer);
    await expect(publishPushDataset(api, ws, plan4, { onIncompatible: 'fail' })).rejects.toThrow(/table set changed/);
  });

  test('publishers racing with Promise.all leave exactly one dataset of the name', async () => {
    const ws = emulator.addWorkspace({ name: 'Race' });
    const plan = planPushDataset(source);
    const results = await Promise.all([1, 2, 3].map(() => publishPushDataset(pushApi(emulator.url), ws, plan, { onIncompatible: 'recreate' })));
    // All three listed before any create landed, so duplicates really were made, then removed.
    const posts = results.flatMap((r) => r.requests).filter((q) => q.method === 'POST').length;
    const deletes = results.flatMap((r) => r.requests).filter((q) => q.method === 'DELETE').length;
    expect(posts).toBeGreaterThanOrEqual(2);
    expect(deletes).toBeGreaterThanOrEqual(posts - 1);
    // A racer that lists after another's create finds it: created or unchanged, never two.
    expect(results.some((r) => r.action === 'created')).toBe(true);
    expect(results.every((r) => r.action === 'created' || r.action === 'unchanged')).toBe(true);
    const left = emulator.pushDatasets(ws);
    expect(left).toHaveLength(1);
    expect(results.map((r) => r.datasetId)).toContain(left[0]?.id);
    // The next run finds it and changes nothing.
    emulator.resetStats();
    expect((await publishPushDataset(api, ws, plan, { onIncompatible: 'recreate', previous: plan.request })).action).toBe('unchanged');
    expect(emulator.stats.writes).toBe(0);
  });

  test('duplicates found on entry are resolved to the earliest one', async () => {
    const ws = emulator.addWorkspace({ name: 'Duplicates' });
    const plan = planPushDataset(source);
    const a = await api.createPushDataset(ws, plan.request);
    await new Promise((r) => setTimeout(r, 5)); // distinct createdDate
    await api.createPushDataset(ws, plan.request);
    expect(emulator.pushDatasets(ws)).toHaveLength(2);
    const result = await publishPushDataset(api, ws, plan, { onIncompatible: 'recreate' });
    expect(result).toMatchObject({ action: 'unchanged', datasetId: a.id });
    expect(result.requests.map((r) => r.method)).toEqual(['DELETE']);
    expect(emulator.pushDatasets(ws).map((d) => d.id)).toEqual([a.id]);
  });

  test('dry-run sends no write, and returns the requests it would send', async () => {
    const ws = emulator.addWorkspace({ name: 'Dry' });
    const plan = planPushDataset(source);
    emulator.resetStats();
    const dry = await publishPushDataset(api, ws, plan, { onIncompatible: 'recreate', dryRun: true });
    expect(dry).toMatchObject({ action: 'created', datasetId: '' });
    expect(dry.requests).toEqual([{ method: 'POST', path: `/v1.0/myorg/groups/${ws}/datasets`, body: plan.request }]);
    expect(emulator.stats.writes).toBe(0);
    expect(emulator.pushDatasets(ws)).toHaveLength(0);

    await publishPushDataset(api, ws, plan, { onIncompatible: 'recreate' });
    const changed = clone(source);
    const t = changed.tables.find((x) => x.measures.length > 0 && plan.nameMap[x.name] !== undefined);
    if (!t?.measures[0]) throw new Error('no measure');
    t.measures[0].expression = '1';
    emulator.resetStats();
    const dry2 = await publishPushDataset(api, ws, planPushDataset(changed), { onIncompatible: 'recreate', dryRun: true, previous: plan.request });
    expect(dry2.action).toBe('updated');
    expect(dry2.requests.map((r) => r.method)).toEqual(['PUT']);
    expect(emulator.stats.writes).toBe(0);
  });

  test('the push definition file is exactly the request body sent', async () => {
    const ws = emulator.addWorkspace({ name: 'File' });
    const dir = await mkdtemp(path.join(tmpdir(), 'push-def-'));
    try {
      const m = clone(source);
      m.name = 'Sales: "Q1/Q2" <draft>?';
      const plan = planPushDataset(m);
      const key = pushFileKey(ws, 'model-id');
      const file = await writePushDefinition(dir, plan, key);
      expect(path.basename(file)).toBe(pushDefinitionFileName(m.name, key));
      expect(path.basename(file)).toMatch(/^Sales_ _Q1_Q2_ _draft__-[0-9a-f]{8}\.[0-9a-f]{12}_push_api\.json$/);
      const adapter = pushApi(emulator.url);
      await publishPushDataset(adapter, ws, plan, { onIncompatible: 'recreate' });
      const post = adapter.sentBodies.find((b) => b.method === 'POST');
      const text = await readFile(file, 'utf8');
      expect(JSON.parse(text)).toEqual(JSON.parse(post?.text ?? 'null'));
      expect(text).toBe(`${JSON.stringify(JSON.parse(post?.text ?? 'null'), null, 2)}\n`);
      expect(emulator.pushDatasets(ws)[0]?.name).toBe('Sales: "Q1/Q2" <draft>?_PushSync');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a non-push dataset carrying the push name is never touched', async () => {
    const ws = emulator.addWorkspace({ name: 'Foreign' });
    emulator.addModel(ws, { name: `${source.name}_PushSync`, path: synthetic.composite });
    emulator.resetStats();
    await expect(publishPushDataset(api, ws, planPushDataset(source), { onIncompatible: 'recreate' })).rejects.toThrow(/not a push dataset/);
    expect(emulator.stats.writes).toBe(0);
  });

  test('every non-empty plan (synthetic models, and the corpus when present) is accepted by the emulator', async () => {
    const ws = emulator.addWorkspace({ name: 'Corpus' });
    for (const e of modelEntries()) {
      // Named after the entry: the BIM and TMDL twins of one model share a name.
      const plan = planPushDataset({ ...(await loadModel(e.dir)).model, name: e.id });
      if (plan.empty) {
        await expect(publishPushDataset(api, ws, plan, { onIncompatible: 'recreate' })).rejects.toThrow(ConversionError);
        continue;
      }
      const r = await publishPushDataset(api, ws, plan, { onIncompatible: 'recreate' });
      expect(r.action, e.id).toBe('created');
      const again = await publishPushDataset(api, ws, plan, { onIncompatible: 'recreate', previous: plan.request });
      expect(again.action, e.id).toBe('unchanged');
    }
  });
});

describe('through the Fabric client (src/core/fabric)', () => {
  test('the client satisfies PushApi: create, unchanged with zero writes, racing publishers converge', async () => {
    const client = (): PushApi =>
      createFabricClient({
        fabricUrl: emulator.url,
        powerbiUrl: emulator.url,
        tokens: { getToken: async () => 'client-token' },
        clock: systemClock,
        sleep: realSleep,
        logger: silentLogger,
        http: { pauses: new HostPauses(), random: () => 0.5 },
      });
    const ws = emulator.addWorkspace({ name: 'Client' });
    const plan = planPushDataset(source);
    const results = await Promise.all([client(), client()].map((c) => publishPushDataset(c, ws, plan, { onIncompatible: 'recreate' })));
    expect(results.some((r) => r.action === 'created')).toBe(true);
    expect(emulator.pushDatasets(ws)).toHaveLength(1);
    emulator.resetStats();
    const again = await publishPushDataset(client(), ws, plan, { onIncompatible: 'recreate', previous: plan.request });
    expect(again.action).toBe('unchanged');
    expect(emulator.stats.writes).toBe(0);
  });
});
