// Area 4 of issue 9: secrets. Spawned runs at --verbose with distinctive fake secrets — the Entra
// client secret, the Snowflake password, a private-key passphrase, the bearer tokens, and wrong
// variants of each — with failures injected (5xx, 429, 401, 403, a failing statement, refused
// logins). Then every artefact is scanned: stdout, stderr, the state file, the push JSON files, every
// warehouse row, every statement and bind sent to Snowflake. Zero occurrences allowed, whole or in
// part. Config printouts (JSON, util.inspect, template strings) show `***`.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../../src/core/auth/index.js';
import { loadConfig } from '../../src/core/config/load.js';
import { startEntraStandIn, type EntraStandIn } from '../support/entra/index.js';
import { startFabricEmulator, type FabricEmulator } from '../support/fabric-emulator/index.js';
// Spawned: the subject is everything the process prints, libraries' writes included (tests/support/run-cli.ts).
import { runSpawnedCli as runCli, type CliResult } from '../support/run-cli.js';
import { startSnowflakeStandIn, type SnowflakeStandIn } from '../support/snowflake-standin/index.js';
import { modelParts, workdir } from './harness.js';

const S = {
  clientSecret: 'LEAKCANARY~client~Qx7.secret_9f2d41',
  wrongClientSecret: 'LEAKCANARY~wrong~client~Hh3_7c1e88',
  sfPassword: 'LEAKCANARY-sf-pass-R2d2#C3po!',
  wrongSfPassword: 'LEAKCANARY-wrong-sf-pass-Z9q',
  passphrase: 'LEAKCANARY passphrase horse staple 4471',
  wrongPassphrase: 'LEAKCANARY wrong passphrase 8812',
  fabricToken: 'LEAKCANARY.eyJmYWJyaWMiOiJ0b2tlbiJ9.sig-fab-0001',
  powerbiToken: 'LEAKCANARY.eyJwb3dlcmJpIjoidG9rZW4ifQ.sig-pbi-0002',
  staticToken: 'LEAKCANARY.static-access-token.sig-0003',
};
const TENANT = '72f988bf-0000-4000-8000-00000000beef';
const CLIENT = '0b1c2d3e-0000-4000-8000-00000000cafe';
const KEY_USER = 'KEY_USER';

let entra: EntraStandIn;
let emu: FabricEmulator;
let standIn: SnowflakeStandIn;
let keyPath: string;
let ws: string;
const artefacts: Array<{ where: string; text: string }> = [];

beforeAll(async () => {
  entra = await startEntraStandIn({ clients: { [CLIENT]: S.clientSecret }, tenantId: TENANT, tokenFor: (_c, scope) => (scope === SCOPES.fabric ? S.fabricToken : S.powerbiToken) });
  emu = await startFabricEmulator({ acceptTokens: [S.fabricToken, S.powerbiToken], lroPolls: 1, lroRetryAfter: 0 });
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: S.passphrase },
  });
  standIn = await startSnowflakeStandIn({ users: { FABRIC_SYNC: S.sfPassword }, publicKeys: { [KEY_USER]: publicKey } });
  const keyDir = workdir('key');
  keyPath = path.join(keyDir, 'rsa_key.p8');
  writeFileSync(keyPath, privateKey, { mode: 0o600 });
  ws = emu.addWorkspace({ name: 'Secrets' });
  for (let i = 1; i <= 4; i++) emu.addModel(ws, { name: `Secret Model ${i}`, parts: modelParts({ name: `Secret Model ${i}` }) });
});
afterAll(async () => {
  await entra?.close();
  await emu?.close();
  await standIn?.close();
});

