// The state store against real files and real processes (issue 6 "Must show"): atomic writes that
// survive a SIGKILL between write and rename, the lock refusing a live holder and taking over a dead
// one, a corrupt file moved aside, the original layout migrated, and no secret ever on disk.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/context.js';
import { ConfigError, LockedError } from '../../src/core/errors.js';
import { parseStateText } from '../../src/core/state/schema.js';
import { openStateStore, type StateStore } from '../../src/core/state/store.js';
import { repoRoot } from '../support/paths.js';

const clock = { t: Date.parse('2026-11-26T10:00:00Z'), now() { return this.t; } };
function capture(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (m: string) => void lines.push(`${level}: ${m}`);
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

// Child processes run the real store code: transpile the few modules it needs into a temp folder
// (type-stripping only, well under a second) with node_modules linked so `zod` resolves.
let compiled: string;
beforeAll(() => {
  compiled = mkdtempSync(path.join(tmpdir(), 'fs-state-js-'));
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(compiled, 'node_modules'), 'dir');
  writeFileSync(path.join(compiled, 'package.json'), '{"type":"module"}');
  for (const rel of ['core/context.ts', 'core/errors.ts', 'core/redact.ts', 'core/state/schema.ts', 'core/state/lock.ts', 'core/state/atomic-write.ts', 'core/state/store.ts']) {
    const src = readFileSync(path.join(repoRoot, 'src', rel), 'utf8');
    const out = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true } });
    const dest = path.join(compiled, rel.replace(/\.ts$/, '.js'));
    mkdirSync(path.dirname(dest), { recursive: true });
    writeFileSync(dest, out.outputText);
  }
});
afterAll(() => rmSync(compiled, { recursive: true, force: true }));

const storeUrl = () => `file://${path.join(compiled, 'core/state/store.js')}`;
const quiet = '{debug(){},info(){},warn(){},error(){}}';

/** Run a child that opens the store with the lock and runs `body` (ESM, `store` in scope). */
function childScript(statePath: string, body: string): string {
  return `const { openStateStore } = await import(${JSON.stringify(storeUrl())});
const store = await openStateStore(${JSON.stringify(statePath)}, { clock: { now: () => Date.now() }, lock: true, logger: ${quiet},
  hooks: { beforeRename: async () => { if (globalThis.crashBeforeRename) process.kill(process.pid, 'SIGKILL'); } } });
${body}`;
}

let dir: string;
let statePath: string;
const opened: StateStore[] = [];
const children: ChildProcess[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fs-state-'));
  statePath = path.join(dir, 'sync_state.json');
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const s of opened.splice(0)) await s.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});
async function open(lock = true, logger: Logger = capture()): Promise<StateStore> {
  const s = await openStateStore(statePath, { clock, lock, logger });
  opened.push(s);
  return s;
}

describe('state file layout', () => {
  it('starts empty when the file is missing and writes the versioned original layout', async () => {
    const store = await open();
    expect(store.list()).toEqual([]);
    store.recordSync('ds-1', { name: 'Sales Analytics_PushSync', sourceName: 'Sales Analytics', fingerprint: 'sha256:abc', workspaceId: 'ws-1', pushDatasetId: 'push-1', pushName: 'Sales Analytics_PushSync', at: clock.t });
    store.recordSync('ds-1', { name: 'Sales Analytics_PushSync', fingerprint: 'sha256:def', at: clock.t + 1000 });
    store.setLastCheck(clock.t + 2000);
    await store.save();
    const file = JSON.parse(readFileSync(statePath, 'utf8'));
    expect(file).toEqual({
      version: 2,
      synced_models: {
        'ds-1': {
          name: 'Sales Analytics_PushSync', last_sync_time: '2026-11-26T10:00:01.000Z', sync_count: 2, fingerprint: 'sha256:def',
          push_dataset_id: 'push-1', push_name: 'Sales Analytics_PushSync', workspace_id: 'ws-1', source_name: 'Sales Analytics',
          last_checked_at: '2026-11-26T10:00:01.000Z', failures: 0, next_retry_at: null, last_error: null, deleted_at: null, settings: null,
        },
      },
      last_check: '2026-11-26T10:00:02.000Z',
      scanner: { watermark: null, last_full_listing: null, pending: [] },
    });
  });

  it('recordSync resets failures; recordFailure counts them; forget and reset remove', async () => {
    const store = await open();
    store.recordFailure('a', 'boom', clock.t + 60_000, { name: 'A', workspaceId: 'w' });
    store.recordFailure('a', 'boom again', clock.t + 120_000);
    expect(store.get('a')).toMatchObject({ failures: 2, last_error: 'boom again', next_retry_at: '2026-11-26T10:02:00.000Z', sync_count: 0, fingerprint: null });
    store.recordSync('a', { name: 'A', fingerprint: 'f' });
    expect(store.get('a')).toMatchObject({ failures: 0, last_error: null, next_retry_at: null, sync_count: 1 });
    store.recordDeleted('a', clock.t);
    expect(store.get('a')?.deleted_at).toBe('2026-11-26T10:00:00.000Z');
    expect(store.forget('a')).toBe(true);
    expect(store.forget('a')).toBe(false);
    store.recordSync('b', { name: 'B', fingerprint: 'f' });
    store.setScannerWatermark('2026-11-26T09:00:00Z');
    store.reset();
    expect(store.snapshot()).toEqual({ models: {}, lastCheck: null, scannerWatermark: null });
  });

  it('serialises concurrent saves so the newest state always wins', async () => {
    const store = await open();
    const saves: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      store.recordSync(`m${i}`, { name: `M${i}`, fingerprint: `f${i}` });
      saves.push(store.save());
    }
    await Promise.all(saves);
    expect(Object.keys(JSON.parse(readFileSync(statePath, 'utf8')).synced_models)).toHaveLength(50);
  });
});

