// Benchmark 7: the long kill -9 loops that `npm test` runs only a few rounds of (docs/testing.md#speed).
// - `tests/reliability/crash.test.ts` with many more kills of `convert --auto` / `monitor --once`
//   over 30 models (npm test: 3 kills over 15), each followed by the state, warehouse and push-twin
//   invariants;
// - `build/bench/crash-monitor.js`: a running `monitor` killed at seeded points (npm test: 3 kills in
//   tests/e2e/monitor-crash.test.ts).
// A fresh seed each run, printed in the notes, so a failure can be replayed. Skipped by --quick
// (the CI smoke run), whose budget is a minute.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../tests/support/paths.js';
import { figure, type BenchOptions, type Figure } from './common.js';

const CRASH_KILLS = 40;
const CRASH_MODELS = 30;
const MONITOR_KILLS = 30;

export async function benchKillLoops(o: BenchOptions): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const b = '7 kill loops';
  if (o.quick) {
    o.log('  skipped in --quick (npm test runs the short version)');
    return { figures: [], details: { skipped: 'quick' } };
  }
  const seed = Math.floor(Math.random() * 2 ** 31);

  o.log(`  convert --auto / monitor --once: ${CRASH_KILLS} kills, seed ${seed}`);
  const crash = spawnSync(process.execPath, [path.join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'run', 'tests/reliability/crash.test.ts', '--testTimeout', String(CRASH_KILLS * 10_000)], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, FABRIC_SYNC_CRASH_SEED: String(seed), FABRIC_SYNC_CRASH_KILLS: String(CRASH_KILLS), FABRIC_SYNC_CRASH_MODELS: String(CRASH_MODELS) },
    maxBuffer: 64 * 1024 * 1024,
  });
  const survived = /crash points survived (\d+)\/(\d+)/.exec(crash.stdout + crash.stderr);
  if (crash.status !== 0 && !survived) throw new Error(`crash loop did not run (exit ${crash.status}): ${(crash.stderr || crash.stdout).slice(-2000)}`);

  o.log(`  running monitor: ${MONITOR_KILLS} kills, seed ${seed}`);
  const monitor = spawnSync(process.execPath, [path.join(repoRoot, 'build/bench/crash-monitor.js'), '--kills', String(MONITOR_KILLS), '--seed', String(seed)], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = monitor.stdout.trim().split('\n');
  const problems = monitor.status === 0 ? 0 : Math.max(1, lines.slice(lines.findIndex((l) => l.startsWith('PROBLEMS:')) + 1).length);
  if (monitor.status !== 0 && !lines.some((l) => l.startsWith('PROBLEMS:'))) throw new Error(`monitor kill loop did not run (exit ${monitor.status}): ${(monitor.stderr || monitor.stdout).slice(-2000)}`);

  return {
    figures: [
      figure(b, `convert/monitor --once SIGKILLs survived (${CRASH_KILLS} attempted)`, Number(survived?.[1] ?? 0), 'kills', { op: '==', value: CRASH_KILLS }, { note: `seed ${seed}` }),
      figure(b, `running monitor: problems after ${MONITOR_KILLS} SIGKILLs`, problems, 'problems', { op: '==', value: 0 }, { note: `seed ${seed}; ${lines.at(-1)?.slice(0, 160) ?? ''}` }),
    ],
    details: { seed, crashKills: CRASH_KILLS, monitorKills: MONITOR_KILLS, crashExit: crash.status, monitorExit: monitor.status, monitorProblems: problems ? lines.filter((l) => l.startsWith('round')) : [] },
  };
}
