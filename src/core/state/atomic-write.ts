// Atomic replacement of a small file (docs/architecture.md#state: "Writes are atomic"). The new content goes to a
// temporary file in the SAME directory (rename is only atomic within one filesystem), is fsynced,
// then renamed over the target, and the directory is fsynced so the rename itself survives a power
// loss. A crash at any point leaves either the old file or the new one, never a torn mix.
import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { storageErrorFrom } from '../errors.js';

export interface AtomicWriteHooks {
  /** Test seam: runs after the temp file is durable and before the rename. */
  beforeRename?: (tempPath: string) => void | Promise<void>;
}

/** Prefix of temp files for `path`; a leftover one means a writer died before its rename. */
export function tempPrefix(path: string): string {
  return `.${basename(path)}.tmp-`;
}

/**
 * A full disk (or any other file-system failure) leaves the previous file as it was and no temporary
 * file behind, and is reported as a StorageError naming the file (issue 13 item 5).
 */
export async function writeFileAtomic(path: string, data: string, hooks: AtomicWriteHooks = {}): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `${tempPrefix(path)}${process.pid}-${randomBytes(4).toString('hex')}`);
  const failed = (e: unknown) => storageErrorFrom(e, 'write', path, 'the previous version of the file is unchanged') ?? e;
  let handle;
  try {
    handle = await open(temp, 'wx', 0o600);
  } catch (e) {
    throw failed(e);
  }
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } catch (e) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw failed(e);
  }
  await handle.close();
  try {
    await hooks.beforeRename?.(temp);
    await renameWithRetry(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw failed(e);
  }
  await fsyncDirectory(dir);
}

/** Remove temp files left by a writer that died between write and rename. Call only under the lock. */
export async function removeLeftoverTemps(path: string): Promise<string[]> {
  const prefix = tempPrefix(path);
  const dir = dirname(path);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const leftovers = names.filter((n) => n.startsWith(prefix));
  await Promise.all(leftovers.map((n) => rm(join(dir, n), { force: true })));
  return leftovers;
}

/**
 * On Windows a rename over a file that another process (an editor, a virus scanner, `state show`)
 * has open fails with EPERM/EACCES/EBUSY for a moment; retry briefly before giving up.
 */
async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await rename(from, to);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (attempt >= 5 || (code !== 'EPERM' && code !== 'EACCES' && code !== 'EBUSY')) throw e;
      await delay(20 * 2 ** attempt);
    }
  }
}

async function fsyncDirectory(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync (EISDIR/EPERM); NTFS journals the rename itself.
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // best effort: the rename has happened; only durability across power loss is weaker
  } finally {
    await handle?.close();
  }
}
