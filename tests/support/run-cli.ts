// Run the built CLI as a user would (docs/testing.md#how-tests-run-the-cli): real argv, real env, real
// working directory, the compiled dist/ code, exit code and output as the user sees them.
//
// Two ways, one contract:
// - spawned: `node bin/fabric-sync.js …`, a real process (signals, process start, Node's own options);
// - in this process: dist/main.js's `main` with the same argv, the test's environment in process.env
//   and its folder as the working directory for the length of the run, and stdout/stderr captured.
//   Loading Node, the Snowflake driver and DuckDB costs about 0.75 CPU-s per spawned run; in-process
//   runs pay it once per test worker.
// A run is spawned when the test asks for it (`spawn`, `onSpawn` to signal the child), when it sets a
// NODE_* variable this process does not already have (Node reads them at start; the stand-ins' CA in
// NODE_EXTRA_CA_CERTS is every worker's already, tests/support/global-setup.ts), when another
// in-process run is still going (two runs at once are two processes: the lock, the pid), or when
// FABRIC_SYNC_TEST_SPAWN=1 asks for every run to be spawned.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { TestRunner } from 'vitest';
import { cliPath, repoRoot } from './paths.js';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  input?: string;
  timeoutMs?: number;
  /** Called with the child as soon as it starts (to kill it mid-run, for example); the run is spawned. */
  onSpawn?: (child: import('node:child_process').ChildProcess) => void;
  /** Run in a child process even where an in-process run would do (the process itself is the subject). */
  spawn?: boolean;
}

/** The worker's own environment while an in-process run has process.env (undefined otherwise). */
let outsideEnv: Readonly<Record<string, string | undefined>> | undefined;
/** The worker's environment as it is now, whether or not a run holds process.env. */
const workerEnv = (): Readonly<Record<string, string | undefined>> => outsideEnv ?? process.env;

/**
 * The run's environment: the test worker's, clean of any FABRIC_/SNOWFLAKE_/POWERBI_ variable of the
 * developer's shell (tests see only what they pass), plus `extra`.
 */
function runEnv(extra: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(workerEnv())) {
    if (v === undefined || /^(FABRIC_|SNOWFLAKE_|POWERBI_|FORCE_COLOR|NO_COLOR|GITHUB_ACTIONS|TF_BUILD|AWS_SDK_JS_)/.test(k)) continue;
    env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

let inProcessRun = false;
/** Set when an in-process run did not stop when asked: it may still be going, so every later run is spawned. */
let strayRun = false;

export function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  const env = runEnv(options.env ?? {});
  const outside = workerEnv();
  const mustSpawn =
    options.spawn === true ||
    options.onSpawn !== undefined ||
    inProcessRun ||
    strayRun ||
    outside.FABRIC_SYNC_TEST_SPAWN === '1' ||
    Object.entries(options.env ?? {}).some(([k, v]) => k.startsWith('NODE_') && v !== outside[k]);
  return mustSpawn ? spawnCli(args, env, options) : runInProcess(args, env, options);
}

/**
 * Always a child process: for tests whose subject is what the process itself does (exit codes and
 * stderr as the shell sees them, anything a library writes to the process's streams).
 */
export function runSpawnedCli(args: string[], options: Omit<RunCliOptions, 'spawn'> = {}): Promise<CliResult> {
  return runCli(args, { ...options, spawn: true });
}

function spawnCli(args: string[], env: Record<string, string>, options: RunCliOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: options.cwd ?? repoRoot,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    options.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  signal: AbortSignal;
  env: Readonly<Record<string, string | undefined>>;
}
interface Dist {
  main(argv: string[], io: CliIo): Promise<number>;
  StopRequest: new (signal: 'SIGINT' | 'SIGTERM') => Error;
}

// The compiled modules exactly as bin/ loads them, by Node's own loader (vitest.config.ts keeps dist/
// out of the test runner's transforms): one copy per worker, shared by every in-process run.
const nativeImport = (url: string) => import(url) as Promise<Record<string, unknown>>;
let dist: Promise<Dist> | undefined;
function loadDist(): Promise<Dist> {
  const file = (rel: string) => pathToFileURL(path.join(repoRoot, 'dist', rel)).href;
  dist ??= Promise.all([nativeImport(file('main.js')), nativeImport(file('core/errors.js'))]).then(
    ([m, e]) => ({ main: m.main as Dist['main'], StopRequest: e.StopRequest as Dist['StopRequest'] }),
    (error: unknown) => {
      dist = undefined; // not built yet, say: the next run tries again
      throw error;
    },
  );
  return dist;
}

/** How long a run asked to stop (its time is up) may take to stop before it is left behind. */
const STOP_GRACE_MS = 5_000;
/**
 * An in-process run's time when the test gives none: within the running test's own time (vitest's
 * limit), so that the run has stopped, and the worker's environment and folder are back, before the
 * next test starts; a spawned run's 60 s outside a test (a hook).
 */
function inProcessTimeoutMs(): number {
  const testMs = TestRunner.getCurrentTest()?.timeout;
  return testMs ? Math.max(1_000, testMs - STOP_GRACE_MS - 1_000) : 60_000;
}

/** A stream that keeps what is written to it, at once (no event-loop turn between write and text). */
class Capture extends Writable {
  text = '';
  constructor() {
    super({ decodeStrings: false });
  }
  override _write(chunk: string | Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    done();
  }
}

/** Puts exactly `env` into process.env (in place: the object Node and the libraries hold). */
function setProcessEnv(env: Record<string, string | undefined>): void {
  for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
  for (const [k, v] of Object.entries(env)) if (v !== undefined) process.env[k] = v;
}

async function runInProcess(args: string[], env: Record<string, string>, options: RunCliOptions): Promise<CliResult> {
  const { main, StopRequest } = await loadDist();
  if (inProcessRun || strayRun) return spawnCli(args, env, options); // another run started while the modules loaded
  inProcessRun = true;
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  outsideEnv = savedEnv;
  const stdout = new Capture();
  const stderr = new Capture();
  const stop = new AbortController();
  // A spawned run past its time is killed. Here the run is asked to stop (as SIGTERM would), given a
  // few seconds, and otherwise left behind: the worker gets its environment and folder back, later
  // runs are spawned, and the result says SIGKILL as the spawned run's would.
  let timer: NodeJS.Timeout | undefined;
  const overtime = new Promise<'overtime'>((resolve) => {
    timer = setTimeout(() => {
      stop.abort(new StopRequest('SIGTERM'));
      timer = setTimeout(() => resolve('overtime'), STOP_GRACE_MS);
    }, options.timeoutMs ?? inProcessTimeoutMs());
  });
  try {
    // What src/cli.ts sets before it runs main (keeps the AWS SDK's Node-version notice out of stderr).
    setProcessEnv({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env });
    process.chdir(options.cwd ?? repoRoot);
    const stdin = Readable.from([Buffer.from(options.input ?? '')], { objectMode: false });
    const code = await Promise.race([main(args, { stdout, stderr, stdin, signal: stop.signal, env: process.env }), overtime]);
    if (code === 'overtime') strayRun = true;
    if (code === 'overtime' || stop.signal.aborted) return { code: null, signal: 'SIGKILL', stdout: stdout.text, stderr: stderr.text };
    return { code, signal: null, stdout: stdout.text, stderr: stderr.text };
  } finally {
    clearTimeout(timer);
    setProcessEnv(savedEnv);
    outsideEnv = undefined;
    inProcessRun = false;
    process.chdir(savedCwd);
  }
}
