// The spinner on real pseudo-terminals (issue 14 item 4). `script` (util-linux) runs the built CLI
// under a pty whose size `stty` sets first. A pty of width 0 — common for CI containers — used to make
// the spinner erase lines for ever (text width ÷ 0): the run never ended, ignored SIGINT/SIGTERM and
// wrote hundreds of MB. Now a spinner starts only on a terminal with a width, and never with NO_COLOR.
// ora hides the cursor when it starts (ESC [?25l), which tells whether a spinner ran.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPath, example } from '../support/paths.js';

const hasScript = /util-linux/.test(spawnSync('script', ['--version'], { encoding: 'utf8' }).stdout ?? '');
const HIDE_CURSOR = '\u001b[?25l';
const CAP = 1024 * 1024;

interface PtyRun { code: number | null; killed: boolean; bytes: number; output: string; ms: number }

/** Runs `convert --source <example>` under a pty of `cols` columns; kills it after `timeoutMs`. */
function convertUnderPty(cols: number, env: Record<string, string> = {}, timeoutMs = 30_000): Promise<PtyRun> {
  const cwd = mkdtempSync(path.join(tmpdir(), 'fs-pty-'));
  const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  // CI is unset on purpose: it turns the spinner off too, which would hide the bug this test is for.
  const command = `stty cols ${cols} rows 24; exec ${q(process.execPath)} ${q(cliPath)} convert --source ${q(example.tmdl)} --no-warehouse`;
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(CI|NO_COLOR|FORCE_COLOR|GITHUB_ACTIONS|TF_BUILD)$/.test(k)) childEnv[k] = v;
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd, env: { ...childEnv, TERM: 'xterm', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let output = '';
    let killed = false;
    const stop = () => {
      killed = true;
      child.kill('SIGKILL');
    };
    const onData = (d: Buffer) => {
      bytes += d.length;
      if (output.length < 64 * 1024) output += d.toString('utf8');
      if (bytes > CAP) stop();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(stop, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, killed, bytes, output, ms: Date.now() - started });
    });
  });
}

describe.skipIf(!hasScript)('spinner under a pseudo-terminal (util-linux script)', () => {
  it('a terminal of width 0 gets no spinner: the run finishes, exit 0, with bounded output', async () => {
    const r = await convertUnderPty(0);
    expect(r.killed, `still running after ${r.ms} ms with ${r.bytes} bytes written`).toBe(false);
    expect(r.code).toBe(0);
    expect(r.bytes).toBeLessThan(16 * 1024);
    expect(r.output).toMatch(/1 synced/);
    expect(r.output).not.toContain(HIDE_CURSOR);
  });

  it('a terminal with a width gets the spinner; NO_COLOR turns it off', async () => {
    const tty = await convertUnderPty(100);
    expect([tty.killed, tty.code]).toEqual([false, 0]);
    expect(tty.output).toContain(HIDE_CURSOR);
    expect(tty.output).toMatch(/1 synced/);
    const plain = await convertUnderPty(100, { NO_COLOR: '1' });
    expect([plain.killed, plain.code]).toEqual([false, 0]);
    expect(plain.output).not.toContain(HIDE_CURSOR);
    expect(plain.output).not.toContain('\u001b[32m'); // no colour either (the green of "synced")
    expect(plain.output).toMatch(/1 synced/);
  });
});
