// monitor.detection: scanner (issue 6 item 2): after a first full listing sets the watermark, a cycle
// lists only the workspaces the admin API reports as modified, and calls that API at most once per
// 2 minutes (its quota is 30 requests per hour). Real HTTP against the emulator, with one clock
// shared by the emulator and the runner.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTokenProvider } from '../../src/core/auth/index.js';
import { realSleep, silentLogger } from '../../src/core/context.js';
import { createFabricClient } from '../../src/core/fabric/index.js';
import { openStateStore } from '../../src/core/state/store.js';
import { createRemoteRunner } from '../../src/core/sync/remote.js';
import { fabricSource } from '../../src/core/sources/fabric/index.js';
import { startFabricEmulator, type FabricEmulator } from '../support/fabric-emulator/index.js';
import { example, synthetic } from '../support/paths.js';

const HOUR = 3_600_000;
let emu: FabricEmulator | undefined;
afterAll(async () => emu?.close());


describe('scanner detection', () => {
  it('lists only modified workspaces after the first cycle, and calls the admin API at most every 2 minutes', async () => {
    const t = { now: Date.now() - 3 * HOUR };
    const clock = { now: () => t.now };
    emu = await startFabricEmulator({ acceptTokens: ['tok'], now: clock.now });
    const a = emu.addWorkspace({ name: 'A' });
    const b = emu.addWorkspace({ name: 'B' });
    const modelA = emu.addModel(a, { name: 'Model A', path: example.tmdl });
    emu.addModel(b, { name: 'Model B', path: synthetic.minimal });
    // The first listing is more than the 30-minute look-back after the workspaces were made, so the
    // next admin call (which looks back from 30 minutes before the previous one) does not report B.
    t.now += 31 * 60_000;

    const tokens = createTokenProvider({ mode: 'static', fabricToken: 'tok' }, { clock, logger: silentLogger });
    const api = createFabricClient({ fabricUrl: emu.url, powerbiUrl: emu.url, tokens, clock, sleep: realSleep, logger: silentLogger });
    const store = await openStateStore(path.join(mkdtempSync(path.join(tmpdir(), 'fs-scan-')), 'sync_state.json'), { clock, lock: false, logger: silentLogger });
    const source = fabricSource(api, store, clock, { workspaces: [a, b], definitionFormat: 'TMSL', detection: 'scanner' });
    const session = { fabric: null, warehouse: null, clock, logger: silentLogger, runId: 'r', toolVersion: '0' };
    const runner = createRemoteRunner(source, store, { publishers: [], session, clock, logger: silentLogger }, { suffix: '_PushSync', twins: false });
    const signal = new AbortController().signal;
    const listed = (from: number) =>
      emu!.requestLog.slice(from).filter((r) => /\/groups\/[^/]+\/datasets$/.test(r.path)).map((r) => r.path.split('/')[4]);
    const modifiedCalls = (from: number) => emu!.requestLog.slice(from).filter((r) => r.path.endsWith('/admin/workspaces/modified')).length;

    // Cycle 1: no watermark yet, so everything is listed and the watermark is set.
    let from = emu.requestLog.length;
    const first = await runner.list(signal);
    expect(first.listedWorkspaces.sort()).toEqual([a, b].sort());
    expect(modifiedCalls(from)).toBe(0);
    expect(store.snapshot().scannerWatermark).toBe(new Date(t.now).toISOString());

    // Two hours later a model of A changes: only A is listed.
    t.now += 2 * HOUR;
    emu.updateModelPart(modelA, 'definition/tables/Sales.tmdl', (text) => text.replace('SUM(Sales[Quantity])', 'SUM(Sales[Quantity]) + 0'));
    t.now += 1000;
    from = emu.requestLog.length;
    const second = await runner.list(signal);
    expect(modifiedCalls(from)).toBe(1);
    expect(second.listedWorkspaces).toEqual([a]);
    expect(listed(from)).toEqual([a]);
    expect(second.listings.map((l) => l.name)).toEqual(['Model A']);

    // A minute later: within the quota gap, no admin call and nothing listed.
    t.now += 60_000;
    from = emu.requestLog.length;
    const third = await runner.list(signal);
    expect(modifiedCalls(from)).toBe(0);
    expect(third.listedWorkspaces).toEqual([]);
    expect(emu.violations).toEqual([]);
  });
});
