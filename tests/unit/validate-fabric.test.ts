// The Fabric side of validate in-process against the emulator (real HTTP on 127.0.0.1), for the cases
// the spawned e2e file does not cover: pre-acquired tokens, no workspace configured, the probe cap,
// executeQueries and scanner settings, the Viewer role without push, an unreachable host.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/core/config/load.js';
import { silentLogger, systemClock } from '../../src/core/context.js';
import { MAX_WORKSPACES_PROBED, exitCodeFor, runChecks, type Check } from '../../src/core/validate/index.js';
import { startFabricEmulator, type FabricEmulator } from '../support/fabric-emulator/index.js';
import { example } from '../support/paths.js';

const TOKEN = 'validate-unit-token-3x9q';
const dir = mkdtempSync(path.join(tmpdir(), 'fs-vfab-'));
const emulators: FabricEmulator[] = [];
const deps = { clock: systemClock, sleep: async () => {}, logger: silentLogger, version: 't', verbose: false };

async function emulator(o: Parameters<typeof startFabricEmulator>[0] = {}): Promise<FabricEmulator> {
  const emu = await startFabricEmulator({ acceptTokens: [TOKEN], ...o });
  emulators.push(emu);
  return emu;
}

function config(emu: { url: string }, over: { fabric?: Record<string, unknown>; push?: Record<string, unknown>; monitor?: Record<string, unknown> } = {}) {
  const { config: c, issues } = validateConfig({
    fabric: { accessToken: TOKEN, apiUrl: emu.url, powerbiApiUrl: emu.url, ...over.fabric },
    warehouse: { target: 'none' },
    state: { path: path.join(dir, 'state.json') },
    ...(over.push ? { push: over.push } : {}),
    ...(over.monitor ? { monitor: over.monitor } : {}),
  });
  expect(issues).toEqual([]);
  return c!;
}

const byId = (checks: Check[], id: string) => checks.find((c) => c.id === id);

