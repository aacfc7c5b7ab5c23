// A longer kill -9 run of `monitor` than the test suite's ten kills (issue 6 "Must show"):
//   npm run build && npx tsc -p tsconfig.dev.json && node build/bench/crash-monitor.js [--kills 40] [--seed 7] [--anywhere]
// Each round changes a few models, spawns `monitor --interval 1 --max-cycles 3 --json` against the
// Fabric emulator and the Snowflake stand-in, kills it at a seeded point, and checks that the state
// file parses. A final clean `monitor --once` must leave one warehouse row and one push twin per
// model. Without --anywhere, kills wait until no warehouse transaction is open (a transaction left
// open by a killed session keeps its locks: a known defect, see tests/e2e/monitor-crash.test.ts).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseStateText } from '../src/core/state/schema.js';
import { startFabricEmulator } from '../tests/support/fabric-emulator/index.js';
import { runCli } from '../tests/support/run-cli.js';
import { startSnowflakeStandIn, type SnowflakeStandIn } from '../tests/support/snowflake-standin/index.js';
import { prng } from '../tests/support/stand-in-env.js';
import { STANDIN_PASSWORD, STANDIN_USER, TOKEN, bimParts, monitorEnv, spawnMonitor, withMeasure } from '../tests/e2e/monitor-harness.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const KILLS = arg('kills', 40);
const SEED = arg('seed', 20261126);
const ANYWHERE = process.argv.includes('--anywhere');


/**
 * Whether a session of this round's monitor is inside a warehouse transaction: only statements from
 * `from` on count. A session of an earlier round's killed monitor may stay in its transaction (as on
 * Snowflake, until it is aborted or expires), and must not make this round wait for ever.
 */
function transactionOpen(standIn: SnowflakeStandIn, from: number): boolean {
  const open = new Map<string, boolean>();
  for (let i = from; i < standIn.statements.length; i++) {
    const st = standIn.statements[i]!;
    if (/^\s*BEGIN\b/i.test(st.sqlText)) open.set(st.sessionId, true);
    else if (/^\s*(COMMIT|ROLLBACK|CREATE)\b/i.test(st.sqlText)) open.set(st.sessionId, false);
  }
  return [...open.values()].some(Boolean);
}

async function main(): Promise<number> {
  const random = prng(SEED);
  const emu = await startFabricEmulator({ acceptTokens: [TOKEN], lroPolls: 1, lroRetryAfter: 0, latencyMs: 15, validateResponses: false });
  const standIn = await startSnowflakeStandIn({ users: { [STANDIN_USER]: STANDIN_PASSWORD }, delayMs: 3 });
  const problems: string[] = [];
  try {
    const warmWs = emu.addWorkspace({ name: 'warm-up' });
    emu.addModel(warmWs, { name: 'Warm-up', parts: bimParts({ name: 'Warm-up' }) });
    await runCli(['monitor', '--once'], { cwd: mkdtempSync(path.join(tmpdir(), 'fs-bench-warm-')), env: monitorEnv(emu, [warmWs], standIn) });

    const ws = emu.addWorkspace({ name: 'crash bench' });
    const models = new Map<string, string>();
    const add = (name: string) => models.set(emu.addModel(ws, { name, parts: bimParts({ name }) }), name);
    for (let i = 1; i <= 12; i++) add(`Bench ${String(i).padStart(2, '0')}`);
    const cwd = mkdtempSync(path.join(tmpdir(), 'fs-bench-crash-'));
    const env = monitorEnv(emu, [ws], standIn, { FABRIC_SYNC_CONCURRENCY: '2' });
    const statePath = path.join(cwd, 'sync_state.json');
    console.log(`seed ${SEED}, ${KILLS} kills${ANYWHERE ? ', anywhere (inside transactions too)' : ', outside warehouse transactions'}`);

    for (let k = 1; k <= KILLS; k++) {
      const ids = [...models.keys()];
      for (let j = 0; j < 3; j++) {
        emu.updateModelPart(ids[Math.floor(random() * ids.length)]!, 'model.bim', (t) => withMeasure(t, `SUM('Sales'[Amount]) * ${k}.${j}`));
      }
      if (random() < 0.2) add(`Bench late ${k}`);
      const afterEvents = Math.floor(random() * 20);
      const jitter = Math.round(random() * (afterEvents === 0 ? 900 : 200));
      const from = standIn.statements.length;
      const m = spawnMonitor(['monitor', '--interval', '1', '--max-cycles', '3', '--json'], { cwd, env });
      const t0 = Date.now();
      if (afterEvents > 0) await m.waitFor((e) => m.events.length >= afterEvents || (e.type === 'cycle-end' && e.cycle >= 2), 30_000).catch(() => undefined);
      await new Promise((r) => setTimeout(r, jitter));
      // Out of a transaction, or past 10 s (a transaction that long is a finding in itself: said below).
      const until = Date.now() + 10_000;
      while (!ANYWHERE && transactionOpen(standIn, from) && Date.now() < until) await new Promise((r) => setTimeout(r, 1));
      if (!ANYWHERE && transactionOpen(standIn, from)) console.log(`kill ${k}: a warehouse transaction stayed open for 10 s; killed inside it`);
      const last = m.events.at(-1);
      m.child.kill('SIGKILL');
      const r = await m.done;
      for (const e of m.events.filter((x) => x.type === 'model-failed')) problems.push(`round ${k}: ${String(e.name)} failed: ${String(e.error)}`);
      console.log(`kill ${k}: ${Date.now() - t0} ms, after ${last ? `cycle ${last.cycle} ${last.type}${last.name ? ` ${String(last.name)}` : ''}` : 'no event'}${r.signal === 'SIGKILL' ? '' : ` (had exited ${r.code})`}`);
      if (existsSync(statePath)) {
        const parsed = parseStateText(readFileSync(statePath, 'utf8'));
        if (!parsed.ok) problems.push(`round ${k}: state file invalid: ${parsed.reason}`);
      }
    }

    const clean = await runCli(['monitor', '--once', '--json'], { cwd, env, timeoutMs: 120_000 });
    if (clean.code !== 0) problems.push(`clean run exited ${clean.code}: ${clean.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const twins = emu.pushDatasets(ws).map((d) => d.name).sort();
    const expected = [...models.values()].map((n) => `${n}_PushSync`).sort();
    if (JSON.stringify(twins) !== JSON.stringify(expected)) problems.push(`push twins ${twins.length}, expected ${expected.length} (one per model)`);
    const rows = await standIn.query(`SELECT MODEL_ID, count(*) AS N FROM _SEMANTIC_METADATA WHERE WORKSPACE_ID = '${ws}' GROUP BY MODEL_ID`);
    if (rows.length !== models.size || rows.some((x) => Number(x.N) !== 1)) problems.push(`warehouse rows: ${rows.length} models, expected ${models.size} with one row each`);
    console.log(problems.length ? `PROBLEMS:\n${problems.join('\n')}` : `OK: ${models.size} models, one push twin and one warehouse row each, state valid after every kill`);
    return problems.length ? 1 : 0;
  } finally {
    await emu.close();
    await standIn.close();
  }
}

process.exitCode = await main();
