// Snowflake and driver error codes → typed errors with a hint (docs/architecture.md#conventions-in-the-code). Login problems
// and missing privileges are AuthError (exit 3); everything else is a WarehouseError carrying the
// Snowflake code and SQL state. Messages are built from the driver's text and names only: the
// password, key and passphrase are never in scope here.
import { AuthError, WarehouseError } from '../errors.js';
import { quoteIdent } from './dialect.js';

export interface SnowflakeWhere {
  phase: 'login' | 'statement';
  account: string;
  username: string;
  accessUrl?: string | undefined;
  database: string;
  schema: string;
  role?: string | undefined;
  warehouse?: string | undefined;
  /** A private key file is configured (key-pair auth). */
  keyPair?: boolean;
}

interface DriverError {
  code?: string | number;
  sqlState?: string;
  message?: string;
}

/**
 * The grants a role needs for the metadata tables (README "Snowflake grants"): warehouse and
 * database/schema usage, CREATE TABLE (the tables, the session's temporary load table), CREATE
 * VIEW (_SEMANTIC_CURRENT_MODELS), DML on tables another role created beforehand, and for
 * --create-tables USAGE and CREATE TABLE on the mirror schema. Names are the resolved ones
 * (names.ts) — the same the login, USE and every statement use — always quoted.
 */
export function grantsFor(where: Pick<SnowflakeWhere, 'database' | 'schema' | 'role' | 'warehouse'> & { tablesSchema?: string }): string {
  const role = quoteIdent(where.role ?? 'FABRIC_SYNC_ROLE');
  const db = quoteIdent(where.database);
  const schema = `${db}.${quoteIdent(where.schema)}`;
  const mirror = where.tablesSchema !== undefined && where.tablesSchema !== where.schema ? `${db}.${quoteIdent(where.tablesSchema)}` : undefined;
  return [
    ...(where.warehouse ? [`GRANT USAGE ON WAREHOUSE ${quoteIdent(where.warehouse)} TO ROLE ${role};`] : []),
    `GRANT USAGE ON DATABASE ${db} TO ROLE ${role};`,
    `GRANT USAGE ON SCHEMA ${schema} TO ROLE ${role};`,
    `GRANT CREATE TABLE, CREATE VIEW ON SCHEMA ${schema} TO ROLE ${role};`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ROLE ${role};`,
    ...(mirror ? [`GRANT USAGE, CREATE TABLE ON SCHEMA ${mirror} TO ROLE ${role};`] : []),
  ].join(' ');
}

export function snowflakeError(e: unknown, where: SnowflakeWhere): Error {
  const err = (e ?? {}) as DriverError;
  const code = err.code === undefined ? undefined : String(err.code);
  const sqlState = err.sqlState;
  const text = oneLine(err.message ?? String(e));
  const target = where.accessUrl ?? `${where.account}.snowflakecomputing.com`;
  if (where.phase === 'login') {
    if (code === '401001' || code === '401002' || /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|network/i.test(text)) {
      return new WarehouseError(`Could not reach Snowflake at ${target}: ${text}`, { code, sqlState }, {
        cause: e,
        hint: 'Check SNOWFLAKE_ACCOUNT (orgname-account or locator.region) or SNOWFLAKE_ACCESS_URL, and that the network allows HTTPS to it.',
      });
    }
    return new AuthError(`Snowflake login failed for user ${where.username} on account ${where.account}: ${text}`, {
      cause: e,
      hint:
        code === '390100'
          ? 'Check SNOWFLAKE_USER and SNOWFLAKE_PASSWORD (or switch the service user to key-pair auth: SNOWFLAKE_PRIVATE_KEY_PATH).'
          : code === '390144' || where.keyPair || /jwt|private key|passphrase|decrypt/i.test(text)
            ? 'Check SNOWFLAKE_PRIVATE_KEY_PATH / SNOWFLAKE_PRIVATE_KEY_PASSPHRASE and that the public key is set on the user (ALTER USER … SET RSA_PUBLIC_KEY).'
            : 'Check SNOWFLAKE_USER, the credentials, SNOWFLAKE_AUTHENTICATOR and SNOWFLAKE_ROLE.',
    });
  }
  if (code === '003001' || /insufficient privileges/i.test(text)) {
    return new AuthError(`Snowflake refused a statement: ${text}`, {
      cause: e,
      hint: `The role lacks a privilege on ${where.database}.${where.schema}. An administrator can run: ${grantsFor(where)}`,
    });
  }
  const hint =
    code === '000625' || code === '000630'
      ? 'Another writer held a lock on a fabric-sync table for too long (snowflake.lockTimeoutSeconds / statementTimeoutSeconds): a run still writing, or a transaction left open by a killed run, which Snowflake aborts after 5 minutes idle. SHOW LOCKS shows it; SELECT SYSTEM$ABORT_TRANSACTION(<transaction id>) ends it. Re-run.'
      : code === '002003'
      ? `Check that database ${where.database} and schema ${where.schema} exist and that the role has USAGE on them: ${grantsFor(where)}`
      : code === '000606'
        ? 'No warehouse is active: set SNOWFLAKE_WAREHOUSE and grant USAGE on it to the role.'
        : code === '390112' || code === '390114'
          ? 'The Snowflake session expired; re-run.'
          : 'The model was rolled back; its previous rows are unchanged. Re-run with --verbose for the statement.';
  return new WarehouseError(`Snowflake error${code ? ` ${code}` : ''}: ${text}`, { code, sqlState }, { cause: e, hint });
}

/**
 * The driver's message on one line. Snowflake puts the substance after the first line ("SQL
 * compilation error:\n…", and for a lock "…has locked table…\nYour statement was aborted because…"),
 * so every line is kept.
 */
function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}
