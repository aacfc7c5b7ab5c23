// `npm run bench` (issue 8): runs the benchmarks against the local stand-ins with injected
// latency, prints a table of figures next to their targets, and writes bench/results.json.
// `npm run bench -- --quick` is the CI smoke run (< 60 s): reduced sizes, results in
// build/bench/results-quick.json, and a non-zero exit when a round-trip COUNT target (items 2 and 4)
// is missed — counts are deterministic, times are not, so only counts gate.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../tests/support/paths.js';
import type { BenchOptions, Figure } from './common.js';
import { renderTable, buildResults, writeResults } from './report.js';
import { benchRoundTrips } from './round-trips.js';

type Bench = (o: BenchOptions) => Promise<{ figures: Figure[]; details: Record<string, unknown> }>;

const BENCHES: Array<{ n: number[]; name: string; load: () => Promise<Bench> }> = [
  { n: [1], name: 'readers', load: async () => (await import('./readers.js')).benchReaders },
  { n: [2, 6], name: 'round trips and load shape', load: async () => benchRoundTrips },
  { n: [3], name: 'convert --auto throughput', load: async () => (await import('./throughput.js')).benchThroughput },
  { n: [4], name: 'quiet monitor cycle', load: async () => (await import('./monitor-quiet.js')).benchMonitorQuiet },
  { n: [5], name: 'throttling', load: async () => (await import('./throttling.js')).benchThrottling },
  { n: [7], name: 'kill -9 loops', load: async () => (await import('./kill-loops.js')).benchKillLoops },
];

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      'fabric-latency': { type: 'string' },
      'snowflake-latency': { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const quick = values.quick ?? false;
  // The quick run keeps every count (they do not depend on latency) but shortens the waits.
  const latency = (flag: string | undefined, full: number, reduced: number) => (flag !== undefined ? Number(flag) : quick ? reduced : full);
  const o: BenchOptions = {
    quick,
    fabricLatencyMs: latency(values['fabric-latency'], 80, 10),
    snowflakeLatencyMs: latency(values['snowflake-latency'], 60, 5),
    only: values.only ? values.only.split(',').map(Number) : [],
    log: (line) => process.stderr.write(`${line}\n`),
  };
  for (const [k, v] of [['fabric-latency', o.fabricLatencyMs], ['snowflake-latency', o.snowflakeLatencyMs]] as const) {
    if (!Number.isFinite(v) || v < 0) throw new Error(`--${k} must be a number of milliseconds ≥ 0`);
  }
  o.log(`fabric-sync benchmarks${quick ? ' (quick)' : ''}: Fabric ${o.fabricLatencyMs} ms per request, Snowflake ${o.snowflakeLatencyMs} ms per statement`);
  const started = Date.now();
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  const failures: string[] = [];
  for (const b of BENCHES) {
    if (o.only.length && !b.n.some((n) => o.only.includes(n))) continue;
    o.log(`▶ ${b.n.join('+')} ${b.name}`);
    const t0 = Date.now();
    try {
      const r = await (await b.load())(o);
      figures.push(...r.figures);
      details[b.name] = { ...r.details, seconds: Math.round((Date.now() - t0) / 100) / 10 };
    } catch (e) {
      // A benchmark that cannot run is a failure of the suite, reported, never a silent gap.
      const msg = e instanceof Error ? e.stack ?? e.message : String(e);
      failures.push(`${b.name}: ${msg}`);
      o.log(`  FAILED: ${msg}`);
    }
    o.log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
  const command = `npm run bench${o.quick || process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const results = buildResults(figures, { ...details, ...(failures.length ? { failures } : {}) }, o, repoRoot, started, command);
  const file = values.out ?? (o.quick || o.only.length ? path.join(repoRoot, 'build/bench/results-quick.json') : path.join(repoRoot, 'bench/results.json'));
  writeResults(file, results);
  process.stdout.write(`${renderTable(figures)}\n\n`);
  process.stdout.write(`${results.passed} PASS · ${results.missed} MISS · ${failures.length} failed to run · ${results.durationSeconds} s · ${results.machine.cpus} CPUs · Node ${results.machine.node} · results in ${path.relative(repoRoot, file)}\n`);
  const gatingMiss = figures.filter((f) => f.gating && f.pass === false);
  if (failures.length) return 1;
  if (o.quick && gatingMiss.length) {
    process.stderr.write(`round-trip count target missed: ${gatingMiss.map((f) => f.name).join('; ')}\n`);
    return 1;
  }
  return 0;
}

main().then((code) => { process.exitCode = code; }, (e: unknown) => { process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`); process.exitCode = 1; });
