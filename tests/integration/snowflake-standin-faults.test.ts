// Stand-in key-pair login, fault/latency injection and the Snowflake-only SQL rules, through the real
// snowflake-sdk (issue 5 item 4).
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection, SnowflakeError } from 'snowflake-sdk';
import { startSnowflakeStandIn, type SnowflakeStandIn } from '../support/snowflake-standin/index.js';
import { connectTo, destroy, exec, execAll } from '../support/snowflake-standin/driver.js';

async function failure(p: Promise<unknown>): Promise<SnowflakeError> {
  try { await p; } catch (e) { return e as SnowflakeError; }
  throw new Error('expected a failure');
}

describe('key-pair (SNOWFLAKE_JWT) login', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const plainPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const encryptedPem = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pass phrase' }).toString();
  let standIn: SnowflakeStandIn;
  let dir: string;

  beforeAll(async () => {
    standIn = await startSnowflakeStandIn({ users: {}, publicKeys: { KEY_USER: publicPem } });
    dir = mkdtempSync(join(tmpdir(), 'sf-key-'));
  });
  afterAll(async () => {
    await standIn.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a JWT signed by the configured key (privateKey in memory)', async () => {
    const conn = await connectTo(standIn, { username: 'key_user', authenticator: 'SNOWFLAKE_JWT', privateKey: plainPem, password: undefined });
    expect((await exec(conn, 'select current_user() as u')).rows).toHaveLength(1);
    await destroy(conn);
  });

  it('accepts an encrypted PKCS#8 file with its passphrase (privateKeyPath + privateKeyPass)', async () => {
    const path = join(dir, 'rsa_key.p8');
    writeFileSync(path, encryptedPem, { mode: 0o600 });
    const conn = await connectTo(standIn, { username: 'KEY_USER', authenticator: 'SNOWFLAKE_JWT', privateKeyPath: path, privateKeyPass: 'pass phrase', password: undefined });
    expect((await exec(conn, 'select 1 as one')).rows).toEqual([{ ONE: 1 }]);
    await destroy(conn);
  });

  it('refuses a JWT signed by another key, and a password login for a key-only user', async () => {
    const before = standIn.logins;
    const wrongKey = other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const err = await failure(connectTo(standIn, { username: 'KEY_USER', authenticator: 'SNOWFLAKE_JWT', privateKey: wrongKey, password: undefined }));
    expect(err.code).toBe('390144');
    const err2 = await failure(connectTo(standIn, { username: 'KEY_USER', password: 'anything' }));
    expect(err2.code).toBe('390100');
    expect(standIn.logins).toBe(before);
  });
});

