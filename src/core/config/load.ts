// Loading order (docs/architecture.md#configuration), later wins: defaults → config file (cosmiconfig) → .env → environment
// → flags. This module is the only place that reads process.env (docs/architecture.md#conventions-in-the-code); everything
// downstream receives the validated Config.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { cosmiconfig } from 'cosmiconfig';
import { ConfigError } from '../errors.js';
import { configFromEnv } from './env.js';
import { configSchema, type Config } from './schema.js';

export const CONFIG_NAME = 'fabric-sync';

const SEARCH_PLACES = [
  'package.json',
  `${CONFIG_NAME}.config.json`,
  `${CONFIG_NAME}.config.yaml`,
  `${CONFIG_NAME}.config.yml`,
  `${CONFIG_NAME}.config.js`,
  `${CONFIG_NAME}.config.mjs`,
  `${CONFIG_NAME}.config.cjs`,
  `.${CONFIG_NAME}rc`,
  `.${CONFIG_NAME}rc.json`,
  `.${CONFIG_NAME}rc.yaml`,
  `.${CONFIG_NAME}rc.yml`,
  `.${CONFIG_NAME}rc.js`,
  `.${CONFIG_NAME}rc.mjs`,
];

export type AuthMode = 'client-secret' | 'certificate' | 'default' | 'static';
export type WarehouseTarget = 'snowflake' | 'duckdb' | 'none';

export interface ValidationResult {
  config?: Config;
  issues: string[];
}

/** Pure: checks a raw config object and reports every problem at once as `path: problem`. */
export function validateConfig(raw: unknown): ValidationResult {
  const parsed = configSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${describeIssue(i)}`);
    return { issues };
  }
  const config = parsed.data;
  const issues = crossFieldIssues(config);
  return issues.length ? { issues } : { config, issues };
}

function describeIssue(issue: { code: string; message: string; keys?: string[] }): string {
  if (issue.code === 'unrecognized_keys' && issue.keys) return `unknown setting ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return issue.message;
}

function crossFieldIssues(c: Config): string[] {
  const issues: string[] = [];
  const f = c.fabric;
  const mode = resolveAuthMode(c);
  if (mode === 'client-secret') {
    if (!f.tenantId) issues.push('fabric.tenantId: required for client-secret auth (FABRIC_TENANT_ID)');
    if (!f.clientId) issues.push('fabric.clientId: required for client-secret auth (FABRIC_CLIENT_ID)');
    if (!f.clientSecret) issues.push('fabric.clientSecret: required for client-secret auth (FABRIC_CLIENT_SECRET)');
  }
  if (mode === 'certificate') {
    if (!f.tenantId) issues.push('fabric.tenantId: required for certificate auth (FABRIC_TENANT_ID)');
    if (!f.clientId) issues.push('fabric.clientId: required for certificate auth (FABRIC_CLIENT_ID)');
    if (!f.certificatePath) issues.push('fabric.certificatePath: required for certificate auth (FABRIC_CERTIFICATE_PATH)');
  }
  if (mode === 'static' && !f.accessToken && !f.powerbiAccessToken) {
    issues.push('fabric.accessToken: static auth needs FABRIC_ACCESS_TOKEN and/or POWERBI_ACCESS_TOKEN');
  }
  if (resolveTarget(c) === 'snowflake') {
    const s = c.snowflake;
    if (!s.account) issues.push('snowflake.account: required when the warehouse target is snowflake (SNOWFLAKE_ACCOUNT)');
    if (!s.user) issues.push('snowflake.user: required for Snowflake (SNOWFLAKE_USER)');
    if (!s.database) issues.push('snowflake.database: required for Snowflake (SNOWFLAKE_DATABASE)');
    if (!s.schema) issues.push('snowflake.schema: required for Snowflake (SNOWFLAKE_SCHEMA)');
    const authenticator = (s.authenticator ?? (s.privateKeyPath ? 'SNOWFLAKE_JWT' : 'SNOWFLAKE')).toUpperCase();
    if (authenticator === 'SNOWFLAKE' && !s.password) {
      issues.push('snowflake.password: required for password login (SNOWFLAKE_PASSWORD), or set SNOWFLAKE_PRIVATE_KEY_PATH for key-pair auth');
    }
    if (authenticator === 'SNOWFLAKE_JWT' && !s.privateKeyPath) {
      issues.push('snowflake.privateKeyPath: required for SNOWFLAKE_JWT (SNOWFLAKE_PRIVATE_KEY_PATH)');
    }
  }
  return issues;
}

/**
 * FABRIC_AUTH when set; otherwise (docs/architecture.md#configuration) pre-acquired tokens, then client secret, then
 * certificate, then DefaultAzureCredential.
 */
