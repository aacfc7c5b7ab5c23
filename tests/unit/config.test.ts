import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig, resolveAuthMode, resolveTarget, validateConfig } from '../../src/core/config/load.js';
import { ENV_VARS, configFromEnv } from '../../src/core/config/env.js';
import { Secret } from '../../src/core/config/secret.js';
import { ConfigError } from '../../src/core/errors.js';
import { generatedFiles } from '../support/generate-docs.js';
import { repoRoot } from '../support/paths.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'fs-config-'));

describe('validateConfig', () => {
  it('accepts an empty config and applies the defaults', () => {
    const { config, issues } = validateConfig({});
    expect(issues).toEqual([]);
    expect(config!.push.suffix).toBe('_PushSync');
    expect(config!.monitor.intervalSeconds).toBe(300);
    expect(config!.monitor.recheckBudget).toBe(20);
    expect(config!.warehouse.duckdbPath).toBe('.fabric-sync/metadata.duckdb');
    expect(config!.state.path).toBe('sync_state.json');
    expect(resolveTarget(config!)).toBe('duckdb');
    expect(resolveAuthMode(config!)).toBe('default');
  });

  it('reports every problem at once as path: problem', () => {
    const { config, issues } = validateConfig({
      fabric: { apiUrl: 'not a url', timeoutSeconds: -1, colour: 'blue' },
      monitor: { concurrency: 0 },
      push: { onIncompatible: 'maybe' },
    });
    expect(config).toBeUndefined();
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^fabric\.apiUrl: /),
        expect.stringMatching(/^fabric\.timeoutSeconds: /),
        expect.stringMatching(/^fabric: unknown setting "colour"/),
        expect.stringMatching(/^monitor\.concurrency: /),
        expect.stringMatching(/^push\.onIncompatible: /),
      ]),
    );
    expect(issues.length).toBeGreaterThanOrEqual(5);
  });

  it('checks cross-field requirements of the chosen auth mode and warehouse', () => {
    const { issues } = validateConfig({ fabric: { clientSecret: 's3cr3t-value' }, snowflake: { account: 'acme' } });
    expect(issues).toEqual(
      expect.arrayContaining([
        'fabric.tenantId: required for client-secret auth (FABRIC_TENANT_ID)',
        'fabric.clientId: required for client-secret auth (FABRIC_CLIENT_ID)',
        expect.stringMatching(/^snowflake\.user: /),
        expect.stringMatching(/^snowflake\.database: /),
        expect.stringMatching(/^snowflake\.schema: /),
        expect.stringMatching(/^snowflake\.password: /),
      ]),
    );
    expect(issues.join('\n')).not.toContain('s3cr3t-value');
  });

  it('chooses the auth mode in the documented order', () => {
    const mode = (fabric: Record<string, unknown>) => resolveAuthMode(validateConfig({ fabric: { tenantId: 't', clientId: 'c', ...fabric } }).config!);
    expect(mode({ accessToken: 'tok', clientSecret: 'x' })).toBe('static');
    expect(mode({ clientSecret: 'x', certificatePath: '/c.pem' })).toBe('client-secret');
    expect(mode({ certificatePath: '/c.pem' })).toBe('certificate');
    expect(mode({})).toBe('default');
    expect(mode({ auth: 'default', clientSecret: 'x' })).toBe('default');
  });
});

