// Spawn the built CLI as a user would (docs/architecture.md#conventions-in-the-code): real process, real argv, real env.
import { spawn } from 'node:child_process';
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
  /** Called with the child as soon as it starts (to kill it mid-run, for example). */
  onSpawn?: (child: import('node:child_process').ChildProcess) => void;
}

/**
 * Runs `node bin/fabric-sync.js ...args`. The environment starts clean of any FABRIC_/SNOWFLAKE_/
 * POWERBI_ variable of the developer's shell, so tests see only what they pass.
 */
export function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(FABRIC_|SNOWFLAKE_|POWERBI_|FORCE_COLOR|NO_COLOR|GITHUB_ACTIONS|TF_BUILD|AWS_SDK_JS_)/.test(k)) continue;
    base[k] = v;
  }
  const env: Record<string, string> = { ...base };
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
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
