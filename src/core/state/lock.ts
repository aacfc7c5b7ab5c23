// The state lock (docs/architecture.md#state, issue 6: "a second monitor on the same state exits 2 with 'already
// running (pid N)'; a stale lock from a dead process is taken over"). The lock is a file
// `<state>.lock` holding {pid, hostname, startedAt}.
//
// Issue 13 item 5: on a full disk, creating the file with O_EXCL and then writing it left an empty
// lock file behind; every restart then exited 2 "already running" and a service manager told not to
// restart on exit 2 stopped for good. So the content is written and fsynced to a private temporary
// file first and published with link(), which is atomic and fails if the lock exists: a lock file is
// never seen empty or half written, a lock that could not be written is not held (and leaves nothing
// behind), and an empty or unreadable lock file is therefore stale at once. Filesystems without hard
// links fall back to O_EXCL + write, which verifies after writing that the lock is still its own.
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { Logger } from '../context.js';
import { LockedError, storageErrorFrom } from '../errors.js';

export interface LockInfo {
  pid: number;
  hostname: string;
  startedAt: string;
}

export interface HeldLock {
  readonly path: string;
  readonly info: LockInfo;
  /** Remove the lock file if it is still ours. Idempotent. */
  release(): Promise<void>;
  /** Touch the lock file: its mtime is the heartbeat other hosts judge staleness by. Best effort. */
  refresh(): Promise<void>;
}

/** Lock files this process holds, so a second open in the same process is refused, not "taken over". */
const heldHere = new Set<string>();

export interface LockOptions {
  logger: Logger;
  now: () => number;
  /** Overridable for tests; default this process and this machine. */
  pid?: number;
  hostname?: string;
  /**
   * A lock file with unreadable content (empty, damaged) older than this is abandoned. Default 0: a
   * lock is published whole (see above), so an unreadable one was left by a crash or a full disk.
   */
  unreadableStaleMs?: number;
  /**
   * A lock held on ANOTHER host whose heartbeat (mtime, refreshed on every save) is older than this is
   * taken over. Off by default: a pid on another machine cannot be checked, so only the caller, who
   * knows how often the holder saves (the monitor interval), can say how old is too old.
   */
  foreignStaleMs?: number;
}

export function lockPathFor(statePath: string): string {
  return `${resolve(statePath)}.lock`;
}

export async function acquireLock(statePath: string, options: LockOptions): Promise<HeldLock> {
  const path = lockPathFor(statePath);
  const info: LockInfo = {
    pid: options.pid ?? process.pid,
    hostname: options.hostname ?? osHostname(),
    startedAt: new Date(options.now()).toISOString(),
  };
  // Two attempts: the second follows the takeover of a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await tryCreate(path, info)) return heldLock(path, info);
    const holder = await readHolder(path);
    if (holder === 'gone') continue;
    const verdict = await judge(path, holder, info, options);
    if (verdict !== 'stale') throw lockedError(statePath, path, holder, info.hostname);
    await takeOver(path, holder, options.logger);
  }
  const holder = await readHolder(path);
  throw lockedError(statePath, path, holder === 'gone' ? 'unreadable' : holder, info.hostname);
}

