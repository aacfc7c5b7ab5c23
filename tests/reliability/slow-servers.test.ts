// Issue 13 items 11 and 12: servers that never finish.
// - A server that sends its headers and then one byte a second: each byte reset the body timeout,
//   so a run (and a monitor holding its lock) stayed alive for ever. Each attempt now has an
//   overall deadline (fabric.timeoutSeconds), so the model fails after its retries and the run ends.
// - An operation answering `Running` with `Retry-After: 0` for ever was polled 17,441 times in 24 s.
//   Polls now wait at least a floor that doubles (100 ms, 200 ms, … 30 s), and the operation ends at
//   its deadline (fabric.throttleBudgetSeconds).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { cliEnv, seedWorkspace, startWorld, workdir, type World } from './harness.js';
import { startHostileProxy, type HostileProxy } from './hostile-proxy.js';

const worlds: World[] = [];
const proxies: HostileProxy[] = [];
const timers = new Set<NodeJS.Timeout>();
afterAll(async () => {
  for (const t of timers) clearInterval(t);
  for (const p of proxies) await p.close();
  for (const w of worlds) await w.close();
});

describe('servers that never finish', () => {
  it('a body trickled one byte a second ends at the per-request deadline; convert and monitor exit 1 and release the lock', async () => {
    const world = await startWorld();
    worlds.push(world);
    const { ws, models } = seedWorkspace(world.emu, 'Trickle', 2);
    const slow = [...models.keys()][0]!;
    let trickled = 0;
    const proxy = await startHostileProxy(world.emu.url, (req, res) => {
      if (!(req.url ?? '').includes(`/semanticModels/${slow}/getDefinition`)) return false;
      res.writeHead(200, { 'content-type': 'application/json' });
      // Whitespace before a JSON document is valid JSON: the body never becomes wrong, only endless.
      const t = setInterval(() => {
        if (res.destroyed) return clearInterval(t);
        trickled++;
        res.write(' ');
      }, 1000);
      timers.add(t);
      res.on('close', () => clearInterval(t));
      return true;
    });
    proxies.push(proxy);
    const config = { fabric: { timeoutSeconds: 2, maxRetries: 1, throttleBudgetSeconds: 60 } };
    const figures: string[] = [];
    for (const args of [['convert', '--auto', '--json'], ['monitor', '--once', '--json']]) {
      const cwd = workdir('trickle', config);
      const started = Date.now();
      const r = await runCli(args, { cwd, env: cliEnv(world, [ws], { FABRIC_API_URL: proxy.url }), timeoutMs: 45_000 });
      const took = Date.now() - started;
      expect(r.signal, `${args[0]} was still running after 45 s`).toBeNull();
      expect(r.code, r.stderr).toBe(1);
      // Two attempts of 2 s each, the backoff between them, and the rest of the run.
      expect(took).toBeLessThan(15_000);
      expect(r.stdout).toMatch(/no complete answer within 2 s \(timed out\)/);
      expect(existsSync(path.join(cwd, 'sync_state.json.lock'))).toBe(false);
      figures.push(`${args[0]} exit ${r.code} in ${(took / 1000).toFixed(1)} s`);
    }
    const attempts = proxy.requests.filter((q) => q.path.includes(`/semanticModels/${slow}/getDefinition`)).length;
    expect(attempts).toBe(4); // two attempts per run
    console.log(`trickling server: ${figures.join(', ')}; ${attempts} attempts, ${trickled} bytes trickled`);
  }, 120_000);

  it('an operation Running for ever with Retry-After: 0 is polled a few times, not thousands, and ends at the operation deadline', async () => {
    const world = await startWorld({ lroPolls: 1_000_000, lroRetryAfter: 0 });
    worlds.push(world);
    const { ws } = seedWorkspace(world.emu, 'Forever', 1);
    const cwd = workdir('forever', { fabric: { timeoutSeconds: 2, maxRetries: 1, throttleBudgetSeconds: 6 } });
    const started = Date.now();
    const r = await runCli(['convert', '--auto', '--json'], { cwd, env: cliEnv(world, [ws]), timeoutMs: 60_000 });
    const took = Date.now() - started;
    const polls = world.emu.requestLog.filter((q) => q.method === 'GET' && /^\/v1\/operations\/[^/]+$/.test(q.path)).length;
    console.log(`operation running for ever (Retry-After: 0): ${polls} polls in ${(took / 1000).toFixed(1)} s, exit ${r.code}`);
    // Floors of 0.1 + 0.2 + 0.4 + 0.8 + 1.6 + 3.2 s fit in the 6 s budget: at most 6 polls.
    expect(polls).toBeGreaterThanOrEqual(3);
    expect(polls).toBeLessThanOrEqual(8);
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout).models[0].error.message).toMatch(/did not finish within the time budget \(6 s, \d+ polls\)/);
    expect(took).toBeLessThan(15_000);
  }, 60_000);
});
