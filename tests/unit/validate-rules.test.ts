// The pure rule of validate (exit code from a checklist) and the local-file checks (state lock,
// state directory, DuckDB file) on real temporary files.
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/core/config/load.js';
import { systemClock, realSleep, silentLogger } from '../../src/core/context.js';
import { ConfigError } from '../../src/core/errors.js';
import { exitCodeFor, runValidation, type Check } from '../../src/core/validate/index.js';
import { checkState } from '../../src/core/validate/state-check.js';
import { checkDuckDb, checkSnowflake } from '../../src/core/validate/warehouse-checks.js';

const c = (status: Check['status'], failure?: Check['failure']): Check => ({ id: 'x', area: 'fabric', status, message: 'm', durationMs: 0, ...(failure ? { failure } : {}) });

describe('exit code of a checklist', () => {
  const cases: Array<[string, Check[], number]> = [
    ['all ok', [c('ok'), c('skip')], 0],
    ['warnings never fail', [c('ok'), c('warn'), c('warn')], 0],
    ['an unreachable host', [c('ok'), c('fail', 'other')], 1],
    ['a permission problem', [c('fail', 'permission')], 3],
    ['permission wins over other failures', [c('fail', 'other'), c('fail', 'permission')], 3],
    ['an invalid config wins over everything', [c('fail', 'config'), c('fail', 'permission')], 2],
    ['a failure without a kind counts as other', [c('fail')], 1],
  ];
  for (const [name, checks, code] of cases) it(name, () => expect(exitCodeFor(checks)).toBe(code));
});

describe('runValidation', () => {
  it('an invalid config is the only failure: every issue listed, the rest skipped, exit 2', async () => {
    const report = await runValidation(async () => {
      throw new ConfigError('The configuration is invalid: 2 problems.', ['fabric.apiUrl: must be an http(s) URL', 'monitor.concurrency: too small']);
    }, { clock: systemClock, sleep: realSleep, logger: silentLogger, version: 't', verbose: false });
    expect(report.exitCode).toBe(2);
    expect(report.ok).toBe(false);
    expect(report.checks.map((x) => [x.id, x.status])).toEqual([['config', 'fail'], ['other', 'skip']]);
    expect(report.checks[0]!.details).toHaveLength(2);
    expect(report.summary).toEqual({ ok: 0, warn: 0, fail: 1, skip: 1 });
  });

  it('errors other than ConfigError are not swallowed', async () => {
    await expect(runValidation(async () => { throw new Error('boom'); }, { clock: systemClock, sleep: realSleep, logger: silentLogger, version: 't', verbose: false })).rejects.toThrow('boom');
  });
});

describe('state file checks (read-only)', () => {
  let dir: string;
  let state: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'fs-vstate-'));
    state = path.join(dir, 'sync_state.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const lock = (info: unknown) => writeFileSync(`${state}.lock`, typeof info === 'string' ? info : JSON.stringify(info));
  const run = (o: { isAlive?: (pid: number) => boolean } = {}) => checkState(state, { clock: systemClock, hostname: 'here', ...o });
  const lockLine = async (o?: { isAlive?: (pid: number) => boolean }) => (await run(o)).find((x) => x.id === 'state.lock')!;

  it('no state file, no lock: both ok, nothing written', async () => {
    const checks = await run();
    expect(checks.map((x) => x.status)).toEqual(['ok', 'ok']);
    expect(checks[0]!.message).toMatch(/not created yet/);
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a live holder on this host fails with its pid', async () => {
    lock({ pid: 4242, hostname: 'here', startedAt: '2026-11-26T10:00:00.000Z' });
    const line = await lockLine({ isAlive: (pid) => pid === 4242 });
    expect(line).toMatchObject({ status: 'fail', failure: 'other' });
    expect(line.message).toContain('pid 4242, since 2026-11-26T10:00:00.000Z');
    expect(line.hint).toContain(`${state}.lock`);
  });

  it('a dead holder is a stale lock: a warning, and the lock file stays', async () => {
    lock({ pid: 4242, hostname: 'here', startedAt: 'x' });
    const line = await lockLine({ isAlive: () => false });
    expect(line.status).toBe('warn');
    expect(line.message).toMatch(/stale lock from pid 4242/);
    const { existsSync } = await import('node:fs');
    expect(existsSync(`${state}.lock`)).toBe(true);
  });

  it('a holder on another host cannot be checked: fail, naming the host', async () => {
    lock({ pid: 1, hostname: 'build-agent-7', startedAt: 'x' });
    const line = await lockLine({ isAlive: () => false });
    expect(line.status).toBe('fail');
    expect(line.message).toContain('host build-agent-7');
  });

  it('an unreadable lock file is a warning', async () => {
    lock('');
    expect((await lockLine()).status).toBe('warn');
  });

  it('the real liveness probe: this test process is alive', async () => {
    const { hostname } = await import('node:os');
    lock({ pid: process.pid, hostname: hostname(), startedAt: 'x' });
    const line = (await checkState(state, { clock: systemClock })).find((x) => x.id === 'state.lock')!;
    expect(line.status).toBe('fail');
    expect(line.message).toContain(`pid ${process.pid}`);
  });

  it('a state path below missing folders is judged by the nearest existing one', async () => {
    const checks = await checkState(path.join(dir, 'a', 'b', 'state.json'), { clock: systemClock });
    expect(checks[0]!.status).toBe('ok');
    expect(checks[0]!.message).toContain(dir);
  });

  it('an unwritable directory is a permission failure (as root too: checked as an unprivileged user)', async () => {
    const ro = path.join(dir, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    try {
      // Permission bits do not bind root (CI runs as root), so there the check runs as `nobody`.
      const checks = process.getuid?.() === 0 ? await checkStateAsNobody(path.join(ro, 'state.json'), dir) : await checkState(path.join(ro, 'state.json'), { clock: systemClock });
      expect(checks[0]).toMatchObject({ status: 'fail', failure: 'permission' });
    } finally {
      chmodSync(ro, 0o755);
    }
  });
});

