// The monitor loop with a fake clock and an in-memory Fabric-like world (issue 6 item 3). The state
// store is the real one on a temp file, so "saved after each model" is checked on disk. Real-server
// end-to-end runs live in tests/e2e.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { realSleep, type Logger, type Sleep } from '../../src/core/context.js';
import { isOutOfSpace, StorageError, WarehouseError } from '../../src/core/errors.js';
import { openStateStore, type StateStore } from '../../src/core/state/store.js';
import { runMonitor, type MonitorDeps, type MonitorEvent, type MonitorOptions } from '../../src/core/sync/monitor.js';
import type { ModelListing, SyncOutcome, SyncReason } from '../../src/core/sources/listing.js';

const T0 = Date.parse('2026-11-26T12:00:00Z');
const INTERVAL = 60_000;
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Fabric + publisher in memory: counts list calls, definition fetches and publish writes. */
class World {
  models = new Map<string, { listing: ModelListing; definition: string }>();
  published = new Map<string, string>();
  poison = new Set<string>();
  failingWorkspaces = new Set<string>();
  workspaces: string[] = ['ws1'];
  listCalls = 0;
  fetches = 0;
  writes = 0;
  attempts: { id: string; cycle: number; reason: SyncReason }[] = [];
  deletedCalls: { id: string; prune: boolean }[] = [];
  cycle = 0;
  listFails = 0;

  add(id: string, name: string, workspaceId = 'ws1', definition = `${name}:v1`) {
    this.models.set(id, { listing: { id, name, workspaceId, isPushDataset: false }, definition });
  }
  fingerprint(id: string) {
    return `sha256:${createHash('sha256').update(this.models.get(id)!.definition).digest('hex')}`;
  }
  async list() {
    if (this.listFails > 0) {
      this.listFails -= 1;
      throw new Error('connect ECONNREFUSED 127.0.0.1:1');
    }
    this.listCalls += this.workspaces.length; // one list request per workspace
    const ok = this.workspaces.filter((w) => !this.failingWorkspaces.has(w));
    return {
      listings: [...this.models.values()].filter((m) => ok.includes(m.listing.workspaceId)).map((m) => m.listing),
      listedWorkspaces: ok,
      failedWorkspaces: [...this.failingWorkspaces].map((id) => ({ id, error: '429 Too Many Requests' })),
    };
  }
  async sync(listing: ModelListing, reason: SyncReason): Promise<SyncOutcome> {
    this.attempts.push({ id: listing.id, cycle: this.cycle, reason });
    this.fetches += 1;
    if (this.poison.has(listing.id)) throw new Error(`getDefinition failed for ${listing.name}: 500 InternalServerError`);
    const fingerprint = this.fingerprint(listing.id);
    const pushName = `${listing.name}_PushSync`;
    if (this.published.get(listing.id) === fingerprint) return { status: 'unchanged', fingerprint };
    this.writes += 1;
    this.published.set(listing.id, fingerprint);
    return { status: 'synced', fingerprint, pushDatasetId: `push-${listing.id}`, pushName, publishedName: pushName };
  }
}

