// The Snowflake backend on the official snowflake-sdk (issue 5 item 2): one connection (= one
// session, which transactions and the temporary load table need) per run, a promise wrapper around
// the callback-only execute, QUERY_TAG on every statement, and the driver's own logging kept quiet
// unless --verbose. The driver is imported lazily so that `--help` never loads it (docs/architecture.md#conventions-in-the-code).
// Names arrive resolved (names.ts) and go to the login double-quoted, which Snowflake reads by the
// same identifier rules as SQL. Each session then sets its lock and statement timeouts (issue 12).
import type { Connection, ConnectionOptions, RowStatement } from 'snowflake-sdk';
import type { Logger } from '../context.js';
import { InternalError } from '../errors.js';
import type { ExecuteResult, WarehouseBackend } from './backend.js';
import { quoteIdent } from './dialect.js';
import { type Bind, STAGE_BINDING_THRESHOLD, arrayBindValues } from './statement.js';
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
  /** Resolved names (as Snowflake stores them; names.ts), sent quoted. */
  warehouse?: string;
  database: string;
  schema: string;
  role?: string;
  /**
   * Session LOCK_TIMEOUT: seconds a statement waits for a lock held by another transaction before
   * it fails (https://docs.snowflake.com/en/sql-reference/parameters#lock-timeout; default 43,200).
   */
  lockTimeoutSeconds?: number;
  /** Session STATEMENT_TIMEOUT_IN_SECONDS (https://docs.snowflake.com/en/sql-reference/parameters#statement-timeout-in-seconds; default 172,800). */
  statementTimeoutSeconds?: number;
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
    database: quoteIdent(options.database),
    schema: quoteIdent(options.schema),
    application: 'fabric-sync',
    queryTag: options.queryTag,
    // Pinned, so the driver never switches to stage binding (see STAGE_BINDING_THRESHOLD) whatever
    // threshold the server sends at login; the backend refuses a larger array bind instead.
    arrayBindingThreshold: STAGE_BINDING_THRESHOLD,
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.privateKeyPath !== undefined ? { privateKeyPath: options.privateKeyPath } : {}),
    ...(options.privateKeyPassphrase !== undefined ? { privateKeyPass: options.privateKeyPassphrase } : {}),
    ...(authenticator !== undefined ? { authenticator } : {}),
    ...(options.accessUrl !== undefined ? { accessUrl: options.accessUrl } : {}),
    ...(options.warehouse !== undefined ? { warehouse: quoteIdent(options.warehouse) } : {}),
    ...(options.role !== undefined ? { role: quoteIdent(options.role) } : {}),
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
  const backend = new SnowflakeBackend(connection, where);
  const params = [
    ...(options.lockTimeoutSeconds !== undefined ? [`LOCK_TIMEOUT = ${Math.trunc(options.lockTimeoutSeconds)}`] : []),
    ...(options.statementTimeoutSeconds !== undefined ? [`STATEMENT_TIMEOUT_IN_SECONDS = ${Math.trunc(options.statementTimeoutSeconds)}`] : []),
  ];
  if (params.length) {
    try {
      await backend.execute(`ALTER SESSION SET ${params.join(', ')}`);
    } catch (e) {
      await backend.close().catch(() => undefined);
      throw e;
    }
  }
  return backend;
}

class SnowflakeBackend implements WarehouseBackend {
  readonly dialect = 'snowflake' as const;
  constructor(
    private readonly connection: Connection,
    private readonly where: Omit<SnowflakeWhere, 'phase'>,
  ) {}

  execute(sql: string, binds?: Bind[] | Bind[][]): Promise<ExecuteResult> {
    const values = arrayBindValues(binds);
    if (values > STAGE_BINDING_THRESHOLD) {
      // The driver would upload these through a temporary stage: CREATE STAGE is DDL and would
      // commit the open model transaction. The planner's chunks never get here.
      return Promise.reject(new InternalError(`internal: an array bind of ${values} values exceeds the stage-binding threshold ${STAGE_BINDING_THRESHOLD}`));
    }
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
