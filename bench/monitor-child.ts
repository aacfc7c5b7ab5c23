// The monitor loop of benchmark 4 in a process of its own, so that its RSS is the monitor's alone
// (the stand-ins live in the parent). It wires the core exactly as `fabric-sync monitor` does —
// config → composed run → state store → remote runner → runMonitor — and prints one JSON line per cycle.
// Usage: node build/bench/monitor-child.js '<json ChildConfig>'
import { validateConfig } from '../src/core/config/load.js';
import { realSleep, silentLogger, systemClock } from '../src/core/context.js';
import { openStateStore } from '../src/core/state/store.js';
import { runMonitor } from '../src/core/sync/monitor.js';
import { createRemoteRunner } from '../src/core/sync/remote.js';
import { composeRun } from '../src/core/run/compose.js';

export interface ChildConfig {
  raw: Record<string, unknown>;
  cycles: number;
  concurrency: number;
  budget: number;
  warehouse: boolean;
}

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2]!) as ChildConfig;
  const { config, issues } = validateConfig(cfg.raw);
  if (!config) throw new Error(`bench config invalid: ${issues.join('; ')}`);
  const store = await openStateStore(config.state.path, { clock: systemClock, lock: true, logger: silentLogger });
  const run = composeRun(config, {
    clock: systemClock, sleep: realSleep, logger: silentLogger, version: 'bench', verbose: false,
    disabled: cfg.warehouse ? [] : ['warehouse'], dryRun: false, fabric: true,
  });
  const runner = createRemoteRunner(run.fabricSource(store), store, run.pipeline, run.remote);
  let cycleStart = Date.now();
  const failures: string[] = [];
  const synced: string[] = [];
  try {
    await runMonitor(
      {
        store, list: runner.list, sync: runner.sync, markDeleted: runner.markDeleted,
        clock: systemClock, sleep: realSleep, logger: silentLogger,
        onEvent: (e) => {
          if (e.type === 'cycle-start') cycleStart = Date.now();
          if (e.type === 'model-failed' && failures.length < 5) failures.push(`${e.name}: ${e.error}`);
          if (e.type === 'model-synced' && e.reason === 'changed' && synced.length < 20) synced.push(`${e.name}: ${e.detail ?? ''}`);
          if (e.type === 'cycle-end') {
            const endedAt = Date.now();
            const m = process.memoryUsage();
            // Every 10th cycle also after a full GC: what is retained, without the collector's slack.
            const gc = (globalThis as { gc?: () => void }).gc;
            let retained: number | undefined;
            if (gc && (e.cycle % 10 === 0 || e.cycle === cfg.cycles)) {
              gc();
              retained = process.memoryUsage().rss;
            }
            process.stdout.write(`${JSON.stringify({ cycle: e.cycle, startedAt: cycleStart, endedAt, durationMs: e.durationMs, counts: e.counts, rss: m.rss, heapUsed: m.heapUsed, retained, failures, resynced: [...synced] })}\n`);
            failures.length = 0;
            synced.length = 0;
          }
        },
      },
      {
        intervalMs: 0, once: cfg.cycles === 1, maxCycles: cfg.cycles, concurrency: cfg.concurrency, budget: cfg.budget,
        minRecheckAgeMs: 0, suffix: config.push.suffix, signal: new AbortController().signal,
      },
    );
  } finally {
    await run.close();
    await store.close();
  }
  process.stdout.write(`${JSON.stringify({ done: true, maxRss: process.resourceUsage().maxRSS * 1024 })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
