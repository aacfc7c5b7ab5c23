// The seed scenario of issue 6 as users run it: a spawned `monitor --interval 1` against the Fabric
// emulator and the Snowflake stand-in (real snowflake-sdk). A model added mid-run is synced within
// one cycle, a changed measure is re-synced, and quiet cycles write nothing anywhere.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFabricEmulator, type FabricEmulator } from '../support/fabric-emulator/index.js';
import { runCli } from '../support/run-cli.js';
import { startSnowflakeStandIn, type SnowflakeStandIn } from '../support/snowflake-standin/index.js';
import { STANDIN_PASSWORD, STANDIN_USER, TOKEN, bimParts, monitorEnv, pushWrites, spawnMonitor, statementsSince, withMeasure, type MonitorEventJson } from './monitor-harness.js';

let emu: FabricEmulator;
let standIn: SnowflakeStandIn;

beforeAll(async () => {
  emu = await startFabricEmulator({ acceptTokens: [TOKEN], lroPolls: 1, lroRetryAfter: 0 });
  standIn = await startSnowflakeStandIn({ users: { [STANDIN_USER]: STANDIN_PASSWORD } });
});
afterAll(async () => {
  expect(emu.violations).toEqual([]);
  await emu.close();
  await standIn.close();
});

const isType = (type: string, extra: (e: MonitorEventJson) => boolean = () => true) => (e: MonitorEventJson) => e.type === type && extra(e);

