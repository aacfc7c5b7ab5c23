// Area 5 of issue 9: concurrency. Two `convert --auto` runs on one workspace at the same moment —
// with their own state files (two CI jobs) and sharing one — never create a second push dataset of a
// name and never lose a warehouse update. (A second monitor on a state file already in use refuses:
// tests/e2e/monitor-signals.test.ts, with the pid it names and the run that proceeds afterwards.)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStateText } from '../../src/core/state/schema.js';
// Spawned: the subject is two processes at once (their locks, their pids).
import { runSpawnedCli as runCli, type CliResult } from '../support/run-cli.js';
import { cliEnv, seedWorkspace, startWorld, twinProblems, warehouseProblems, withMeasure, workdir, type World } from './harness.js';

let world: World;
beforeAll(async () => {
  world = await startWorld({ latencyMs: 3 }, { delayMs: 1 });
});
afterAll(async () => {
  expect(world.emu.violations).toEqual([]);
  await world.close();
});

/** Rounds of the two-job race (FABRIC_SYNC_RACE_ROUNDS); every round after the first changes a third of the models. */
const ROUNDS = Number(process.env.FABRIC_SYNC_RACE_ROUNDS ?? 2);

const figures: string[] = [];
afterAll(() => console.log(`concurrency: ${figures.join('; ')}`));

async function measuresStored(models: Map<string, string>): Promise<Map<string, string>> {
  const ids = [...models.keys()].map((id) => `'${id}'`).join(', ');
  const rows = await world.standIn.query(`SELECT MODEL_ID, EXPRESSION FROM _SEMANTIC_MEASURES WHERE MEASURE_NAME = 'Total' AND MODEL_ID IN (${ids})`);
  return new Map(rows.map((r) => [String(r.MODEL_ID), String(r.EXPRESSION)]));
}

describe('concurrent runs', () => {
  it('two convert --auto at once, own state files: no duplicate twin, no lost update', async () => {
    const { emu } = world;
    const { ws, models } = seedWorkspace(emu, 'Twin jobs', 10);
    const env = cliEnv(world, [ws], { FABRIC_SYNC_CONCURRENCY: '3' });
    const [a, b] = [workdir('conc-a'), workdir('conc-b')];
    const problems: string[] = [];
    const latest = new Map<string, string>();
    // A first sync and one round of changes in npm test; bench/chaos.ts races more rounds.
    for (let round = 1; round <= ROUNDS; round++) {
      if (round > 1) {
        // Both jobs see the same change and race to write it.
        for (const id of [...models.keys()].filter((_, i) => i % 3 === round % 3)) {
          const expr = `SUM(Sales[Amount]) * ${round}`;
          emu.updateModelPart(id, 'model.bim', (t) => withMeasure(t, expr));
          latest.set(id, expr);
        }
      }
      const runs = await Promise.all([a, b].map((cwd) => runCli(['convert', '--auto', '--json'], { cwd, env, timeoutMs: 60_000 })));
      runs.forEach((r, i) => {
        if (r.code !== 0) problems.push(`round ${round} job ${i ? 'B' : 'A'}: exit ${r.code}: ${r.stderr.slice(0, 500)}`);
      });
      problems.push(...twinProblems(emu, ws, models).map((p) => `round ${round}: ${p}`));
      problems.push(...(await warehouseProblems(world.standIn, models)).map((p) => `round ${round}: ${p}`));
      const stored = await measuresStored(models);
      for (const [id, expr] of latest) if (stored.get(id) !== expr) problems.push(`round ${round}: ${models.get(id)} has ${JSON.stringify(stored.get(id))}, expected ${JSON.stringify(expr)}`);
    }
    figures.push(`own state files: ${ROUNDS} rounds × 2 jobs × 10 models, ${emu.pushDatasets(ws).length} twins, problems ${problems.length}`);
    expect(problems).toEqual([]);
  }, 120_000);

  it('two convert --auto at once on one state file: one waits or refuses, nothing is lost', async () => {
    const { emu } = world;
    const { ws, models } = seedWorkspace(emu, 'Shared state', 10);
    const env = cliEnv(world, [ws], { FABRIC_SYNC_CONCURRENCY: '3' });
    const cwd = workdir('conc-shared');
    const runs: CliResult[] = await Promise.all([0, 1].map(() => runCli(['convert', '--auto', '--json'], { cwd, env, timeoutMs: 60_000 })));
    const codes = runs.map((r) => r.code);
    // Either both ran (one after the other) or the second refused with a usage error naming the lock.
    for (const r of runs) {
      expect([0, 2], r.stderr).toContain(r.code);
      if (r.code === 2) expect(r.stderr + r.stdout).toMatch(/lock|in use|another/i);
    }
    expect(codes).toContain(0);
    const state = parseStateText(readFileSync(path.join(cwd, 'sync_state.json'), 'utf8'));
    expect(state.ok).toBe(true);
    if (state.ok) expect(Object.keys(state.state.synced_models).sort()).toEqual([...models.keys()].sort());
    expect(twinProblems(emu, ws, models)).toEqual([]);
    expect(await warehouseProblems(world.standIn, models)).toEqual([]);
    figures.push(`one state file: exits ${codes.join('/')}, ${emu.pushDatasets(ws).length} twins for ${models.size} models`);
  }, 60_000);
});
