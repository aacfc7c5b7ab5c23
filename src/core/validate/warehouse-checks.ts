// Checklist item 7: the warehouse target. Snowflake: log in; the warehouse, database and schema are
// usable (`USE …`); CREATE TABLE and MERGE proven on a temporary table in the target schema, which
// is dropped again even when a step fails (a temporary table also dies with the session). DuckDB:
// the file's directory is writable and an existing file opens. Drivers load lazily (docs/architecture.md#conventions-in-the-code).
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import type { Clock, Logger } from '../context.js';
import type { WarehouseBackend } from '../warehouse/backend.js';
import { WarehouseError } from '../errors.js';
import { quoteIdent } from '../warehouse/dialect.js';
import { probeWarehouse, type WarehouseProbe } from '../warehouse/probe.js';
import { grantsFor } from '../warehouse/snowflake-errors.js';
import { resolveIdentifier } from '../warehouse/names.js';
import { snowflakeNamespace, snowflakeOptions } from '../config/warehouse-options.js';
import { CURRENT_SCHEMA_VERSION, PROBED_TABLES } from '../publishers/warehouse/schema.js';
import { type Check, type Outcome, failOf, probe, skip } from './check.js';
import { nearestExisting } from './state-check.js';

export interface WarehouseCheckOptions {
  clock: Clock;
  logger: Logger;
  version: string;
  verbose: boolean;
  /** Longest wait for the Snowflake login (default 30 s); the driver alone retries for minutes. */
  snowflakeLoginTimeoutMs?: number;
}

export const SNOWFLAKE_LOGIN_TIMEOUT_MS = 30_000;

export async function checkSnowflake(config: Config, o: WarehouseCheckOptions): Promise<Check[]> {
  const s = config.snowflake;
  // The names as Snowflake resolves them (unquoted → upper-case), exactly as runs use them.
  const ns = snowflakeNamespace(config);
  const { database, schema } = ns;
  const role = s.role === undefined ? undefined : resolveIdentifier(s.role);
  const warehouse = s.warehouse === undefined ? undefined : resolveIdentifier(s.warehouse);
  const where = `${quoteIdent(database)}.${quoteIdent(schema)}`;
  const grants = grantsFor({
    database,
    schema,
    role,
    ...(config.warehouse.createTables ? { tablesSchema: resolveIdentifier(config.warehouse.tablesSchema) } : {}),
  });
  let backend: WarehouseBackend | undefined;
  const login = await probe('snowflake.login', 'warehouse', o.clock, async () => {
    const { openSnowflake } = await import('../warehouse/snowflake.js');
    backend = await withTimeout(openSnowflake(snowflakeOptions(config, { queryTag: `fabric-sync/${o.version}/validate`, verbose: o.verbose, logger: o.logger })), o.snowflakeLoginTimeoutMs ?? SNOWFLAKE_LOGIN_TIMEOUT_MS, s.accessUrl ?? `${s.account}.snowflakecomputing.com`);
    const how = s.privateKeyPath ? 'key pair' : (s.authenticator ?? 'password').toLowerCase();
    return { status: 'ok', message: `Snowflake login as ${s.user} on ${s.account} (${how})${role ? `, role ${quoteIdent(role)}` : ''}` };
  });
  if (!backend) {
    return [login, skip('snowflake.context', 'warehouse', 'warehouse, database and schema not checked: no Snowflake session'), skip('snowflake.privileges', 'warehouse', 'CREATE TABLE and MERGE not checked: no Snowflake session')];
  }
  const db = backend;
  let existing: string[] = [];
  try {
    const context = await probe('snowflake.context', 'warehouse', o.clock, async () => {
      if (warehouse) await db.execute(`USE WAREHOUSE ${quoteIdent(warehouse)}`);
      await db.execute(`USE SCHEMA ${where}`);
      const found = await probeWarehouse(db, ns, PROBED_TABLES);
      existing = found.present;
      return { status: 'ok', message: `${warehouse ? `warehouse ${quoteIdent(warehouse)}, ` : ''}database ${quoteIdent(database)} and schema ${quoteIdent(schema)} usable; ${tablesNote(found)}` };
    }, (e) => {
      const base = failOf(e);
      const f = { ...base, message: `cannot use ${warehouse ? `warehouse ${quoteIdent(warehouse)} / ` : ''}${where}: ${driverText(e) ?? base.message}` };
      // Snowflake answers "does not exist or not authorized" alike (002003/002043): usually a missing grant.
      const code = (e as { code?: unknown }).code;
      if (f.failure !== 'permission' && code !== '002003' && code !== '002043') return f;
      return { ...f, failure: 'permission', hint: `Check that they exist and that the role has USAGE on them. An administrator can run: ${warehouse ? `GRANT USAGE ON WAREHOUSE ${quoteIdent(warehouse)} TO ROLE ${quoteIdent(role ?? 'FABRIC_SYNC_ROLE')}; ` : ''}${grants}` };
    });
    if (context.status !== 'ok') return [login, context, skip('snowflake.privileges', 'warehouse', 'CREATE TABLE and MERGE not checked: the schema is not usable')];
    const privileges = await probe('snowflake.privileges', 'warehouse', o.clock, () => provePrivileges(db, where, grants, existing));
    return [login, context, privileges];
  } finally {
    await db.close().catch(() => undefined);
  }
}