let dir: string;
let store: StateStore;
let world: World;
let events: MonitorEvent[];
const clock = { t: T0, now() { return this.t; } };
/** Between cycles: advance the fake clock, run the test's hook for that cycle. */
let between: (cycleJustEnded: number) => void;
/** The monitor's own signal of the running test (interval sleeps get it; the shutdown grace gets its own). */
let monitorSignal: AbortSignal | undefined;
/** Signals handed to shutdown-grace sleeps, to check the grace timer is cancelled when the pool ends. */
let graceSignals: AbortSignal[] = [];
/** Interval sleeps are instant on the fake clock; the shutdown grace is a real (short) wait. */
const sleep: Sleep = async (ms, signal) => {
  if (signal !== monitorSignal) {
    if (signal) graceSignals.push(signal);
    return realSleep(ms, signal);
  }
  if (signal?.aborted) throw signal.reason;
  clock.t += ms;
  between(world.cycle);
};

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'fs-monitor-'));
  clock.t = T0;
  world = new World();
  events = [];
  between = () => {};
  graceSignals = [];
  store = await openStateStore(path.join(dir, 'sync_state.json'), { clock, lock: true, logger: silent });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function deps(over: Partial<MonitorDeps> = {}): MonitorDeps {
  return {
    store,
    list: () => world.list(),
    sync: (l, r) => world.sync(l, r),
    markDeleted: async (e, o) => void world.deletedCalls.push({ id: e.id, prune: o.prune }),
    clock,
    sleep,
    logger: silent,
    onEvent: (e) => {
      events.push(e);
      if (e.type === 'cycle-start') world.cycle = e.cycle;
    },
    ...over,
  };
}
function options(over: Partial<MonitorOptions> = {}): MonitorOptions {
  const o: MonitorOptions = { intervalMs: INTERVAL, once: false, concurrency: 4, budget: 20, minRecheckAgeMs: 0, suffix: '_PushSync', signal: new AbortController().signal, ...over };
  monitorSignal = o.signal;
  return o;
}
const ofType = <K extends MonitorEvent['type']>(type: K) => events.filter((e): e is Extract<MonitorEvent, { type: K }> => e.type === type);
const onDisk = () => JSON.parse(readFileSync(path.join(dir, 'sync_state.json'), 'utf8'));