function env(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    FABRIC_TENANT_ID: TENANT,
    FABRIC_CLIENT_ID: CLIENT,
    FABRIC_CLIENT_SECRET: S.clientSecret,
    FABRIC_AUTHORITY_HOST: entra.authorityHost,
    NODE_EXTRA_CA_CERTS: entra.caCertPath,
    FABRIC_API_URL: emu.url,
    POWERBI_API_URL: emu.url,
    FABRIC_WORKSPACE_ID: ws,
    SF_TELEMETRY_DISABLE_CONNECTION_SHAPE: '1',
    SNOWFLAKE_ACCOUNT: standIn.account,
    SNOWFLAKE_ACCESS_URL: standIn.url,
    SNOWFLAKE_USER: 'FABRIC_SYNC',
    SNOWFLAKE_PASSWORD: S.sfPassword,
    SNOWFLAKE_DATABASE: 'FABRIC_DB',
    SNOWFLAKE_SCHEMA: 'METADATA',
    SNOWFLAKE_WAREHOUSE: 'WH',
    ...extra,
  };
}

function collectFiles(dir: string, label: string): void {
  for (const f of readdirSync(dir, { recursive: true }) as string[]) {
    const full = path.join(dir, f);
    if (statSync(full).isFile() && !/\.duckdb/.test(f)) artefacts.push({ where: `${label}/${f}`, text: readFileSync(full, 'utf8') });
  }
}

async function run(label: string, args: string[], cwd: string, e: Record<string, string | undefined>): Promise<CliResult> {
  const r = await runCli(args, { cwd, env: e, timeoutMs: 60_000 });
  artefacts.push({ where: `${label} stdout`, text: r.stdout }, { where: `${label} stderr`, text: r.stderr });
  return r;
}

/** Each secret whole, and any 10-character slice of it (a secret cut by a truncated message still leaks). */
function leaks(text: string): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(S)) {
    if (text.includes(value)) found.push(`${name} (whole)`);
    else for (let i = 0; i + 10 <= value.length; i += 5) if (text.includes(value.slice(i, i + 10)) && !/^LEAKCANARY/.test(value.slice(i, i + 10))) { found.push(`${name} (part ${JSON.stringify(value.slice(i, i + 10))})`); break; }
  }
  return found;
}