describe('fault and latency injection', () => {
  let standIn: SnowflakeStandIn;
  let conn: Connection;

  beforeAll(async () => {
    standIn = await startSnowflakeStandIn();
    conn = await connectTo(standIn);
    await exec(conn, 'create table f (k number)');
  });
  afterAll(async () => {
    await destroy(conn).catch(() => undefined);
    await standIn.close();
  });

  it('fails the Nth statement from now, then the next one is fine', async () => {
    standIn.failAt({ index: 1, code: '000630', message: 'Statement reached its statement or warehouse timeout.' });
    await exec(conn, 'insert into f values (1)');
    const err = await failure(exec(conn, 'insert into f values (2)'));
    expect(err.code).toBe('000630');
    expect(err.message).toBe('Statement reached its statement or warehouse timeout.');
    await exec(conn, 'insert into f values (3)');
    expect(await standIn.query('SELECT k FROM F ORDER BY k')).toEqual([{ K: 1 }, { K: 3 }]);
    expect(standIn.statements.at(-2)!.code).toBe('000630');
  });

  it('fails the next statement matching a regex, once', async () => {
    standIn.failAt({ match: /^merge/i });
    await exec(conn, 'select 1');
    const err = await failure(exec(conn, 'merge into f using (select 9 as k) s on f.k = s.k when not matched then insert (k) values (s.k)'));
    expect(err.code).toBe('000603');
    const { stmt } = await exec(conn, 'merge into f using (select 9 as k) s on f.k = s.k when not matched then insert (k) values (s.k)');
    expect(stmt.getNumUpdatedRows()).toBe(1);
  });

  // snowflake-sdk retries a query-request after a network error (up to 1,000 times, 1-16 s apart, and
  // sfRetryMaxNumRetries is not a public option), so a drop surfaces as an error only on the attempt
  // itself; what the caller sees is the retry. Both sides of that are checked here.
  it('drops the connection before executing: the attempt fails at the socket, the driver retry runs it once', async () => {
    standIn.failAt({ match: /values \(42\)/, dropConnection: true });
    const before = standIn.statements.length;
    const { stmt } = await exec(conn, 'insert into f values (42)');
    expect(stmt.getNumUpdatedRows()).toBe(1);
    const attempts = standIn.statements.slice(before);
    expect(attempts.map((a) => a.error)).toEqual(['connection dropped (injected)', undefined]);
    expect(await standIn.query('SELECT count(*) AS n FROM F WHERE k = 42')).toEqual([{ n: 1 }]);
  });

  it('drops the connection after executing: the retry is answered from the first run, not run twice', async () => {
    standIn.failAt({ match: /values \(43\)/, dropConnection: true, afterExecute: true });
    const before = standIn.statements.length;
    const { stmt } = await exec(conn, 'insert into f values (43)');
    expect(stmt.getNumUpdatedRows()).toBe(1);
    expect(standIn.statements.slice(before).map((a) => a.retry ?? false)).toEqual([false, true]);
    expect(await standIn.query('SELECT count(*) AS n FROM F WHERE k = 43')).toEqual([{ n: 1 }]);
  });

  it('cuts the answer mid-body (dropConnection + truncate): the driver surfaces an error and nothing ran', async () => {
    standIn.failAt({ match: /values \(44\)/, dropConnection: true, truncate: true, times: 5 });
    const err = await failure(exec(conn, 'insert into f values (44)'));
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/JSON/);
    expect(await standIn.query('SELECT count(*) AS n FROM F WHERE k = 44')).toEqual([{ n: 0 }]);
    standIn.clearFaults();
  });

  it("answers 003001 for a denied privilege, only for that kind of statement", async () => {
    standIn.denyPrivilege('CREATE TABLE');
    const err = await failure(exec(conn, 'create table if not exists g (k number)'));
    expect(err.code).toBe('003001');
    expect(err.sqlState).toBe('42501');
    expect(err.message).toContain('Insufficient privileges');
    await exec(conn, 'insert into f values (5)');
    standIn.clearFaults();
    await exec(conn, 'create table if not exists g (k number)');
  });

  it('adds delayMs to every statement', async () => {
    const slow = await startSnowflakeStandIn({ delayMs: 150 });
    try {
      const c = await connectTo(slow);
      const t0 = performance.now();
      await exec(c, 'select 1');
      await exec(c, 'select 2');
      expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
      await destroy(c);
    } finally {
      await slow.close();
    }
  });
});

