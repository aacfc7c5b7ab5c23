// Benchmark 4 (issue 8): a quiet monitor cycle — 1,000 models in 10 workspaces, nothing changed.
// Requests per cycle, warehouse statements, cycle wall time (with the injected latency), and RSS over
// many quick cycles (tiny latency, so the run stays bounded in time). The loop runs through the core
// functions in a child process (monitor-child.ts) so that RSS is the monitor's own.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFabricEmulator, type FabricEmulator } from '../tests/support/fabric-emulator/index.js';
import { loadModelFromPath } from '../tests/support/fabric-emulator/models.js';
import { startSnowflakeStandIn, type SnowflakeStandIn } from '../tests/support/snowflake-standin/index.js';
import { SF_PASSWORD, SF_USER, TOKEN, benchModels, figure, isLroRequest, round, tempDir, type BenchOptions, type Figure } from './common.js';
import type { ChildConfig } from './monitor-child.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKSPACES = 10;
const MODELS = 1000;
const BUDGET = 20;
const CONCURRENCY = 8;
/** RSS is compared after BASE_CYCLE and after LONG_CYCLES quick cycles (issue 8 item 4). */
const LONG_CYCLES = 500;
const BASE_CYCLE = 50;

interface CycleLine {
  cycle: number; startedAt: number; endedAt: number; durationMs: number; rss: number; heapUsed: number; retained?: number;
  counts: Record<string, number>; failures: string[]; resynced: string[];
}

function runChild(cfg: ChildConfig): Promise<{ cycles: CycleLine[]; maxRss: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', path.join(here, 'monitor-child.js'), JSON.stringify(cfg)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`monitor child exited ${code}: ${err.slice(0, 2000)}`));
      const lines = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as CycleLine & { done?: boolean; maxRss?: number });
      resolve({ cycles: lines.filter((l) => !l.done), maxRss: lines.find((l) => l.done)?.maxRss ?? 0 });
    });
  });
}

/** Sets the emulator's latency for every request from now on (0 = none). */
function setLatency(emu: FabricEmulator, ms: number): void {
  emu.clearFaults();
  if (ms > 0) emu.fault({ path: '/', kind: 'latency', latencyMs: ms });
}

