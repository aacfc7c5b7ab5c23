// Issue 13, listings that lie or refuse (items 2, 13, 17), against the built CLI and the stand-ins:
// a datasets list of the wrong shape is a failed listing (nothing deleted, nothing pruned); a 401 is
// retried once with a fresh token, refuses only its own workspace, and exits 3 only when nothing
// could be listed; the service's own usage-metrics models are skipped and never probed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../../src/core/auth/index.js';
import { startEntraStandIn, type EntraStandIn } from '../support/entra/index.js';
import { startFabricEmulator } from '../support/fabric-emulator/index.js';
import { runCli } from '../support/run-cli.js';
import { standInEnv } from '../support/stand-in-env.js';
import { cliEnv, modelParts, seedWorkspace, startWorld, workdir, type World } from './harness.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});

const results: string[] = [];
afterAll(() => console.log(`listing attacks: ${results.join(' | ')}`));

/** The NDJSON events of `monitor --json` (a run that ends in an error adds the error document after them). */
const events = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{"type":'))
    .map((l) => JSON.parse(l) as Record<string, unknown> & { type: string });

describe('listings', () => {
  // Two shapes end to end; every wrong shape is read as a failed listing in tests/unit/identity-rules.test.ts.
  it.each([
    ['an empty object', {}],
    ['"value": null', { value: null }],
  ])('item 2: a datasets list answered 200 with %s is a failed listing: nothing deleted, nothing pruned', async (label, body) => {
    const { emu } = world;
    const { ws, models } = seedWorkspace(emu, `Shape ${label}`, 2);
    const cwd = workdir('shape', { monitor: { prune: true } });
    const env = cliEnv(world, [ws]);
    const first = await runCli(['convert', '--auto', '--json'], { cwd, env });
    expect(first.code, first.stderr).toBe(0);
    const twins = emu.pushDatasets(ws).map((d) => d.id).sort();
    expect(twins).toHaveLength(2);

    emu.fault({ path: `/groups/${ws}/datasets`, method: 'GET', kind: 'body', body, times: 1 });
    const r = await runCli(['monitor', '--once', '--json'], { cwd, env });
    const ev = events(r.stdout);
    expect(r.code, r.stderr).toBe(1);
    const failed = ev.filter((e) => e.type === 'workspace-failed');
    expect(failed).toHaveLength(1);
    expect(String(failed[0]!.error)).toMatch(/instead of an object with a "value" array/);
    expect(ev.filter((e) => e.type === 'model-deleted')).toEqual([]);
    expect(emu.pushDatasets(ws).map((d) => d.id).sort()).toEqual(twins);
    const state = await runCli(['state', '--json'], { cwd, env });
    for (const m of JSON.parse(state.stdout).models) if (models.has(m.id)) expect(m.deleted_at).toBeNull();
    const meta = await world.standIn.query(`SELECT count(*) AS n FROM _SEMANTIC_METADATA WHERE DELETED_AT IS NOT NULL AND MODEL_ID IN (${[...models.keys()].map((id) => `'${id}'`).join(', ')})`);
    expect(Number(meta[0]!.n)).toBe(0);
    results.push(`shape ${label}: exit ${r.code}, 0 deleted, ${twins.length} twins kept`);
  }, 60_000);

  it('item 13: a 401 on the only workspace exits 3; a 401 on one of two lists and syncs the other and exits 1', async () => {
    const { emu } = world;
    const only = seedWorkspace(emu, 'Refused only', 1);
    emu.fault({ path: `/groups/${only.ws}/datasets`, method: 'GET', kind: '401' });
    const alone = await runCli(['monitor', '--once', '--json'], { cwd: workdir('401-only'), env: cliEnv(world, [only.ws]) });
    expect(alone.code, alone.stderr).toBe(3);
    expect(events(alone.stdout).filter((e) => e.type === 'workspace-failed')).toEqual([expect.objectContaining({ workspaceId: only.ws, auth: true })]);
    expect(alone.stdout + alone.stderr).toMatch(/No workspace could be listed/);

    const good = seedWorkspace(emu, 'Refused neighbour', 2);
    const mixed = await runCli(['monitor', '--once', '--json'], { cwd: workdir('401-mixed'), env: cliEnv(world, [only.ws, good.ws]) });
    expect(mixed.code, mixed.stderr).toBe(1);
    const ev = events(mixed.stdout);
    expect(ev.filter((e) => e.type === 'workspace-failed').map((e) => e.workspaceId)).toEqual([only.ws]);
    expect(ev.filter((e) => e.type === 'model-synced').map((e) => e.id).sort()).toEqual([...good.models.keys()].sort());

    // convert --auto says the same per workspace.
    const conv = await runCli(['convert', '--auto', '--json'], { cwd: workdir('401-convert'), env: cliEnv(world, [only.ws, good.ws]) });
    expect(conv.code, conv.stderr).toBe(1);
    expect(JSON.parse(conv.stdout).failedWorkspaces).toEqual([expect.objectContaining({ id: only.ws, auth: true })]);
    emu.clearFaults();
    results.push(`401 only workspace: exit ${alone.code}; 401 on one of two: exit ${mixed.code}, ${good.models.size} synced`);
  }, 60_000);

  it('item 13: a 401 is retried once with a fresh token from Entra ID', async () => {
    const tenantId = '72f988bf-0000-4000-8000-0000000000aa';
    const clientId = '0b1c2d3e-0000-4000-8000-0000000000bb';
    const secret = 'retry~Secret.value_13';
    let entra: EntraStandIn | undefined;
    // Its own emulator, which accepts whatever token Entra ID issues.
    const emu = await startFabricEmulator({ lroPolls: 1, lroRetryAfter: 0 });
    try {
      entra = await startEntraStandIn({ clients: { [clientId]: secret }, tenantId });
      const { ws, models } = seedWorkspace(emu, 'Fresh token', 1);
      // The first token is refused once, as a revoked or prematurely expired token would be.
      emu.fault({ path: `/groups/${ws}/datasets`, method: 'GET', kind: '401', times: 1 });
      const env = {
        ...standInEnv({ emu, token: 'unused', workspaces: [ws], target: 'duckdb' }),
        FABRIC_ACCESS_TOKEN: undefined,
        FABRIC_TENANT_ID: tenantId,
        FABRIC_CLIENT_ID: clientId,
        FABRIC_CLIENT_SECRET: secret,
        FABRIC_AUTHORITY_HOST: entra.authorityHost,
        NODE_EXTRA_CA_CERTS: entra.caCertPath,
      };
      const r = await runCli(['monitor', '--once', '--json'], { cwd: workdir('fresh-token'), env });
      expect(r.code, r.stderr).toBe(0);
      expect(events(r.stdout).filter((e) => e.type === 'model-synced').map((e) => e.id)).toEqual([...models.keys()]);
      const listings = emu.requestLog.filter((l) => l.method === 'GET' && l.path === `/v1.0/myorg/groups/${ws}/datasets`);
      expect(listings.map((l) => l.status).slice(0, 2)).toEqual([401, 200]);
      expect(listings[0]!.token).not.toBe(listings[1]!.token);
      expect(entra.tokensIssued.filter((t) => t.scope === SCOPES.powerbi)).toHaveLength(2);
      results.push('401 then fresh token: exit 0, 2 Power BI tokens issued');
    } finally {
      await entra?.close();
      await emu.close();
    }
  }, 60_000);

  it('item 17: "Usage Metrics Report" and the classic usage models are skipped, and never become validate\'s probe', async () => {
    const { emu } = world;
    const ws = emu.addWorkspace({ name: 'usage' });
    // Listed first (oldest), as the service creates it when someone opens a usage report.
    const system = ['Usage Metrics Report', 'Report Usage Metrics Model', 'Dashboard Usage Metrics Model'].map((name) => emu.addModel(ws, { name, parts: modelParts({ name }) }));
    const real = emu.addModel(ws, { name: 'Real Model', parts: modelParts({ name: 'Real Model' }) });
    for (const id of system) {
      emu.fault({ path: `/semanticModels/${id}/getDefinition`, kind: 'body', status: 400, body: { errorCode: 'OperationNotSupportedForItem', message: 'Operation not supported for requested item', requestId: '00000000-0000-4000-8000-000000000017' } });
    }
    const cwd = workdir('usage');
    const env = cliEnv(world, [ws]);
    for (const run of [1, 2]) {
      const r = await runCli(['convert', '--auto', '--json'], { cwd, env });
      expect(r.code, `run ${run}: ${r.stderr}`).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.failed).toBe(0);
      expect(doc.models.map((m: { id: string }) => m.id)).toEqual([real]);
    }
    const getDefs = emu.requestLog.filter((l) => system.some((id) => l.path.includes(`/semanticModels/${id}/getDefinition`)));
    expect(getDefs).toEqual([]);

    const v = await runCli(['validate', '--json'], { cwd, env });
    const role = JSON.parse(v.stdout).checks.find((c: { id: string }) => c.id === `fabric.role:${ws}`);
    expect(role.message).toContain('Real Model');
    expect(role.status).toBe('ok');
    emu.clearFaults();
    results.push('usage-metrics models: skipped in 2 runs, 0 getDefinition calls, probe = the real model');
  }, 60_000);
});