afterEach(() => {
  for (const e of emulators) e.clearFaults();
});
afterAll(async () => {
  await Promise.all(emulators.map((e) => e.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('validate, Fabric side', () => {
  let emu: FabricEmulator;
  let ws: string;
  beforeAll(async () => {
    emu = await emulator({ adminTokens: ['someone-else'] });
    ws = emu.addWorkspace({ name: 'Sales' });
    emu.addModel(ws, { name: 'Model01', path: example.tmdl });
  });

  it('a pre-acquired token is reported present, not verified, and reused for Power BI; never printed', async () => {
    const checks = await runChecks(config(emu, { fabric: { workspaces: [ws] } }), deps);
    expect(byId(checks, 'entra.fabric')).toMatchObject({ status: 'ok', message: expect.stringMatching(/FABRIC_ACCESS_TOKEN.*not verified by Entra/) });
    expect(byId(checks, 'entra.powerbi')!.message).toMatch(/FABRIC_ACCESS_TOKEN, reused/);
    expect(JSON.stringify(checks)).not.toContain(TOKEN);
    expect(byId(checks, `fabric.role:${ws}`)!.status).toBe('ok');
  });

  it('an expired JWT is a permission failure, exit 3, and the token is not echoed', async () => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const jwt = `${b64({ alg: 'none' })}.${b64({ exp: Math.floor(Date.now() / 1000) - 60 })}.sig`;
    const checks = await runChecks(config(emu, { fabric: { accessToken: jwt, workspaces: [ws] } }), deps);
    expect(byId(checks, 'entra.fabric')).toMatchObject({ status: 'fail', failure: 'permission', message: expect.stringMatching(/expired at/) });
    expect(byId(checks, `fabric.workspace:${ws}`)).toBeUndefined();
    expect(exitCodeFor(checks)).toBe(3);
    expect(JSON.stringify(checks)).not.toContain(jwt);
  });

  it('fabric.infoFallback set: a warning that it has no effect (no executeQueries request); exit stays 0', async () => {
    emu.resetStats();
    const checks = await runChecks(config(emu, { fabric: { workspaces: [ws], infoFallback: true } }), deps);
    expect(byId(checks, 'fabric.infoFallback')).toMatchObject({ status: 'warn', message: expect.stringMatching(/no effect/) });
    expect(Object.keys(emu.stats.byRoute).filter((r) => /executeQueries/.test(r))).toEqual([]);
    expect(exitCodeFor(checks)).toBe(0);
    const unset = await runChecks(config(emu, { fabric: { workspaces: [ws] } }), deps);
    expect(byId(unset, 'fabric.infoFallback')).toBeUndefined();
  });

  it('scanner detection without admin API access fails with the tenant setting, exit 3', async () => {
    const checks = await runChecks(config(emu, { fabric: { workspaces: [ws] }, monitor: { detection: 'scanner' } }), deps);
    const line = byId(checks, 'fabric.scanner')!;
    expect(line).toMatchObject({ status: 'fail', failure: 'permission' });
    expect(line.hint).toContain('"Service principals can access read-only admin APIs"');
    expect(line.hint).toMatch(/no Power BI API permissions that require admin consent/);
    expect(exitCodeFor(checks)).toBe(3);
  });

  it('scanner detection with admin access: one workspaces/modified call, ok', async () => {
    const admin = await emulator({ adminTokens: [TOKEN] });
    admin.addWorkspace({ name: 'A' });
    admin.resetStats();
    const checks = await runChecks(config(admin, { monitor: { detection: 'scanner' } }), deps);
    expect(byId(checks, 'fabric.scanner')!.status).toBe('ok');
    expect(admin.stats.byRoute['GET /v1.0/myorg/admin/workspaces/modified']).toBe(1);
  });

  it('no workspace configured: the visible ones are listed and at most MAX_WORKSPACES_PROBED are probed', async () => {
    const many = await emulator();
    const all = Array.from({ length: MAX_WORKSPACES_PROBED + 2 }, (_, i) => many.addWorkspace({ name: `w${i}` }));
    // The first workspace answers last: the report order must not follow the answers.
    many.fault({ method: 'GET', path: `/groups/${all[0]}/datasets`, kind: 'latency', latencyMs: 150 });
    const checks = await runChecks(config(many), deps);
    expect(byId(checks, 'fabric.workspaces')!.message).toMatch(new RegExp(`^${MAX_WORKSPACES_PROBED + 2} workspaces visible .*checking the first ${MAX_WORKSPACES_PROBED}`));
    expect(checks.filter((c) => c.id.startsWith('fabric.workspace:'))).toHaveLength(MAX_WORKSPACES_PROBED);
    // Probed side by side, reported in a fixed order: each workspace's list line, then its role line.
    const ids = checks.filter((c) => /^fabric\.(workspace|role):/.test(c.id)).map((c) => c.id);
    expect(ids).toEqual(all.slice(0, MAX_WORKSPACES_PROBED).flatMap((id) => [`fabric.workspace:${id}`, `fabric.role:${id}`]));
    // Empty workspaces: nothing to try getDefinition on, so push write access stays unproven.
    expect(byId(checks, 'push.permission')!.status).toBe('warn');
  });

  it('no workspace visible at all is a warning', async () => {
    const empty = await emulator();
    const checks = await runChecks(config(empty), deps);
    expect(byId(checks, 'fabric.workspaces')!.status).toBe('warn');
  });

  it('Viewer role: getDefinition denied is a permission failure saying write permission is needed, with push on or off', async () => {
    const shared = await emulator();
    const wsV = shared.addWorkspace({ name: 'Finance', members: [], viewers: [TOKEN] });
    shared.addModel(wsV, { name: 'Budget', path: example.tmdl });
    for (const push of [false, true]) {
      const checks = await runChecks(config(shared, { fabric: { workspaces: [wsV] }, push: { enabled: push } }), deps);
      expect(byId(checks, `fabric.role:${wsV}`)).toMatchObject({ status: 'fail', failure: 'permission', message: expect.stringMatching(/needs write permission on the model \(Contributor or higher\)/) });
      expect(exitCodeFor(checks)).toBe(3);
    }
  });

  it('after the push retirement date (31 Oct 2027) the push line warns that new push datasets cannot be created', async () => {
    const later = { ...deps, clock: { now: () => Date.UTC(2027, 10, 2) } };
    const checks = await runChecks(config(emu, { fabric: { workspaces: [ws] } }), later);
    expect(byId(checks, 'push.permission')).toMatchObject({ status: 'warn', message: expect.stringMatching(/no longer allows creating new push datasets/) });
    const before = await runChecks(config(emu, { fabric: { workspaces: [ws] } }), { ...deps, clock: { now: () => Date.UTC(2027, 9, 30) } });
    expect(byId(before, 'push.permission')!.status).toBe('ok');
  });

  it('an unreachable API host fails as "other": exit 1', async () => {
    const gone = { url: 'http://127.0.0.1:9' };
    const checks = await runChecks(config(gone, { fabric: { workspaces: ['abc'] } }), deps);
    expect(byId(checks, 'fabric.workspace:abc')).toMatchObject({ status: 'fail', failure: 'other' });
    expect(exitCodeFor(checks)).toBe(1);
  });
});
