// What a quiet cycle costs (issue 6 "Must show"): known, unchanged models in several workspaces.
// The listing costs a fixed number of requests per workspace; definitions are re-fetched only up to
// the re-check budget; the warehouse receives nothing (not even a login) and Power BI no write.
// `npm test` seeds 100 models (5 workspaces of 20, five times the budget): the seed run, which reads
// and publishes every model, is what costs. Benchmark 4 (bench/monitor-quiet.ts) measures the same
// cycle over 1,000 models; FABRIC_SYNC_SCALE_MODELS=1000 runs this test at that size.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFabricEmulator, type FabricEmulator } from '../support/fabric-emulator/index.js';
import { runCli } from '../support/run-cli.js';
import { startSnowflakeStandIn, type SnowflakeStandIn } from '../support/snowflake-standin/index.js';
import { STANDIN_PASSWORD, STANDIN_USER, TOKEN, bimParts, monitorEnv, pushWrites } from './monitor-harness.js';

const MODELS = Number(process.env.FABRIC_SYNC_SCALE_MODELS ?? 100);
const WORKSPACES = MODELS >= 1000 ? 10 : 5;
const PER_WORKSPACE = Math.ceil(MODELS / WORKSPACES);
const TOTAL = WORKSPACES * PER_WORKSPACE;
const BUDGET = 20;

let emu: FabricEmulator;
let standIn: SnowflakeStandIn;
const workspaces: string[] = [];

beforeAll(async () => {
  // Pages of 1,000 keep the listing to one page per API surface even with 100 models + 100 push twins per workspace.
  emu = await startFabricEmulator({ acceptTokens: [TOKEN], lroPolls: 0, pageSize: 1000, validateResponses: false });
  standIn = await startSnowflakeStandIn({ users: { [STANDIN_USER]: STANDIN_PASSWORD } });
  for (let w = 0; w < WORKSPACES; w++) {
    const ws = emu.addWorkspace({ name: `Scale ${w}` });
    workspaces.push(ws);
    for (let i = 0; i < PER_WORKSPACE; i++) {
      const name = `M${w}-${String(i).padStart(3, '0')}`;
      emu.addModel(ws, { name, parts: bimParts({ name, tables: { Facts: ['Key', 'Amount'] } }) });
    }
  }
});
afterAll(async () => {
  await emu.close();
  await standIn.close();
});

function routeCounts(from: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of emu.requestLog.slice(from)) {
    const key = `${r.method} ${r.path
      .replace(/\/(groups|workspaces)\/[^/]+/, '/$1/{ws}')
      .replace(/\/(datasets|semanticModels|items|operations)\/[^/]+/, '/$1/{id}')}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

describe(`monitor: a quiet cycle over ${TOTAL} models in ${WORKSPACES} workspaces`, () => {
  it('costs one list request per workspace, the budget of definitions, and no warehouse statement or login', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'fs-monitor-scale-'));
    // Seed: every model is new, so each is read and published once (no warehouse, to keep this fast).
    const seedEnv = monitorEnv(emu, workspaces, standIn, { FABRIC_SYNC_CONCURRENCY: '16' });
    const seed = await runCli(['monitor', '--once', '--json', '--no-warehouse'], { cwd, env: seedEnv, timeoutMs: 60_000 });
    expect(seed.code, seed.stderr).toBe(0);
    const seedEnd = seed.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'cycle-end');
    expect(seedEnd.counts).toMatchObject({ new: TOTAL, synced: TOTAL, failed: 0 });
    expect(emu.pushDatasets().length).toBe(TOTAL);

    // The quiet cycle, against the Snowflake stand-in.
    const logFrom = emu.requestLog.length;
    const statementsBefore = standIn.statements.length;
    const loginsBefore = standIn.logins;
    const quiet = await runCli(['monitor', '--once', '--json'], { cwd, env: monitorEnv(emu, workspaces, standIn, { FABRIC_SYNC_RECHECK_BUDGET: String(BUDGET) }) });
    expect(quiet.code, quiet.stderr).toBe(0);
    const events = quiet.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const end = events.find((e) => e.type === 'cycle-end');
    // Every model listed, and its push twin (skipped as our own output).
    expect(end.counts).toMatchObject({ listed: 2 * TOTAL, new: 0, changed: 0, synced: 0, failed: 0, deleted: 0, checked: BUDGET });
    expect(end.workspaces).toEqual({ listed: WORKSPACES, failed: 0 });

    const routes = routeCounts(logFrom);
    // One list request per workspace (the Power BI datasets list holds every semantic model with its
    // push flag and storage mode), then the budget of definitions.
    expect(routes).toEqual({
      'GET /v1.0/myorg/groups/{ws}/datasets': WORKSPACES,
      'POST /v1/workspaces/{ws}/semanticModels/{id}/getDefinition': BUDGET,
    });
    expect(pushWrites(emu, logFrom)).toEqual([]);
    expect(standIn.statements.length - statementsBefore).toBe(0);
    expect(standIn.logins - loginsBefore).toBe(0);
    console.log(`quiet cycle over ${TOTAL} models: ${JSON.stringify(routes)}; warehouse statements 0; logins 0; ${end.durationMs} ms`);
  }, 80_000);
});