export async function benchMonitorQuiet(o: BenchOptions): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const timedCycles = o.quick ? 2 : 3;
  const emu = await startFabricEmulator({ acceptTokens: [TOKEN], lroPolls: 1, lroRetryAfter: 0, validateResponses: false });
  const standIn: SnowflakeStandIn = await startSnowflakeStandIn({ users: { [SF_USER]: SF_PASSWORD }, delayMs: o.snowflakeLatencyMs });
  try {
    // Models (benchModels) repeated under new names; parts are loaded once and shared (strings are immutable).
    const corpus = benchModels().entries.map((e) => ({ id: e.id, parts: loadModelFromPath(e.dir).parts }));
    const workspaces: string[] = [];
    for (let w = 0; w < WORKSPACES; w++) workspaces.push(emu.addWorkspace({ name: `bench-monitor-${w}` }));
    for (let i = 0; i < MODELS; i++) {
      const c = corpus[i % corpus.length]!;
      emu.addModel(workspaces[i % WORKSPACES]!, { name: `${c.id} ${String(i).padStart(4, '0')}`, parts: c.parts });
    }
    const dir = tempDir('monitor');
    const raw = (warehouse: boolean, sf: SnowflakeStandIn = standIn) => ({
      fabric: { accessToken: TOKEN, apiUrl: emu.url, powerbiApiUrl: emu.url, workspaces },
      ...(warehouse
        ? { snowflake: { account: sf.account, accessUrl: sf.url, user: SF_USER, password: SF_PASSWORD, database: 'FABRIC_DB', schema: 'METADATA', warehouse: 'WH' } }
        : {}),
      warehouse: { target: warehouse ? 'snowflake' : 'none' },
      push: { outDir: path.join(dir, 'push-definitions') },
      monitor: { concurrency: CONCURRENCY, recheckBudget: BUDGET },
      state: { path: path.join(dir, 'sync_state.json') },
    });

    // 1. Reach "nothing changed": every model synced once (push twins created, state written). The
    //    warehouse is off for this seeding pass only: a quiet cycle never reads it, and seeding 1,000
    //    models through the stand-in would dominate the benchmark's time.
    setLatency(emu, 0);
    const t0 = Date.now();
    const seed = await runChild({ raw: raw(false), cycles: 1, concurrency: CONCURRENCY, budget: BUDGET, warehouse: false });
    const seeded = seed.cycles[0]!;
    if (seeded.counts.synced !== MODELS) throw new Error(`seeding synced ${seeded.counts.synced}/${MODELS} models (failed ${seeded.counts.failed}): ${seeded.failures.join('; ')}`);
    const seedSeconds = round((Date.now() - t0) / 1000, 1);
    o.log(`  seeded ${MODELS} models in ${seedSeconds} s`);

    // 2. Quiet cycles with the injected latency and Snowflake configured: count and time them.
    setLatency(emu, o.fabricLatencyMs);
    const logAt = emu.requestLog.length;
    const stAt = standIn.statements.length;
    const loginsAt = standIn.logins;
    const timedRun = await runChild({ raw: raw(true), cycles: timedCycles, concurrency: CONCURRENCY, budget: BUDGET, warehouse: true });
    const log = emu.requestLog.slice(logAt);
    const perCycle = timedRun.cycles.map((c) => {
      const inCycle = log.filter((r) => r.at >= c.startedAt && r.at <= c.endedAt);
      const byRoute: Record<string, number> = {};
      for (const r of inCycle) {
        const key = `${r.method} ${r.path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/gi, '{id}')}`;
        byRoute[key] = (byRoute[key] ?? 0) + 1;
      }
      return { cycle: c.cycle, requests: inCycle.length, lro: inCycle.filter((r) => isLroRequest(r.path)).length, durationMs: c.durationMs, counts: c.counts, byRoute, resynced: c.resynced };
    });
    const unaccounted = log.length - perCycle.reduce((n, c) => n + c.requests, 0);
    if (unaccounted !== 0) throw new Error(`${unaccounted} requests fell outside the timed cycles`);
    const statements = standIn.statements.length - stAt;
    const logins = standIn.logins - loginsAt;
    const last = perCycle.at(-1)!;
    const synced = perCycle.reduce((n, c) => n + (c.counts.synced ?? 0), 0);
    o.log(`  quiet cycles: ${perCycle.map((c) => `${c.requests} req (${c.lro} LRO) ${c.durationMs} ms`).join(', ')}; ${statements} statements, ${logins} logins, ${synced} re-synced`);

    // 3. Many quick cycles (tiny latency): RSS after the first 50 and at the end. Full run only:
    //    the quick run keeps to the deterministic counts.
    const mib = (n: number | undefined) => round((n ?? 0) / 2 ** 20, 1);
    let rss: { figures: Figure[]; details: Record<string, unknown> } = { figures: [], details: { skipped: 'quick run' } };
    if (!o.quick) {
      setLatency(emu, 1);
      const t1 = Date.now();
      const fast = await startSnowflakeStandIn({ users: { [SF_USER]: SF_PASSWORD }, delayMs: 1 });
      const long = await runChild({ raw: raw(true, fast), cycles: LONG_CYCLES, concurrency: CONCURRENCY, budget: BUDGET, warehouse: true }).finally(() => fast.close());
      const base = long.cycles.find((c) => c.cycle === BASE_CYCLE)!;
      const end = long.cycles.at(-1)!;
      const growth = (end.retained! - base.retained!) / base.retained!;
      const rawGrowth = (end.rss - base.rss) / base.rss;
      o.log(`  ${LONG_CYCLES} quick cycles in ${((Date.now() - t1) / 1000).toFixed(1)} s: RSS after GC ${mib(base.retained)} MiB after ${BASE_CYCLE} → ${mib(end.retained)} MiB after ${end.cycle} (without GC ${mib(base.rss)} → ${mib(end.rss)})`);
      rss = {
        figures: [
          figure('4 quiet monitor', `RSS growth after GC, cycle ${BASE_CYCLE} → ${end.cycle}`, round(growth * 100, 1), '%', { op: '<', value: 10 }, { note: `${mib(base.retained)} → ${mib(end.retained)} MiB` }),
          figure('4 quiet monitor', `RSS growth without GC, cycle ${BASE_CYCLE} → ${end.cycle}`, round(rawGrowth * 100, 1), '%', { op: '<', value: 10 }, { note: `${mib(base.rss)} → ${mib(end.rss)} MiB; peak ${mib(long.maxRss)} MiB` }),
        ],
        details: {
          cycles: LONG_CYCLES, seconds: round((Date.now() - t1) / 1000, 1), maxRssMiB: mib(long.maxRss),
          samples: long.cycles.filter((c) => c.retained !== undefined).map((c) => ({ cycle: c.cycle, rss: mib(c.rss), afterGc: mib(c.retained), heap: mib(c.heapUsed), cycleMs: c.durationMs })),
        },
      };
    }

    const b = '4 quiet monitor';
    const figures: Figure[] = [
      figure(b, `requests per quiet cycle excl. LRO (${MODELS} models, ${WORKSPACES} ws, budget ${BUDGET})`, last.requests - last.lro, 'req', { op: '<=', value: 10 + BUDGET, text: `≤ 10 + budget (${10 + BUDGET})` }, {
        gating: true, note: `${last.lro} LRO requests on top (${BUDGET} re-checks)`,
      }),
      figure(b, 'requests per quiet cycle incl. LRO', last.requests, 'req', undefined),
      figure(b, `warehouse statements in ${timedCycles} quiet cycles`, statements, 'stmt', { op: '==', value: 0 }, { gating: true, note: `${logins} Snowflake logins` }),
      figure(b, 'models re-synced in quiet cycles', synced, 'models', { op: '==', value: 0 }, { gating: true }),
      figure(b, `quiet cycle wall time (${o.fabricLatencyMs} ms/request)`, round(last.durationMs / 1000, 2), 's', undefined),
      ...rss.figures,
    ];
    return {
      figures,
      details: {
        models: MODELS, workspaces: WORKSPACES, budget: BUDGET, concurrency: CONCURRENCY, seedSeconds,
        quietCycles: perCycle,
        rss: rss.details,
      },
    };
  } finally {
    await emu.close();
    await standIn.close();
  }
}