export function resolveAuthMode(c: Config): AuthMode {
  const f = c.fabric;
  if (f.auth) return f.auth;
  if (f.accessToken || f.powerbiAccessToken) return 'static';
  if (f.clientSecret) return 'client-secret';
  if (f.certificatePath) return 'certificate';
  return 'default';
}

/** `auto` means Snowflake when an account is configured, otherwise the embedded DuckDB file. */
export function resolveTarget(c: Config): WarehouseTarget {
  const t = c.warehouse.target;
  if (t !== 'auto') return t;
  return c.snowflake.account ? 'snowflake' : 'duckdb';
}

export interface LoadConfigOptions {
  /** `-c/--config`: an explicit config file (must exist). */
  configPath?: string;
  /** `--env-file`: an explicit .env file (must exist). Otherwise `.env` in cwd is read when present. */
  envFile?: string;
  cwd?: string;
  /** The process environment; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Settings from command-line flags, already in config shape (highest precedence). */
  overrides?: Record<string, Record<string, unknown>>;
}

export interface LoadedConfig {
  config: Config;
  /** The config file used, if any. */
  configFile: string | null;
  envFile: string | null;
  /** Variables of the process environment that fabric-sync does not read directly but renders with (colour, CI). */
  runtime: RuntimeEnv;
}

export interface RuntimeEnv {
  githubActions: boolean;
  azureDevOps: boolean;
  noColor: boolean;
  forceColor: boolean;
  ci: boolean;
}

export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const processEnv = options.env ?? process.env;
  const { raw: fileRaw, file } = await readConfigFile(cwd, options.configPath);
  const { env: dotenv, file: envFile } = readDotEnv(cwd, options.envFile);
  const env = { ...dotenv, ...processEnv };
  const raw = merge(merge(fileRaw, configFromEnv(env)), options.overrides ?? {});
  const { config, issues } = validateConfig(raw);
  if (!config) {
    const where = file ? ` (config file ${path.relative(cwd, file) || file}, environment and flags)` : '';
    throw new ConfigError(`The configuration is invalid${where}: ${issues.length} problem${issues.length === 1 ? '' : 's'}.`, issues, {
      hint: 'Fix the settings listed above; `fabric-sync validate` checks them all at once. See README "Configuration".',
    });
  }
  return { config, configFile: file, envFile, runtime: runtimeEnv(env) };
}

function runtimeEnv(env: Record<string, string | undefined>): RuntimeEnv {
  return {
    githubActions: env.GITHUB_ACTIONS === 'true',
    azureDevOps: (env.TF_BUILD ?? '').toLowerCase() === 'true',
    noColor: env.NO_COLOR !== undefined && env.NO_COLOR !== '',
    forceColor: env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false',
    ci: Boolean(env.CI) && env.CI !== 'false',
  };
}

async function readConfigFile(cwd: string, explicit?: string): Promise<{ raw: Record<string, unknown>; file: string | null }> {
  const explorer = cosmiconfig(CONFIG_NAME, { searchPlaces: SEARCH_PLACES, cache: false });
  try {
    if (explicit) {
      const full = path.resolve(cwd, explicit);
      if (!existsSync(full)) {
        throw new ConfigError(`Config file not found: ${explicit}.`, [], { hint: 'Check the path given to -c/--config.' });
      }
      const found = await explorer.load(full);
      return { raw: asObject(found?.config, full), file: full };
    }
    const found = await explorer.search(cwd);
    if (!found || found.isEmpty) return { raw: {}, file: found?.filepath ?? null };
    return { raw: asObject(found.config, found.filepath), file: found.filepath };
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new ConfigError(`The config file cannot be read: ${message}`, [], { hint: 'Check its syntax (JSON, YAML or a JS module exporting an object).', cause: e });
  }
}

function asObject(value: unknown, file: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`The config file ${file} must contain an object of settings.`, ['(root): expected an object']);
  }
  return value as Record<string, unknown>;
}

function readDotEnv(cwd: string, explicit?: string): { env: Record<string, string>; file: string | null } {
  const file = explicit ? path.resolve(cwd, explicit) : path.join(cwd, '.env');
  if (!existsSync(file)) {
    if (explicit) throw new ConfigError(`Env file not found: ${explicit}.`, [], { hint: 'Check the path given to --env-file.' });
    return { env: {}, file: null };
  }
  // node:util parseEnv (Node ≥ 20.12) reads the dotenv format; no extra dependency needed.
  return { env: parseEnv(readFileSync(file, 'utf8')) as Record<string, string>, file };
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (v === undefined) continue;
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? merge(prev, v) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