/** checkState from the built CLI, in a child process running as uid/gid 65534 (nobody). */
async function checkStateAsNobody(statePath: string, root: string): Promise<Check[]> {
  const { execFileSync } = await import('node:child_process');
  const { pathToFileURL } = await import('node:url');
  const { repoRoot } = await import('../support/paths.js');
  chmodSync(root, 0o755); // nobody must reach the folder to judge it
  // A fresh clone may sit below a folder only root can enter (mktemp -d makes 0700 folders), so the
  // built modules are read from a copy nobody can reach when the checkout is not.
  let dist = path.join(repoRoot, 'dist');
  let copy: string | undefined;
  if (!reachableByOthers(path.join(dist, 'core/validate/state-check.js'))) {
    copy = mkdtempSync(path.join(tmpdir(), 'fs-vdist-'));
    cpSync(dist, path.join(copy, 'dist'), { recursive: true });
    chmodSync(copy, 0o755);
    dist = path.join(copy, 'dist');
  }
  try {
    const module = pathToFileURL(path.join(dist, 'core/validate/state-check.js')).href;
    const script = `const { checkState } = await import(${JSON.stringify(module)}); process.stdout.write(JSON.stringify(await checkState(${JSON.stringify(statePath)}, { clock: { now: () => Date.now() } })));`;
    const out = execFileSync(nodeForOthers(), ['--input-type=module', '-e', script], { uid: 65534, gid: 65534, encoding: 'utf8' });
    return JSON.parse(out) as Check[];
  } finally {
    if (copy) rmSync(copy, { recursive: true, force: true });
  }
}

/** Whether others may use the file with the given permission bit (4 read, 1 execute): the file grants it and every folder above it lets others through. */
function reachableByOthers(file: string, bit = 0o004): boolean {
  try {
    if ((statSync(file).mode & bit) === 0) return false;
    for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
      if ((statSync(dir).mode & 0o001) === 0) return false;
      if (path.dirname(dir) === dir) return true;
    }
  } catch {
    return false;
  }
}

/**
 * A Node binary that `nobody` may run: this process's own when every folder above it lets others
 * through (a Node fetched by npx lives under /root/.npm, which does not), else the system's.
 */
function nodeForOthers(): string {
  return [process.execPath, '/usr/bin/node', '/usr/local/bin/node'].find((file) => reachableByOthers(file, 0o001)) ?? process.execPath;
}

describe('DuckDB file check', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'fs-vduck-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const configFor = (file: string) => validateConfig({ warehouse: { target: 'duckdb', duckdbPath: file } }).config!;

  it('a file not created yet: ok when its folder is writable, and nothing is created', async () => {
    const file = path.join(dir, 'sub', 'metadata.duckdb');
    const [check] = await checkDuckDb(configFor(file), { clock: systemClock });
    expect(check).toMatchObject({ status: 'ok' });
    expect(check!.message).toMatch(/not created yet/);
    const { existsSync } = await import('node:fs');
    expect(existsSync(path.join(dir, 'sub'))).toBe(false);
  });

  it('an existing file opens read-write', async () => {
    const file = path.join(dir, 'metadata.duckdb');
    const { openDuckDb } = await import('../../src/core/warehouse/duckdb.js');
    const db = await openDuckDb({ path: file });
    await db.execute('CREATE TABLE t (x INTEGER)');
    await db.close();
    const [check] = await checkDuckDb(configFor(file), { clock: systemClock });
    expect(check).toMatchObject({ status: 'ok', message: expect.stringMatching(/opens read-write/) });
  });

  it('a file that is not a DuckDB database fails', async () => {
    const file = path.join(dir, 'metadata.duckdb');
    writeFileSync(file, 'this is not a database');
    const [check] = await checkDuckDb(configFor(file), { clock: systemClock });
    expect(check!.status).toBe('fail');
    expect(check!.hint).toBeTruthy();
  });
});

describe('Snowflake login that never answers', () => {
  it('gives up after the login timeout with a network hint (exit 1), instead of the driver\'s minutes of retries', async () => {
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const server = createServer((s) => void sockets.push(s)); // accepts, never answers
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as import('node:net').AddressInfo).port;
    try {
      const config = validateConfig({
        snowflake: { account: 'a', user: 'u', password: 'Hang-Pa55-77', database: 'D', schema: 'S', accessUrl: `http://127.0.0.1:${port}` },
      }).config!;
      const started = Date.now();
      const checks = await checkSnowflake(config, { clock: systemClock, logger: silentLogger, version: 't', verbose: false, snowflakeLoginTimeoutMs: 400 });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(checks[0]).toMatchObject({ id: 'snowflake.login', status: 'fail', failure: 'other', message: expect.stringMatching(/No answer from Snowflake .* within/) });
      expect(checks.slice(1).map((x) => x.status)).toEqual(['skip', 'skip']);
      expect(exitCodeFor(checks)).toBe(1);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});
