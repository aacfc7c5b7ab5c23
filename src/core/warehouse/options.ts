// Snowflake driver options from the validated config: one place, used by every run and by validate.
import { reveal } from '../config/secret.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../context.js';
import type { SnowflakeOptions } from './snowflake.js';

/** The driver options from the config (secrets revealed only here, on their way to the driver). */
export function snowflakeOptions(config: Config, run: { queryTag: string; verbose: boolean; logger: Logger }): SnowflakeOptions {
  const s = config.snowflake;
  return {
    account: s.account!,
    username: s.user!,
    password: reveal(s.password),
    privateKeyPath: s.privateKeyPath,
    privateKeyPassphrase: reveal(s.privateKeyPassphrase),
    authenticator: s.authenticator,
    accessUrl: s.accessUrl,
    warehouse: s.warehouse,
    database: s.database!,
    schema: s.schema!,
    role: s.role,
    ...run,
  };
}
