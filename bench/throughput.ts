// Benchmark 3 (issue 8): `convert --auto` over many models (corpus or synthetic models repeated under new names)
// through the built CLI, with injected latency. Wall time is compared with the ideal — the sum of
// the unavoidable latencies (counted requests × Fabric latency + counted statements × Snowflake
// latency) divided by the concurrency, but never less than the statements that run while a model
// holds the writer lock, one model after another: Snowflake locks a written table until COMMIT, so
// those do not overlap (issue 12) — and throughput is compared between concurrency 1 and 8.
import { startFabricEmulator, type FabricEmulator } from '../tests/support/fabric-emulator/index.js';
import { loadModelFromPath } from '../tests/support/fabric-emulator/models.js';
import { runCli } from '../tests/support/run-cli.js';
import { startSnowflakeStandIn, type SnowflakeStandIn } from '../tests/support/snowflake-standin/index.js';
import { SF_PASSWORD, SF_USER, TOKEN, benchModels, cliEnv, figure, round, tempDir, type BenchOptions, type Figure } from './common.js';

export interface ConvertRun {
  concurrency: number;
  models: number;
  wallSeconds: number;
  requests: number;
  statements: number;
  /** Statements run while holding the writer lock (they cannot overlap across models). */
  serialised: number;
  idealSeconds: number;
  ratio: number;
  synced: number;
  failed: number;
}

/** A workspace holding `n` models (bench/common.ts benchModels) under new names (parts shared across copies). */
export function fillWorkspace(emu: FabricEmulator, n: number, label: string): string {
  const corpus = benchModels().entries.map((e) => ({ id: e.id, parts: loadModelFromPath(e.dir).parts }));
  const ws = emu.addWorkspace({ name: `bench-${label}` });
  for (let i = 0; i < n; i++) {
    const c = corpus[i % corpus.length]!;
    emu.addModel(ws, { name: `${c.id} ${label} ${String(i).padStart(4, '0')}`, parts: c.parts });
  }
  return ws;
}

export async function convertRun(emu: FabricEmulator, standIn: SnowflakeStandIn, ws: string, models: number, concurrency: number, o: BenchOptions): Promise<ConvertRun> {
  const logAt = emu.requestLog.length;
  const stAt = standIn.statements.length;
  const cwd = tempDir(`convert-c${concurrency}`);
  const t0 = performance.now();
  const r = await runCli(['convert', '--auto', '--json'], { cwd, env: cliEnv(emu, [ws], standIn, { FABRIC_SYNC_CONCURRENCY: String(concurrency) }), timeoutMs: 1_800_000 });
  const wallSeconds = (performance.now() - t0) / 1000;
  let doc: { synced?: number; failed?: number; models?: Array<{ status: string; error?: { message: string } }> } = {};
  try { doc = JSON.parse(r.stdout); } catch { /* reported below */ }
  if (r.code !== 0 && doc.synced === undefined) throw new Error(`convert --auto exited ${r.code}: ${r.stderr.slice(0, 2000)}`);
  const requests = emu.requestLog.length - logAt;
  const statements = standIn.statements.length - stAt;
  const serialised = lockHeldStatements(standIn.statements.slice(stAt));
  const idealSeconds = Math.max((requests * o.fabricLatencyMs + statements * o.snowflakeLatencyMs) / 1000 / concurrency, (serialised * o.snowflakeLatencyMs) / 1000);
  const failed = doc.failed ?? 0;
  if (failed > 0) o.log(`  ${failed} model(s) failed, e.g. ${doc.models?.find((m) => m.status === 'failed')?.error?.message ?? '?'}`);
  return { concurrency, models, wallSeconds: round(wallSeconds, 2), requests, statements, serialised, idealSeconds: round(idealSeconds, 2), ratio: round(wallSeconds / idealSeconds, 2), synced: doc.synced ?? 0, failed };
}

/** Statements each session ran from taking the writer lock (its MERGE into _SEMANTIC_SYNC_LOCK) to COMMIT, summed. */
function lockHeldStatements(statements: readonly { sessionId: string; sqlText: string }[]): number {
  const holding = new Set<string>();
  let n = 0;
  for (const st of statements) {
    if (/^MERGE INTO \S*"_SEMANTIC_SYNC_LOCK"/.test(st.sqlText)) holding.add(st.sessionId);
    if (!holding.has(st.sessionId)) continue;
    n++;
    if (st.sqlText === 'COMMIT' || st.sqlText === 'ROLLBACK') holding.delete(st.sessionId);
  }
  return n;
}

export async function benchThroughput(o: BenchOptions): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const models = o.quick ? 8 : 200;
  const emu = await startFabricEmulator({ acceptTokens: [TOKEN], latencyMs: o.fabricLatencyMs, lroPolls: 1, lroRetryAfter: 0, validateResponses: false });
  const standIn = await startSnowflakeStandIn({ users: { [SF_USER]: SF_PASSWORD }, delayMs: o.snowflakeLatencyMs });
  try {
    const runs: ConvertRun[] = [];
    for (const c of [8, 1]) {
      const ws = fillWorkspace(emu, models, `c${c}`);
      const run = await convertRun(emu, standIn, ws, models, c, o);
      o.log(`  concurrency ${c}: ${run.wallSeconds} s for ${models} models (ideal ${run.idealSeconds} s, ${run.requests} requests, ${run.statements} statements, ${run.synced} synced, ${run.failed} failed)`);
      runs.push(run);
    }
    const c8 = runs.find((r) => r.concurrency === 8)!;
    const c1 = runs.find((r) => r.concurrency === 1)!;
    const scaling = (c1.wallSeconds / c1.models) / (c8.wallSeconds / c8.models);
    const b = '3 throughput';
    const figures: Figure[] = [
      figure(b, `convert --auto, ${models} models, concurrency 8: wall / ideal`, c8.ratio, '×', { op: '<=', value: 1.5 }, { note: `${c8.wallSeconds} s vs ideal ${c8.idealSeconds} s (${c8.requests} req, ${c8.statements} stmt)` }),
      figure(b, `convert --auto, ${models} models, concurrency 1: wall / ideal`, c1.ratio, '×', undefined, { note: `${c1.wallSeconds} s vs ideal ${c1.idealSeconds} s` }),
      // Bounded by the writer lock: only the Fabric reads and the statements before the lock overlap.
      figure(b, 'throughput scaling, concurrency 1 → 8', round(scaling, 2), '×', undefined, {
        note: `${c8.serialised} of ${c8.statements} statements hold the writer lock and run one model at a time, as on Snowflake`,
      }),
      figure(b, 'models synced (both runs)', c8.synced + c1.synced, 'models', { op: '==', value: 2 * models }, { note: `${c8.failed + c1.failed} failed` }),
    ];
    return { figures, details: { models, runs, latency: { fabricMs: o.fabricLatencyMs, snowflakeMs: o.snowflakeLatencyMs } } };
  } finally {
    await emu.close();
    await standIn.close();
  }
}