async function tryCreate(path: string, info: LockInfo): Promise<boolean> {
  const text = `${JSON.stringify(info)}\n`;
  const temp = join(dirname(path), `.${basename(path)}.${info.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeDurably(temp, text, 'wx');
  } catch (e) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw lockWriteError(e, path);
  }
  try {
    await link(temp, path);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // No hard links here (some network and FAT file systems): create the lock directly.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS' || code === 'EXDEV' || code === 'EMLINK') {
      return createDirectly(path, info, text);
    }
    throw lockWriteError(e, path);
  } finally {
    await rm(temp, { force: true }).catch(() => undefined);
  }
}

/** O_EXCL create + write; a failed write removes the file, and the holder checks the lock is still its own. */
async function createDirectly(path: string, info: LockInfo, text: string): Promise<boolean> {
  try {
    await writeDurably(path, text, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    // Created but not written (ENOSPC): the empty file is ours, never a holder's.
    await rm(path, { force: true }).catch(() => undefined);
    throw lockWriteError(e, path);
  }
  // Between create and write the empty file could be judged stale and taken over: then it is not ours.
  const holder = await readHolder(path);
  return holder !== 'gone' && holder !== 'unreadable' && holder.pid === info.pid && holder.startedAt === info.startedAt && holder.hostname === info.hostname;
}

async function writeDurably(path: string, text: string, flag: 'wx'): Promise<void> {
  const handle = await open(path, flag, 0o644);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function lockWriteError(e: unknown, path: string): Error {
  return storageErrorFrom(e, 'write the lock file', path, 'the lock is not held and no lock file was left behind') ?? (e as Error);
}

type Holder = LockInfo | 'unreadable' | 'gone';

async function readHolder(path: string): Promise<Holder> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    // A lock file we cannot read is judged like a damaged one (stale); taking it over still needs
    // the right to rename it, which fails loudly if we do not have it.
    return 'unreadable';
  }
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (typeof v.pid === 'number' && typeof v.hostname === 'string') {
      return { pid: v.pid, hostname: v.hostname, startedAt: String(v.startedAt ?? '') };
    }
  } catch {
    // fall through: empty (a crash or a full disk before the content reached it) or damaged
  }
  return 'unreadable';
}

async function judge(path: string, holder: LockInfo | 'unreadable', me: LockInfo, options: LockOptions): Promise<'live' | 'stale'> {
  if (holder === 'unreadable') {
    const limit = options.unreadableStaleMs ?? 0;
    if (limit <= 0) return 'stale';
    const age = options.now() - (await stat(path)).mtimeMs;
    return age > limit ? 'stale' : 'live';
  }
  if (holder.hostname !== me.hostname) {
    // A pid on another machine (shared drive, a rescheduled container) cannot be checked; only a
    // heartbeat older than the caller's limit makes it stale.
    if (options.foreignStaleMs === undefined) return 'live';
    return options.now() - (await stat(path)).mtimeMs > options.foreignStaleMs ? 'stale' : 'live';
  }
  // Our own pid: either this process already holds it, or a previous incarnation with the same pid
  // (a restarted container runs as pid 1 every time) died without releasing it.
  if (holder.pid === me.pid) return heldHere.has(path) ? 'live' : 'stale';
  return isAlive(holder.pid) ? 'live' : 'stale';
}

/** Whether a process of that pid exists on this machine (kill with signal 0 probes without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else — still alive.
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Move the stale lock aside (rename is atomic, so of two processes taking over only one succeeds),
 * then check that what we moved is still the stale lock we judged; if a live process re-created it in
 * the meantime, put it back.
 */
async function takeOver(path: string, stale: LockInfo | 'unreadable', logger: Logger): Promise<void> {
  const aside = `${path}.stale-${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw storageErrorFrom(e, 'take over the stale lock file', path, 'the lock is not held') ?? e;
  }
  const moved = await readHolder(aside);
  const same =
    stale === 'unreadable' ? moved === 'unreadable' : moved !== 'gone' && moved !== 'unreadable' && moved.pid === stale.pid && moved.startedAt === stale.startedAt;
  if (!same) {
    await link(aside, path).catch(() => undefined);
    await rm(aside, { force: true });
    return;
  }
  await rm(aside, { force: true });
  const who = stale === 'unreadable' ? 'an empty or unreadable lock (left by a crash or a full disk)' : `a stale lock from pid ${stale.pid} on ${stale.hostname} (started ${stale.startedAt}; that process is gone)`;
  logger.warn(`Took over ${who}: ${path}`);
}

function lockedError(statePath: string, path: string, holder: LockInfo | 'unreadable', myHost: string): LockedError {
  const host = holder !== 'unreadable' && holder.hostname !== myHost ? ` on host ${holder.hostname}` : '';
  const who = holder === 'unreadable' ? '' : ` (pid ${holder.pid}${host})`;
  return new LockedError(`another fabric-sync is already running${who} on ${statePath}`, {
    hint: `Wait for it to finish or stop it. If no fabric-sync is running, delete ${path}.`,
  });
}

function heldLock(path: string, info: LockInfo): HeldLock {
  let released = false;
  heldHere.add(path);
  return {
    path,
    info,
    async refresh() {
      if (released) return;
      const now = new Date();
      await utimes(path, now, now).catch(() => undefined);
    },
    async release() {
      if (released) return;
      released = true;
      heldHere.delete(path);
      const holder = await readHolder(path);
      if (holder !== 'gone' && holder !== 'unreadable' && holder.pid === info.pid && holder.startedAt === info.startedAt) {
        await rm(path, { force: true });
      }
    },
  };
}
