// Area 1 of issue 9: crash consistency. A spawned `convert --auto` or `monitor --once` over a
// workspace of models is killed with SIGKILL at seeded random moments. After every kill the state file parses,
// no model is half written in the warehouse and no push twin is duplicated; after one clean run every
// model is in the warehouse exactly once with its current definition and has exactly one push twin.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStateText } from '../../src/core/state/schema.js';
import { runCli } from '../support/run-cli.js';
import { startSnowflakeStandIn } from '../support/snowflake-standin/index.js';
import { SF_PASSWORD, SF_USER, cliEnv, prng, seedWorkspace, startWorld, twinProblems, warehouseProblems, withMeasure, workdir, type World } from './harness.js';

/** Replay a failure with FABRIC_SYNC_CRASH_SEED=<seed printed by the failing run>. */
const SEED = Number(process.env.FABRIC_SYNC_CRASH_SEED ?? 9_2026_1126);
// Three kills over 15 models in `npm test` (with this seed: one inside the Fabric reads, two inside
// the SQL); benchmark 7 runs 40 kills over 30 models and `node build/bench/chaos.js` hundreds, each
// with a fresh seed.
const KILLS = Number(process.env.FABRIC_SYNC_CRASH_KILLS ?? 3);
const MODELS = Number(process.env.FABRIC_SYNC_CRASH_MODELS ?? 15);

let world: World;
/** The warehouse lives in a file, so the Snowflake stand-in can be restarted over it (below). */
const dbPath = path.join(workdir('crash-db'), 'warehouse.duckdb');
beforeAll(async () => {
  // A little latency spreads one run over a few seconds, so kills land inside reads, pushes and SQL.
  world = await startWorld({ latencyMs: 8 }, { delayMs: 2, dbPath });
});

/**
 * A killed client leaves its Snowflake transaction open ("detached"); Snowflake discards it when it
 * aborts the session (or an admin runs SYSTEM$ABORT_TRANSACTION), keeping only committed work. The
 * stand-in has no such timer, so it is restarted over the same file: uncommitted work is gone,
 * committed rows stay — exactly what the next run finds on Snowflake once the detached transaction
 * is aborted.
 */
async function abortDetachedTransactions(): Promise<void> {
  await world.standIn.close();
  world.standIn = await startSnowflakeStandIn({ users: { [SF_USER]: SF_PASSWORD }, delayMs: 2, dbPath });
}
afterAll(async () => {
  expect(world.emu.violations).toEqual([]);
  await world.close();
});