async function stateOf(cwd: string, env: Record<string, string>) {
  const r = await runCli(['state', '--json'], { cwd, env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).models as Array<Record<string, unknown> & { id: string; name: string; sync_count: number }>;
}

describe('monitor: the seed scenario', () => {
  it('syncs a new model within one cycle, re-syncs a changed measure, and writes nothing on quiet cycles', async () => {
    const ws = emu.addWorkspace({ name: 'Seed scenario' });
    emu.addModel(ws, { name: 'Inventory', parts: bimParts({ name: 'Inventory', tables: { Stock: ['ItemId', 'Amount'], Items: ['ItemId', 'ItemName'] } }) });
    const cwd = mkdtempSync(path.join(tmpdir(), 'fs-monitor-seed-'));
    const env = monitorEnv(emu, [ws], standIn);
    const m = spawnMonitor(['monitor', '--interval', '0.5', '--max-cycles', '12', '--json'], { cwd, env });

    // Cycle 1 syncs the model already there.
    await m.waitFor(isType('cycle-end', (e) => e.cycle === 1));
    expect(m.events.filter(isType('model-synced')).map((e) => e.name)).toEqual(['Inventory']);

    // A new Import model appears while the monitor runs.
    const startedAtAdd = Math.max(...m.events.filter(isType('cycle-start')).map((e) => e.cycle));
    const salesId = emu.addModel(ws, { name: 'Sales Analytics', parts: bimParts({ name: 'Sales Analytics' }) });
    const detected = await m.waitFor(isType('detected', (e) => e.cycle > 1 && (e.new as number) > 0));
    // Within one cycle: the first cycle that started after the model appeared (or the one already listing).
    expect(detected.cycle).toBeLessThanOrEqual(startedAtAdd + 1);
    expect(detected.new).toBe(1);
    await m.waitFor(isType('model-new', (e) => e.cycle === detected.cycle));
    const fresh = m.events.filter(isType('model-new', (e) => e.cycle > 1));
    expect(fresh.map((e) => [e.id, e.name])).toEqual([[salesId, 'Sales Analytics']]);
    const synced = await m.waitFor(isType('model-synced', (e) => e.id === salesId));
    expect(synced).toMatchObject({ cycle: detected.cycle, reason: 'new', publishedName: 'Sales Analytics_PushSync', syncCount: 1 });
    await m.waitFor(isType('cycle-end', (e) => e.cycle === detected.cycle));

    const twins = emu.pushDatasets(ws).filter((d) => d.name === 'Sales Analytics_PushSync');
    expect(twins).toHaveLength(1);
    expect(twins[0]!.tables.map((t: { name: string }) => t.name).sort()).toEqual(['Customers', 'Products', 'Sales']);
    const rows = await standIn.query(`SELECT MODEL_ID, MODEL_NAME, SOURCE_MODEL_NAME, PUSH_DATASET_ID, TABLE_COUNT, SYNC_COUNT FROM _SEMANTIC_METADATA WHERE MODEL_NAME = 'Sales Analytics_PushSync'`);
    expect(rows).toEqual([{ MODEL_ID: salesId, MODEL_NAME: 'Sales Analytics_PushSync', SOURCE_MODEL_NAME: 'Sales Analytics', PUSH_DATASET_ID: twins[0]!.id, TABLE_COUNT: 3, SYNC_COUNT: 1 }]);
    // `state` reads the file while the monitor holds its lock.
    const s1 = (await stateOf(cwd, env)).find((x) => x.id === salesId);
    expect(s1).toMatchObject({ name: 'Sales Analytics_PushSync', sync_count: 1, push_dataset_id: twins[0]!.id });

    // A measure changes: re-synced in the next cycle(s), sync_count 2.
    const startedAtEdit = Math.max(...m.events.filter(isType('cycle-start')).map((e) => e.cycle));
    emu.updateModelPart(salesId, 'model.bim', (t) => withMeasure(t, "SUMX('Sales', 'Sales'[Amount] * 1.2)"));
    const changed = await m.waitFor(isType('model-changed', (e) => e.id === salesId));
    expect(changed.cycle).toBeLessThanOrEqual(startedAtEdit + 1);
    const resynced = await m.waitFor(isType('model-synced', (e) => e.id === salesId && e.reason === 'changed'));
    expect(resynced).toMatchObject({ syncCount: 2 });
    await m.waitFor(isType('cycle-end', (e) => e.cycle === resynced.cycle));
    expect((await stateOf(cwd, env)).find((x) => x.id === salesId)).toMatchObject({ sync_count: 2 });
    const after = await standIn.query(`SELECT SYNC_COUNT, DEFINITION FROM _SEMANTIC_METADATA WHERE MODEL_ID = '${salesId}'`);
    expect(after).toHaveLength(1);
    expect(after[0]!.SYNC_COUNT).toBe(2);
    expect(String(after[0]!.DEFINITION)).toContain('1.2');
    expect(emu.pushDatasets(ws).filter((d) => d.name === 'Sales Analytics_PushSync')).toHaveLength(1);

    // Nothing changes for several cycles: zero warehouse statements, zero push writes.
    const quietFrom = resynced.cycle + 1;
    const statementsBefore = standIn.statements.length;
    const logBefore = emu.requestLog.length;
    const quiet = await m.waitFor(isType('cycle-end', (e) => e.cycle === quietFrom + 3), 20_000);
    const quietEnds = m.events.filter(isType('cycle-end', (e) => e.cycle >= quietFrom && e.cycle <= quiet.cycle));
    expect(quietEnds).toHaveLength(4);
    // Listed: the two models and their two push twins (our own outputs, skipped); both models re-checked.
    for (const e of quietEnds) expect(e.counts).toMatchObject({ listed: 4, new: 0, changed: 0, synced: 0, failed: 0, deleted: 0, checked: 2 });
    expect(statementsSince(standIn, statementsBefore)).toEqual([]);
    expect(pushWrites(emu, logBefore)).toEqual([]);

    const r = await m.done;
    expect(r.code, r.stderr).toBe(0);
    expect(m.events.filter(isType('cycle-end'))).toHaveLength(12);
    expect(m.events.filter(isType('model-failed'))).toEqual([]);
    expect(r.stderr).not.toMatch(/secret|e2e-monitor-token/i);
  }, 60_000);

  it('says "New models detected: 1" in human mode', async () => {
    const ws = emu.addWorkspace({ name: 'Human output' });
    const cwd = mkdtempSync(path.join(tmpdir(), 'fs-monitor-human-'));
    const m = spawnMonitor(['monitor', '--interval', '1', '--max-cycles', '4'], { cwd, env: monitorEnv(emu, [ws], standIn) });
    await m.waitForLine(/monitoring 1 workspace\(s\), every 1 s · warehouse snowflake/);
    emu.addModel(ws, { name: 'Sales Analytics', parts: bimParts({ name: 'Sales Analytics' }) });
    await m.waitForLine(/^New models detected: 1$/);
    await m.waitForLine(/Sales Analytics → Sales Analytics_PushSync synced \(new, sync #1\)/);
    const r = await m.done;
    expect(r.code, r.stderr).toBe(0);
    expect(emu.pushDatasets(ws).map((d) => d.name)).toEqual(['Sales Analytics_PushSync']);
  }, 30_000);
});
