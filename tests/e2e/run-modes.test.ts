// The two ways tests run the CLI (docs/testing.md#how-tests-run-the-cli) give the same result, and a
// run in the test worker starts as fresh as a process would: what one run learnt about a host (an
// hour-long Retry-After) does not hold back the next.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { example } from '../support/paths.js';
import { runCli, runSpawnedCli, type CliResult } from '../support/run-cli.js';
import { FAST_CONFIG, cliEnv, seedWorkspace, startWorld, workdir, type World } from '../reliability/harness.js';

/** Output with what differs by nature between two runs (temp folder, timings) made equal. */
function comparable(r: CliResult, cwd: string): CliResult {
  const scrub = (s: string) => s.replaceAll(cwd, '<cwd>').replace(/\(\d+ ms\)|\d+(\.\d+)? ?(ms|s)\b/g, '<t>');
  return { ...r, stdout: scrub(r.stdout), stderr: scrub(r.stderr) };
}

describe('in the worker and spawned', () => {
  const cases: Array<{ name: string; args: (cwd: string) => string[] }> = [
    { name: 'a local convert (exit 0, human output and files)', args: () => ['convert', '--source', example.tmdl] },
    { name: 'inspect --json', args: () => ['inspect', example.bim, '--json'] },
    { name: 'a model path that does not exist (exit 2)', args: (cwd) => ['inspect', path.join(cwd, 'missing.SemanticModel')] },
    { name: 'an unknown option (exit 2, commander)', args: () => ['convert', '--no-such-option'] },
    { name: 'state reset without --yes and no terminal (exit 2)', args: () => ['state', 'reset'] },
  ];
  for (const c of cases) {
    it(`give the same exit code, stdout, stderr and files: ${c.name}`, async () => {
      const runs: Array<{ result: CliResult; files: string[] }> = [];
      for (const run of [runCli, runSpawnedCli]) {
        const cwd = mkdtempSync(path.join(tmpdir(), 'run-modes-'));
        const result = comparable(await run(c.args(cwd), { cwd }), cwd);
        runs.push({ result, files: readdirSync(cwd, { recursive: true }).map(String).sort() });
      }
      expect(runs[0]!.result.signal).toBeNull();
      expect(runs[0]).toEqual(runs[1]);
    });
  }
});

describe('a run in the worker', () => {
  let world: World | undefined;
  afterAll(async () => world?.close());

  it('is not paused by the hour-long Retry-After an earlier run in the same worker was given', async () => {
    world = await startWorld();
    const { ws } = seedWorkspace(world.emu, 'Pause', 2);
    const cwd = workdir('pause', FAST_CONFIG);
    world.emu.fault({ path: '/getDefinition', kind: '429', retryAfter: 3600 });
    const throttled = await runCli(['convert', '--auto', '--json'], { cwd, env: cliEnv(world, [ws]) });
    expect(throttled.code, throttled.stderr).toBe(1);
    expect(JSON.parse(throttled.stdout).failed).toBe(2);

    // The API no longer throttles: a new run (a new process, for a user) asks again and succeeds.
    world.emu.clearFaults();
    const next = await runCli(['convert', '--auto', '--json'], { cwd, env: cliEnv(world, [ws]) });
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout).synced).toBe(2);
  }, 60_000);
});