describe('atomic write', () => {
  it('a process killed between write and rename leaves the old file intact; the next run takes over', async () => {
    const first = await open();
    first.recordSync('old', { name: 'Old', fingerprint: 'f-old' });
    await first.close();
    const before = readFileSync(statePath, 'utf8');

    const child = spawnSync(process.execPath, ['--input-type=module', '-e', childScript(statePath, `
      store.recordSync('new', { name: 'New', fingerprint: 'f-new' });
      globalThis.crashBeforeRename = true;
      await store.save();`)], { encoding: 'utf8' });
    expect(child.signal).toBe('SIGKILL');
    // The temp file was durable but never renamed; the lock of the dead process is still there.
    expect(readdirSync(dir).some((n) => n.startsWith('.sync_state.json.tmp-'))).toBe(true);
    expect(existsSync(`${statePath}.lock`)).toBe(true);
    expect(readFileSync(statePath, 'utf8')).toBe(before);

    const log = capture();
    const next = await open(true, log);
    expect(next.list().map((e) => e.id)).toEqual(['old']);
    expect(log.lines.join('\n')).toMatch(/Took over a stale lock from pid \d+/);
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('a failed rename leaves the old file byte-identical and no temp file', async () => {
    const first = await open();
    first.recordSync('old', { name: 'Old', fingerprint: 'f-old' });
    await first.close();
    const before = readFileSync(statePath, 'utf8');
    const store = await openStateStore(statePath, { clock, lock: true, logger: capture(), hooks: { beforeRename: () => { throw new Error('disk vanished'); } } });
    opened.push(store);
    store.recordSync('new', { name: 'New', fingerprint: 'f' });
    await expect(store.save()).rejects.toThrow('disk vanished');
    expect(readFileSync(statePath, 'utf8')).toBe(before);
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});

describe('lock', () => {
  it('refuses while another live process holds the lock, naming its pid (exit code 2)', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', childScript(statePath, `
      process.stdout.write('locked\\n');
      process.stdin.resume();
      process.stdin.on('end', async () => { await store.close(); process.exit(0); });`)], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (b: Buffer) => b.toString().includes('locked') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited ${code}`)));
    });
    const err = await openStateStore(statePath, { clock, lock: true, logger: capture() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockedError);
    expect((err as LockedError).message).toBe(`another fabric-sync is already running (pid ${child.pid}) on ${statePath}`);
    expect((err as LockedError).exitCode).toBe(2);
    expect((err as LockedError).hint).toContain(`${statePath}.lock`);
    // Read-only access still works while the monitor runs.
    const reader = await open(false);
    expect(reader.list()).toEqual([]);

    // Released on close: the lock file goes away and the next run gets it.
    child.stdin!.end();
    await new Promise((r) => child.on('exit', r));
    expect(existsSync(`${statePath}.lock`)).toBe(false);
    await open(true);
  });

  it('takes over a lock left by a process that exited without releasing it', async () => {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', childScript(statePath, `process.exit(0);`)], { encoding: 'utf8' });
    expect(child.status).toBe(0);
    const holder = JSON.parse(readFileSync(`${statePath}.lock`, 'utf8'));
    expect(holder).toMatchObject({ pid: expect.any(Number), hostname: expect.any(String), startedAt: expect.any(String) });
    const log = capture();
    await open(true, log);
    expect(log.lines).toContainEqual(expect.stringContaining(`Took over a stale lock from pid ${holder.pid}`));
    expect(JSON.parse(readFileSync(`${statePath}.lock`, 'utf8')).pid).toBe(process.pid);
  });

  it('a second open in the same process is refused, not taken over', async () => {
    await open(true);
    await expect(openStateStore(statePath, { clock, lock: true, logger: capture() })).rejects.toThrow(`(pid ${process.pid})`);
  });

  it('takes over a lock left with our own pid by an earlier incarnation (a restarted container is pid 1 again)', async () => {
    writeFileSync(`${statePath}.lock`, JSON.stringify({ pid: process.pid, hostname: os.hostname(), startedAt: '2026-11-26T09:00:00Z' }));
    const log = capture();
    await open(true, log);
    expect(log.lines).toContainEqual(expect.stringContaining(`Took over a stale lock from pid ${process.pid}`));
  });

  it('a lock from another host is taken over only after lockStaleAfterMs without a heartbeat', async () => {
    const lock = `${statePath}.lock`;
    writeFileSync(lock, JSON.stringify({ pid: 4242, hostname: 'old-pod', startedAt: '2026-11-26T08:00:00Z' }));
    utimesSync(lock, new Date(clock.t - 5 * 60_000), new Date(clock.t - 5 * 60_000));
    await expect(openStateStore(statePath, { clock, lock: true, logger: capture(), lockStaleAfterMs: 15 * 60_000 })).rejects.toThrow('(pid 4242 on host old-pod)');
    utimesSync(lock, new Date(clock.t - 20 * 60_000), new Date(clock.t - 20 * 60_000));
    const log = capture();
    const store = await openStateStore(statePath, { clock, lock: true, logger: log, lockStaleAfterMs: 15 * 60_000 });
    opened.push(store);
    expect(log.lines).toContainEqual(expect.stringContaining('Took over a stale lock from pid 4242 on old-pod'));
  });

  it('every save refreshes the lock heartbeat', async () => {
    const store = await open(true);
    const lock = `${statePath}.lock`;
    utimesSync(lock, new Date(0), new Date(0));
    store.setLastCheck(clock.t);
    await store.save();
    expect(statSync(lock).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
  });

  it('never steals a lock held on another host', async () => {
    writeFileSync(`${statePath}.lock`, JSON.stringify({ pid: 999999, hostname: 'other-host', startedAt: '2026-11-26T09:00:00Z' }));
    await expect(openStateStore(statePath, { clock, lock: true, logger: capture() })).rejects.toThrow(
      `another fabric-sync is already running (pid 999999 on host other-host) on ${statePath}`,
    );
  });
});

