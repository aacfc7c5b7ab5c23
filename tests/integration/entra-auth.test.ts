// The real @azure/identity client-credential flow against the HTTPS token stand-in
// (docs/fabric-rest.md#authentication-and-tenant-settings; issue 3 "Must show": wrong secret → hint, secret nowhere in the output).
import { spawn } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenProvider, SCOPES } from '../../src/core/auth/index.js';
import { systemClock, silentLogger } from '../../src/core/context.js';
import { AuthError } from '../../src/core/errors.js';
import { repoRoot } from '../support/paths.js';
import { generate } from 'selfsigned';
import { startEntraStandIn, type EntraStandIn } from '../support/entra/index.js';

const tenantId = '11111111-2222-3333-4444-555555555555';
const clientId = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const secret = 'Sup3r~Secret.Value_that-must-not-leak';
const wrongSecret = 'Wr0ng~Secret.Value_also-must-not-leak';

let entra: EntraStandIn;
beforeAll(async () => {
  entra = await startEntraStandIn({ clients: { [clientId]: secret }, tenantId });
});
afterAll(async () => {
  await entra?.close();
});

function provider(over: { clientId?: string; clientSecret?: string; tenantId?: string } = {}) {
  return createTokenProvider(
    { mode: 'client-secret', tenantId: over.tenantId ?? tenantId, clientId: over.clientId ?? clientId, clientSecret: over.clientSecret ?? secret, authorityHost: entra.authorityHost },
    { clock: systemClock, logger: silentLogger, extraCaPem: entra.caCertPem },
  );
}

function everythingSaid(e: unknown): string {
  const err = e as AuthError;
  return [err.message, err.hint, JSON.stringify(err.toJSON()), err.stack, String(err.cause ?? '')].join('\n');
}

