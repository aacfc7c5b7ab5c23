// The long version of the reliability suite (issue 9): the same tests as `tests/reliability/`, with
// far more kill points and fuzz cases and a fresh random seed per run (printed, so any failure can be
// replayed with the same numbers). Usage:
//   node build/bench/chaos.js [--kills 200] [--fuzz 50000] [--seed 12345] [--rounds 3]
// (after `npm run build && tsc -p tsconfig.dev.json`). Exit code 0 when every round passed.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) ? v : fallback;
}

const kills = arg('kills', 200);
const fuzz = arg('fuzz', 50_000);
const rounds = arg('rounds', 1);
let failed = 0;

for (let round = 1; round <= rounds; round++) {
  const seed = arg('seed', Math.floor(Math.random() * 2 ** 31)) + round - 1;
  console.log(`chaos round ${round}/${rounds}: seed ${seed}, ${kills} kill points, ${fuzz} fuzz cases per reader`);
  const started = Date.now();
  const r = spawnSync(process.platform === 'win32' ? 'npx.cmd' : 'npx', ['vitest', 'run', 'tests/reliability', '--testTimeout', String(Math.max(600_000, kills * 5_000))], {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      FABRIC_SYNC_CRASH_SEED: String(seed),
      FABRIC_SYNC_CRASH_KILLS: String(kills),
      FABRIC_SYNC_CRASH_MODELS: '30',
      FABRIC_SYNC_RACE_ROUNDS: String(Math.max(3, Math.round(kills / 20))),
      FABRIC_SYNC_FUZZ_SEED: String(seed),
      FABRIC_SYNC_FUZZ_RUNS: String(fuzz),
    },
    maxBuffer: 256 * 1024 * 1024,
  });
  // The one-line figures each area prints.
  const figures = (r.stdout + r.stderr)
    .split('\n')
    // eslint-disable-next-line no-control-regex -- strip the reporter's colours
    .map((l) => l.replace(/\u001b\[[0-9;]*m/g, '').trim())
    .filter((l) => /^(crash points|fault scenarios|fuzz cases|hostile names:|secret leaks|concurrency:|failed Snowflake logins)/.test(l));
  for (const f of figures) console.log(`  ${f.length > 400 ? `${f.slice(0, 400)}…` : f}`);
  console.log(`  ${r.status === 0 ? 'passed' : `FAILED (exit ${r.status})`} in ${Math.round((Date.now() - started) / 1000)} s`);
  if (r.status !== 0) {
    failed++;
    console.log(r.stdout.split('\n').filter((l) => /FAIL|AssertionError|Error:/.test(l)).slice(0, 40).join('\n'));
  }
}
process.exitCode = failed === 0 ? 0 : 1;
