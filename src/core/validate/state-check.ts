// Checklist item 8: the state file's directory is writable and no other process holds its lock.
// Read-only on purpose: validate never takes, steals or removes the lock (lock.ts does that for
// real runs), it reads `<state>.lock` the way lock.ts writes it ({pid, hostname, startedAt}).
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import path from 'node:path';
import type { Clock } from '../context.js';
import { isAlive, lockPathFor } from '../state/lock.js';
import { type Check, type Outcome, probe } from './check.js';

export interface StateCheckOptions {
  clock: Clock;
  /** Default this machine's name (a lock from another host cannot be checked for liveness). */
  hostname?: string;
  /** Default `process.kill(pid, 0)`. */
  isAlive?: (pid: number) => boolean;
}

export function checkState(statePath: string, options: StateCheckOptions): Promise<Check[]> {
  return Promise.all([
    probe('state.writable', 'state', options.clock, () => writable(statePath)),
    probe('state.lock', 'state', options.clock, () => lockFree(statePath, options)),
  ]);
}

async function writable(statePath: string): Promise<Outcome> {
  const full = path.resolve(statePath);
  const existing = await nearestExisting(path.dirname(full));
  try {
    await access(existing, constants.W_OK);
  } catch (e) {
    return {
      status: 'fail',
      failure: 'permission',
      message: `state file ${statePath}: directory ${existing} is not writable (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      hint: 'Run as a user that may write there, or set FABRIC_SYNC_STATE_PATH (state.path) to a writable location.',
    };
  }
  const file = await stat(full).catch(() => undefined);
  if (!file) return { status: 'ok', message: `state file ${statePath}: not created yet; ${existing} is writable` };
  if (!file.isFile()) {
    return { status: 'fail', failure: 'other', message: `state file ${statePath} is not a regular file`, hint: 'Point state.path (FABRIC_SYNC_STATE_PATH) at a file.' };
  }
  try {
    await access(full, constants.R_OK | constants.W_OK);
  } catch {
    return { status: 'fail', failure: 'permission', message: `state file ${statePath} exists but is not readable and writable`, hint: `Fix its permissions (chmod u+rw ${statePath}) or run as its owner.` };
  }
  return { status: 'ok', message: `state file ${statePath}: writable` };
}

async function lockFree(statePath: string, options: StateCheckOptions): Promise<Outcome> {
  const lockPath = lockPathFor(statePath);
  let text: string;
  try {
    text = await readFile(lockPath, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'ok', message: `state file ${statePath}: not locked` };
    throw e;
  }
  let holder: { pid?: unknown; hostname?: unknown; startedAt?: unknown } = {};
  try {
    holder = JSON.parse(text) as typeof holder;
  } catch {
    // An empty or damaged lock file: a holder between create and write, or a crash.
  }
  const removeHint = `Wait for it to finish or stop it; if no fabric-sync is running, delete ${lockPath}.`;
  if (typeof holder.pid !== 'number' || typeof holder.hostname !== 'string') {
    return { status: 'warn', message: `state file ${statePath}: an unreadable lock file exists (${lockPath})`, hint: `A run that has just started, or a crashed one. ${removeHint}` };
  }
  const since = typeof holder.startedAt === 'string' && holder.startedAt ? `, since ${holder.startedAt}` : '';
  const me = options.hostname ?? osHostname();
  if (holder.hostname !== me) {
    return {
      status: 'fail',
      failure: 'other',
      message: `state file ${statePath} is locked by pid ${holder.pid} on host ${holder.hostname}${since}`,
      hint: `Another machine shares this state file. ${removeHint}`,
    };
  }
  if (!(options.isAlive ?? isAlive)(holder.pid)) {
    return {
      status: 'warn',
      message: `state file ${statePath}: stale lock from pid ${holder.pid}${since}, which is no longer running`,
      hint: 'The next run takes it over; nothing to do.',
    };
  }
  return {
    status: 'fail',
    failure: 'other',
    message: `state file ${statePath} is locked by another fabric-sync (pid ${holder.pid}${since})`,
    hint: `A monitor or another run is using it; runs on this state file wait or exit 2. ${removeHint}`,
  };
}

/** The directory itself, or its nearest existing ancestor (where a run would create it). */
export async function nearestExisting(dir: string): Promise<string> {
  let d = dir;
  for (;;) {
    const s = await stat(d).catch(() => undefined);
    if (s?.isDirectory()) return d;
    const up = path.dirname(d);
    if (up === d) return d;
    d = up;
  }
}
