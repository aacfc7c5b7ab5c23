// The monitor as an operator meets it (issue 6 "Must show"): one monitor per state file, a corrupt
// state file moved aside, SIGTERM/SIGINT finishing the model in flight and saving, and `--once`
// failing (exit 1) for a poison model while the others are synced.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStateText } from '../../src/core/state/schema.js';
import { startFabricEmulator, type FabricEmulator } from '../support/fabric-emulator/index.js';
import { runCli } from '../support/run-cli.js';
import { startSnowflakeStandIn, type SnowflakeStandIn } from '../support/snowflake-standin/index.js';
import { STANDIN_PASSWORD, STANDIN_USER, TOKEN, bimParts, monitorEnv, spawnMonitor, type MonitorEventJson } from './monitor-harness.js';

let emu: FabricEmulator;
let standIn: SnowflakeStandIn;

beforeAll(async () => {
  emu = await startFabricEmulator({ acceptTokens: [TOKEN], lroPolls: 1, lroRetryAfter: 0 });
  standIn = await startSnowflakeStandIn({ users: { [STANDIN_USER]: STANDIN_PASSWORD } });
  // The warehouse tables exist before the tests (as after a first day in production).
  const ws = emu.addWorkspace({ name: 'Warm-up' });
  emu.addModel(ws, { name: 'Warm-up', parts: bimParts({ name: 'Warm-up' }) });
  const warm = await runCli(['monitor', '--once'], { cwd: mkdtempSync(path.join(tmpdir(), 'fs-monitor-warm-')), env: monitorEnv(emu, [ws], standIn) });
  expect(warm.code, warm.stderr).toBe(0);
});
afterAll(async () => {
  expect(emu.violations).toEqual([]);
  await emu.close();
  await standIn.close();
});

function setup(names: string[], label: string) {
  const ws = emu.addWorkspace({ name: label });
  const ids = names.map((name) => emu.addModel(ws, { name, parts: bimParts({ name }) }));
  const cwd = mkdtempSync(path.join(tmpdir(), 'fs-monitor-sig-'));
  return { ws, ids, cwd, env: monitorEnv(emu, [ws], standIn) };
}

const stateIn = (cwd: string) => {
  const parsed = parseStateText(readFileSync(path.join(cwd, 'sync_state.json'), 'utf8'));
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.state;
};
const is = (type: string, extra: (e: MonitorEventJson) => boolean = () => true) => (e: MonitorEventJson) => e.type === type && extra(e);
const parseEvents = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as MonitorEventJson);

describe('monitor: one per state file', () => {
  it('a second monitor on the same state file exits 2 with "already running (pid N)"; after the first stops, a run proceeds', async () => {
    const { cwd, env } = setup(['Locked A'], 'Lock');
    const first = spawnMonitor(['monitor', '--interval', '1', '--max-cycles', '30', '--json'], { cwd, env });
    await first.waitFor(is('cycle-end'));
    const second = await runCli(['monitor', '--once'], { cwd, env });
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`already running (pid ${first.child.pid})`);
    expect(second.stdout).toBe('');
    // The same refusal as one JSON document with --json.
    const json = await runCli(['monitor', '--once', '--json'], { cwd, env });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ exitCode: 2, message: expect.stringContaining(`already running (pid ${first.child.pid})`) });

    first.child.kill('SIGTERM');
    expect((await first.done).code).toBe(0);
    const third = await runCli(['monitor', '--once'], { cwd, env });
    expect(third.code, third.stderr).toBe(0);
  }, 40_000);

  it('a lock left by a process that is gone is taken over with a warning', async () => {
    const { cwd, env } = setup(['Stale A'], 'Stale lock');
    const dead = spawnSync(process.execPath, ['-e', '']).pid; // a pid that just exited
    writeFileSync(path.join(cwd, 'sync_state.json.lock'), JSON.stringify({ pid: dead, hostname: hostname(), startedAt: new Date(Date.now() - 60_000).toISOString() }));
    const r = await runCli(['monitor', '--once'], { cwd, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`Took over a stale lock from pid ${dead}`));
    expect(existsSync(path.join(cwd, 'sync_state.json.lock'))).toBe(false);
    expect(Object.values(stateIn(cwd).synced_models).map((m) => m.name)).toEqual(['Stale A_PushSync']);
  }, 30_000);
});

