// `validate` as a user meets it (issue 7 "Must show"): the built CLI run against the three local
// stand-ins — Entra (HTTPS), the Fabric/Power BI emulator, the Snowflake stand-in — all ok first,
// then one fault at a time: the right line fails with its hint, the exit code is right, and no
// secret ever reaches stdout or stderr. Stand-ins start once for the file; faults are reset per test.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEntraStandIn, type EntraStandIn } from '../support/entra/index.js';
import { startFabricEmulator, type FabricEmulator } from '../support/fabric-emulator/index.js';
import { example } from '../support/paths.js';
import { runCli, type CliResult } from '../support/run-cli.js';
import { startSnowflakeStandIn, type SnowflakeStandIn } from '../support/snowflake-standin/index.js';

const TENANT = 'contoso-tenant';
const CLIENT = 'validate-client-app';
// Distinctive fake secrets: the tests prove none of them is ever printed.
const SECRET = 'S3cr3t-Entra-Value-9f8e7d6c';
const WRONG_SECRET = 'Wr0ng-Entra-Value-1a2b3c4d';
const SF_PASSWORD = 'Sn0wflake-Pa55-ab12cd34';
const SF_WRONG = 'Wr0ng-Sn0w-Pa55-ef56gh78';
const SECRETS = [SECRET, WRONG_SECRET, SF_PASSWORD, SF_WRONG];
const TOKENS = { fabric: 'validate-fabric-token', powerbi: 'validate-powerbi-token' };
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;

let entra: EntraStandIn;
let emu: FabricEmulator;
let sf: SnowflakeStandIn;
let ws: string;
let viewerWs: string;
const dirs: string[] = [];

beforeAll(async () => {
  [entra, emu, sf] = await Promise.all([
    startEntraStandIn({
      tenantId: TENANT,
      clients: { [CLIENT]: SECRET },
      tokenFor: (_client, scope) => (scope.includes('powerbi') ? TOKENS.powerbi : TOKENS.fabric),
    }),
    startFabricEmulator({ acceptTokens: [TOKENS.fabric, TOKENS.powerbi] }),
    startSnowflakeStandIn({ users: { FABRIC_SYNC: SF_PASSWORD } }),
  ]);
  ws = emu.addWorkspace({ name: 'Sales' });
  emu.addModel(ws, { name: 'Model01', path: example.tmdl });
  // A workspace where the principal only has the Viewer role: listing works, getDefinition is denied.
  viewerWs = emu.addWorkspace({ name: 'Finance', members: [], viewers: [TOKENS.fabric, TOKENS.powerbi] });
  emu.addModel(viewerWs, { name: 'Budget', path: example.tmdl });
});

afterAll(async () => {
  await Promise.all([entra?.close(), emu?.close(), sf?.close()]);
});

afterEach(() => {
  emu.clearFaults();
  sf.clearFaults();
});

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh working directory per run: its own state file, so concurrent runs never meet. */
function workDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'fs-validate-'));
  dirs.push(d);
  return d;
}

function env(over: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    NODE_EXTRA_CA_CERTS: entra.caCertPath,
    FABRIC_TENANT_ID: TENANT,
    FABRIC_CLIENT_ID: CLIENT,
    FABRIC_CLIENT_SECRET: SECRET,
    FABRIC_AUTHORITY_HOST: entra.authorityHost,
    FABRIC_API_URL: emu.url,
    POWERBI_API_URL: emu.url,
    FABRIC_WORKSPACE_ID: ws,
    SNOWFLAKE_ACCOUNT: sf.account,
    SNOWFLAKE_ACCESS_URL: sf.url,
    SNOWFLAKE_USER: 'FABRIC_SYNC',
    SNOWFLAKE_PASSWORD: SF_PASSWORD,
    SNOWFLAKE_WAREHOUSE: 'WH',
    SNOWFLAKE_DATABASE: 'FABRIC_DB',
    SNOWFLAKE_SCHEMA: 'METADATA',
    ...over,
  };
}

