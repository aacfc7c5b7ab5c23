// Test helpers around the real snowflake-sdk pointed at a stand-in: connect with accessUrl, and a
// promise wrapper for execute() (the driver only offers a callback; docs/snowflake.md#the-driver-against-a-local-server).
import type { Binds, Connection, ConnectionOptions, FileAndStageBindStatement, RowStatement, SnowflakeError } from 'snowflake-sdk';
import type { SnowflakeStandIn } from './index.js';

// The AWS SDK inside snowflake-sdk warns about Node 20 on load (docs/snowflake.md#the-driver-against-a-local-server); keep test output clean.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const snowflake = (await import('snowflake-sdk')).default;
snowflake.configure({ logLevel: 'OFF' });

export { snowflake };

export async function connectTo(standIn: SnowflakeStandIn, options: Partial<ConnectionOptions> = {}): Promise<Connection> {
  const conn = snowflake.createConnection({
    account: standIn.account, accessUrl: standIn.url, username: 'FABRIC_SYNC', password: 'secret',
    database: 'FABRIC_DB', schema: 'METADATA', warehouse: 'WH', ...options,
  } as ConnectionOptions);
  // connectAsync() resolves even when login fails (errors only reach its callback), so use connect().
  return new Promise((resolve, reject) => conn.connect((err, c) => (err ? reject(err) : resolve(c))));
}

export interface Executed { stmt: RowStatement; rows: Record<string, unknown>[] }

export function exec(conn: Connection, sqlText: string, binds?: Binds, extra: Record<string, unknown> = {}): Promise<Executed> {
  return new Promise((resolve, reject) => {
    conn.execute({
      sqlText, ...(binds !== undefined ? { binds } : {}), ...extra,
      complete: (err: SnowflakeError | undefined, stmt, rows) => {
        if (err) reject(err);
        else resolve({ stmt: stmt as RowStatement, rows: (rows ?? []) as Record<string, unknown>[] });
      },
    });
  });
}

/** A multi-statement request: the callback fires once per statement (docs/snowflake.md#wire-protocol). */
export function execAll(conn: Connection, sqlText: string, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>[][]> {
  const results: Record<string, unknown>[][] = [];
  return new Promise((resolve, reject) => {
    conn.execute({
      sqlText, ...extra,
      complete: (err: SnowflakeError | undefined, stmt, rows) => {
        if (err) { reject(err); return; }
        results.push((rows ?? []) as Record<string, unknown>[]);
        const s = stmt as FileAndStageBindStatement;
        if (s.hasNext()) s.NextResult(); else resolve(results);
      },
    });
  });
}

export function destroy(conn: Connection): Promise<void> {
  return new Promise((resolve, reject) => conn.destroy((err) => (err ? reject(err) : resolve())));
}
