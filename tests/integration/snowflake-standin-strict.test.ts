// The stand-in is strict where Snowflake is (issue 12 item 8): the login's database and schema
// are the session's context (by identifier rules), CREATE SCHEMA and USE change it, a write to a
// table another open transaction locked waits, an idle blocker is aborted, explicit timestamp
// formats are honoured, and every statement is checked by a Snowflake-dialect parser. Then the
// run that used to lose models against such a server: `convert --auto --no-push --create-tables`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'snowflake-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFabricEmulator, type FabricEmulator } from '../support/fabric-emulator/index.js';
import { runCli } from '../support/run-cli.js';
import { connectTo, destroy, exec } from '../support/snowflake-standin/driver.js';
import { startSnowflakeStandIn, type SnowflakeStandIn } from '../support/snowflake-standin/index.js';
import { standInEnv } from '../support/stand-in-env.js';
import { bimParts } from '../e2e/monitor-harness.js';

let standIn: SnowflakeStandIn;
beforeAll(async () => {
  // Snowflake aborts an idle blocker after 5 minutes; 2 s here is long enough that a busy transaction
  // on a loaded machine (100 ms between its statements) is never taken for an idle one.
  standIn = await startSnowflakeStandIn({ idleBlockerAbortMs: 2_000 });
});
afterAll(async () => standIn?.close());

const context = async (c: Connection) => (await exec(c, 'SELECT CURRENT_DATABASE() AS "D", CURRENT_SCHEMA() AS "S"')).rows[0];

describe('session context (https://docs.snowflake.com/en/sql-reference/name-resolution)', () => {
  it('the login database and schema follow identifier rules: unquoted upper-cased, quoted kept', async () => {
    await standIn.query('CREATE SCHEMA IF NOT EXISTS "FABRIC_DB"."Mixed Case"');
    const plain = await connectTo(standIn, { database: 'fabric_db', schema: 'metadata' });
    expect(await context(plain)).toEqual({ D: 'FABRIC_DB', S: 'METADATA' });
    const quoted = await connectTo(standIn, { database: '"FABRIC_DB"', schema: '"Mixed Case"' });
    expect(await context(quoted)).toEqual({ D: 'FABRIC_DB', S: 'Mixed Case' });
    await Promise.all([destroy(plain), destroy(quoted)]);
  });

  it('CREATE SCHEMA makes the new schema current, USE SCHEMA / USE DATABASE change it, and unqualified names follow', async () => {
    const c = await connectTo(standIn);
    await exec(c, 'CREATE TABLE "FABRIC_DB"."METADATA"."CTX_T" ("A" VARCHAR)');
    await exec(c, 'CREATE SCHEMA IF NOT EXISTS "FABRIC_DB"."MIRROR"');
    expect(await context(c)).toEqual({ D: 'FABRIC_DB', S: 'MIRROR' });
    // The unqualified name now resolves in MIRROR, where it does not exist — the defect of issue 12.
    await expect(exec(c, 'INSERT INTO "CTX_T" ("A") VALUES (\'x\')')).rejects.toMatchObject({ code: '002003' });
    await exec(c, 'INSERT INTO "FABRIC_DB"."METADATA"."CTX_T" ("A") VALUES (\'x\')');
    await exec(c, 'USE SCHEMA "FABRIC_DB"."METADATA"');
    expect(await context(c)).toEqual({ D: 'FABRIC_DB', S: 'METADATA' });
    await exec(c, 'USE DATABASE "FABRIC_DB"');
    expect(await context(c)).toEqual({ D: 'FABRIC_DB', S: 'PUBLIC' });
    await destroy(c);
  });

  it('a temporary table lives in a schema and can be named in full', async () => {
    const c = await connectTo(standIn);
    await exec(c, 'CREATE TEMPORARY TABLE IF NOT EXISTS "FABRIC_DB"."METADATA"."TMP_T" ("A" VARCHAR)');
    await exec(c, 'INSERT INTO "FABRIC_DB"."METADATA"."TMP_T" ("A") VALUES (?)', [['a'], ['b']]);
    expect((await exec(c, 'SELECT COUNT(*) AS "N" FROM "TMP_T"')).rows).toEqual([{ N: 2 }]);
    const other = await connectTo(standIn);
    await expect(exec(other, 'SELECT * FROM "FABRIC_DB"."METADATA"."TMP_T"')).rejects.toMatchObject({ code: '002003' });
    await Promise.all([destroy(c), destroy(other)]);
  });
});

