// The Snowflake stand-in driven by the real snowflake-sdk (issue 5 item 4, docs/architecture.md#stand-ins).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Connection, SnowflakeError } from 'snowflake-sdk';
import { startSnowflakeStandIn, type SnowflakeStandIn } from '../support/snowflake-standin/index.js';
import { connectTo, destroy, exec, execAll } from '../support/snowflake-standin/driver.js';

async function failure(p: Promise<unknown>): Promise<SnowflakeError> {
  try { await p; } catch (e) { return e as SnowflakeError; }
  throw new Error('expected the statement to fail');
}

describe('Snowflake stand-in with the real snowflake-sdk', () => {
  let standIn: SnowflakeStandIn;
  let conn: Connection;

  // Other files quiet the driver's connection telemetry in this process (vitest.config.ts runs many
  // files per process); this one checks that it arrives, so it turns it back on while it runs.
  const quietTelemetry = process.env.SF_TELEMETRY_DISABLE_CONNECTION_SHAPE;

  beforeAll(async () => {
    delete process.env.SF_TELEMETRY_DISABLE_CONNECTION_SHAPE;
    standIn = await startSnowflakeStandIn();
    conn = await connectTo(standIn, { queryTag: 'fabric-sync/test/run-1' });
  });
  afterAll(async () => {
    await destroy(conn).catch(() => undefined);
    await standIn.close();
    if (quietTelemetry !== undefined) process.env.SF_TELEMETRY_DISABLE_CONNECTION_SHAPE = quietTelemetry;
  });

  it('logs in with a password and refuses a wrong one with 390100', async () => {
    expect(standIn.logins).toBe(1);
    await vi.waitFor(() => expect(standIn.telemetry.length).toBeGreaterThan(0));
    const err = await failure(connectTo(standIn, { password: 'nope' }));
    expect(err.code).toBe('390100');
    expect(err.message).toContain('Incorrect username or password was specified.');
    expect(standIn.logins).toBe(1);
  });

  it('creates tables, upper-cases unquoted identifiers and keeps "Mixed Case"', async () => {
    await exec(conn, 'create table if not exists people (id number(38,0) not null, name varchar, "Mixed Case" text, meta variant, seen timestamp_ntz, score float, ok boolean, born date)');
    const tables = await standIn.query(`SELECT table_name FROM information_schema.tables WHERE table_name = 'PEOPLE'`);
    expect(tables).toHaveLength(1);
    const cols = await standIn.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'PEOPLE' ORDER BY ordinal_position`);
    expect(cols.map((c) => c.column_name)).toEqual(['ID', 'NAME', 'Mixed Case', 'META', 'SEEN', 'SCORE', 'OK', 'BORN']);
    expect(cols[0]!.data_type).toBe('DECIMAL(38,0)');
    expect(cols[3]!.data_type).toBe('JSON');
    const { rows } = await exec(conn, 'select 1 as unquoted, 2 as "lower"');
    expect(Object.keys(rows[0]!)).toEqual(['UNQUOTED', 'lower']);
  });

  it('returns typed rows: fixed, real, text, boolean, date, timestamp_ntz, variant', async () => {
    await exec(conn, `insert into people (id, name, "Mixed Case", seen, score, ok, born) values (?, ?, ?, ?, ?, ?, ?)`,
      [1, 'Ada', 'x', '2024-03-05 06:07:08.123', 1.5, true, '2024-03-05']);
    await exec(conn, `update people set meta = parse_json(:1) where id = :2`, ['{"a":[1,2],"b":"c"}', 1]);
    const { rows } = await exec(conn, 'select id, name, "Mixed Case", seen, score, ok, born, meta from people where id = 1');
    const r = rows[0]!;
    expect(r.ID).toBe(1);
    expect(r.NAME).toBe('Ada');
    expect(r['Mixed Case']).toBe('x');
    expect(r.SCORE).toBe(1.5);
    expect(r.OK).toBe(true);
    expect(r.META).toEqual({ a: [1, 2], b: 'c' });
    expect((r.SEEN as Date).toISOString()).toBe('2024-03-05T06:07:08.123Z');
    expect(String(r.BORN)).toMatch(/2024-03-05|Mar 05 2024/);
  });

  it('round-trips a TIMESTAMP_NTZ bound as a UTC string', async () => {
    await exec(conn, 'create or replace table ts_t (t timestamp_ntz)');
    await exec(conn, 'insert into ts_t values (?)', ['1999-12-31 23:59:59.999']);
    const { rows } = await exec(conn, 'select t from ts_t');
    expect((rows[0]!.T as Date).toISOString()).toBe('1999-12-31T23:59:59.999Z');
  });

  it('inserts 1,000 array-bound rows in one statement and reports 1,000', async () => {
    await exec(conn, 'create table bulk (k number, v varchar, j varchar)');
    const binds = Array.from({ length: 1000 }, (_, i) => [i, `v${i}`, JSON.stringify({ i })]);
    const before = standIn.statements.length;
    const { stmt } = await exec(conn, 'insert into bulk (k, v, j) values (?, ?, ?)', binds);
    expect(stmt.getNumUpdatedRows()).toBe(1000);
    expect(standIn.statements.length - before).toBe(1);
    const last = standIn.statements.at(-1)!;
    expect(last.rows).toBe(1000);
    expect((last.binds as Record<string, { value: unknown[] }>)['1']!.value).toHaveLength(1000);
    expect(await standIn.query('SELECT count(*) AS n FROM BULK')).toEqual([{ n: 1000 }]);
  });

  it('answers MERGE with inserted/updated counts, and JSON parsed in the USING subquery', async () => {
    await exec(conn, 'create table target (k number, v variant)');
    await exec(conn, 'insert into target (k, v) select ?, parse_json(?)', [1, '{"old":true}']);
    const merge = `merge into target t using (select k, parse_json(j) as v from bulk where k < 3) s on t.k = s.k
      when matched then update set v = s.v when not matched then insert (k, v) values (s.k, s.v)`;
    const { stmt, rows } = await exec(conn, merge);
    expect(rows[0]).toEqual({ 'number of rows inserted': 2, 'number of rows updated': 1 });
    expect(stmt.getNumUpdatedRows()).toBe(3);
    const { rows: back } = await exec(conn, 'select v from target where k = 2');
    expect(back[0]!.V).toEqual({ i: 2 });
  });

  it('refuses a MERGE whose source matches one target row twice (100090), unless it only inserts', async () => {
    await exec(conn, 'create table dup_t (k number, v varchar)');
    await exec(conn, "insert into dup_t values (1, 'a')");
    const err = await failure(exec(conn, `merge into dup_t as t using (select 1 as k, 'x' as v union all select 1, 'y') s on t.k = s.k
      when matched then update set v = s.v when not matched then insert (k, v) values (s.k, s.v)`));
    expect(err.code).toBe('100090');
    expect(await standIn.query('SELECT v FROM DUP_T')).toEqual([{ V: 'a' }]);
    const { stmt } = await exec(conn, `merge into dup_t using (select 2 as k, 'x' as v union all select 2, 'y') s on dup_t.k = s.k
      when not matched then insert (k, v) values (s.k, s.v)`);
    expect(stmt.getNumUpdatedRows()).toBe(2);
    const bound = await exec(conn, `merge into dup_t t using (select ? as k, ? as v) s on t.k = s.k
      when matched then update set v = s.v when not matched then insert (k, v) values (s.k, s.v)`, [1, 'b']);
    expect(bound.rows[0]).toEqual({ 'number of rows inserted': 0, 'number of rows updated': 1 });
  });

  it('rejects PARSE_JSON inside VALUES like Snowflake (002014)', async () => {
    const err = await failure(exec(conn, 'insert into target (k, v) values (?, PARSE_JSON(?))', [9, '{}']));
    expect(err.code).toBe('002014');
    expect(err.message).toContain('Invalid expression [PARSE_JSON(?)] in VALUES clause');
  });

  it('BEGIN/ROLLBACK undoes; DDL inside BEGIN commits the open transaction', async () => {
    await exec(conn, 'create table tx (k number)');
    await exec(conn, 'begin');
    await exec(conn, 'insert into tx values (1)');
    await exec(conn, 'rollback');
    expect(await standIn.query('SELECT count(*) AS n FROM TX')).toEqual([{ n: 0 }]);

    await exec(conn, 'begin transaction');
    await exec(conn, 'insert into tx values (2)');
    await exec(conn, 'create table if not exists tx_other (k number)');
    await exec(conn, 'rollback');
    expect(await standIn.query('SELECT k FROM TX')).toEqual([{ K: 2 }]);
  });

  it('a compile error inside a transaction keeps it; an execution error makes COMMIT fail loudly, never commit silently', async () => {
    await exec(conn, 'create table tx2 (k number not null)');
    await exec(conn, 'begin');
    await exec(conn, 'insert into tx2 values (1)');
    expect((await failure(exec(conn, 'insert into missing_table values (1)'))).code).toBe('002003');
    await exec(conn, 'insert into tx2 values (2)');
    await exec(conn, 'commit');
    expect(await standIn.query('SELECT k FROM TX2 ORDER BY k')).toEqual([{ K: 1 }, { K: 2 }]);

    await exec(conn, 'begin');
    await exec(conn, 'insert into tx2 values (3)');
    expect((await failure(exec(conn, 'insert into tx2 values (null)'))).code).toBe('100072');
    const commit = await failure(exec(conn, 'commit'));
    expect(commit.message).toContain('stand-in limitation');
    expect(await standIn.query('SELECT count(*) AS n FROM TX2')).toEqual([{ n: 2 }]);
    await exec(conn, 'insert into tx2 values (4)');
    expect(await standIn.query('SELECT count(*) AS n FROM TX2')).toEqual([{ n: 3 }]);
  });

  it('lexes literals, comments, $$ strings and :: casts without touching their contents', async () => {
    const { rows } = await exec(conn, `select 'a ? b; -- c' as s, ? as p, /* ? ; */ $$it's ? "x"$$ as d, 'x\\'y' as e, '7'::number as n -- trailing ?
      `, ['bound']);
    expect(rows).toEqual([{ S: 'a ? b; -- c', P: 'bound', D: 'it\'s ? "x"', E: "x'y", N: 7 }]);
  });

  it('keeps a transaction private to its session until COMMIT', async () => {
    const other = await connectTo(standIn);
    try {
      await exec(conn, 'begin');
      await exec(conn, 'insert into tx values (3)');
      expect((await exec(other, 'select count(*) as n from tx')).rows[0]!.N).toBe(1);
      await exec(conn, 'commit');
      expect((await exec(other, 'select count(*) as n from tx')).rows[0]!.N).toBe(2);
    } finally {
      await destroy(other);
    }
  });

  it('lets several sessions run the same CREATE TABLE IF NOT EXISTS at once, as Snowflake does', async () => {
    const others = await Promise.all([connectTo(standIn), connectTo(standIn), connectTo(standIn)]);
    try {
      const ddl = 'create table if not exists raced (k number, v varchar)';
      const many = Array.from({ length: 12 }, (_, i) => `create table if not exists raced_${i} (k number, v varchar, w variant, t timestamp_ntz)`);
      await Promise.all([conn, ...others].flatMap((c) => [exec(c, ddl), ...many.map((m) => exec(c, m))]));
      await exec(others[0]!, 'begin');
      await exec(others[0]!, 'insert into raced values (1, ?)', ['held']);
      const pending = Promise.all(others.slice(1).map((c) => exec(c, ddl)));
      await new Promise((r) => setTimeout(r, 30));
      await exec(others[0]!, 'commit');
      await pending;
      expect(await standIn.query('SELECT count(*) AS n FROM RACED')).toEqual([{ n: 1 }]);
    } finally {
      await Promise.all(others.map((c) => destroy(c)));
    }
  });

  it('refuses multi-statement requests with 000008 unless MULTI_STATEMENT_COUNT allows them', async () => {
    const err = await failure(exec(conn, 'select 1; select 2'));
    expect(err.code).toBe('000008');
    expect(err.message).toBe('Actual statement count 2 did not match the desired statement count 1.');
    const seen = await execAll(conn, 'select 1 as a; select 2 as b', { parameters: { MULTI_STATEMENT_COUNT: 2 } });
    expect(seen).toEqual([[{ A: 1 }], [{ B: 2 }]]);
  });

  it('answers unknown objects with 002003 / 42S02', async () => {
    const err = await failure(exec(conn, 'select * from no_such_table'));
    expect(err.code).toBe('002003');
    expect(err.sqlState).toBe('42S02');
    expect(err.message).toContain("'NO_SUCH_TABLE' does not exist");
  });

  it('uses a hostile quoted identifier as a plain name', async () => {
    const name = '"x""; DROP TABLE T; --"';
    await exec(conn, 'create table t (k number)');
    await exec(conn, `create table ${name} ("a""b" varchar)`);
    await exec(conn, `insert into ${name} values (?)`, ["O'Brien; --"]);
    const { rows } = await exec(conn, `select "a""b" from ${name}`);
    expect(rows).toEqual([{ 'a"b': "O'Brien; --" }]);
    expect(await standIn.query(`SELECT count(*) AS n FROM information_schema.tables WHERE table_name IN ('T', 'x"; DROP TABLE T; --')`)).toEqual([{ n: 2 }]);
  });

  it('answers heartbeats, async execution, query status and results by query id', async () => {
    expect(await conn.isValidAsync()).toBe(true);
    const queryId = await new Promise<string>((resolve, reject) => conn.execute({
      sqlText: 'select count(*) as n from bulk', asyncExec: true,
      complete: (err, stmt) => (err ? reject(err) : resolve(stmt.getQueryId())),
    }));
    const stmt = await conn.getResultsFromQueryId({ queryId });
    const rows = await new Promise<unknown[]>((resolve, reject) => {
      const out: unknown[] = [];
      stmt.streamRows().on('data', (r: unknown) => out.push(r)).on('end', () => resolve(out)).on('error', reject);
    });
    expect(rows).toEqual([{ N: 1000 }]);
    expect(await conn.getQueryStatus(queryId)).toBe('SUCCESS');
  });

  it('records every statement with its binds, session and query tag', async () => {
    standIn.resetRecording();
    await exec(conn, 'select ? as v', ['hello']);
    expect(standIn.statements).toHaveLength(1);
    const s = standIn.statements[0]!;
    expect(s.sqlText).toBe('select ? as v');
    expect(s.binds).toEqual({ 1: { type: 'TEXT', value: 'hello' } });
    expect(s.queryTag).toBe('fabric-sync/test/run-1');
    expect(s.rows).toBe(1);
    expect(s.sessionId).toMatch(/^\d+$/);
  });
});