describe('secrets', () => {
  it('appear in no output, file, row or statement of verbose runs with failures', async () => {
    const cwd = workdir('secrets');
    const runs: string[] = [];
    const expectCode = (label: string, r: CliResult, codes: number[]) => {
      runs.push(`${label}→${r.code}`);
      expect(codes, `${label}\n${r.stderr.slice(0, 3000)}`).toContain(r.code);
    };

    // 1. Faults everywhere, client-secret auth, Snowflake password, human output.
    emu.fault({ path: '/groups/', method: 'GET', kind: '500', times: 1 });
    emu.fault({ path: 'getDefinition', kind: '429', retryAfter: 1, times: 1 });
    emu.fault({ path: 'getDefinition', kind: '401', times: 1 });
    emu.fault({ path: 'getDefinition', kind: '403', times: 1 });
    standIn.failAt({ match: /MERGE INTO .*_SEMANTIC_MEASURES/, code: '100038', message: 'Numeric value is not recognized', times: 1 });
    expectCode('convert verbose', await run('convert --auto --verbose', ['convert', '--auto', '--verbose'], cwd, env()), [1, 3]);
    emu.clearFaults();
    standIn.clearFaults();

    // 2. The same as JSON (finishes what failed), then key-pair auth with the passphrase.
    expectCode('convert json', await run('convert --auto --json --verbose', ['convert', '--auto', '--json', '--verbose'], cwd, env()), [0]);
    emu.updateModelPart(firstModel(), 'model.bim', (t) => t.replace('SUM(Sales[Amount])', 'SUM(Sales[Amount]) * 2'));
    const keyEnv = env({ SNOWFLAKE_USER: KEY_USER, SNOWFLAKE_PASSWORD: undefined, SNOWFLAKE_PRIVATE_KEY_PATH: keyPath, SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: S.passphrase });
    expectCode('monitor key-pair', await run('monitor --once --verbose (key pair)', ['monitor', '--once', '--verbose', '--json'], cwd, keyEnv), [0]);

    // 3. Refused credentials of every kind, each a distinct secret.
    emu.updateModelPart(firstModel(), 'model.bim', (t) => t.replace('SUM(Sales[Amount]) * 2', 'SUM(Sales[Amount]) * 3'));
    expectCode('wrong passphrase', await run('wrong passphrase', ['convert', '--auto', '--verbose'], cwd, { ...keyEnv, SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: S.wrongPassphrase }), [1, 2, 3]);
    expectCode('wrong sf password', await run('wrong Snowflake password', ['convert', '--auto', '--verbose', '--json'], cwd, env({ SNOWFLAKE_PASSWORD: S.wrongSfPassword })), [3]);
    expectCode('wrong client secret', await run('wrong client secret', ['convert', '--auto', '--verbose'], cwd, env({ FABRIC_CLIENT_SECRET: S.wrongClientSecret })), [3]);
    expectCode('rejected static token', await run('rejected static token', ['convert', '--auto', '--verbose', '--json'], cwd, env({ FABRIC_ACCESS_TOKEN: S.staticToken })), [3]);
    expectCode('validate', await run('validate --verbose', ['validate', '--verbose'], cwd, env()), [0, 1]);
    expectCode('validate json', await run('validate --json --verbose', ['validate', '--json', '--verbose'], cwd, keyEnv), [0, 1]);
    expectCode('state', await run('state --json', ['state', '--json'], cwd, env()), [0]);

    // Every file the runs left, every warehouse row, everything sent to Snowflake.
    collectFiles(cwd, 'workdir');
    expect(existsSync(path.join(cwd, 'sync_state.json'))).toBe(true);
    expect(readdirSync(path.join(cwd, 'push-definitions')).length).toBe(4);
    const tables = await standIn.query(`SELECT table_schema, table_name FROM information_schema.tables WHERE table_catalog = 'FABRIC_DB'`);
    let rows = 0;
    for (const t of tables) {
      const all = await standIn.query(`SELECT * FROM "FABRIC_DB"."${String(t.table_schema)}"."${String(t.table_name)}"`);
      rows += all.length;
      artefacts.push({ where: `warehouse ${String(t.table_name)}`, text: JSON.stringify(all, (_k, v) => (typeof v === 'bigint' ? String(v) : v)) });
    }
    expect(rows).toBeGreaterThan(0);
    artefacts.push({ where: 'statements and binds', text: JSON.stringify(standIn.statements) });

    // The scanner itself finds a secret, whole or cut.
    expect(leaks(`x${S.sfPassword}y`)).toEqual(['sfPassword (whole)']);
    expect(leaks(`token=${S.powerbiToken.slice(12, 30)}…`)).toHaveLength(1);
    const found = artefacts.flatMap((a) => leaks(a.text).map((l) => `${a.where}: ${l}`));
    const bytes = artefacts.reduce((n, a) => n + a.text.length, 0);
    console.log(`secret leaks ${found.length} (${Object.keys(S).length} secrets, ${artefacts.length} artefacts, ${Math.round(bytes / 1024)} KiB scanned, ${rows} warehouse rows; runs ${runs.join(', ')})`);
    expect(found).toEqual([]);
  }, 150_000);

  it('config printouts show *** for every secret', async () => {
    const cwd = workdir('secrets-config');
    const loaded = await loadConfig({
      cwd,
      env: {
        FABRIC_TENANT_ID: TENANT,
        FABRIC_CLIENT_ID: CLIENT,
        FABRIC_CLIENT_SECRET: S.clientSecret,
        FABRIC_ACCESS_TOKEN: S.staticToken,
        SNOWFLAKE_ACCOUNT: 'acct',
        SNOWFLAKE_USER: 'u',
        SNOWFLAKE_DATABASE: 'D',
        SNOWFLAKE_SCHEMA: 'S',
        SNOWFLAKE_PASSWORD: S.sfPassword,
        SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: S.passphrase,
      },
    });
    const printouts = [JSON.stringify(loaded), inspect(loaded, { depth: 10 }), `${JSON.stringify(loaded.config.fabric)} ${String(loaded.config.snowflake.password)} ${loaded.config.fabric.clientSecret}`];
    for (const p of printouts) {
      expect(leaks(p)).toEqual([]);
      expect(p).toContain('***');
    }
  });
});

function firstModel(): string {
  return emu.requestLog.map((r) => /semanticModels\/([0-9a-f-]{36})\/getDefinition/.exec(r.path)?.[1]).find(Boolean)!;
}