describe('locks (https://docs.snowflake.com/en/sql-reference/transactions#resource-locking)', () => {
  it('a write to a table another open transaction wrote waits for its COMMIT, and then sees its rows', async () => {
    const a = await connectTo(standIn);
    const b = await connectTo(standIn);
    await exec(a, 'CREATE TABLE "FABRIC_DB"."METADATA"."LOCK_T" ("K" VARCHAR, "V" NUMBER)');
    await exec(a, 'INSERT INTO "FABRIC_DB"."METADATA"."LOCK_T" VALUES (\'k\', 1)');
    await exec(a, 'BEGIN');
    await exec(a, 'UPDATE "FABRIC_DB"."METADATA"."LOCK_T" SET "V" = 2');
    const t0 = Date.now();
    const waiting = exec(b, 'UPDATE "FABRIC_DB"."METADATA"."LOCK_T" SET "V" = "V" + 10');
    // a keeps its transaction busy (so it is not idle-aborted), then commits.
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await exec(a, 'SELECT 1');
    }
    await exec(a, 'COMMIT');
    await waiting;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect((await exec(a, 'SELECT "V" FROM "FABRIC_DB"."METADATA"."LOCK_T"')).rows).toEqual([{ V: 12 }]);
    expect(standIn.lockWaits.at(-1)).toMatchObject({ table: 'FABRIC_DB.METADATA.LOCK_T', outcome: 'granted' });
    await Promise.all([destroy(a), destroy(b)]);
  });

  it('an idle transaction that blocks another is aborted and rolled back; its COMMIT then fails', async () => {
    const a = await connectTo(standIn);
    const b = await connectTo(standIn);
    await exec(a, 'BEGIN');
    await exec(a, 'UPDATE "FABRIC_DB"."METADATA"."LOCK_T" SET "V" = 99');
    await exec(b, 'UPDATE "FABRIC_DB"."METADATA"."LOCK_T" SET "V" = 13');
    expect(standIn.abortedTransactions.length).toBeGreaterThan(0);
    await expect(exec(a, 'COMMIT')).rejects.toThrow(/aborted by the system/);
    expect((await exec(b, 'SELECT "V" FROM "FABRIC_DB"."METADATA"."LOCK_T"')).rows).toEqual([{ V: 13 }]);
    await Promise.all([destroy(a), destroy(b)]);
  });
});

describe('SQL the stand-in checks like Snowflake', () => {
  it('refuses a statement the Snowflake-dialect parser rejects (001003), recording why', async () => {
    const c = await connectTo(standIn);
    await expect(exec(c, 'SELECT FROM WHERE')).rejects.toMatchObject({ code: '001003' });
    expect(standIn.statements.at(-1)?.parseError).toMatch(/Expected/);
    await destroy(c);
  });

  it('parses TO_TIMESTAMP_NTZ with the explicit format, whatever the session TIMESTAMP_INPUT_FORMAT', async () => {
    const c = await connectTo(standIn);
    await exec(c, "ALTER SESSION SET TIMESTAMP_INPUT_FORMAT = 'DD/MM/YYYY'");
    const r = await exec(c, "SELECT TO_TIMESTAMP_NTZ(?, 'YYYY-MM-DD HH24:MI:SS.FF3') AS \"T\"", ['2026-03-04 05:06:07.089']);
    expect((r.rows[0]!.T as Date).toISOString()).toBe('2026-03-04T05:06:07.089Z');
    await expect(exec(c, "SELECT TO_TIMESTAMP_NTZ(?, 'YYYY-MON-DD') AS \"T\"", ['2026-MAR-04'])).rejects.toMatchObject({ code: '100096' });
    await destroy(c);
  });
});

