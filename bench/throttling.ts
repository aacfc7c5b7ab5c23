// Benchmark 5 (issue 8): `convert --auto` over 100 models while 30 % of Fabric requests are answered
// 429 `Retry-After: 1`. Total requests must stay ≤ 1.6 × the unthrottled count (no retry storms),
// every model is synced once, and no push dataset name exists twice.
import { startFabricEmulator } from '../tests/support/fabric-emulator/index.js';
import { runCli } from '../tests/support/run-cli.js';
import { TOKEN, figure, round, tempDir, type BenchOptions, type Figure } from './common.js';
import { startThrottleProxy } from './throttle-proxy.js';
import { fillWorkspace } from './throughput.js';

const SHARE = 0.3;

export async function benchThrottling(o: BenchOptions): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const models = o.quick ? 3 : 100;
  const emu = await startFabricEmulator({ acceptTokens: [TOKEN], latencyMs: o.fabricLatencyMs, lroPolls: 1, lroRetryAfter: 0, validateResponses: false });
  const proxy = await startThrottleProxy(emu.url, { retryAfterSeconds: 1 });
  try {
    const run = async (label: string, share: number) => {
      const ws = fillWorkspace(emu, models, label);
      proxy.setShare(share);
      const before = { ...proxy.stats };
      const logAt = emu.requestLog.length;
      const t0 = performance.now();
      const env = { FABRIC_ACCESS_TOKEN: TOKEN, FABRIC_API_URL: proxy.url, POWERBI_API_URL: proxy.url, FABRIC_WORKSPACE_ID: ws, FABRIC_SYNC_TARGET: 'none', FABRIC_SYNC_CONCURRENCY: '8' };
      const r = await runCli(['convert', '--auto', '--json'], { cwd: tempDir(`throttle-${label}`), env, timeoutMs: 1_800_000 });
      const seconds = (performance.now() - t0) / 1000;
      let doc: { synced?: number; failed?: number; models?: Array<{ status: string; error?: { message: string } }> } = {};
      try { doc = JSON.parse(r.stdout); } catch { throw new Error(`convert --auto (${label}) exited ${r.code}: ${r.stderr.slice(0, 2000)}`); }
      const twins = emu.pushDatasets(ws);
      const names = new Map<string, number>();
      for (const t of twins) names.set(t.name, (names.get(t.name) ?? 0) + 1);
      const creates = emu.requestLog.slice(logAt).filter((x) => x.method === 'POST' && /\/datasets$/.test(x.path) && x.status < 300).length;
      const out = {
        label, share, seconds: round(seconds, 1),
        requests: proxy.stats.requests - before.requests,
        throttled: proxy.stats.throttled - before.throttled,
        duringPause: proxy.stats.duringPause - before.duringPause,
        synced: doc.synced ?? 0, failed: doc.failed ?? 0,
        firstFailure: doc.models?.find((m) => m.status === 'failed')?.error?.message,
        twins: twins.length, duplicateNames: [...names.values()].filter((n) => n > 1).length, creates,
      };
      o.log(`  ${label}: ${out.requests} requests (${out.throttled} answered 429, ${out.duringPause} during a Retry-After window), ${out.synced} synced, ${out.failed} failed, ${out.twins} twins, ${out.seconds} s`);
      return out;
    };
    const base = await run('unthrottled', 0);
    const hit = await run('throttled', SHARE);
    const b = '5 throttling';
    const figures: Figure[] = [
      figure(b, `requests with ${SHARE * 100} % answered 429 / unthrottled (${models} models)`, round(hit.requests / base.requests, 3), '×', { op: '<=', value: 1.6 }, { note: `${hit.requests} vs ${base.requests}; ${hit.throttled} × 429` }),
      figure(b, 'models synced under throttling', hit.synced, 'models', { op: '==', value: models }, { note: `${hit.failed} failed${hit.firstFailure ? `: ${hit.firstFailure.slice(0, 120)}` : ''}` }),
      figure(b, 'push datasets created under throttling / twins expected', hit.creates, 'creates', { op: '==', value: base.twins }, { note: `${hit.twins} twins exist` }),
      figure(b, 'duplicate push dataset names', hit.duplicateNames, 'names', { op: '==', value: 0 }),
      figure(b, 'requests arriving inside a Retry-After window', hit.duringPause, 'req', undefined, { note: 'more than 25 ms after the 429 (not merely in flight)' }),
      figure(b, 'wall time throttled vs unthrottled', round(hit.seconds, 1), 's', undefined, { note: `unthrottled ${base.seconds} s` }),
    ];
    return { figures, details: { models, share: SHARE, unthrottled: base, throttled: hit } };
  } finally {
    await proxy.close();
    await emu.close();
  }
}