describe('Snowflake-only SQL the writer relies on', () => {
  let standIn: SnowflakeStandIn;
  let conn: Connection;

  beforeAll(async () => {
    standIn = await startSnowflakeStandIn({ database: 'analytics', schema: 'meta' });
    conn = await connectTo(standIn, { database: 'ANALYTICS', schema: 'META' });
  });
  afterAll(async () => {
    await destroy(conn).catch(() => undefined);
    await standIn.close();
  });

  it('accepts inline COMMENT clauses and COMMENT ON, and keeps the comments', async () => {
    await exec(conn, `create table if not exists "_SEMANTIC_X" ("MODEL_ID" varchar not null comment 'Source model id',
      "N" number(10,2) comment 'it''s a number') comment = 'One row per model'`);
    await exec(conn, `comment on column "_SEMANTIC_X"."N" is 'changed'`);
    const t = await standIn.query(`SELECT comment FROM duckdb_tables() WHERE table_name = '_SEMANTIC_X'`);
    expect(t).toEqual([{ comment: 'One row per model' }]);
    const c = await standIn.query(`SELECT column_name, comment FROM duckdb_columns() WHERE table_name = '_SEMANTIC_X' ORDER BY column_index`);
    expect(c).toEqual([{ column_name: 'MODEL_ID', comment: 'Source model id' }, { column_name: 'N', comment: 'changed' }]);
    const err = await failure(exec(conn, 'insert into "_SEMANTIC_X" ("N") values (1)'));
    expect(err.code).toBe('100072');
  });

  it('enforces VARCHAR(n) lengths and NUMBER(p,s) ranges like Snowflake', async () => {
    await exec(conn, `create table lim (s varchar(5) comment 'short', n number(4,2) not null)`);
    await exec(conn, 'insert into lim values (?, ?)', ['12345', 12.34]);
    const long = await failure(exec(conn, 'insert into lim values (?, ?)', ['123456', 1]));
    expect(long.code).toBe('100078');
    const big = await failure(exec(conn, 'insert into lim values (?, ?)', ['a', 123.4]));
    expect(big.code).toBe('100039');
    // Array binds are one statement: one bad row fails all of them.
    const batch = await failure(exec(conn, 'insert into lim (s, n) values (?, ?)', [['ok', 1], ['too long', 2], ['ok', 3]]));
    expect(batch.code).toBe('100078');
    const nulls = await failure(exec(conn, 'insert into lim (s, n) values (?, ?)', [['ok', 1], ['ok', null]]));
    expect(nulls.code).toBe('100072');
    expect(await standIn.query('SELECT count(*) AS n FROM LIM')).toEqual([{ n: 1 }]);
  });

  it('answers INFORMATION_SCHEMA with Snowflake column names and type spellings', async () => {
    await exec(conn, `create table if not exists info_t (id number(38,0) not null, amount number(12,2), name varchar(40) comment 'who',
      body text, doc variant, seen_at timestamp_ntz, ratio float, flag boolean)`);
    const { rows } = await exec(conn, `select column_name, data_type, is_nullable, character_maximum_length, numeric_precision, numeric_scale, comment
      from information_schema.columns where table_schema = ? and table_name = 'INFO_T' order by ordinal_position`, ['META']);
    expect(rows.map((r) => [r.COLUMN_NAME, r.DATA_TYPE, r.IS_NULLABLE, r.CHARACTER_MAXIMUM_LENGTH, r.NUMERIC_PRECISION, r.NUMERIC_SCALE, r.COMMENT])).toEqual([
      ['ID', 'NUMBER', 'NO', null, 38, 0, null],
      ['AMOUNT', 'NUMBER', 'YES', null, 12, 2, null],
      ['NAME', 'TEXT', 'YES', 40, null, null, 'who'],
      ['BODY', 'TEXT', 'YES', 16777216, null, null, null],
      ['DOC', 'VARIANT', 'YES', null, null, null, null],
      ['SEEN_AT', 'TIMESTAMP_NTZ', 'YES', null, null, null, null],
      ['RATIO', 'FLOAT', 'YES', null, null, null, null],
      ['FLAG', 'BOOLEAN', 'YES', null, null, null, null],
    ]);
    const tables = await exec(conn, `select table_name, table_type from "ANALYTICS"."INFORMATION_SCHEMA"."TABLES" where table_name = 'INFO_T'`);
    expect(tables.rows).toEqual([{ TABLE_NAME: 'INFO_T', TABLE_TYPE: 'BASE TABLE' }]);
    const schemas = await exec(conn, `select schema_name from information_schema.schemata order by 1`);
    expect(schemas.rows.map((r) => r.SCHEMA_NAME)).toEqual(expect.arrayContaining(['META', 'PUBLIC']));
  });

  it('keeps CREATE TEMPORARY TABLE private to the session', async () => {
    await exec(conn, 'create temporary table load_t (k number, j varchar)');
    await exec(conn, 'insert into load_t values (?, ?)', [[1, '{"a":1}'], [2, '{"a":2}']]);
    const other = await connectTo(standIn, { database: 'ANALYTICS', schema: 'META' });
    try {
      const err = await failure(exec(other, 'select * from load_t'));
      expect(err.code).toBe('002003');
    } finally {
      await destroy(other);
    }
    const { rows } = await exec(conn, 'select k, parse_json(j) as v from load_t order by k');
    expect(rows).toEqual([{ K: 1, V: { a: 1 } }, { K: 2, V: { a: 2 } }]);
  });

  it('accepts USE and ALTER SESSION; ALTER SESSION can allow multi-statement requests', async () => {
    await exec(conn, 'use warehouse wh');
    await exec(conn, 'use schema meta');
    await exec(conn, "alter session set query_tag = 'tagged'");
    await exec(conn, 'select 1');
    expect(standIn.statements.at(-1)!.queryTag).toBe('tagged');
    await exec(conn, 'alter session set MULTI_STATEMENT_COUNT = 0');
    const rows = await execAll(conn, 'select 1 as x; select 2 as x; select 3 as x');
    expect(rows).toEqual([[{ X: 1 }], [{ X: 2 }], [{ X: 3 }]]);
    await exec(conn, 'alter session unset MULTI_STATEMENT_COUNT');
    expect((await failure(exec(conn, 'select 1; select 2'))).code).toBe('000008');
  });

  it('refuses CREATE STAGE, so the driver never silently takes the stage-binding path', async () => {
    const err = await failure(exec(conn, 'create or replace temporary stage SYSTEM$BIND file_format=(type=csv)'));
    expect(err.code).toBe('000002');
    // With a tiny threshold the driver tries the stage, is refused, and falls back to inline binds.
    const small = await connectTo(standIn, { database: 'ANALYTICS', schema: 'META', arrayBindingThreshold: 2 } as never);
    try {
      await exec(small, 'create table st (a number, b varchar)');
      const { stmt } = await exec(small, 'insert into st values (?, ?)', [[1, 'a'], [2, 'b'], [3, 'c']]);
      expect(stmt.getNumUpdatedRows()).toBe(3);
      expect(standIn.statements.some((s) => /STAGE/i.test(s.sqlText) && s.code === '000002')).toBe(true);
    } finally {
      await destroy(small);
    }
  });

  it('maps Snowflake functions and types: CURRENT_TIMESTAMP(), OBJECT_CONSTRUCT, IFF, NVL, ::casts', async () => {
    const { rows } = await exec(conn, `select current_timestamp() as now, object_construct('a', 1) as o, iff(1 = 1, 'y', 'n') as i,
      nvl(null, 'd') as d, '42'::number(10,0) as n, 'it''s -- not a comment; really' as s`);
    const r = rows[0]!;
    expect(r.NOW).toBeDefined();
    expect(r.O).toEqual({ a: 1 });
    expect(r.I).toBe('y');
    expect(r.D).toBe('d');
    expect(r.N).toBe(42);
    expect(r.S).toBe("it's -- not a comment; really");
  });

  it('ends the session on destroy (POST /session?delete=true)', async () => {
    const c = await connectTo(standIn, { database: 'ANALYTICS', schema: 'META' });
    await destroy(c);
    expect(c.isUp()).toBe(false);
  });
});