/** CREATE TEMPORARY TABLE, MERGE one row, DROP: the statements a sync needs, on a throw-away table. */
async function provePrivileges(db: WarehouseBackend, where: string, grants: string, existing: string[]): Promise<Outcome> {
  const table = `${where}.${quoteIdent(`FABRIC_SYNC_VALIDATE_${randomBytes(4).toString('hex').toUpperCase()}`)}`;
  let step = 'CREATE TABLE';
  const denied = (e: unknown): Outcome => {
    const f = failOf(e);
    const said = driverText(e) ?? f.message;
    if (f.failure !== 'permission') return { ...f, message: `${step} in ${where} failed: ${said}` };
    return { ...f, message: `the role may not ${step} in ${where}: ${said}`, hint: `An administrator can run: ${grants}` };
  };
  let created = false;
  try {
    await db.execute(`CREATE TEMPORARY TABLE ${table} (ID NUMBER(38,0), V VARCHAR)`);
    created = true;
    step = 'MERGE';
    const merged = await db.execute(
      `MERGE INTO ${table} AS T USING (SELECT 1 AS ID, 'validate' AS V) AS S ON T.ID = S.ID ` +
        'WHEN MATCHED THEN UPDATE SET V = S.V WHEN NOT MATCHED THEN INSERT (ID, V) VALUES (S.ID, S.V)',
    );
    if (merged.rowsAffected !== undefined && merged.rowsAffected !== 1) {
      return { status: 'warn', message: `MERGE into a temporary table in ${where} reported ${merged.rowsAffected} rows instead of 1`, hint: 'Unexpected; re-run with --verbose and report it.' };
    }
  } catch (e) {
    return denied(e);
  } finally {
    // Cleaned up even when MERGE failed; a temporary table would also vanish with the session.
    if (created) await db.execute(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
  }
  return {
    status: 'ok',
    message: `CREATE TABLE and MERGE allowed in ${where} (temporary table created, one row merged, dropped)`,
    // A table we create is ours; tables someone else created need their own grants.
    ...(existing.length ? { hint: `If another role owns the existing ${existing.join(', ')}, this role also needs INSERT, UPDATE, DELETE on them.` } : {}),
  };
}

export async function checkDuckDb(config: Config, o: { clock: Clock }): Promise<Check[]> {
  const file = config.warehouse.duckdbPath;
  const full = path.resolve(file);
  return [
    await probe('duckdb.file', 'warehouse', o.clock, async () => {
      const dir = await nearestExisting(path.dirname(full));
      try {
        await access(dir, constants.W_OK);
      } catch (e) {
        return { status: 'fail', failure: 'permission', message: `DuckDB file ${file}: directory ${dir} is not writable (${(e as NodeJS.ErrnoException).code ?? 'error'})`, hint: 'Set FABRIC_SYNC_DUCKDB_PATH (warehouse.duckdbPath) to a writable location.' };
      }
      const exists = await stat(full).catch(() => undefined);
      if (!exists) return { status: 'ok', message: `DuckDB file ${file}: not created yet; ${dir} is writable (the first run creates it)` };
      const { openDuckDb } = await import('../warehouse/duckdb.js');
      const db = await openDuckDb({ path: full });
      try {
        await db.execute('SELECT 1');
      } finally {
        await db.close();
      }
      return { status: 'ok', message: `DuckDB file ${file}: opens read-write` };
    }),
  ];
}

/**
 * The driver retries an unanswered login with backoff for about two minutes; validate gives up
 * sooner and says so. A session that arrives after the deadline is closed at once.
 */
async function withTimeout(login: Promise<WarehouseBackend>, ms: number, target: string): Promise<WarehouseBackend> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      login.then((b) => b.close()).catch(() => undefined);
      reject(new WarehouseError(`No answer from Snowflake at ${target} within ${Math.round(ms / 1000)} s`, {}, {
        hint: 'Check SNOWFLAKE_ACCOUNT or SNOWFLAKE_ACCESS_URL, and that the network (proxy, firewall, private link) allows HTTPS to it.',
      }));
    }, ms);
    timer.unref?.();
  });
  try {
    return await Promise.race([login, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Snowflake puts the substance on the second line ("SQL access control error:\nInsufficient
 * privileges to operate on schema 'X'."); the driver's whole text, on one line, says more.
 */
function driverText(e: unknown): string | undefined {
  const cause = (e as { cause?: unknown } | null)?.cause;
  const text = cause instanceof Error ? cause.message : undefined;
  if (!text) return undefined;
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 300 ? `${one.slice(0, 300)}…` : one;
}

function tablesNote(found: WarehouseProbe): string {
  if (found.present.length === 0) return 'no metadata table yet (the first sync creates them)';
  const version =
    found.schemaVersion >= CURRENT_SCHEMA_VERSION
      ? `schema version ${found.schemaVersion}`
      : `schema version ${found.schemaVersion || 1}, upgraded to ${CURRENT_SCHEMA_VERSION} by the next sync`;
  if (found.missing.length === 0) return `all ${found.present.length} metadata tables present, ${version}`;
  return `metadata tables present: ${found.present.join(', ')}; ${found.missing.join(', ')} created on the next sync (${version})`;
}