describe('crash consistency', () => {
  it(`survives ${KILLS} SIGKILLs of convert --auto / monitor --once over ${MODELS} models`, async () => {
    const random = prng(SEED);
    const { emu } = world;
    const { ws, models } = seedWorkspace(emu, 'Crash', MODELS);
    const cwd = workdir('crash');
    const envNow = () => cliEnv(world, [ws], { FABRIC_SYNC_CONCURRENCY: '3' });
    const statePath = path.join(cwd, 'sync_state.json');
    const measures = new Map<string, string>();
    const ids = [...models.keys()];
    const points: string[] = [];
    const failures: string[] = [];

    // Up to a third more attempts than kills: a run may finish before its kill point comes.
    let killed = 0;
    for (let k = 1; killed < KILLS && k <= Math.ceil(KILLS * 1.35); k++) {
      // Every run gets work: after the first, a few models change their measure.
      if (k > 1) {
        for (let j = 0; j < 4; j++) {
          const id = ids[Math.floor(random() * ids.length)]!;
          const expr = `SUM(Sales[Amount]) * ${k * 10 + j}`;
          emu.updateModelPart(id, 'model.bim', (t) => withMeasure(t, expr));
          measures.set(id, expr);
        }
      }
      const command = k % 2 === 1 ? ['convert', '--auto', '--json'] : ['monitor', '--once', '--json'];
      // Kill points by progress, not by clock, so they land inside the work whatever the machine's
      // speed: during startup, after the n-th Fabric request, or after the n-th SQL statement.
      const roll = random();
      const at: { kind: 'startup'; ms: number } | { kind: 'http' | 'sql'; n: number } =
        roll < 0.15 ? { kind: 'startup', ms: Math.round(100 + random() * 700) } : roll < 0.5 ? { kind: 'http', n: 1 + Math.floor(random() * 40) } : { kind: 'sql', n: 1 + Math.floor(random() * 80) };
      const standIn = world.standIn;
      const [sqlAt, httpAt] = [standIn.statements.length, emu.requestLog.length];
      const t0 = Date.now();
      let ours = false;
      const r = await runCli(command, {
        cwd,
        env: envNow(),
        timeoutMs: 20_000,
        onSpawn: (child) => {
          const started = Date.now();
          const poll = setInterval(() => {
            const due =
              at.kind === 'startup' ? Date.now() - started >= at.ms : at.kind === 'http' ? emu.requestLog.length - httpAt >= at.n : standIn.statements.length - sqlAt >= at.n;
            if (due || child.exitCode !== null) {
              clearInterval(poll);
              if (due) {
                ours = true;
                child.kill('SIGKILL');
              }
            }
          }, 2);
        },
      });
      // Where the kill landed: how far the run got in Fabric requests and SQL statements.
      const work = `${emu.requestLog.length - httpAt} http/${standIn.statements.length - sqlAt} sql`;
      const target = at.kind === 'startup' ? `${at.ms}ms` : `${at.kind}#${at.n}`;
      if (r.signal === 'SIGKILL' && !ours) failures.push(`run ${k} (${command[0]}) hung: no exit within 20 s; stderr: ${r.stderr.slice(-500)}`);
      if (r.signal === 'SIGKILL' && ours) killed++;
      const point = `${command[0]}@${target}[${work}, ${Date.now() - t0}ms]${r.signal === 'SIGKILL' ? '' : ` (finished first, exit ${r.code})`}`;
      if (process.env.FABRIC_SYNC_CRASH_DEBUG) console.log(point, r.signal === 'SIGKILL' ? '' : r.stderr.slice(0, 1000));
      points.push(point);

      await abortDetachedTransactions();
      const problems: string[] = [];
      if (existsSync(statePath)) {
        const parsed = parseStateText(readFileSync(statePath, 'utf8'));
        if (!parsed.ok) problems.push(`state does not parse: ${parsed.reason}`);
      }
      problems.push(...(await warehouseProblems(world.standIn, models, { partialOk: true })));
      problems.push(...twinProblems(emu, ws, models, { partialOk: true }));
      if (problems.length) failures.push(`kill ${k} (${point}): ${problems.join('; ')}`);
    }

    // One clean run converges: every model once, current definition, one twin each.
    const standIn = world.standIn;
    const clean = await runCli(['convert', '--auto', '--json'], { cwd, env: envNow(), timeoutMs: 60_000 });
    expect(clean.code, clean.stderr).toBe(0);
    const state = parseStateText(readFileSync(statePath, 'utf8'));
    if (!state.ok) throw new Error(state.reason);
    const end = [...(await warehouseProblems(standIn, models)), ...twinProblems(emu, ws, models)];
    const rows = await standIn.query('SELECT MODEL_ID, FINGERPRINT FROM _SEMANTIC_METADATA');
    for (const row of rows) {
      const entry = state.state.synced_models[String(row.MODEL_ID)];
      if (!entry) end.push(`${String(row.MODEL_ID)}: in the warehouse, not in the state`);
      else if (entry.fingerprint !== row.FINGERPRINT) end.push(`${models.get(String(row.MODEL_ID))}: warehouse fingerprint differs from state`);
    }
    // No lost update: the warehouse holds each changed model's last measure.
    const dax = await standIn.query(`SELECT MODEL_ID, EXPRESSION FROM _SEMANTIC_MEASURES WHERE MEASURE_NAME = 'Total'`);
    const stored = new Map(dax.map((d) => [String(d.MODEL_ID), String(d.EXPRESSION)]));
    for (const [id, expr] of measures) if (stored.get(id) !== expr) end.push(`${models.get(id)}: measure ${JSON.stringify(stored.get(id))}, expected ${JSON.stringify(expr)}`);
    for (const id of ids) if (!state.state.synced_models[id]?.push_dataset_id) end.push(`${models.get(id)}: no push twin in the state`);
    if (end.length) failures.push(`after the clean run: ${end.join('; ')}`);

    console.log(`crash points survived ${killed - failures.filter((f) => f.startsWith('kill')).length}/${killed} (seed ${SEED}, ${MODELS} models): ${points.join(', ')}`);
    expect(failures).toEqual([]);
    expect(killed).toBe(KILLS);
  }, Math.max(150_000, KILLS * 6_000));
});