describe('persistence and housekeeping', () => {
  it('keeps data in a DuckDB file across restarts (dbPath)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-db-'));
    try {
      const dbPath = join(dir, 'standin.duckdb');
      const first = await startSnowflakeStandIn({ dbPath });
      const c1 = await connectTo(first);
      await exec(c1, 'create table kept (k number)');
      await exec(c1, 'insert into kept values (?)', [[1], [2]]);
      await destroy(c1);
      await first.close();
      const second = await startSnowflakeStandIn({ dbPath });
      const c2 = await connectTo(second);
      expect((await exec(c2, 'select count(*) as n from kept')).rows).toEqual([{ N: 2 }]);
      await destroy(c2);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('expires session tokens: the driver renews with the master token and keeps its session', async () => {
    const s = await startSnowflakeStandIn();
    try {
      const c = await connectTo(s);
      await exec(c, 'create temporary table mine (k number)');
      await exec(c, 'insert into mine values (1)');
      s.expireSessionTokens();
      const { rows } = await exec(c, 'select count(*) as n from mine');
      expect(rows).toEqual([{ N: 1 }]);
      expect(s.tokenRenewals).toBe(1);
      expect(s.logins).toBe(1);
      await destroy(c);
    } finally {
      await s.close();
    }
  });

  it('answers statement cancel (abort-request)', async () => {
    const s = await startSnowflakeStandIn();
    try {
      const c = await connectTo(s);
      const stmt = c.execute({ sqlText: 'select 1' });
      await new Promise<void>((resolve, reject) => stmt.cancel((err) => (err ? reject(err) : resolve())));
      await destroy(c);
    } finally {
      await s.close();
    }
  });
});
