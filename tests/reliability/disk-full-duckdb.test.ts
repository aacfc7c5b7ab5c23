// The embedded DuckDB file on a full disk, at the backend seam (src/core/warehouse/duckdb.ts and the
// warehouse publisher's apply step), on a small tmpfs mounted for the test (root only, as in
// disk-full.test.ts; elsewhere skipped with one line saying why):
// - a COMMIT that cannot write its WAL fails, and the connection stays usable: once space is back the
//   next model commits on it (before: the ROLLBACK sent after the failed COMMIT failed too — DuckDB
//   had already rolled back — so the connection was retired and every later model of the run failed
//   with "could not roll back an earlier failure");
// - nothing acknowledged is lost and nothing refused appears after the file is reopened;
// - a DuckDB file created on a full disk (left without its headers) is created anew once space is
//   back (before: "not a valid DuckDB database file" on every later open, until removed by hand);
//   a short file that is not DuckDB's is never removed (these two need no tmpfs).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/core/publishers/warehouse/apply.js';
import type { WarehousePlan } from '../../src/core/publishers/warehouse/plan.js';
import { openDuckDb } from '../../src/core/warehouse/duckdb.js';
import { fill, smallDisk, unmountSmallDisks } from './small-disk.js';

/** One model's transaction as the publisher sends it: BEGIN, its rows, COMMIT. */
function plan(id: number): WarehousePlan {
  return {
    ddl: [],
    transaction: [
      { sql: 'BEGIN', purpose: 'begin the model transaction' },
      { sql: 'DELETE FROM T WHERE ID = ?', binds: [id], purpose: 'delete the previous rows' },
      // Larger than any page the WAL has left over, so the full disk is really hit.
      { sql: "INSERT INTO T VALUES (?, repeat('x', 200000))", binds: [id], purpose: 'insert the model row' },
      { sql: 'COMMIT', purpose: 'commit the model' },
    ],
    dialect: 'duckdb',
    installedBy: { toolVersion: 'test', at: new Date(0) },
  };
}

const probe = smallDisk('2m');
const skipReason = typeof probe === 'string' ? undefined : probe.reason;
if (skipReason) console.log(`duckdb on a full disk: skipped — a small tmpfs cannot be mounted here: ${skipReason}`);

afterAll(() => {
  unmountSmallDisks();
});

describe.skipIf(Boolean(skipReason))('duckdb on a full disk', () => {
  it('a COMMIT refused for want of space leaves the connection usable; acknowledged models survive reopening, refused ones are absent', async () => {
    const disk = probe as string;
    const file = path.join(disk, 'metadata.duckdb');
    const backend = await openDuckDb({ path: file });
    // Closed whatever happens: an open file keeps the tmpfs from being unmounted.
    try {
      await backend.execute('CREATE TABLE T (ID INTEGER, PAYLOAD VARCHAR)');
      await applyPlan(backend, plan(1));
      const filler = fill(disk);
      await expect(applyPlan(backend, plan(2))).rejects.toThrow(/Could not commit the model: .*No space left on device/);
      await expect(applyPlan(backend, plan(3))).rejects.toThrow(/No space left on device/);
      rmSync(filler);
      // Space is back: the same connection writes the next model.
      await applyPlan(backend, plan(4));
    } finally {
      await backend.close();
    }
    const again = await openDuckDb({ path: file, readOnly: true });
    const ids = (await again.execute('SELECT ID FROM T ORDER BY ID')).rows.map((r) => r.ID);
    await again.close();
    expect(ids).toEqual([1, 4]);
  }, 60_000);

  it('a DuckDB file created on a full disk is created anew once space is back', async () => {
    const disk = smallDisk('1m');
    if (typeof disk !== 'string') throw new Error(disk.reason);
    const file = path.join(disk, 'metadata.duckdb');
    const filler = fill(disk);
    await expect(openDuckDb({ path: file })).rejects.toThrow(/Could not open the DuckDB file .*No space left on device/);
    expect(statSync(file).size).toBeLessThan(3 * 4096);
    // Still full: the same clear error, not "not a valid DuckDB database file".
    await expect(openDuckDb({ path: file })).rejects.toThrow(/No space left on device/);
    rmSync(filler);
    const backend = await openDuckDb({ path: file });
    await backend.execute('CREATE TABLE T (ID INTEGER)');
    await backend.execute('INSERT INTO T VALUES (7)');
    await backend.close();
    const again = await openDuckDb({ path: file, readOnly: true });
    expect((await again.execute('SELECT ID FROM T')).rows).toEqual([{ ID: 7 }]);
    await again.close();
  }, 60_000);
});

describe('a DuckDB file cut short (no tmpfs needed)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fs-rel-duckshort-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an empty file, or the first header alone, is created anew', async () => {
    for (const [name, content] of [['empty.duckdb', Buffer.alloc(0)], ['header.duckdb', Buffer.concat([Buffer.alloc(8), Buffer.from('DUCK'), Buffer.alloc(4096 - 12)])]] as const) {
      const file = path.join(dir, name);
      writeFileSync(file, content);
      const backend = await openDuckDb({ path: file });
      expect((await backend.execute('SELECT 42 AS N')).rows).toEqual([{ N: 42 }]);
      await backend.close();
      expect(statSync(file).size).toBeGreaterThanOrEqual(3 * 4096);
    }
  });

  it('a short file that is not DuckDB\'s is left as it was, and the open fails', async () => {
    const file = path.join(dir, 'notes.duckdb');
    writeFileSync(file, 'this is not a database, and not ours to remove');
    await expect(openDuckDb({ path: file })).rejects.toThrow(/Could not open the DuckDB file/);
    expect(readFileSync(file, 'utf8')).toBe('this is not a database, and not ours to remove');
  });

  it('a short file another process holds locked (it may be creating it) is never removed', async () => {
    const file = path.join(dir, 'locked.duckdb');
    const header = Buffer.concat([Buffer.alloc(8), Buffer.from('DUCK'), Buffer.alloc(4096 - 12)]);
    writeFileSync(file, header);
    // A POSIX record lock, as DuckDB itself takes on its file.
    const holder = spawn('python3', ['-c', 'import fcntl,sys,time; f=open(sys.argv[1],"r+b"); fcntl.lockf(f, fcntl.LOCK_EX); print("locked", flush=True); time.sleep(60)', file]);
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (d: Buffer) => (String(d).includes('locked') ? resolve() : undefined));
        holder.on('error', reject);
        holder.on('exit', (code) => reject(new Error(`the lock holder exited with ${code}`)));
      });
      await expect(openDuckDb({ path: file })).rejects.toThrow(/Could not open the DuckDB file .*lock/i);
      expect(readFileSync(file)).toEqual(header);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('a read-only open never removes anything', async () => {
    const file = path.join(dir, 'empty-ro.duckdb');
    writeFileSync(file, '');
    await expect(openDuckDb({ path: file, readOnly: true })).rejects.toThrow(/Could not open the DuckDB file/);
    expect(statSync(file).size).toBe(0);
  });
});