interface JsonCheck { id: string; status: string; message: string; hint?: string; failure?: string }

async function validate(over: Record<string, string | undefined> = {}, args: string[] = [], cwd = workDir()): Promise<CliResult> {
  const r = await runCli(['validate', ...args], { env: env(over), cwd });
  for (const s of SECRETS) {
    expect(r.stdout).not.toContain(s);
    expect(r.stderr).not.toContain(s);
  }
  return r;
}

async function validateJson(over: Record<string, string | undefined> = {}, cwd?: string): Promise<{ r: CliResult; doc: { ok: boolean; exitCode: number; checks: JsonCheck[] } }> {
  const r = await validate(over, ['--json'], cwd);
  expect(r.stdout).not.toMatch(ANSI);
  return { r, doc: JSON.parse(r.stdout) };
}

const byId = (checks: JsonCheck[], id: string) => checks.find((c) => c.id === id);
const failed = (checks: JsonCheck[]) => checks.filter((c) => c.status === 'fail').map((c) => c.id);

// Faults that are global to a stand-in (an injected 403, a denied privilege) and the all-ok run that
// counts statements: one at a time.
describe('validate against the stand-ins: all ok, then stand-in faults one at a time', () => {
  it('all ok: every line passes, exit 0; the temporary table is created, merged and dropped', async () => {
    sf.resetRecording();
    emu.resetStats();
    const entraBefore = entra.requests.length;
    const { r, doc } = await validateJson();
    // What one validate costs (README): 3 API requests, one token per audience, 7 SQL statements.
    expect(emu.stats.byRoute).toEqual({
      'GET /v1.0/myorg/groups': 1,
      'GET /v1.0/myorg/groups/{groupId}/datasets': 1,
      'POST /v1/workspaces/{workspaceId}/semanticModels/{semanticModelId}/getDefinition': 1,
    });
    expect(entra.requests.slice(entraBefore).filter((x) => x.path.endsWith('/token'))).toHaveLength(2);
    expect(sf.statements).toHaveLength(7);
    expect(byId(doc.checks, 'snowflake.context')?.message).toMatch(/no metadata table yet/);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(''); // --json: stdout carries the document, nothing else is said
    expect(doc.ok).toBe(true);
    expect(failed(doc.checks)).toEqual([]);
    const expectOk = ['config', 'entra.powerbi', 'entra.fabric', `fabric.workspace:${ws}`, `fabric.role:${ws}`, 'push.permission', 'snowflake.login', 'snowflake.context', 'snowflake.privileges', 'state.writable', 'state.lock'];
    for (const id of expectOk) expect(byId(doc.checks, id)?.status, id).toBe('ok');
    expect(byId(doc.checks, 'fabric.scanner')?.status).toBe('skip');
    expect(byId(doc.checks, 'push.permission')?.message).toMatch(/not tried/);
    const sql = sf.statements.map((s) => s.sqlText);
    expect(sql.some((s) => /^CREATE TEMPORARY TABLE "FABRIC_DB"\."METADATA"\."FABRIC_SYNC_VALIDATE_/.test(s))).toBe(true);
    expect(sql.some((s) => /^MERGE INTO "FABRIC_DB"\."METADATA"\."FABRIC_SYNC_VALIDATE_/.test(s))).toBe(true);
    expect(sql.some((s) => /^DROP TABLE IF EXISTS "FABRIC_DB"\."METADATA"\."FABRIC_SYNC_VALIDATE_/.test(s))).toBe(true);
    expect(emu.stats.writes).toBe(0); // nothing created in Fabric

    const human = await validate();
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^✔ config valid/m);
    expect(human.stdout).toContain(`workspace "Sales" (${ws}): reachable, 1 model listed`);
    expect(human.stdout).toMatch(/^ready: \d+ ok, 0 warnings, 0 failed, \d+ skipped \(exit code 0\)$/m);
    expect(human.stdout).not.toMatch(ANSI);
  });

  it('workspace 403 on the dataset list: the workspace line fails with a role hint, exit 3', async () => {
    emu.fault({ method: 'GET', path: `/groups/${ws}/datasets`, kind: '403' });
    const { r, doc } = await validateJson();
    expect(r.code).toBe(3);
    expect(failed(doc.checks)).toEqual([`fabric.workspace:${ws}`]);
    const line = byId(doc.checks, `fabric.workspace:${ws}`)!;
    expect(line.message).toMatch(/cannot list models \(HTTP 403/);
    expect(line.hint).toMatch(/Add the service principal to workspace/);
    expect(line.failure).toBe('permission');
    expect(byId(doc.checks, `fabric.role:${ws}`)?.status).toBe('skip');
  });

  it('missing CREATE TABLE privilege: the privileges line fails with the GRANT to paste, exit 3', async () => {
    sf.denyPrivilege('CREATE TABLE');
    sf.resetRecording();
    const { r, doc } = await validateJson();
    expect(r.code).toBe(3);
    expect(failed(doc.checks)).toEqual(['snowflake.privileges']);
    const line = byId(doc.checks, 'snowflake.privileges')!;
    expect(line.message).toMatch(/may not CREATE TABLE in "FABRIC_DB"\."METADATA": .*Insufficient privileges/);
    expect(line.hint).toContain('GRANT CREATE TABLE, CREATE VIEW ON SCHEMA "FABRIC_DB"."METADATA" TO ROLE');
    // Nothing was created, so nothing is left to drop: no MERGE ran.
    expect(sf.statements.some((s) => /^MERGE/.test(s.sqlText))).toBe(false);
  });

  it('metadata tables that already exist are named, with the grants they need if another role owns them', async () => {
    await sf.query('CREATE TABLE "FABRIC_DB"."METADATA"."_SEMANTIC_METADATA" (MODEL_ID VARCHAR)');
    try {
      const { r, doc } = await validateJson();
      expect(r.code).toBe(0);
      expect(byId(doc.checks, 'snowflake.context')?.message).toMatch(/metadata tables present: _SEMANTIC_METADATA; _SEMANTIC_TABLES, .* created on the next sync/);
      expect(byId(doc.checks, 'snowflake.privileges')?.hint).toMatch(/_SEMANTIC_METADATA, this role also needs INSERT, UPDATE, DELETE/);
    } finally {
      await sf.query('DROP TABLE "FABRIC_DB"."METADATA"."_SEMANTIC_METADATA"');
    }
  });
});

// Faults carried by the run's own environment or working directory (no stand-in state to reset).
describe('validate: faults of the run\'s own settings', () => {
  it('wrong client secret: both Entra lines fail with the AADSTS hint, Fabric checks skipped, exit 3', async () => {
    const [{ r, doc }, human] = await Promise.all([validateJson({ FABRIC_CLIENT_SECRET: WRONG_SECRET }), validate({ FABRIC_CLIENT_SECRET: WRONG_SECRET })]);
    expect(r.code).toBe(3);
    expect(failed(doc.checks)).toEqual(['entra.powerbi', 'entra.fabric']);
    expect(byId(doc.checks, 'entra.fabric')?.message).toMatch(/AADSTS7000215/);
    expect(byId(doc.checks, 'entra.fabric')?.hint).toMatch(/FABRIC_CLIENT_SECRET/);
    expect(byId(doc.checks, 'fabric.workspaces')?.status).toBe('skip');
    expect(byId(doc.checks, 'snowflake.privileges')?.status).toBe('ok'); // the other areas still ran
    expect(human.code).toBe(3);
    expect(human.stdout).toMatch(/^✖ Could not get an Entra ID token for the powerbi API/m);
    expect(human.stdout).toMatch(/^ {2}→ Check FABRIC_CLIENT_SECRET/m);
    expect(human.stdout).toMatch(/^ {2}→ same fix as above$/m); // one cause, one hint
  });

  it('getDefinition 403 (Viewer role): the role line fails naming write permission and "Contributor", exit 3', async () => {
    const { r, doc } = await validateJson({ FABRIC_WORKSPACE_ID: viewerWs });
    expect(r.code).toBe(3);
    expect(byId(doc.checks, `fabric.workspace:${viewerWs}`)?.status).toBe('ok');
    expect(failed(doc.checks)).toEqual([`fabric.role:${viewerWs}`]);
    const line = byId(doc.checks, `fabric.role:${viewerWs}`)!;
    expect(line.message).toMatch(/needs write permission on the model \(Contributor or higher\)/);
    expect(line.hint).toMatch(/Contributor role/);
    expect(byId(doc.checks, 'push.permission')?.status).toBe('skip');
  });

  it('Snowflake wrong password: the login line fails, the other Snowflake lines are skipped, exit 3', async () => {
    const { r, doc } = await validateJson({ SNOWFLAKE_PASSWORD: SF_WRONG });
    expect(r.code).toBe(3);
    expect(failed(doc.checks)).toEqual(['snowflake.login']);
    expect(byId(doc.checks, 'snowflake.login')?.hint).toMatch(/SNOWFLAKE_PASSWORD/);
    expect(byId(doc.checks, 'snowflake.privileges')?.status).toBe('skip');
  });

  it('locked state file (a live pid on this host): the lock line fails naming the pid, exit 1', async () => {
    const cwd = workDir();
    writeFileSync(path.join(cwd, 'sync_state.json.lock'), JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
    const { r, doc } = await validateJson({}, cwd);
    expect(r.code).toBe(1);
    expect(failed(doc.checks)).toEqual(['state.lock']);
    expect(byId(doc.checks, 'state.lock')?.message).toContain(`pid ${process.pid}`);
    expect(byId(doc.checks, 'state.lock')?.hint).toMatch(/delete .*sync_state\.json\.lock/);
  });

  it('a schema that does not exist (or is not granted): the context line fails with the USAGE grants, exit 3', async () => {
    const { r, doc } = await validateJson({ SNOWFLAKE_SCHEMA: 'NOT_THERE' });
    expect(r.code).toBe(3);
    expect(failed(doc.checks)).toEqual(['snowflake.context']);
    expect(byId(doc.checks, 'snowflake.context')?.message).toMatch(/cannot use warehouse "WH" \/ "FABRIC_DB"\."NOT_THERE": .*does not exist/);
    expect(byId(doc.checks, 'snowflake.context')?.hint).toContain('GRANT USAGE ON SCHEMA "FABRIC_DB"."NOT_THERE"');
    expect(byId(doc.checks, 'snowflake.privileges')?.status).toBe('skip');
  });

  it('no Snowflake settings: the embedded DuckDB file is checked instead, exit 0', async () => {
    const none = { SNOWFLAKE_ACCOUNT: undefined, SNOWFLAKE_ACCESS_URL: undefined, SNOWFLAKE_USER: undefined, SNOWFLAKE_PASSWORD: undefined, SNOWFLAKE_WAREHOUSE: undefined, SNOWFLAKE_DATABASE: undefined, SNOWFLAKE_SCHEMA: undefined };
    const { r, doc } = await validateJson(none);
    expect(r.code).toBe(0);
    expect(byId(doc.checks, 'duckdb.file')).toMatchObject({ status: 'ok', message: expect.stringMatching(/\.fabric-sync\/metadata\.duckdb: not created yet/) });
    expect(doc.checks.some((c) => c.id.startsWith('snowflake.'))).toBe(false);
  });

  it('invalid config: one failed line with every issue, the rest skipped, exit 2', async () => {
    const { r, doc } = await validateJson({ FABRIC_API_URL: 'not a url', FABRIC_SYNC_CONCURRENCY: '0' });
    expect(r.code).toBe(2);
    expect(doc.checks.map((c) => `${c.id}:${c.status}`)).toEqual(['config:fail', 'other:skip']);
    const details = (doc.checks[0] as { details?: string[] }).details ?? [];
    expect(details).toEqual([expect.stringMatching(/^fabric\.apiUrl: /), expect.stringMatching(/^monitor\.concurrency: /)]);
  });
});
