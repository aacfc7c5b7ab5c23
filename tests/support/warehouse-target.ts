// Where the warehouse integration tests write: the strict Snowflake stand-in (always), and a real
// Snowflake account when FABRIC_SYNC_LIVE_SNOWFLAKE=1 and the usual SNOWFLAKE_* variables are set
// (README "Testing against a real Snowflake account"). The live target works in a throwaway schema
// FABRIC_SYNC_TEST_<random> that it creates and drops again; nothing else in the account is touched.
import { randomBytes } from 'node:crypto';
import { silentLogger } from '../../src/core/context.js';
import type { WarehouseBackend } from '../../src/core/warehouse/backend.js';
import { quoteIdent } from '../../src/core/warehouse/dialect.js';
import { type Namespace, resolveIdentifier } from '../../src/core/warehouse/names.js';
import { openSnowflake, type SnowflakeOptions } from '../../src/core/warehouse/snowflake.js';
import { startSnowflakeStandIn, type SnowflakeStandIn, type StandInOptions } from './snowflake-standin/index.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.SF_TELEMETRY_DISABLE_CONNECTION_SHAPE ??= '1';

export interface WarehouseTarget {
  name: 'stand-in' | 'live';
  ns: Namespace;
  /** A new session (connection), with the run's session settings. */
  open(extra?: Partial<SnowflakeOptions>): Promise<WarehouseBackend>;
  /** The stand-in, for assertions only it can make (lock waits, recorded statements). */
  standIn?: SnowflakeStandIn;
  close(): Promise<void>;
}

const env = process.env;
export const LIVE = env.FABRIC_SYNC_LIVE_SNOWFLAKE === '1';
const LIVE_MISSING = ['SNOWFLAKE_ACCOUNT', 'SNOWFLAKE_USER', 'SNOWFLAKE_DATABASE'].filter((v) => !env[v]);

/**
 * The targets to run on. One test file announces (`announce: true`), so a whole `npm test` prints
 * exactly one line when the live suite is skipped.
 */
export function warehouseTargetNames(options: { announce?: boolean } = {}): ('stand-in' | 'live')[] {
  if (!LIVE || LIVE_MISSING.length) {
    if (options.announce) {
      console.log(
        LIVE
          ? `live Snowflake suite skipped: FABRIC_SYNC_LIVE_SNOWFLAKE=1 but ${LIVE_MISSING.join(', ')} not set`
          : 'live Snowflake suite skipped (set FABRIC_SYNC_LIVE_SNOWFLAKE=1 and SNOWFLAKE_ACCOUNT, SNOWFLAKE_USER, SNOWFLAKE_PASSWORD or SNOWFLAKE_PRIVATE_KEY_PATH, SNOWFLAKE_DATABASE, SNOWFLAKE_WAREHOUSE to run it)',
      );
    }
    return ['stand-in'];
  }
  return ['stand-in', 'live'];
}

const SESSION = { lockTimeoutSeconds: 60, statementTimeoutSeconds: 300 };

export async function openTarget(name: 'stand-in' | 'live', standInOptions: StandInOptions = {}): Promise<WarehouseTarget> {
  if (name === 'stand-in') {
    const standIn = await startSnowflakeStandIn(standInOptions);
    const ns = { database: 'FABRIC_DB', schema: 'METADATA' };
    return {
      name,
      ns,
      standIn,
      open: (extra = {}) =>
        openSnowflake({
          account: standIn.account, accessUrl: standIn.url, username: 'FABRIC_SYNC', password: 'secret', warehouse: 'WH',
          database: ns.database, schema: ns.schema, queryTag: 'fabric-sync/test/warehouse', logger: silentLogger, ...SESSION, ...extra,
        }),
      close: () => standIn.close(),
    };
  }
  const schema = `FABRIC_SYNC_TEST_${randomBytes(4).toString('hex').toUpperCase()}`;
  const ns = { database: resolveIdentifier(env.SNOWFLAKE_DATABASE!), schema };
  const options = (extra: Partial<SnowflakeOptions> = {}): SnowflakeOptions => ({
    account: env.SNOWFLAKE_ACCOUNT!,
    username: env.SNOWFLAKE_USER!,
    ...(env.SNOWFLAKE_PASSWORD ? { password: env.SNOWFLAKE_PASSWORD } : {}),
    ...(env.SNOWFLAKE_PRIVATE_KEY_PATH ? { privateKeyPath: env.SNOWFLAKE_PRIVATE_KEY_PATH } : {}),
    ...(env.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE ? { privateKeyPassphrase: env.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE } : {}),
    ...(env.SNOWFLAKE_AUTHENTICATOR ? { authenticator: env.SNOWFLAKE_AUTHENTICATOR } : {}),
    ...(env.SNOWFLAKE_ACCESS_URL ? { accessUrl: env.SNOWFLAKE_ACCESS_URL } : {}),
    ...(env.SNOWFLAKE_WAREHOUSE ? { warehouse: resolveIdentifier(env.SNOWFLAKE_WAREHOUSE) } : {}),
    ...(env.SNOWFLAKE_ROLE ? { role: resolveIdentifier(env.SNOWFLAKE_ROLE) } : {}),
    database: ns.database,
    schema: ns.schema,
    queryTag: 'fabric-sync/test/live',
    logger: silentLogger,
    ...SESSION,
    ...extra,
  });
  const admin = await openSnowflake(options());
  const where = `${quoteIdent(ns.database)}.${quoteIdent(schema)}`;
  await admin.execute(`CREATE SCHEMA ${where} COMMENT = 'fabric-sync live test; dropped at the end of the run'`);
  return {
    name,
    ns,
    open: (extra = {}) => openSnowflake(options(extra)),
    close: async () => {
      try {
        await admin.execute(`DROP SCHEMA IF EXISTS ${where}`);
      } finally {
        await admin.close();
      }
    },
  };
}