describe('environment names', () => {
  it('maps the original system names, and splits FABRIC_WORKSPACE_ID on commas', () => {
    const raw = configFromEnv({
      FABRIC_TENANT_ID: 'tenant',
      FABRIC_CLIENT_ID: 'client',
      FABRIC_CLIENT_SECRET: 'secret',
      FABRIC_WORKSPACE_ID: 'ws-1, ws-2,,ws-3',
      SNOWFLAKE_ACCOUNT: 'acct',
      SNOWFLAKE_USER: 'user',
      SNOWFLAKE_PASSWORD: 'pw',
      SNOWFLAKE_WAREHOUSE: 'wh',
      SNOWFLAKE_DATABASE: 'db',
      SNOWFLAKE_SCHEMA: 'sc',
    });
    expect(raw.fabric).toEqual({ tenantId: 'tenant', clientId: 'client', clientSecret: 'secret', workspaces: ['ws-1', 'ws-2', 'ws-3'] });
    expect(raw.snowflake).toMatchObject({ account: 'acct', user: 'user', password: 'pw', warehouse: 'wh', database: 'db', schema: 'sc' });
  });

  it('lists every environment variable docs/architecture.md#configuration names', () => {
    const names = new Set(ENV_VARS.map((v) => v.name));
    for (const n of [
      'FABRIC_TENANT_ID', 'FABRIC_CLIENT_ID', 'FABRIC_CLIENT_SECRET', 'FABRIC_WORKSPACE_ID', 'SNOWFLAKE_ACCOUNT', 'SNOWFLAKE_USER',
      'SNOWFLAKE_PASSWORD', 'SNOWFLAKE_WAREHOUSE', 'SNOWFLAKE_DATABASE', 'SNOWFLAKE_SCHEMA', 'SNOWFLAKE_ROLE', 'SNOWFLAKE_PRIVATE_KEY_PATH',
      'SNOWFLAKE_PRIVATE_KEY_PASSPHRASE', 'SNOWFLAKE_AUTHENTICATOR', 'SNOWFLAKE_ACCESS_URL', 'FABRIC_AUTH', 'FABRIC_ACCESS_TOKEN',
      'POWERBI_ACCESS_TOKEN', 'FABRIC_API_URL', 'POWERBI_API_URL', 'FABRIC_AUTHORITY_HOST',
    ]) expect(names, n).toContain(n);
  });
});

describe('loadConfig precedence: defaults → file → .env → environment → flags', () => {
  it('lets each later source win', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'fabric-sync.config.yaml'), 'monitor:\n  intervalSeconds: 60\n  concurrency: 2\n  recheckBudget: 5\npush:\n  suffix: _File\n');
    writeFileSync(path.join(dir, '.env'), 'FABRIC_SYNC_INTERVAL=70\nFABRIC_SYNC_CONCURRENCY=3\n');
    const { config, configFile, envFile } = await loadConfig({
      cwd: dir,
      env: { FABRIC_SYNC_CONCURRENCY: '6' },
      overrides: { push: { suffix: '_Flag' } },
    });
    expect(configFile).toBe(path.join(dir, 'fabric-sync.config.yaml'));
    expect(envFile).toBe(path.join(dir, '.env'));
    expect(config.monitor.recheckBudget).toBe(5); // file
    expect(config.monitor.intervalSeconds).toBe(70); // .env over file
    expect(config.monitor.concurrency).toBe(6); // environment over .env
    expect(config.push.suffix).toBe('_Flag'); // flags over everything
  });

  it('throws one ConfigError listing all problems, naming the file', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'fabric-sync.config.json'), JSON.stringify({ monitor: { concurrency: 'many' }, push: { onIncompatible: 'x' } }));
    const err = await loadConfig({ cwd: dir, env: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain('fabric-sync.config.json');
    expect(err.issues).toHaveLength(2);
  });

  it('reports a missing explicit config or env file', async () => {
    await expect(loadConfig({ cwd: tmp(), env: {}, configPath: 'nope.json' })).rejects.toThrow(/Config file not found: nope.json/);
    await expect(loadConfig({ cwd: tmp(), env: {}, envFile: 'nope.env' })).rejects.toThrow(/Env file not found/);
  });

  it('reports a config file with a syntax error', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'fabric-sync.config.json'), '{ "monitor": ');
    await expect(loadConfig({ cwd: dir, env: {} })).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('secrets', () => {
  it('redact themselves in every printout', async () => {
    const { config } = await loadConfig({
      cwd: tmp(),
      env: { FABRIC_CLIENT_SECRET: 'cs-DISTINCT-1', SNOWFLAKE_PASSWORD: 'pw-DISTINCT-2', FABRIC_TENANT_ID: 't', FABRIC_CLIENT_ID: 'c', FABRIC_SYNC_TARGET: 'duckdb' },
    });
    const printed = [JSON.stringify(config), inspect(config, { depth: 10 }), `${config.fabric.clientSecret}`, String(config.snowflake.password)].join('\n');
    expect(printed).not.toMatch(/DISTINCT/);
    expect(printed).toContain('***');
    expect(config.fabric.clientSecret).toBeInstanceOf(Secret);
    expect(config.fabric.clientSecret!.reveal()).toBe('cs-DISTINCT-1');
  });
});

describe('generated files are up to date (run `npm run docs` when this fails)', () => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  for (const [file, content] of Object.entries(generatedFiles(readme))) {
    it(file, () => {
      expect(readFileSync(path.join(repoRoot, file), 'utf8')).toBe(content);
    });
  }
});
