// The Fabric / Power BI client against the local emulator (issue 3 "Must show"): paging across
// several pages, LRO with several Running polls, LRO Failed → typed error, a 429 burst → one pause
// for the host with zero requests during it, a 3600 s Retry-After past the budget → "until HH:MM",
// 5xx give-up with the request id, a timeout, a malformed body — and every emulator answer checked
// against the project's API contracts (emulator.violations).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFabricClient, ENDPOINTS, endpointPath, type FabricClient, type FabricClientOptions } from '../../src/core/fabric/index.js';
import { HostPauses, formatUtcTime } from '../../src/core/http/index.js';
import { ApiError, ThrottledError } from '../../src/core/errors.js';
import { realSleep, silentLogger, systemClock, type Logger } from '../../src/core/context.js';
import type { FabricSourceApi } from '../../src/core/sources/fabric/index.js';
import type { PushApi } from '../../src/core/publishers/push/publish.js';
import { startFabricEmulator, type EmulatorOptions, type FabricEmulator } from '../support/fabric-emulator/index.js';
import { findOperation } from '../support/contracts/index.js';
import { example, specsDir } from '../support/paths.js';
import { describeSpecs } from '../support/tiers.js';

const TOKEN = 'emulator-token-1';
const BIM_MODEL = example.bim;
const TMDL_MODEL = example.tmdl;

function fakeTime(start = Date.UTC(2026, 10, 26, 21, 0, 0)) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleeps,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      const target = t + ms;
      await new Promise((r) => setImmediate(r));
      t = Math.max(t, target);
    },
  };
}

const emulators: FabricEmulator[] = [];
afterEach(async () => {
  for (const e of emulators) expect(e.violations).toEqual([]);
  await Promise.all(emulators.splice(0).map((e) => e.close()));
});

async function emulator(options: EmulatorOptions = {}): Promise<FabricEmulator> {
  const e = await startFabricEmulator({ acceptTokens: [TOKEN], ...options });
  emulators.push(e);
  return e;
}

function client(emu: FabricEmulator, over: Partial<FabricClientOptions> & { time?: ReturnType<typeof fakeTime> } = {}): FabricClient {
  const { time, ...rest } = over;
  return createFabricClient({
    fabricUrl: emu.url,
    powerbiUrl: emu.url,
    tokens: { getToken: async () => TOKEN },
    clock: time ? { now: time.now } : systemClock,
    sleep: time ? time.sleep : realSleep,
    logger: silentLogger,
    http: { pauses: new HostPauses(), random: () => 0.5 },
    ...rest,
  });
}

async function failure(p: Promise<unknown>): Promise<ApiError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(ApiError);
  expect((e as ApiError).message).not.toContain(TOKEN);
  return e as ApiError;
}

describe('endpoint table', () => {
  it.each(Object.entries(ENDPOINTS))('%s has a contract the emulator answers by', (_name, e) => {
    expect(findOperation(e.method, e.path)).toBeDefined();
  });
  it('encodes every path parameter', () => {
    expect(endpointPath('putTable', { workspaceId: 'w', datasetId: 'd', tableName: 'Sales #1/2 ü' })).toBe('/v1.0/myorg/groups/w/datasets/d/tables/Sales%20%231%2F2%20%C3%BC');
    expect(() => endpointPath('getTables', { workspaceId: 'w' })).toThrow(/datasetId/);
  });
});

describeSpecs('endpoint table against the official specification', () => {
  // Every row names a path and method Microsoft's Swagger declares (docs/fabric-rest.md).
  const read = (rel: string) => JSON.parse(readFileSync(path.join(specsDir, rel), 'utf8'));
  const shape = (p: string) => p.replace(/\{[^}]+\}/g, '{}');
  it.each(Object.entries(ENDPOINTS))('%s is declared by the official spec', (_name, e) => {
    const specs = {
      powerbi: [{ base: '', doc: read('powerbi/swagger.json') }],
      fabric: ['semanticModel', 'platform'].map((f) => ({ base: '/v1', doc: read(`fabric/${f}/swagger.json`) })),
    };
    const found = specs[e.api].some(({ base, doc }) =>
      Object.entries(doc.paths as Record<string, Record<string, unknown>>).some(([p, ops]) => shape(base + p) === shape(e.path) && e.method.toLowerCase() in ops));
    expect(found).toBe(true);
  });
});

