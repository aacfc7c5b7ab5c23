// A full disk reproduced honestly: a small tmpfs mounted for the test (root only — CI runs as root;
// elsewhere the tests that need one are skipped with one line saying why). Used by disk-full.test.ts
// and disk-full-duckdb.test.ts.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Small file systems mounted by this test file, unmounted by `unmountSmallDisks`. */
const mounts: string[] = [];

/** Mounts a tmpfs of `size` on a new folder; returns it, or the reason it cannot be done here. */
export function smallDisk(size: string): string | { reason: string } {
  if (process.getuid?.() !== 0) return { reason: 'not running as root' };
  const dir = mkdtempSync(path.join(tmpdir(), 'fs-rel-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0777`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    return { reason: `mount -t tmpfs failed (${String((e as { stderr?: Buffer }).stderr ?? e).trim().split('\n')[0]})` };
  }
  mounts.push(dir);
  return dir;
}

/** Fills the file system holding `dir` to the last byte; returns the filler file. */
export function fill(dir: string): string {
  const file = path.join(dir, 'filler');
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch {
    // ENOSPC: full. Top up the last partial block byte by byte.
    try {
      for (;;) writeSync(fd, block, 0, 1);
    } catch {
      // full to the byte
    }
  } finally {
    closeSync(fd);
  }
  return file;
}

/** Unmounts and removes every small disk mounted so far (for an `afterAll`). */
export function unmountSmallDisks(): void {
  for (const m of mounts.splice(0).reverse()) {
    try {
      execFileSync('umount', [m], { stdio: 'pipe' });
      rmSync(m, { recursive: true, force: true });
    } catch {
      // a failed unmount leaves an empty tmpfs in /tmp; nothing else depends on it
    }
  }
}