describe('monitor: a corrupt state file', () => {
  it('is moved aside with a message, and the run proceeds without a crash', async () => {
    const { cwd, env, ids } = setup(['Corrupt A', 'Corrupt B'], 'Corrupt');
    const garbage = '{"version": 2, "synced_models": {"x": ';
    writeFileSync(path.join(cwd, 'sync_state.json'), garbage);
    const r = await runCli(['monitor', '--once', '--json'], { cwd, env });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const aside = readdirSync(cwd).filter((f) => f.startsWith('sync_state.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(path.join(cwd, aside[0]!), 'utf8')).toBe(garbage);
    expect(r.stderr).toContain(`is corrupt (not valid JSON`);
    expect(r.stderr).toContain(aside[0]!);
    expect(r.stderr).not.toMatch(/at .+\.js:\d+/); // no stack trace
    const end = parseEvents(r.stdout).find(is('cycle-end'))!;
    expect(end.counts).toMatchObject({ new: 2, synced: 2, failed: 0 });
    expect(Object.keys(stateIn(cwd).synced_models).sort()).toEqual([...ids].sort());
  }, 30_000);
});

describe('monitor: signals', () => {
  it('SIGTERM while a model is in flight: that model finishes, no other starts, the state is saved, exit 0', async () => {
    const { cwd, env, ids } = setup(['Term A', 'Term B', 'Term C'], 'SIGTERM');
    // The first definition read takes 1.5 s: the signal arrives while it is in flight.
    emu.fault({ path: new RegExp(`/semanticModels/(${ids.join('|')})/getDefinition`), kind: 'latency', latencyMs: 1500, times: 1 });
    const m = spawnMonitor(['monitor', '--interval', '1', '--max-cycles', '5', '--concurrency', '1', '--json'], { cwd, env });
    await m.waitFor(is('detected'));
    await new Promise((r) => setTimeout(r, 300));
    const signalledAt = Date.now();
    m.child.kill('SIGTERM');
    const r = await m.done;
    const took = Date.now() - signalledAt;
    expect(r.code, r.stderr).toBe(0);
    expect(took).toBeLessThan(10_000);
    const synced = m.events.filter(is('model-synced'));
    expect(synced, m.lines.join('\n')).toHaveLength(1);
    expect(m.events.filter(is('model-failed'))).toEqual([]);
    expect(m.events.filter(is('cycle-start'))).toHaveLength(1);
    const state = stateIn(cwd);
    expect(Object.keys(state.synced_models)).toEqual([synced[0]!.id]);
    expect(state.synced_models[synced[0]!.id as string]).toMatchObject({ sync_count: 1 });
    console.log(`SIGTERM → exit 0 in ${took} ms (one model in flight finished)`);

    // The next run does the two that never started, and leaves the finished one alone.
    const next = await runCli(['monitor', '--once', '--json'], { cwd, env });
    expect(next.code, next.stderr).toBe(0);
    expect(parseEvents(next.stdout).filter(is('model-synced')).map((e) => e.id).sort()).toEqual(ids.filter((id) => id !== synced[0]!.id).sort());
    expect(emu.pushDatasets().filter((d) => /^Term [ABC]_PushSync$/.test(d.name))).toHaveLength(3);
  }, 40_000);

  it('SIGINT (Ctrl-C) while a model is in flight: its requests end at once, exit 130, the next run redoes it', async () => {
    const { cwd, env, ids } = setup(['Ctrl A', 'Ctrl B'], 'SIGINT in flight');
    emu.fault({ path: new RegExp(`/semanticModels/(${ids.join('|')})/getDefinition`), kind: 'latency', latencyMs: 5000, times: 1 });
    const m = spawnMonitor(['monitor', '--interval', '1', '--concurrency', '1', '--json'], { cwd, env });
    await m.waitFor(is('detected'));
    await new Promise((r) => setTimeout(r, 300));
    const signalledAt = Date.now();
    m.child.kill('SIGINT');
    const r = await m.done;
    const took = Date.now() - signalledAt;
    expect(r.code, r.stderr).toBe(130);
    expect(took).toBeLessThan(3_000); // not the 5 s of the slow request
    expect(m.events.filter(is('model-synced'))).toEqual([]);
    expect(m.events.filter(is('model-failed'))).toEqual([]); // an interruption is not the model's fault
    // Nothing was recorded (no file yet, or no failure counted against a model).
    if (existsSync(path.join(cwd, 'sync_state.json'))) expect(Object.values(stateIn(cwd).synced_models).filter((x) => x.failures > 0)).toEqual([]);
    const next = await runCli(['monitor', '--once', '--json'], { cwd, env });
    expect(next.code, next.stderr).toBe(0);
    expect(parseEvents(next.stdout).filter(is('model-synced'))).toHaveLength(2);
    console.log(`SIGINT with a request in flight → exit 130 in ${took} ms`);
  }, 40_000);

  it('SIGINT between cycles: exit 130 at once, the state saved', async () => {
    const { cwd, env, ids } = setup(['Int A', 'Int B'], 'SIGINT');
    const m = spawnMonitor(['monitor', '--interval', '30', '--json'], { cwd, env });
    await m.waitFor(is('cycle-end'));
    const signalledAt = Date.now();
    m.child.kill('SIGINT');
    const r = await m.done;
    const took = Date.now() - signalledAt;
    expect(r.code, r.stderr).toBe(130);
    expect(took).toBeLessThan(5_000);
    expect(Object.keys(stateIn(cwd).synced_models).sort()).toEqual([...ids].sort());
    expect(existsSync(path.join(cwd, 'sync_state.json.lock'))).toBe(false);
    console.log(`SIGINT in the sleep → exit 130 in ${took} ms`);
  }, 30_000);
});

describe('monitor --once with a poison model', () => {
  it('exits 1 when one model fails on every getDefinition, and still syncs the others', async () => {
    const { cwd, env, ids, ws } = setup(['Poison', 'Healthy A', 'Healthy B'], 'Poison');
    const poison = ids[0]!;
    // One retry per request (the default is 5, with backoff): the config file users would write.
    writeFileSync(path.join(cwd, 'fabric-sync.config.json'), JSON.stringify({ fabric: { maxRetries: 1 } }));
    emu.fault({ path: `/semanticModels/${poison}/getDefinition`, kind: '500' }); // times: ∞
    const from = emu.requestLog.length;
    const r = await runCli(['monitor', '--once', '--json'], { cwd, env });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const events = parseEvents(r.stdout);
    const failed = events.filter(is('model-failed'));
    expect(failed.map((e) => [e.id, e.failures])).toEqual([[poison, 1]]);
    expect(String(failed[0]!.error)).toMatch(/500|internal/i);
    expect(events.filter(is('model-synced')).map((e) => e.name).sort()).toEqual(['Healthy A', 'Healthy B']);
    // One attempt plus one retry, no more.
    expect(emu.requestLog.slice(from).filter((q) => q.path.includes(`${poison}/getDefinition`))).toHaveLength(2);

    expect(emu.pushDatasets(ws).map((d) => d.name).sort()).toEqual(['Healthy A_PushSync', 'Healthy B_PushSync']);
    const rows = await standIn.query(`SELECT MODEL_NAME FROM _SEMANTIC_METADATA WHERE WORKSPACE_ID = '${ws}' ORDER BY MODEL_NAME`);
    expect(rows).toEqual([{ MODEL_NAME: 'Healthy A_PushSync' }, { MODEL_NAME: 'Healthy B_PushSync' }]);
    const state = stateIn(cwd);
    expect(state.synced_models[poison]).toMatchObject({ failures: 1, sync_count: 0 });
    expect(state.synced_models[poison]!.next_retry_at).not.toBeNull();
    emu.clearFaults();
  }, 40_000);
});