describe('listing', () => {
  it('satisfies the interfaces the runners and the push publisher are written against', async () => {
    const emu = await emulator();
    const api: FabricSourceApi & PushApi = client(emu);
    expect(typeof api.listModels).toBe('function');
  });

  it('lists workspaces, and lists models in one Power BI request', async () => {
    const time = fakeTime();
    const emu = await emulator({ now: time.now });
    const ws = emu.addWorkspace({ name: 'Sales' });
    emu.addWorkspace({ name: 'Finance' });
    const ids = Array.from({ length: 6 }, (_, i) => emu.addModel(ws, { name: `Model ${i}`, path: i % 2 ? TMDL_MODEL : BIM_MODEL }));
    const c = client(emu, { time });
    const pushed = await c.createPushDataset(ws, { name: 'Model 0_PushSync', defaultMode: 'Push', tables: [{ name: 'T', columns: [{ name: 'a', dataType: 'Int64' }] }] });

    const workspaces = await c.listWorkspaces();
    expect(workspaces.map((w) => w.name).sort()).toEqual(['Finance', 'Sales']);

    emu.resetStats();
    const models = await c.listModels(ws);
    expect(emu.stats.requests).toBe(1); // one list request per workspace
    expect(models.map((m) => m.id).sort()).toEqual([...ids, pushed.id].sort());
    const push = models.find((m) => m.id === pushed.id)!;
    expect(push).toMatchObject({ name: 'Model 0_PushSync', workspaceId: ws, isPushDataset: true });
    const plain = models.find((m) => m.id === ids[0])!;
    expect(plain).toMatchObject({ name: 'Model 0', isPushDataset: false });
    expect(plain.createdDate).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});

describe('getDefinition and the long-running-operation protocol', () => {
  it('polls through 3 Running states, then decodes the TMSL parts', async () => {
    const time = fakeTime();
    const emu = await emulator({ lroPolls: 3, lroRetryAfter: 2, now: time.now });
    const ws = emu.addWorkspace({ name: 'W' });
    const id = emu.addModel(ws, { name: 'AW', path: BIM_MODEL });
    const def = await client(emu, { time }).getDefinition(ws, id);
    expect(def.format).toBe('TMSL');
    const bim = def.parts.find((p) => p.path === 'model.bim')!;
    expect(JSON.parse(bim.text).model.tables.length).toBeGreaterThan(0);
    expect(emu.stats.byRoute['GET /v1/operations/{operationId}']).toBe(4);
    expect(emu.stats.byRoute['GET /v1/operations/{operationId}/result']).toBe(1);
    expect(time.sleeps).toEqual([2000, 2000, 2000, 2000]);
  });

  it('reads a TMDL model as text parts', async () => {
    const emu = await emulator();
    const ws = emu.addWorkspace({ name: 'W' });
    const id = emu.addModel(ws, { name: 'R', path: TMDL_MODEL });
    const def = await client(emu).getDefinition(ws, id, 'TMDL');
    expect(def.format).toBe('TMDL');
    expect(def.parts.some((p) => p.path.startsWith('definition/tables/') && p.text.includes('table '))).toBe(true);
  });

  it('a Failed operation becomes an ApiError with the operation error code', async () => {
    const time = fakeTime();
    const emu = await emulator({ lroPolls: 2, now: time.now });
    const ws = emu.addWorkspace({ name: 'W' });
    const id = emu.addModel(ws, { name: 'AW', path: BIM_MODEL });
    emu.fault({ path: 'getDefinition', kind: 'lroFailed', times: 1 });
    const e = await failure(client(emu, { time }).getDefinition(ws, id));
    expect(e.errorCode).toBe('OperationNotSupportedForItem');
    expect(e.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(e.message).toMatch(/ended OperationNotSupportedForItem/);
  });
});

describe('push datasets, queries, refreshes, scanner', () => {
  it('creates, finds, reads, updates and deletes a push dataset', async () => {
    const emu = await emulator();
    const ws = emu.addWorkspace({ name: 'W' });
    const c = client(emu);
    const body = { name: 'Sales_PushSync', defaultMode: 'Push', tables: [{ name: 'Sales Fact', columns: [{ name: 'Amount', dataType: 'Double' }] }] };
    const created = await c.createPushDataset(ws, body, 'None');
    expect(created.name).toBe('Sales_PushSync');
    expect((await c.findDatasetsByName(ws, 'Sales_PushSync')).map((d) => d.id)).toEqual([created.id]);
    expect(await c.findDatasetsByName(ws, 'sales_pushsync')).toEqual([]);
    await c.putPushTable(ws, created.id, 'Sales Fact', { name: 'Sales Fact', columns: [{ name: 'Amount', dataType: 'Double' }, { name: 'Qty', dataType: 'Int64' }] });
    const tables = (await c.getPushTables(ws, created.id)) as Array<{ name: string; columns: unknown[] }>;
    expect(tables[0]!.columns).toHaveLength(2);
    await c.deleteDataset(ws, created.id);
    expect(emu.pushDatasets(ws)).toEqual([]);
  });

  it('asks the admin API which workspaces were modified', async () => {
    const time = fakeTime();
    const emu = await emulator({ now: time.now });
    const ws = emu.addWorkspace({ name: 'W' });
    emu.addModel(ws, { name: 'AW', path: BIM_MODEL });
    const c = client(emu, { time });
    expect(await c.getModifiedWorkspaces(new Date(time.now() - 3600_000))).toEqual([ws]);
  });
});

describe('throttling and failures', () => {
  it('a 429 Retry-After: 2 on a burst of 10 concurrent requests gives one pause for the host, no request during it', async () => {
    // Real clock here: the emulator measures the pause on its own clock. latencyMs lets the whole
    // burst arrive before the first answer, as on a busy real host.
    const emu = await emulator({ latencyMs: 250 });
    emu.addWorkspace({ name: 'W' });
    emu.fault({ method: 'GET', path: '/v1.0/myorg/groups', kind: '429', retryAfter: 2, times: 10 });
    let wave2: Promise<unknown>[] = [];
    const logger: Logger = {
      ...silentLogger,
      debug(message) {
        // As soon as the host is known to be throttled, more callers arrive: they must wait too.
        if (/throttled for/.test(message) && wave2.length === 0) wave2 = Array.from({ length: 5 }, () => c.listWorkspaces());
      },
    };
    const c = client(emu, { logger });
    const started = Date.now();
    const burst = await Promise.all(Array.from({ length: 10 }, () => c.listWorkspaces()));
    const late = await Promise.all(wave2);
    const elapsed = Date.now() - started;
    expect(burst.every((r) => r.length === 1)).toBe(true);
    expect(late).toHaveLength(5);
    expect(emu.stats.requestsDuringPause).toBe(0);
    expect(emu.stats.requests).toBe(25); // 10 throttled + 10 retried + 5 late callers, once each
    expect(elapsed).toBeGreaterThanOrEqual(2000);
    expect(elapsed).toBeLessThan(3900); // one pause, not one per request
  });

  it('a 3600 s Retry-After past the budget fails at once: ThrottledError "until HH:MM"', async () => {
    const emu = await emulator();
    const ws = emu.addWorkspace({ name: 'W' });
    emu.fault({ path: '/datasets', kind: '429', retryAfter: 3600, times: 1 });
    const started = Date.now();
    const e = await failure(client(emu, { budgetMs: 15 * 60_000 }).listModels(ws));
    expect(e).toBeInstanceOf(ThrottledError);
    const until = (e as ThrottledError).until;
    expect(Math.abs(until - (started + 3600_000))).toBeLessThan(5000);
    expect(e.message).toContain(`until ${formatUtcTime(until)} (Retry-After 3600 s)`);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('the scanner quota (30 modified-workspaces calls per hour) ends in ThrottledError rather than an hour-long wait', async () => {
    const time = fakeTime();
    const emu = await emulator({ now: time.now });
    emu.addWorkspace({ name: 'W' });
    const c = client(emu, { time, budgetMs: 10 * 60_000 });
    for (let i = 0; i < 30; i++) await c.getModifiedWorkspaces(new Date(time.now() - 3600_000));
    const e = await failure(c.getModifiedWorkspaces(new Date(time.now() - 3600_000)));
    expect(e).toBeInstanceOf(ThrottledError);
    expect(e.message).toMatch(/until \d\d:\d\d UTC \(Retry-After \d+ s\)/);
    expect(time.sleeps).toEqual([]);
    // Only the scanner call is paused: listing and publishing go on; the scanner fails fast.
    const before = emu.stats.requests;
    expect(await c.listWorkspaces()).toHaveLength(1);
    await expect(c.getModifiedWorkspaces(new Date(time.now() - 3600_000))).rejects.toBeInstanceOf(ThrottledError);
    expect(emu.stats.requests).toBe(before + 1);
  });

  it('retries 503s, then gives up naming the request id', async () => {
    const time = fakeTime();
    const emu = await emulator({ now: time.now });
    const ws = emu.addWorkspace({ name: 'W' });
    emu.fault({ path: '/datasets', kind: '503' });
    const e = await failure(client(emu, { time, maxRetries: 3 }).listModels(ws));
    expect(e.status).toBe(503);
    expect(e.errorCode).toBe('ServiceUnavailable');
    expect(e.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(e.message).toContain(`request id ${e.requestId}`);
    expect(e.message).toMatch(/after 4 attempts/);
    expect(emu.stats.byRoute['GET /v1.0/myorg/groups/{groupId}/datasets']).toBe(4);
  });

  it('recovers from a dropped connection and a truncated body', async () => {
    const emu = await emulator();
    emu.addWorkspace({ name: 'W' });
    emu.fault({ path: '/v1.0/myorg/groups', kind: 'reset', times: 1 });
    emu.fault({ path: '/v1.0/myorg/groups', kind: 'truncated', times: 1 });
    expect(await client(emu, { http: { pauses: new HostPauses(), backoff: { baseMs: 10, maxMs: 50 } } }).listWorkspaces()).toHaveLength(1);
    expect(emu.stats.requests).toBe(3);
  });

  it('times out a request that never answers', async () => {
    const emu = await emulator();
    emu.addWorkspace({ name: 'W' });
    emu.fault({ path: '/v1.0/myorg/groups', kind: 'hang' });
    const e = await failure(client(emu, { timeoutMs: 200, maxRetries: 1, http: { pauses: new HostPauses(), backoff: { baseMs: 10, maxMs: 50 } } }).listWorkspaces());
    expect(e.message).toMatch(/timed out/);
    expect(e.status).toBe(0);
  });

  it('a malformed JSON body is retried once like a network error, then an ApiError "invalid JSON from …"', async () => {
    const emu = await emulator();
    emu.addWorkspace({ name: 'W' });
    const fast = { maxRetries: 1, http: { pauses: new HostPauses(), backoff: { baseMs: 10, maxMs: 50 } } };
    emu.fault({ path: '/v1.0/myorg/groups', kind: 'malformed', times: 1 });
    expect(await client(emu, fast).listWorkspaces()).toHaveLength(1);
    emu.clearFaults();
    emu.fault({ path: '/v1.0/myorg/groups', kind: 'malformed' });
    const e = await failure(client(emu, fast).listWorkspaces());
    expect(e.message).toMatch(/invalid JSON from GET http:\/\/127\.0\.0\.1:\d+\/v1\.0\/myorg\/groups/);
    expect(e.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a refused token is a 401 ApiError with exit code 3 and a tenant-setting hint', async () => {
    const emu = await emulator();
    emu.addWorkspace({ name: 'W' });
    const c = createFabricClient({
      fabricUrl: emu.url, powerbiUrl: emu.url, tokens: { getToken: async () => 'not-accepted' },
      clock: systemClock, sleep: realSleep, logger: silentLogger, http: { pauses: new HostPauses() },
    });
    const e = await failure(c.listWorkspaces());
    expect(e.status).toBe(401);
    expect(e.exitCode).toBe(3);
    expect(e.hint).toMatch(/Service principals can call Fabric public APIs/);
    expect(e.message).not.toContain('not-accepted');
  });

  it('a workspace the principal is not a member of is a 403 with a role hint', async () => {
    const emu = await emulator();
    const ws = emu.addWorkspace({ name: 'Private', members: ['someone-else'] });
    const e = await failure(client(emu).listModels(ws));
    expect(e.status).toBe(403);
    expect(e.exitCode).toBe(3);
    expect(e.hint).toMatch(/Contributor or higher/);
  });
});
