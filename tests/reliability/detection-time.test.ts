// Issue 13, detection against time (items 6 and 16): a state file whose times lie in the future (the
// clock went back) must not stop checking; scanner detection must catch a change that the admin API
// reports late (the documented up-to-30-minute delay) and, with a periodic full listing, one it never
// reports. Item 6 runs the built CLI; item 16 drives the real runner and Fabric client against the
// emulator on a shared fake clock (30 minutes of admin-API delay cannot be waited out for real).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenProvider } from '../../src/core/auth/index.js';
import { realSleep, silentLogger } from '../../src/core/context.js';
import { createFabricClient } from '../../src/core/fabric/index.js';
import { openStateStore } from '../../src/core/state/store.js';
import { createRemoteRunner } from '../../src/core/sync/remote.js';
import { fabricSource } from '../../src/core/sources/fabric/index.js';
import { startFabricEmulator } from '../support/fabric-emulator/index.js';
import { runCli } from '../support/run-cli.js';
import { cliEnv, modelParts, seedWorkspace, startWorld, withMeasure, workdir, type World } from './harness.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});

const results: string[] = [];
afterAll(() => console.log(`detection-time attacks: ${results.join(' | ')}`));

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('detection against time', () => {
  it('item 6: last_checked_at and next_retry_at in the future (clock went back) do not stop checking', async () => {
    const { emu } = world;
    const { ws, models } = seedWorkspace(emu, 'Clock', 2);
    const [changed, failing] = [...models.keys()];
    const cwd = workdir('clock');
    const env = cliEnv(world, [ws]);
    const first = await runCli(['convert', '--auto', '--json'], { cwd, env });
    expect(first.code, first.stderr).toBe(0);

    const file = path.join(cwd, 'sync_state.json');
    const state = JSON.parse(readFileSync(file, 'utf8'));
    const future = '2099-01-01T00:00:00.000Z';
    Object.assign(state.synced_models[changed!], { last_checked_at: future, last_sync_time: future });
    Object.assign(state.synced_models[failing!], { last_checked_at: future, failures: 1, next_retry_at: future, last_error: 'earlier failure' });
    writeFileSync(file, JSON.stringify(state, null, 2));
    emu.updateModelPart(changed!, 'model.bim', (t) => withMeasure(t, 'SUM(Sales[Amount]) * 7'));

    const r = await runCli(['monitor', '--once', '--json'], { cwd, env });
    expect(r.code, r.stderr).toBe(0);
    const ev = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(ev.filter((e) => e.type === 'model-changed').map((e) => e.id)).toEqual([changed]);
    expect(ev.filter((e) => e.type === 'model-synced').map((e) => e.id)).toEqual([changed]);
    const after = JSON.parse(readFileSync(file, 'utf8')).synced_models;
    // Both were checked now: times back in the present, the stale failure cleared.
    expect(Date.parse(after[changed!].last_checked_at)).toBeLessThan(Date.parse(future));
    expect(after[failing!]).toMatchObject({ failures: 0, next_retry_at: null });
    expect(Date.parse(after[failing!].last_checked_at)).toBeLessThan(Date.parse(future));
    results.push('future check/retry times: changed model synced, stale retry cleared');
  }, 60_000);

  it('item 16: scanner detection catches a change the admin API reports 30 minutes late, and lists everything daily', async () => {
    const t = { now: Date.now() - 3 * 24 * HOUR };
    const clock = { now: () => t.now };
    // Changes surface in admin/workspaces/modified only 30 minutes after they happen.
    const emu = await startFabricEmulator({ acceptTokens: ['tok'], now: clock.now, modifiedLagMs: 30 * MIN });
    try {
      const a = emu.addWorkspace({ name: 'A' });
      const b = emu.addWorkspace({ name: 'B' });
      const modelA = emu.addModel(a, { name: 'Model A', parts: modelParts({ name: 'Model A' }) });
      const modelB = emu.addModel(b, { name: 'Model B', parts: modelParts({ name: 'Model B' }) });
      t.now += 31 * MIN;

      const tokens = createTokenProvider({ mode: 'static', fabricToken: 'tok' }, { clock, logger: silentLogger });
      const api = createFabricClient({ fabricUrl: emu.url, powerbiUrl: emu.url, tokens, clock, sleep: realSleep, logger: silentLogger });
      const store = await openStateStore(path.join(mkdtempSync(path.join(tmpdir(), 'fs-scan13-')), 'sync_state.json'), { clock, lock: false, logger: silentLogger });
      const source = fabricSource(api, store, clock, { workspaces: [a, b], definitionFormat: 'TMSL', detection: 'scanner', fullListingMs: 24 * HOUR });
      const session = { fabric: null, warehouse: null, clock, logger: silentLogger, runId: 'r', toolVersion: '0' };
      const runner = createRemoteRunner(source, store, { publishers: [], session, clock, logger: silentLogger }, { suffix: '_PushSync', twins: false });
      const signal = new AbortController().signal;
      const start = t.now;
      const listedAt: Array<{ at: number; listed: string[] }> = [];
      const cycle = async () => {
        const r = await runner.list(signal);
        expect(new Set(r.listedWorkspaces).size).toBe(r.listedWorkspaces.length); // each at most once
        listedAt.push({ at: t.now - start, listed: r.listedWorkspaces });
        return r;
      };

      expect((await cycle()).listedWorkspaces.sort()).toEqual([a, b].sort()); // first cycle: everything
      // A cycle every 5 minutes; A's model changes 12 minutes in and is reported from minute 42.
      const changedAt = 12 * MIN;
      for (let minute = 5; minute <= 90; minute += 5) {
        if (minute === 15) {
          t.now = start + changedAt;
          emu.updateModelPart(modelA, 'model.bim', (text) => withMeasure(text, 'SUM(Sales[Amount]) * 2'));
        }
        t.now = start + minute * MIN;
        await cycle();
      }
      const sawA = listedAt.filter((c) => c.at > changedAt && c.listed.includes(a)).map((c) => c.at / MIN);
      expect(sawA.length, JSON.stringify(listedAt.map((c) => [c.at / MIN, c.listed.length]))).toBeGreaterThan(0);
      expect(sawA[0]).toBeGreaterThanOrEqual(42);

      // A change the admin API never reports is still found by the daily full listing.
      emu.fault({ path: '/admin/workspaces/modified', kind: 'body', body: [] });
      t.now = start + 2 * HOUR;
      emu.updateModelPart(modelB, 'model.bim', (text) => withMeasure(text, 'SUM(Sales[Amount]) * 3'));
      const quietUntil = start + 23 * HOUR;
      for (t.now = start + 2 * HOUR + 5 * MIN; t.now < quietUntil; t.now += 3 * HOUR) expect((await cycle()).listedWorkspaces).not.toContain(b);
      t.now = start + 24 * HOUR + MIN;
      const daily = await cycle();
      expect(daily.listedWorkspaces.sort()).toEqual([a, b].sort());
      expect(store.scanner().lastFullListing).toBe(new Date(t.now).toISOString());
      expect(emu.violations).toEqual([]);
      results.push(`late change listed at minute ${sawA[0]}; unreported change listed by the daily full listing`);
    } finally {
      await emu.close();
    }
  }, 60_000);
});