describe('client-secret credential against the HTTPS token stand-in', () => {
  it('gets one token per audience with the right scope, cached, shared by concurrent callers', async () => {
    const before = entra.tokensIssued.length;
    const tokens = provider();
    const [a, b, c] = await Promise.all([tokens.getToken('fabric'), tokens.getToken('fabric'), tokens.getToken('fabric')]);
    expect(a).toBe(b);
    expect(b).toBe(c);
    const pbi = await tokens.getToken('powerbi');
    expect(pbi).not.toBe(a);
    expect(await tokens.getToken('fabric')).toBe(a);
    const issued = entra.tokensIssued.slice(before);
    expect(issued.map((t) => t.scope)).toEqual([SCOPES.fabric, SCOPES.powerbi]);
    expect(issued.every((t) => t.clientId === clientId)).toBe(true);
    expect(issued[0]!.token).toBe(a);
  });

  it('a wrong secret gives AuthError AADSTS7000215 with a service-principal hint, and neither secret leaks', async () => {
    const logged: string[] = [];
    const log = (m: string, d?: Record<string, unknown>) => logged.push(`${m} ${JSON.stringify(d ?? {})}`);
    const tokens = createTokenProvider(
      { mode: 'client-secret', tenantId, clientId, clientSecret: wrongSecret, authorityHost: entra.authorityHost },
      { clock: systemClock, logger: { debug: log, info: log, warn: log, error: log }, extraCaPem: entra.caCertPem },
    );
    const err = await tokens.getToken('powerbi').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    const all = everythingSaid(err) + logged.join('\n');
    expect((err as AuthError).message).toMatch(/AADSTS7000215/);
    expect((err as AuthError).hint).toMatch(/FABRIC_CLIENT_SECRET/);
    expect((err as AuthError).hint).toMatch(/service principal/i);
    expect((err as AuthError).exitCode).toBe(3);
    expect(all).not.toContain(wrongSecret);
    expect(all).not.toContain(secret);
  });

  it('an unknown client id gives AADSTS700016 with a FABRIC_CLIENT_ID hint', async () => {
    const err = (await provider({ clientId: '99999999-0000-0000-0000-000000000000' }).getToken('fabric').catch((e: unknown) => e)) as AuthError;
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toMatch(/AADSTS700016/);
    expect(err.hint).toMatch(/FABRIC_CLIENT_ID/);
    expect(everythingSaid(err)).not.toContain(secret);
  });

  it('an unknown tenant (Entra answers AADSTS90002 on the metadata document) names the tenant in the hint', async () => {
    const err = (await provider({ tenantId: '00000000-0000-0000-0000-000000000000' }).getToken('fabric').catch((e: unknown) => e)) as AuthError;
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toMatch(/tenant is unknown/);
    expect(err.hint).toMatch(/FABRIC_TENANT_ID/);
    expect(everythingSaid(err)).not.toContain(secret);
  });

  it('an unreachable authority host gives a network AuthError', async () => {
    const tokens = createTokenProvider(
      { mode: 'client-secret', tenantId, clientId, clientSecret: secret, authorityHost: 'https://127.0.0.1:1' },
      { clock: systemClock, logger: silentLogger },
    );
    const err = (await tokens.getToken('fabric').catch((e: unknown) => e)) as AuthError;
    expect(err).toBeInstanceOf(AuthError);
    expect(err.hint).toMatch(/authority host/);
    expect(everythingSaid(err)).not.toContain(secret);
  });

  it('a child process trusting the stand-in through NODE_EXTRA_CA_CERTS runs the real flow (as a spawned CLI would)', async () => {
    // The way the CLI e2e tests use the stand-in: the CA is trusted from process start.
    const dir = mkdtempSync(path.join(tmpdir(), 'entra-child-'));
    const script = path.join(dir, 'get-token.mjs');
    const identity = path.join(repoRoot, 'node_modules/@azure/identity/dist/esm/index.js');
    writeFileSync(
      script,
      `import { ClientSecretCredential } from ${JSON.stringify(identity)};
       const [tenant, client, secret, host, scope] = process.argv.slice(2);
       const cred = new ClientSecretCredential(tenant, client, secret, { authorityHost: host, disableInstanceDiscovery: true });
       try { const t = await cred.getToken(scope); console.log(JSON.stringify({ ok: true, token: t.token, expires: t.expiresOnTimestamp })); }
       catch (e) { console.log(JSON.stringify({ ok: false, name: e.name, message: e.message })); }`,
    );
    const run = (s: string) =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, [script, tenantId, clientId, s, entra.authorityHost, SCOPES.fabric], {
          env: { ...process.env, NODE_EXTRA_CA_CERTS: entra.caCertPath },
        });
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
        child.on('error', reject);
        child.on('close', () => resolve(out));
      });
    try {
      const good = JSON.parse(await run(secret));
      expect(good.ok).toBe(true);
      expect(entra.tokensIssued.some((t) => t.token === good.token && t.scope === SCOPES.fabric)).toBe(true);
      const bad = JSON.parse(await run(wrongSecret));
      expect(bad.ok).toBe(false);
      expect(bad.message).toMatch(/invalid_client/);
      expect(bad.message).toMatch(/AADSTS7000215/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('certificate credential against the stand-in', () => {
  it('signs a client assertion with the certificate; a certificate the app does not know gives AADSTS700027', async () => {
    const certClient = 'cccccccc-0000-0000-0000-000000000001';
    const good = await generate([{ name: 'commonName', value: 'fabric-sync-test' }], { keySize: 2048 });
    const other = await generate([{ name: 'commonName', value: 'someone-else' }], { keySize: 2048 });
    const stand = await startEntraStandIn({ clients: {}, certificates: { [certClient]: good.cert }, tenantId });
    const dir = mkdtempSync(path.join(tmpdir(), 'entra-cert-'));
    try {
      const goodPath = path.join(dir, 'good.pem');
      const otherPath = path.join(dir, 'other.pem');
      writeFileSync(goodPath, `${good.private}\n${good.cert}`);
      writeFileSync(otherPath, `${other.private}\n${other.cert}`);
      const make = (certificatePath: string) =>
        createTokenProvider(
          { mode: 'certificate', tenantId, clientId: certClient, certificatePath, authorityHost: stand.authorityHost },
          { clock: systemClock, logger: silentLogger, extraCaPem: stand.caCertPem },
        );
      const token = await make(goodPath).getToken('powerbi');
      expect(stand.tokensIssued).toEqual([{ clientId: certClient, scope: SCOPES.powerbi, token }]);
      const err = (await make(otherPath).getToken('powerbi').catch((e: unknown) => e)) as AuthError;
      expect(err).toBeInstanceOf(AuthError);
      expect(err.message).toMatch(/AADSTS700027/);
      expect(err.hint).toMatch(/certificate/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await stand.close();
    }
  });
});

describe('DefaultAzureCredential', () => {
  it('takes a service principal from the AZURE_* environment it reads itself', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { AZURE_TENANT_ID: tenantId, AZURE_CLIENT_ID: clientId, AZURE_CLIENT_SECRET: secret });
    try {
      const before = entra.tokensIssued.length;
      const tokens = createTokenProvider(
        { mode: 'default', authorityHost: entra.authorityHost },
        { clock: systemClock, logger: silentLogger, extraCaPem: entra.caCertPem },
      );
      const token = await tokens.getToken('fabric');
      expect(entra.tokensIssued.slice(before)).toEqual([{ clientId, scope: SCOPES.fabric, token }]);
    } finally {
      for (const k of ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });
});