describe('runMonitor', () => {
  it('a new model is synced within one cycle (--once), with its events and state', async () => {
    world.add('ds-1', 'Sales Analytics');
    const totals = await runMonitor(deps(), options({ once: true }));
    expect(totals).toEqual({ cycles: 1, new: 1, changed: 0, synced: 1, failed: 0, deleted: 0, listFailures: 0, interrupted: false });
    expect(events.map((e) => e.type)).toEqual(['cycle-start', 'detected', 'model-new', 'model-synced', 'cycle-end']);
    expect(ofType('model-synced')[0]).toMatchObject({ id: 'ds-1', name: 'Sales Analytics', workspaceId: 'ws1', reason: 'new', publishedName: 'Sales Analytics_PushSync', pushDatasetId: 'push-ds-1', syncCount: 1, cycle: 1, at: '2026-11-26T12:00:00.000Z' });
    expect(ofType('cycle-end')[0]).toMatchObject({ counts: { listed: 1, new: 1, synced: 1, failed: 0 }, workspaces: { listed: 1, failed: 0 } });
    expect(onDisk().synced_models['ds-1']).toMatchObject({ name: 'Sales Analytics_PushSync', source_name: 'Sales Analytics', sync_count: 1, push_dataset_id: 'push-ds-1', workspace_id: 'ws1', fingerprint: world.fingerprint('ds-1') });
    expect(onDisk().last_check).toBe('2026-11-26T12:00:00.000Z');
    for (const e of events) expect(JSON.parse(JSON.stringify(e))).toEqual(e); // NDJSON-ready
  });

  it('a changed model is re-synced (sync_count 2); unchanged re-checks write nothing', async () => {
    world.add('ds-1', 'Sales Analytics');
    between = (cycle) => {
      if (cycle === 1) world.models.get('ds-1')!.definition = 'Sales Analytics:v2 (measure changed)';
    };
    const totals = await runMonitor(deps(), options({ maxCycles: 4 }));
    expect(totals).toMatchObject({ cycles: 4, new: 1, changed: 1, synced: 2, failed: 0 });
    expect(world.writes).toBe(2);
    const changed = ofType('model-changed');
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({ cycle: 2, id: 'ds-1', fingerprint: world.fingerprint('ds-1') });
    expect(changed[0]!.previousFingerprint).not.toBe(changed[0]!.fingerprint);
    expect(ofType('model-synced').map((e) => [e.cycle, e.reason, e.syncCount])).toEqual([[1, 'new', 1], [2, 'changed', 2]]);
    expect(onDisk().synced_models['ds-1'].sync_count).toBe(2);
    // Cycles 3 and 4 re-checked the model (it costs a fetch) but changed nothing and said nothing.
    expect(events.filter((e) => e.cycle >= 3).map((e) => e.type)).toEqual(['cycle-start', 'detected', 'cycle-end', 'cycle-start', 'detected', 'cycle-end']);
    expect(onDisk().synced_models['ds-1'].last_checked_at).toBe(new Date(T0 + 3 * INTERVAL).toISOString());
  });

  it('quiet cycles over 1,000 models in 10 workspaces: 0 writes, 10 list calls and at most `budget` fetches per cycle', async () => {
    world.workspaces = Array.from({ length: 10 }, (_, i) => `ws${i}`);
    for (let i = 0; i < 1000; i++) {
      const id = `m${i}`;
      world.add(id, `Model ${i}`, `ws${i % 10}`);
      world.published.set(id, world.fingerprint(id));
      store.recordSync(id, { name: `Model ${i}_PushSync`, sourceName: `Model ${i}`, fingerprint: world.fingerprint(id), workspaceId: `ws${i % 10}`, at: T0 - 3_600_000 + i });
    }
    await store.save();
    const perCycle: { lists: number; fetches: number; writes: number }[] = [];
    let last = { lists: 0, fetches: 0, writes: 0 };
    const onEvent = (e: MonitorEvent) => {
      events.push(e);
      if (e.type !== 'cycle-end') return;
      const now = { lists: world.listCalls, fetches: world.fetches, writes: world.writes };
      perCycle.push({ lists: now.lists - last.lists, fetches: now.fetches - last.fetches, writes: now.writes - last.writes });
      last = now;
    };
    const totals = await runMonitor(deps({ onEvent }), options({ maxCycles: 5, budget: 20 }));
    expect(totals).toMatchObject({ cycles: 5, new: 0, changed: 0, synced: 0, failed: 0, deleted: 0 });
    expect(perCycle).toEqual(Array.from({ length: 5 }, () => ({ lists: 10, fetches: 20, writes: 0 })));
    // Oldest check first: five cycles re-checked 100 distinct models.
    expect(new Set(world.attempts.map((a) => a.id)).size).toBe(100);
    expect(events.filter((e) => e.type.startsWith('model-'))).toEqual([]);
    expect(ofType('cycle-end')[0]!.counts).toMatchObject({ listed: 1000, checked: 20, unchanged: 980, synced: 0 });
  });

  it('a poison model backs off exponentially (1, 2, 4, 8 intervals) while the others sync', async () => {
    world.add('good', 'Good');
    world.add('bad', 'Bad');
    world.poison.add('bad');
    between = (cycle) => {
      if (cycle === 2) world.add('late', 'Late Arrival');
    };
    const totals = await runMonitor(deps(), options({ maxCycles: 16, minRecheckAgeMs: 10 * INTERVAL }));
    expect(world.attempts.filter((a) => a.id === 'bad').map((a) => a.cycle)).toEqual([1, 2, 4, 8, 16]);
    // Synced in the cycle it appeared; re-checked (unchanged) once its check is 10 intervals old.
    expect(world.attempts.filter((a) => a.id === 'late')).toEqual([{ id: 'late', cycle: 3, reason: 'new' }, { id: 'late', cycle: 13, reason: 'recheck' }]);
    expect(totals).toMatchObject({ cycles: 16, synced: 2, failed: 5, interrupted: false });
    const failed = ofType('model-failed');
    expect(failed.map((e) => [e.failures, e.nextRetryAt])).toEqual([
      [1, new Date(T0 + 1 * INTERVAL).toISOString()],
      [2, new Date(T0 + 3 * INTERVAL).toISOString()],
      [3, new Date(T0 + 7 * INTERVAL).toISOString()],
      [4, new Date(T0 + 15 * INTERVAL).toISOString()],
      [5, new Date(T0 + 31 * INTERVAL).toISOString()],
    ]);
    expect(failed[0]).toMatchObject({ id: 'bad', name: 'Bad', phase: 'sync', error: 'getDefinition failed for Bad: 500 InternalServerError' });
    expect(onDisk().synced_models.bad).toMatchObject({ failures: 5, sync_count: 0, fingerprint: null, last_error: 'getDefinition failed for Bad: 500 InternalServerError' });

    // Fixed: the next due attempt syncs it and clears the failures.
    world.poison.delete('bad');
    clock.t = T0 + 31 * INTERVAL;
    const again = await runMonitor(deps(), options({ once: true }));
    expect(again).toMatchObject({ synced: 1, failed: 0 });
    expect(onDisk().synced_models.bad).toMatchObject({ failures: 0, sync_count: 1, last_error: null, next_retry_at: null });
  });

  it('backoff counts from the cycle start: a model that fails half an interval into its cycle is retried on the very next cycle', async () => {
    world.add('bad', 'Bad');
    world.poison.add('bad');
    // The model takes half an interval to fail, so its failure comes well after its cycle began.
    const slow = deps({
      sync: async (l, r) => {
        clock.t += INTERVAL / 2;
        return world.sync(l, r);
      },
    });
    await runMonitor(slow, options({ maxCycles: 8 }));
    expect(world.attempts.filter((a) => a.id === 'bad').map((a) => a.cycle)).toEqual([1, 2, 4, 8]);
  });

  it('a model that failed because the disk was full gets no backoff: the run right after space is freed redoes it', async () => {
    world.add('full', 'Full Disk');
    world.add('bad', 'Bad');
    world.poison.add('bad');
    const sync = world.sync.bind(world);
    let diskFull = true;
    const failing = deps({
      sync: async (l, r) => {
        if (diskFull && l.id === 'full') {
          const cause = new StorageError('Could not write the push definition x.json: no space is left on the device (ENOSPC); the previous file is unchanged.', { code: 'ENOSPC', path: 'x.json' });
          throw new WarehouseError('Could not merge the model row: IO Error: Could not write file "m.duckdb.wal": No space left on device', {}, { cause });
        }
        return sync(l, r);
      },
    });
    await runMonitor(failing, options({ once: true }));
    const failed = ofType('model-failed');
    expect(failed.map((e) => [e.id, e.failures])).toEqual(expect.arrayContaining([['full', 1], ['bad', 1]]));
    const at = (id: string) => Date.parse(failed.find((e) => e.id === id)!.nextRetryAt!);
    expect(at('full')).toBe(T0);
    expect(at('bad')).toBe(T0 + INTERVAL);
    // Space is freed; the run a second later redoes the full-disk model, the other one waits its turn.
    diskFull = false;
    world.poison.delete('bad');
    clock.t = T0 + 1000;
    events = [];
    const again = await runMonitor(deps(), options({ once: true }));
    expect(again).toMatchObject({ synced: 1, failed: 0 });
    expect(ofType('model-synced').map((e) => e.id)).toEqual(['full']);
    expect(ofType('detected')[0]).toMatchObject({ backoff: 1 });
    expect(onDisk().synced_models.full).toMatchObject({ failures: 0, sync_count: 1, next_retry_at: null });
  });

  it('a model that fails on a full disk twice in a row backs off as any other (it does not fill the disk every cycle)', async () => {
    world.add('huge', 'Huge');
    const full = deps({
      sync: async () => {
        throw new StorageError('Could not write the push definition h.json: no space is left on the device (ENOSPC); the previous file is unchanged.', { code: 'ENOSPC', path: 'h.json' });
      },
    });
    await runMonitor(full, options({ once: true }));
    clock.t = T0 + 1000;
    await runMonitor(full, options({ once: true }));
    expect(ofType('model-failed').map((e) => [e.failures, Date.parse(e.nextRetryAt!)])).toEqual([
      [1, T0],
      [2, T0 + 1000 + 2 * INTERVAL],
    ]);
    // The run right after skips it: it waits its backoff.
    clock.t = T0 + 2000;
    events = [];
    await runMonitor(full, options({ once: true }));
    expect(ofType('model-failed')).toEqual([]);
    expect(ofType('detected')[0]).toMatchObject({ backoff: 1 });
  });

  it('isOutOfSpace: a full disk or quota, in the error or one it wraps; nothing else', () => {
    expect(isOutOfSpace(new StorageError('x', { code: 'ENOSPC', path: 'p' }))).toBe(true);
    expect(isOutOfSpace(new StorageError('x', { code: 'EDQUOT', path: 'p' }))).toBe(true);
    expect(isOutOfSpace(new Error('outer', { cause: new Error('IO Error: Could not write file "a.wal": No space left on device') }))).toBe(true);
    expect(isOutOfSpace(new StorageError('x', { code: 'EACCES', path: 'p' }))).toBe(false);
    expect(isOutOfSpace(new StorageError('x', { code: 'EFBIG', path: 'p' }))).toBe(false);
    expect(isOutOfSpace(new Error('getDefinition failed: 500'))).toBe(false);
    expect(isOutOfSpace('No space left on device')).toBe(false);
  });

  it('backoff is capped (maxBackoffMs) so a fixed model is picked up within the cap', async () => {
    world.add('bad', 'Bad');
    world.poison.add('bad');
    await runMonitor(deps(), options({ maxCycles: 20, maxBackoffMs: 3 * INTERVAL }));
    expect(world.attempts.map((a) => a.cycle)).toEqual([1, 2, 4, 7, 10, 13, 16, 19]);
  });

  it('runs at most `concurrency` models at once', async () => {
    for (let i = 0; i < 12; i++) world.add(`m${i}`, `M${i}`);
    let inFlight = 0;
    let peak = 0;
    const sync = async (l: ModelListing, r: SyncReason) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((res) => setTimeout(res, 2));
      inFlight -= 1;
      return world.sync(l, r);
    };
    const totals = await runMonitor(deps({ sync }), options({ once: true, concurrency: 3 }));
    expect(totals.synced).toBe(12);
    expect(peak).toBe(3);
  });

  it('abort mid-cycle: no new model starts, in-flight ones finish and are saved, interrupted is returned', async () => {
    for (let i = 0; i < 8; i++) world.add(`m${i}`, `M${i}`);
    const controller = new AbortController();
    const started: string[] = [];
    const sync = async (l: ModelListing, r: SyncReason) => {
      started.push(l.id);
      if (l.id === 'm1') controller.abort(new Error('SIGTERM'));
      await new Promise((res) => setTimeout(res, 5)); // still in flight when the signal arrives
      return world.sync(l, r);
    };
    const totals = await runMonitor(deps({ sync }), options({ concurrency: 2, signal: controller.signal, shutdownTimeoutMs: 5_000 }));
    expect(started).toEqual(['m0', 'm1']);
    // The 5 s grace period was started and cancelled as soon as the in-flight models finished.
    expect(graceSignals.length).toBe(1);
    expect(graceSignals[0]!.aborted).toBe(true);
    expect(totals).toMatchObject({ cycles: 1, synced: 2, failed: 0, interrupted: true });
    expect(Object.keys(onDisk().synced_models).sort()).toEqual(['m0', 'm1']);
    expect(events.at(-1)!.type).toBe('cycle-end');
    expect(onDisk().last_check).toBeNull(); // the cycle did not complete
  });

  it('abort while a model hangs: gives up after shutdownTimeoutMs, keeps what finished', async () => {
    world.add('quick', 'Quick');
    world.add('hang', 'Hang');
    const controller = new AbortController();
    const sync = async (l: ModelListing, r: SyncReason) => {
      if (l.id === 'hang') {
        controller.abort();
        return new Promise<SyncOutcome>(() => {});
      }
      return world.sync(l, r);
    };
    const t = Date.now();
    const totals = await runMonitor(deps({ sync }), options({ concurrency: 2, signal: controller.signal, shutdownTimeoutMs: 50 }));
    expect(Date.now() - t).toBeLessThan(2_000);
    expect(totals).toMatchObject({ interrupted: true, synced: 1, failed: 0 });
    expect(Object.keys(onDisk().synced_models)).toEqual(['quick']);
  });

  it('an abort during the sleep between cycles returns promptly without another cycle', async () => {
    world.add('a', 'A');
    const controller = new AbortController();
    between = () => controller.abort();
    const totals = await runMonitor(deps(), options({ signal: controller.signal }));
    expect(totals).toMatchObject({ cycles: 1, synced: 1, interrupted: true });
  });

  it('--once totals report failures so the command can exit 1', async () => {
    world.add('a', 'A');
    world.add('b', 'B');
    world.poison.add('b');
    const totals = await runMonitor(deps(), options({ once: true }));
    expect(totals).toEqual({ cycles: 1, new: 2, changed: 0, synced: 1, failed: 1, deleted: 0, listFailures: 0, interrupted: false });
  });

  it('a failed listing is an event and the next cycle retries; a failed workspace never looks empty', async () => {
    world.workspaces = ['ws1', 'ws2'];
    world.add('a', 'A', 'ws1');
    world.add('b', 'B', 'ws2');
    world.listFails = 1;
    between = (cycle) => {
      if (cycle === 2) world.failingWorkspaces.add('ws2');
    };
    const totals = await runMonitor(deps(), options({ maxCycles: 3 }));
    expect(ofType('list-failed')).toEqual([expect.objectContaining({ cycle: 1, error: 'connect ECONNREFUSED 127.0.0.1:1' })]);
    expect(ofType('workspace-failed')).toEqual([expect.objectContaining({ cycle: 3, workspaceId: 'ws2', error: '429 Too Many Requests' })]);
    expect(totals).toMatchObject({ cycles: 3, synced: 2, deleted: 0, listFailures: 2 });
    expect(ofType('model-deleted')).toEqual([]);
  });

  it('a model that disappears is marked deleted once (prune passed through), and is new again if it returns', async () => {
    world.add('a', 'A');
    world.add('b', 'B');
    between = (cycle) => {
      if (cycle === 1) world.models.delete('b');
      if (cycle === 3) world.add('b', 'B');
    };
    const totals = await runMonitor(deps(), options({ maxCycles: 4, prune: true }));
    expect(world.deletedCalls).toEqual([{ id: 'b', prune: true }]);
    expect(ofType('model-deleted')).toEqual([expect.objectContaining({ cycle: 2, id: 'b', name: 'B', pruned: true })]);
    expect(ofType('model-new').map((e) => [e.cycle, e.id])).toEqual([[1, 'a'], [1, 'b'], [4, 'b']]);
    expect(totals).toMatchObject({ deleted: 1 });
    expect(onDisk().synced_models.b.deleted_at).toBeNull();
  });

  it('keeps a steady cadence: the sleep is the interval minus the cycle duration', async () => {
    world.add('a', 'A');
    const waits: number[] = [];
    const sync = async (l: ModelListing, r: SyncReason) => {
      clock.t += 15_000; // the model takes 15 s
      return world.sync(l, r);
    };
    const timedSleep: Sleep = async (ms, signal) => {
      if (signal) waits.push(ms);
      return sleep(ms, signal);
    };
    await runMonitor(deps({ sync, sleep: timedSleep }), options({ maxCycles: 3, minRecheckAgeMs: 10 * INTERVAL }));
    expect(waits).toEqual([INTERVAL - 15_000, INTERVAL]);
  });

  it('never treats its own _PushSync outputs as sources', async () => {
    world.add('src', 'Sales');
    world.add('out', 'Sales_PushSync');
    await runMonitor(deps(), options({ once: true }));
    expect(world.attempts.map((a) => a.id)).toEqual(['src']);
    expect(ofType('detected')[0]).toMatchObject({ new: 1, excluded: 1 });
  });
});