describe('bad files', () => {
  it.each([
    ['not JSON', '{"synced_models": {', /not valid JSON/],
    ['wrong shape', JSON.stringify({ version: 2, synced_models: { a: { name: 7, sync_count: -1 } } }), /synced_models\.a\.name/],
    ['an array', '[]', /not a JSON object/],
  ])('a corrupt file (%s) is moved aside with a clear message and the run starts empty', async (_label, text, reason) => {
    writeFileSync(statePath, text);
    const log = capture();
    const store = await open(true, log);
    expect(store.list()).toEqual([]);
    const aside = `${statePath}.corrupt-2026-11-26T10-00-00.000Z`;
    expect(readFileSync(aside, 'utf8')).toBe(text);
    expect(existsSync(statePath)).toBe(false);
    expect(store.warnings).toHaveLength(1);
    expect(store.warnings[0]).toContain(`The state file ${statePath} is corrupt (`);
    expect(store.warnings[0]).toMatch(reason);
    expect(store.warnings[0]).toContain(`moved to ${aside}`);
    expect(log.lines[0]).toMatch(/^warn: /);
    await store.save();
    expect(JSON.parse(readFileSync(statePath, 'utf8')).version).toBe(2);
  });

  it('a file from a newer version is refused, not moved aside', async () => {
    writeFileSync(statePath, JSON.stringify({ version: 99, synced_models: {} }));
    const err = await openStateStore(statePath, { clock, lock: true, logger: capture() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('state version 99');
    expect(existsSync(statePath)).toBe(true);
    expect(existsSync(`${statePath}.lock`)).toBe(false);
  });

  it('migrates the original un-versioned layout, keeping every value', async () => {
    const original = {
      synced_models: {
        'a1b2': { name: 'Sales Analytics_PushSync', last_sync_time: '2024-05-01T12:00:00.123456+00:00', sync_count: 3 },
        'c3d4': { name: 'Finance', last_sync_time: '2024-05-02T08:30:00Z', sync_count: 1 },
      },
      last_check: '2024-05-02T09:00:00Z',
    };
    writeFileSync(statePath, JSON.stringify(original, null, 4));
    const log = capture();
    const store = await open(true, log);
    expect(log.lines).toContain(`info: Upgraded state file ${statePath} from version 1 to 2.`);
    expect(store.get('a1b2')).toMatchObject({ name: 'Sales Analytics_PushSync', source_name: 'Sales Analytics', sync_count: 3, last_sync_time: '2024-05-01T12:00:00.123Z', fingerprint: null, failures: 0 });
    expect(store.get('c3d4')).toMatchObject({ name: 'Finance', source_name: 'Finance', sync_count: 1 });
    await store.save();
    const file = JSON.parse(readFileSync(statePath, 'utf8'));
    expect(file.version).toBe(2);
    expect(file.last_check).toBe('2024-05-02T09:00:00.000Z');
    expect(file.synced_models.a1b2).toMatchObject({ name: 'Sales Analytics_PushSync', last_sync_time: '2024-05-01T12:00:00.123Z', sync_count: 3 });
  });
});

describe('no secrets on disk', () => {
  it('error messages are redacted and bounded; the file holds only ids, names, times, counts, fingerprints', async () => {
    const store = await open();
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    store.recordFailure('m', `401 from https://api.powerbi.com/x?sig=SeCrEtSiG&x=1 with Authorization: Bearer ${jwt} password=hunter2 ${'x'.repeat(2000)}`, clock.t + 1, { name: 'M' });
    await store.save();
    const text = readFileSync(statePath, 'utf8');
    for (const secret of [jwt, 'SeCrEtSiG', 'hunter2', 'eyJ']) expect(text).not.toContain(secret);
    const entry = JSON.parse(text).synced_models.m;
    expect(entry.last_error.length).toBeLessThanOrEqual(500);
    expect(entry.last_error).toContain('Bearer [redacted]');
    expect(Object.keys(entry).sort()).toEqual(
      ['deleted_at', 'failures', 'fingerprint', 'last_checked_at', 'last_error', 'last_sync_time', 'name', 'next_retry_at', 'push_dataset_id', 'push_name', 'settings', 'source_name', 'sync_count', 'workspace_id'].sort(),
    );
  });
});

describe('kill -9 at random moments', () => {
  it('after each of 12 kills mid-write the file is valid, no count goes backwards, and the next process takes over', async () => {
    // Each child records and saves in a tight loop (as the monitor does after every model) until killed.
    const script = childScript(statePath, `
      process.stdout.write('ready\\n');
      for (let i = 0; ; i++) {
        const id = 'm' + (i % 40);
        store.recordSync(id, { name: 'Model ' + id + '_PushSync', fingerprint: 'fp-' + i, workspaceId: 'ws' });
        await store.save();
      }`);
    let previousTotal = 0;
    let previousCounts = new Map<string, number>();
    for (let kill = 0; kill < 12; kill++) {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let stderr = '';
      child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', () => resolve());
        child.on('exit', (code) => reject(new Error(`child exited ${code}: ${stderr}`)));
      });
      await new Promise((r) => setTimeout(r, 5 + ((kill * 37) % 60))); // spread the kill points
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGKILL');
      await exited;
      if (!existsSync(statePath)) {
        expect(previousTotal).toBe(0); // killed before its first save: nothing was ever written
        continue;
      }
      const parsed = parseStateText(readFileSync(statePath, 'utf8'));
      if (!parsed.ok) throw new Error(`state file invalid after kill ${kill}: ${parsed.reason}`);
      const counts = new Map(Object.entries(parsed.state.synced_models).map(([id, m]) => [id, m.sync_count]));
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      expect(total).toBeGreaterThanOrEqual(previousTotal);
      for (const [id, n] of previousCounts) expect(counts.get(id)).toBeGreaterThanOrEqual(n);
      previousTotal = total;
      previousCounts = counts;
    }
    expect(previousTotal).toBeGreaterThan(12); // the children did make progress between kills
    const log = capture();
    const store = await open(true, log);
    expect(new Map(store.list().map((e) => [e.id, e.sync_count]))).toEqual(previousCounts);
    expect(log.lines.some((l) => l.includes('Took over a stale lock'))).toBe(true);
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-') || n.includes('.corrupt-'))).toEqual([]);
  });
});
