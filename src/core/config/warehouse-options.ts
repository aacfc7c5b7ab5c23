// Snowflake driver options from the validated config: one place, used by every run and by validate.
// It lives with the config (not in src/core/warehouse) so that the connection layer never imports it.
// Configured names are resolved by Snowflake's identifier rules once (names.ts) and sent quoted, so
// the login, USE, DDL and the printed grants all name the same objects.
import { reveal } from './secret.js';
import type { Config } from './schema.js';
import type { Logger } from '../context.js';
import { type Namespace, resolveIdentifier } from '../warehouse/names.js';
import type { SnowflakeOptions } from '../warehouse/snowflake.js';

/** The database and schema of the metadata tables, as Snowflake stores their names. */
export function snowflakeNamespace(config: Config): Namespace {
  return { database: resolveIdentifier(config.snowflake.database!), schema: resolveIdentifier(config.snowflake.schema!) };
}

/** The driver options from the config (secrets revealed only here, on their way to the driver). */
export function snowflakeOptions(config: Config, run: { queryTag: string; verbose: boolean; logger: Logger }): SnowflakeOptions {
  const s = config.snowflake;
  const ns = snowflakeNamespace(config);
  return {
    account: s.account!,
    username: s.user!,
    password: reveal(s.password),
    privateKeyPath: s.privateKeyPath,
    privateKeyPassphrase: reveal(s.privateKeyPassphrase),
    authenticator: s.authenticator,
    accessUrl: s.accessUrl,
    warehouse: s.warehouse === undefined ? undefined : resolveIdentifier(s.warehouse),
    database: ns.database,
    schema: ns.schema,
    role: s.role === undefined ? undefined : resolveIdentifier(s.role),
    lockTimeoutSeconds: s.lockTimeoutSeconds,
    statementTimeoutSeconds: s.statementTimeoutSeconds,
    ...run,
  };
}
