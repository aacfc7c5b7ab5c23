// A spawned fabric-sync authenticates through the HTTPS token stand-in with nothing but
// FABRIC_TENANT_ID / FABRIC_CLIENT_ID / FABRIC_CLIENT_SECRET (+ the endpoint overrides a test needs),
// and a wrong secret exits 3 with a service-principal hint and the secret nowhere (issue 3 "Must show").
// Needs the built CLI (`npm test` builds first).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../../src/core/auth/index.js';
import { startEntraStandIn, type EntraStandIn } from '../support/entra/index.js';
import { startFabricEmulator, type FabricEmulator } from '../support/fabric-emulator/index.js';
// Spawned: the subject is a process that trusts the token endpoint from its start, as a user's would (tests/support/run-cli.ts).
import { runSpawnedCli as runCli } from '../support/run-cli.js';

const tenantId = '72f988bf-0000-4000-8000-000000000001';
const clientId = '0b1c2d3e-0000-4000-8000-000000000002';
const secret = 'cli~Secret.value-never-printed_42';
const tokenFor = (_client: string, scope: string) => (scope === SCOPES.fabric ? 'entra-fabric-token' : 'entra-powerbi-token');

let entra: EntraStandIn;
let emu: FabricEmulator;
let workspace: string;
let cwd: string;

beforeAll(async () => {
  entra = await startEntraStandIn({ clients: { [clientId]: secret }, tenantId, tokenFor });
  emu = await startFabricEmulator({ acceptTokens: ['entra-fabric-token', 'entra-powerbi-token'] });
  workspace = emu.addWorkspace({ name: 'Sales' });
  cwd = mkdtempSync(path.join(tmpdir(), 'entra-cli-'));
});
afterAll(async () => {
  await entra?.close();
  await emu?.close();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

function env(clientSecret: string): Record<string, string> {
  return {
    FABRIC_TENANT_ID: tenantId,
    FABRIC_CLIENT_ID: clientId,
    FABRIC_CLIENT_SECRET: clientSecret,
    FABRIC_AUTHORITY_HOST: entra.authorityHost,
    NODE_EXTRA_CA_CERTS: entra.caCertPath,
    FABRIC_API_URL: emu.url,
    POWERBI_API_URL: emu.url,
    FABRIC_WORKSPACE_ID: workspace,
  };
}

describe('spawned CLI against the Entra stand-in', () => {
  it('gets a token per API with the client secret and uses them on both APIs', async () => {
    const before = entra.tokensIssued.length;
    const r = await runCli(['validate', '--json'], { env: env(secret), cwd });
    const report = JSON.parse(r.stdout) as { checks: Array<{ id: string; status: string; message: string }> };
    const tokenChecks = report.checks.filter((c) => /token|entra|auth/i.test(c.id));
    expect(tokenChecks.length).toBeGreaterThan(0);
    expect(tokenChecks.every((c) => c.status === 'ok')).toBe(true);
    expect(new Set(entra.tokensIssued.slice(before).map((t) => t.scope))).toEqual(new Set([SCOPES.fabric, SCOPES.powerbi]));
    expect(emu.requestLog.length).toBeGreaterThan(0);
    expect(emu.requestLog.every((l) => l.token === 'entra-fabric-token' || l.token === 'entra-powerbi-token')).toBe(true);
    expect(r.stdout + r.stderr).not.toContain(secret);
  });

  it('a wrong secret exits 3 with a service-principal hint, and the secret appears nowhere', async () => {
    const wrong = 'wrong~Secret.value-never-printed_43';
    for (const args of [['validate'], ['validate', '--json'], ['validate', '--verbose']]) {
      const r = await runCli(args, { env: env(wrong), cwd });
      expect(r.code, `${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(3);
      const all = r.stdout + r.stderr;
      expect(all).toMatch(/AADSTS7000215/);
      expect(all).toMatch(/FABRIC_CLIENT_SECRET/);
      expect(all).toMatch(/service principal/i);
      expect(all).not.toContain(wrong);
      expect(all).not.toContain(secret);
    }
  });
});

describe('convert and monitor with a rejected credential', () => {
  it('exit 3 with the hint instead of a per-workspace warning', async () => {
    const wrong = 'wrong~Secret.value-never-printed_44';
    for (const args of [['convert', '--auto'], ['monitor', '--once', '--json']]) {
      const r = await runCli(args, { env: { ...env(wrong), FABRIC_SYNC_STATE_PATH: path.join(cwd, `${args[0]}.json`) }, cwd });
      expect(r.code, `${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(3);
      expect(r.stdout + r.stderr).toMatch(/AADSTS7000215/);
      expect(r.stdout + r.stderr).not.toContain(wrong);
    }
  });
});
