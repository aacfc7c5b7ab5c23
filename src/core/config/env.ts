// Environment variable → config key. The names of the original system (FABRIC_TENANT_ID …,
// SNOWFLAKE_ACCOUNT …) keep working; the FABRIC_SYNC_* names cover the rest. One table, so the
// README and `.env.example` are generated from the same facts (docs/architecture.md#conventions-in-the-code).

export type EnvKind = 'string' | 'list' | 'boolean' | 'number';

export interface EnvVar {
  name: string;
  path: readonly [string, string];
  kind: EnvKind;
  secret?: boolean;
  description: string;
}

export const ENV_VARS: readonly EnvVar[] = [
  { name: 'FABRIC_AUTH', path: ['fabric', 'auth'], kind: 'string', description: 'client-secret | certificate | default (DefaultAzureCredential: managed identity, workload identity federation, Azure CLI) | static' },
  { name: 'FABRIC_TENANT_ID', path: ['fabric', 'tenantId'], kind: 'string', description: 'Entra ID tenant id' },
  { name: 'FABRIC_CLIENT_ID', path: ['fabric', 'clientId'], kind: 'string', description: 'service principal application (client) id' },
  { name: 'FABRIC_CLIENT_SECRET', path: ['fabric', 'clientSecret'], kind: 'string', secret: true, description: 'service principal client secret' },
  { name: 'FABRIC_CERTIFICATE_PATH', path: ['fabric', 'certificatePath'], kind: 'string', description: 'PEM certificate + key for certificate auth' },
  { name: 'FABRIC_CERTIFICATE_PASSWORD', path: ['fabric', 'certificatePassword'], kind: 'string', secret: true, description: 'password of the certificate file' },
  { name: 'FABRIC_ACCESS_TOKEN', path: ['fabric', 'accessToken'], kind: 'string', secret: true, description: 'pre-acquired Fabric API token (used for Power BI too when POWERBI_ACCESS_TOKEN is unset)' },
  { name: 'POWERBI_ACCESS_TOKEN', path: ['fabric', 'powerbiAccessToken'], kind: 'string', secret: true, description: 'pre-acquired Power BI API token' },
  { name: 'FABRIC_WORKSPACE_ID', path: ['fabric', 'workspaces'], kind: 'list', description: 'workspace id(s) to watch, comma-separated; unset = every workspace the principal can see' },
  { name: 'FABRIC_API_URL', path: ['fabric', 'apiUrl'], kind: 'string', description: 'Fabric REST base URL (default https://api.fabric.microsoft.com)' },
  { name: 'POWERBI_API_URL', path: ['fabric', 'powerbiApiUrl'], kind: 'string', description: 'Power BI REST base URL (default https://api.powerbi.com)' },
  { name: 'FABRIC_AUTHORITY_HOST', path: ['fabric', 'authorityHost'], kind: 'string', description: 'Entra ID authority (default https://login.microsoftonline.com)' },
  { name: 'SNOWFLAKE_ACCOUNT', path: ['snowflake', 'account'], kind: 'string', description: 'Snowflake account identifier; when set, the warehouse target is Snowflake' },
  { name: 'SNOWFLAKE_USER', path: ['snowflake', 'user'], kind: 'string', description: 'Snowflake login name' },
  { name: 'SNOWFLAKE_PASSWORD', path: ['snowflake', 'password'], kind: 'string', secret: true, description: 'Snowflake password (prefer key-pair auth)' },
  { name: 'SNOWFLAKE_PRIVATE_KEY_PATH', path: ['snowflake', 'privateKeyPath'], kind: 'string', description: 'PEM private key for key-pair auth' },
  { name: 'SNOWFLAKE_PRIVATE_KEY_PASSPHRASE', path: ['snowflake', 'privateKeyPassphrase'], kind: 'string', secret: true, description: 'passphrase of an encrypted private key' },
  { name: 'SNOWFLAKE_AUTHENTICATOR', path: ['snowflake', 'authenticator'], kind: 'string', description: 'SNOWFLAKE | SNOWFLAKE_JWT | OAUTH | …' },
  { name: 'SNOWFLAKE_ACCESS_URL', path: ['snowflake', 'accessUrl'], kind: 'string', description: 'full endpoint URL (private link or a local stand-in)' },
  { name: 'SNOWFLAKE_ROLE', path: ['snowflake', 'role'], kind: 'string', description: 'Snowflake role' },
  { name: 'SNOWFLAKE_WAREHOUSE', path: ['snowflake', 'warehouse'], kind: 'string', description: 'Snowflake virtual warehouse' },
  { name: 'SNOWFLAKE_DATABASE', path: ['snowflake', 'database'], kind: 'string', description: 'database for the _SEMANTIC_* tables' },
  { name: 'SNOWFLAKE_SCHEMA', path: ['snowflake', 'schema'], kind: 'string', description: 'schema for the _SEMANTIC_* tables' },
  { name: 'FABRIC_SYNC_LOCK_TIMEOUT', path: ['snowflake', 'lockTimeoutSeconds'], kind: 'number', description: 'Snowflake LOCK_TIMEOUT per session, seconds (default 900)' },
  { name: 'FABRIC_SYNC_STATEMENT_TIMEOUT', path: ['snowflake', 'statementTimeoutSeconds'], kind: 'number', description: 'Snowflake STATEMENT_TIMEOUT_IN_SECONDS per session (default 1800)' },
  { name: 'FABRIC_SYNC_TARGET', path: ['warehouse', 'target'], kind: 'string', description: 'auto | snowflake | duckdb | none' },
  { name: 'FABRIC_SYNC_DUCKDB_PATH', path: ['warehouse', 'duckdbPath'], kind: 'string', description: 'embedded DuckDB file (default .fabric-sync/metadata.duckdb)' },
  { name: 'FABRIC_SYNC_STATE_PATH', path: ['state', 'path'], kind: 'string', description: 'state file (default sync_state.json)' },
  { name: 'FABRIC_SYNC_PUSH_SUFFIX', path: ['push', 'suffix'], kind: 'string', description: 'push dataset name suffix (default _PushSync)' },
  { name: 'FABRIC_SYNC_OUT_DIR', path: ['push', 'outDir'], kind: 'string', description: 'where {Model}.{key}_push_api.json files go (default ./push-definitions)' },
  { name: 'FABRIC_SYNC_SEMANTIC_VIEW', path: ['semanticView', 'enabled'], kind: 'boolean', description: 'publish each model as a Snowflake semantic view (default false)' },
  { name: 'FABRIC_SYNC_INTERVAL', path: ['monitor', 'intervalSeconds'], kind: 'number', description: 'monitor interval in seconds (default 300)' },
  { name: 'FABRIC_SYNC_CONCURRENCY', path: ['monitor', 'concurrency'], kind: 'number', description: 'models processed at once (default 4)' },
  { name: 'FABRIC_SYNC_RECHECK_BUDGET', path: ['monitor', 'recheckBudget'], kind: 'number', description: 'definitions re-fetched per cycle (default 20)' },
];

/** Reads the table's variables from an environment map into a partial raw config. */
export function configFromEnv(env: Record<string, string | undefined>): Record<string, Record<string, unknown>> {
  const raw: Record<string, Record<string, unknown>> = {};
  for (const v of ENV_VARS) {
    const value = env[v.name];
    if (value === undefined || value.trim() === '') continue;
    const [section, key] = v.path;
    raw[section] ??= {};
    raw[section][key] = convert(value, v.kind);
  }
  return raw;
}

function convert(value: string, kind: EnvKind): unknown {
  switch (kind) {
    case 'list':
      return value.split(',').map((s) => s.trim()).filter(Boolean);
    case 'boolean':
      return /^(1|true|yes|on)$/i.test(value.trim());
    case 'number':
      return value.trim();
    default:
      return value.trim();
  }
}