describe('the run that lost models against a strict server (issue 12)', () => {
  let emu: FabricEmulator;
  beforeAll(async () => {
    emu = await startFabricEmulator({ acceptTokens: ['strict-token'], validateResponses: false });
  });
  afterAll(async () => emu?.close());

  it('convert --auto --no-push --create-tables over six models: exit 0, every model written, schema created once', async () => {
    const sf = await startSnowflakeStandIn({ users: { FABRIC_SYNC: 'pw' } });
    try {
      const ws = emu.addWorkspace({ name: 'Strict' });
      for (let i = 0; i < 6; i++) emu.addModel(ws, { name: `Strict ${i}`, parts: bimParts({ name: `Strict ${i}` }) });
      const cwd = mkdtempSync(path.join(tmpdir(), 'fs-strict-'));
      const env = standInEnv({ emu, token: 'strict-token', workspaces: [ws], snowflake: { standIn: sf, user: 'FABRIC_SYNC', password: 'pw' }, extra: { FABRIC_SYNC_CONCURRENCY: '4' } });
      const r = await runCli(['convert', '--auto', '--no-push', '--create-tables', '--json'], { cwd, env, timeoutMs: 120_000 });
      expect(r.code, r.stderr + r.stdout.slice(0, 2000)).toBe(0);
      expect(JSON.parse(r.stdout).synced).toBe(6);
      const rows = await sf.query('SELECT count(*) AS n FROM "FABRIC_DB"."METADATA"."_SEMANTIC_METADATA"');
      expect(rows).toEqual([{ n: 6 }]);
      const mirror = await sf.query(`SELECT count(*) AS n FROM information_schema.tables WHERE table_catalog = 'FABRIC_DB' AND table_schema = 'FABRIC_MODELS'`);
      expect(mirror).toEqual([{ n: 18 }]);
      const sql = sf.statements.map((s) => s.sqlText);
      expect(sql.filter((s) => s.startsWith('CREATE SCHEMA'))).toHaveLength(1);
      expect(sf.statements.filter((s) => s.parseError)).toEqual([]);
      // No statement names a _SEMANTIC_ table without its database and schema.
      expect(sql.filter((s) => (s.match(/"_SEMANTIC_[A-Z_]+"/g) ?? []).length !== s.split('"FABRIC_DB"."METADATA"."_SEMANTIC_').length - 1)).toEqual([]);
    } finally {
      await sf.close();
    }
  }, 150_000);
});

describe('constraint names', () => {
  it('are unique per table within one stand-in, and two stand-ins in one process do not share them', async () => {
    const other = await startSnowflakeStandIn();
    try {
      for (const sf of [standIn, other]) {
        const c = await connectTo(sf);
        await exec(c, 'CREATE TABLE "FABRIC_DB"."METADATA"."PK_T" ("K" VARCHAR NOT NULL)');
        await exec(c, 'ALTER TABLE "FABRIC_DB"."METADATA"."PK_T" ADD CONSTRAINT "PK_T_KEY" PRIMARY KEY ("K") RELY');
        await expect(exec(c, 'ALTER TABLE "FABRIC_DB"."METADATA"."PK_T" ADD CONSTRAINT "PK_T_KEY" PRIMARY KEY ("K") RELY')).rejects.toThrow(/already exists/);
        expect(sf.constraints().filter((x) => x.includes('"PK_T_KEY"'))).toHaveLength(1);
        await destroy(c);
      }
    } finally {
      await other.close();
    }
  });
});
