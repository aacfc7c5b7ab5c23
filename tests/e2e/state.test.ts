// `state` as users run it beside a monitor (issue 6 item 4): the table and --json, `forget` making
// one model sync again, `reset` asking for --yes off a terminal, and edits refused while a monitor
// holds the state file.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFabricEmulator, type FabricEmulator } from '../support/fabric-emulator/index.js';
import { runCli } from '../support/run-cli.js';
import { TOKEN, bimParts, monitorEnv, spawnMonitor } from './monitor-harness.js';

let emu: FabricEmulator;
let ws: string;
let ids: string[];
let cwd: string;
let env: Record<string, string>;

beforeAll(async () => {
  emu = await startFabricEmulator({ acceptTokens: [TOKEN], lroPolls: 0 });
  ws = emu.addWorkspace({ name: 'State' });
  ids = ['State A', 'State B'].map((name) => emu.addModel(ws, { name, parts: bimParts({ name }) }));
  cwd = mkdtempSync(path.join(tmpdir(), 'fs-state-'));
  env = { ...monitorEnv(emu, [ws]), FABRIC_SYNC_TARGET: 'none' };
  const r = await runCli(['monitor', '--once'], { cwd, env });
  expect(r.code, r.stderr).toBe(0);
});
afterAll(async () => {
  await emu.close();
});

const stateJson = async () => {
  const r = await runCli(['state', '--json'], { cwd, env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { path: string; lastCheck: string | null; models: Array<Record<string, unknown> & { id: string }> };
};

describe('state', () => {
  it('shows a table of models, and the same as JSON', async () => {
    const table = await runCli(['state', '--no-color'], { cwd, env });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/model\s+id\s+push twin\s+last sync\s+count\s+fingerprint\s+failures\s+next retry/);
    expect(table.stdout).toMatch(/State A_PushSync/);
    expect(table.stdout).toMatch(/2 model\(s\) · last check 20\d\d-/);
    const doc = await stateJson();
    expect(doc.models.map((m) => [m.id, m.name, m.sync_count]).sort()).toEqual(
      [
        [ids[0], 'State A_PushSync', 1],
        [ids[1], 'State B_PushSync', 1],
      ].sort(),
    );
    const twins = new Map(emu.pushDatasets(ws).map((d) => [d.name, d.id]));
    for (const m of doc.models) expect(m.push_dataset_id).toBe(twins.get(String(m.name)));
  });

  it('forget <id> makes exactly that model sync again on the next run, without a second twin', async () => {
    const forget = await runCli(['state', 'forget', ids[0]!], { cwd, env });
    expect(forget.code, forget.stderr).toBe(0);
    expect(forget.stdout).toContain(`Forgot ${ids[0]}`);
    expect((await stateJson()).models.map((m) => m.id)).toEqual([ids[1]]);
    const r = await runCli(['monitor', '--once', '--json'], { cwd, env });
    expect(r.code, r.stderr).toBe(0);
    const synced = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'model-synced');
    expect(synced.map((e) => e.id)).toEqual([ids[0]]);
    expect(emu.pushDatasets(ws).map((d) => d.name).sort()).toEqual(['State A_PushSync', 'State B_PushSync']);
  });

  it('forget of an unknown id is a usage error', async () => {
    const r = await runCli(['state', 'forget', 'no-such-model'], { cwd, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/No model with id no-such-model/);
  });

  it('edits are refused while a monitor holds the file; show still works', async () => {
    const m = spawnMonitor(['monitor', '--interval', '30', '--json'], { cwd, env });
    await m.waitFor((e) => e.type === 'cycle-end');
    const show = await runCli(['state', '--json'], { cwd, env });
    expect(show.code).toBe(0);
    const forget = await runCli(['state', 'forget', ids[1]!], { cwd, env });
    expect(forget.code).toBe(2);
    expect(forget.stderr).toContain(`already running (pid ${m.child.pid})`);
    m.child.kill('SIGTERM');
    expect((await m.done).code).toBe(0);
  }, 30_000);

  it('reset needs --yes off a terminal, then forgets every model', async () => {
    const refused = await runCli(['state', 'reset'], { cwd, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--yes/);
    expect((await stateJson()).models).toHaveLength(2);
    const r = await runCli(['state', 'reset', '--yes'], { cwd, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Forgot 2 models');
    expect((await stateJson()).models).toEqual([]);
    // Still a valid state file of the current version.
    expect(JSON.parse(readFileSync(path.join(cwd, 'sync_state.json'), 'utf8'))).toMatchObject({ version: 2, synced_models: {} });
  });
});
