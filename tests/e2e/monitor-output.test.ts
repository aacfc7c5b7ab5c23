// What monitor prints for people (issue 14 item 9): result lines and one status line per cycle on
// stdout, a short line for a quiet cycle, what was finished when Ctrl-C stops it, and
// `"interrupted": true` on the cycle-end event of a cycle a signal cut short.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFabricEmulator, type FabricEmulator } from '../support/fabric-emulator/index.js';
import { runCli } from '../support/run-cli.js';
import { TOKEN, bimParts, monitorEnv, spawnMonitor } from './monitor-harness.js';

let emu: FabricEmulator;

beforeAll(async () => {
  emu = await startFabricEmulator({ acceptTokens: [TOKEN], lroPolls: 1, lroRetryAfter: 0 });
});
afterAll(async () => {
  expect(emu.violations).toEqual([]);
  await emu.close();
});

function setup(names: string[], label: string) {
  const ws = emu.addWorkspace({ name: label });
  const ids = names.map((name) => emu.addModel(ws, { name, parts: bimParts({ name }) }));
  return { ws, ids, cwd: mkdtempSync(path.join(tmpdir(), 'fs-monitor-out-')), env: monitorEnv(emu, [ws], undefined, { FABRIC_SYNC_TARGET: 'duckdb' }) };
}

describe('monitor output', () => {
  it('prints synced models and a status line per cycle on stdout; a quiet cycle says so briefly', async () => {
    const { cwd, env } = setup(['Out A', 'Out B'], 'Output');
    const r = await runCli(['monitor', '--interval', '1', '--max-cycles', '2', '--no-push', '--no-color'], { cwd, env });
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout.split('\n');
    // --no-push: no twin, so each model is published under its own name.
    expect(out.filter((l) => /^✔ Out [AB] synced \(new, sync #1\)/.test(l))).toHaveLength(2);
    expect(out).toContainEqual(expect.stringMatching(/^cycle 1 · 2 models · 2 synced · 0 failed \(\d+\.\d s\) · next cycle at \d\d:\d\d$/));
    // The last cycle of --max-cycles has no next cycle.
    expect(out).toContainEqual('cycle 2 · 2 models · nothing changed');
    expect(r.stderr).not.toMatch(/cycle \d/);
  }, 40_000);

  it('Ctrl-C prints what was finished; a cycle cut short ends with "interrupted": true', async () => {
    const { cwd, env, ids } = setup(['Cut A', 'Cut B'], 'Interrupted');
    const human = spawnMonitor(['monitor', '--interval', '30', '--no-push', '--no-color'], { cwd, env });
    await human.waitForLine(/^cycle 1 · /);
    human.child.kill('SIGINT');
    const r = await human.done;
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/Stopped by SIGINT after 1 cycle: 2 synced, 0 failed, 0 deleted; state saved to sync_state\.json\./);

    const slow = setup(['Slow A'], 'Interrupted in flight');
    emu.fault({ path: new RegExp(`/semanticModels/(${slow.ids.join('|')})/getDefinition`), kind: 'latency', latencyMs: 5000, times: 1 });
    const json = spawnMonitor(['monitor', '--interval', '30', '--no-push', '--json'], { cwd: slow.cwd, env: slow.env });
    await json.waitFor((e) => e.type === 'detected');
    await new Promise((res) => setTimeout(res, 300));
    json.child.kill('SIGINT');
    const j = await json.done;
    expect(j.code).toBe(130);
    const end = json.events.find((e) => e.type === 'cycle-end');
    expect(end).toMatchObject({ cycle: 1, interrupted: true });
    expect(ids).toHaveLength(2);
  }, 60_000);
});
