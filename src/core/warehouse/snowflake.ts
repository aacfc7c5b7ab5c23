// The Snowflake backend on the official snowflake-sdk (issue 5 item 2): one connection (= one
// session, which transactions and the temporary load table need) per run, a promise wrapper around
// the callback-only execute, QUERY_TAG on every statement, and the driver's own logging kept quiet
// unless --verbose. The driver is imported lazily so that `--help` never loads it (docs/architecture.md#conventions-in-the-code).
import type { Connection, ConnectionOptions, RowStatement } from 'snowflake-sdk';
import type { Logger } from '../context.js';
import type { ExecuteResult, WarehouseBackend } from './backend.js';
import type { Bind } from './plan.js';
import { type SnowflakeWhere, snowflakeError } from './snowflake-errors.js';

export interface SnowflakeOptions {
  account: string;
  username: string;
  password?: string;
  /** PEM file for key-pair auth (SNOWFLAKE_JWT); the norm for service users. */
  privateKeyPath?: string;
  privateKeyPassphrase?: string;
  /** SNOWFLAKE (default), SNOWFLAKE_JWT (default with a key), OAUTH, PROGRAMMATIC_ACCESS_TOKEN, … */
  authenticator?: string;
  /** Full endpoint URL: private link, or a local stand-in. */
  accessUrl?: string;
  warehouse?: string;
  database: string;
  schema: string;
  role?: string;
  /** `fabric-sync/<version>/<runId>`, shown in QUERY_HISTORY. */
  queryTag: string;
  verbose?: boolean;
  logger: Logger;
}

export async function openSnowflake(options: SnowflakeOptions): Promise<WarehouseBackend> {
  const { default: snowflake } = await import('snowflake-sdk');
  const log = options.logger;
  // Driver messages arrive level-filtered and secret-masked; they are debug detail for --verbose only.
  snowflake.configure({
    logLevel: options.verbose ? 'INFO' : 'OFF',
    customLogger: {
      error: (m: string) => log.debug(`snowflake-sdk: ${m}`),
      warn: (m: string) => log.debug(`snowflake-sdk: ${m}`),
      info: (m: string) => log.debug(`snowflake-sdk: ${m}`),
      debug: (m: string) => log.debug(`snowflake-sdk: ${m}`),
      trace: (m: string) => log.debug(`snowflake-sdk: ${m}`),
    },
  });
  const authenticator = options.authenticator ?? (options.privateKeyPath ? 'SNOWFLAKE_JWT' : undefined);
  const connectionOptions: ConnectionOptions = {
    account: options.account,
    username: options.username,
    database: options.database,
    schema: options.schema,
    application: 'fabric-sync',
    queryTag: options.queryTag,
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.privateKeyPath !== undefined ? { privateKeyPath: options.privateKeyPath } : {}),
    ...(options.privateKeyPassphrase !== undefined ? { privateKeyPass: options.privateKeyPassphrase } : {}),
    ...(authenticator !== undefined ? { authenticator } : {}),
    ...(options.accessUrl !== undefined ? { accessUrl: options.accessUrl } : {}),
    ...(options.warehouse !== undefined ? { warehouse: options.warehouse } : {}),
    ...(options.role !== undefined ? { role: options.role } : {}),
  };
  const where: Omit<SnowflakeWhere, 'phase'> = {
    account: options.account,
    username: options.username,
    accessUrl: options.accessUrl,
    database: options.database,
    schema: options.schema,
    role: options.role,
    warehouse: options.warehouse,
    keyPair: options.privateKeyPath !== undefined,
  };
  let connection: Connection;
  try {
    // connect(), not connectAsync(): the latter resolves even when the login fails (the error only
    // reaches its callback), which would surface later as a confusing statement error.
    const pending = snowflake.createConnection(connectionOptions);
    connection = await new Promise<Connection>((resolve, reject) => pending.connect((err, c) => (err ? reject(err) : resolve(c))));
  } catch (e) {
    throw snowflakeError(e, { ...where, phase: 'login' });
  }
  log.debug('snowflake: connected', { account: options.account, database: options.database, schema: options.schema });
  return new SnowflakeBackend(connection, where);
}

class SnowflakeBackend implements WarehouseBackend {
  readonly dialect = 'snowflake' as const;
  constructor(
    private readonly connection: Connection,
    private readonly where: Omit<SnowflakeWhere, 'phase'>,
  ) {}

  execute(sql: string, binds?: Bind[] | Bind[][]): Promise<ExecuteResult> {
    return new Promise((resolve, reject) => {
      this.connection.execute({
        sqlText: sql,
        ...(binds && binds.length ? { binds: binds as never } : {}),
        complete: (err, stmt: RowStatement, rows) => {
          if (err) return reject(snowflakeError(err, { ...this.where, phase: 'statement' }));
          const affected = stmt.getNumUpdatedRows();
          resolve({ rows: (rows ?? []) as Record<string, unknown>[], ...(affected !== undefined ? { rowsAffected: affected } : {}) });
        },
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.connection.isUp()) return resolve();
      this.connection.destroy(() => resolve());
    });
  }
}
