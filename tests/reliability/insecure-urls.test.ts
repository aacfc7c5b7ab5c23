// Issue 13 item 9: FABRIC_API_URL, POWERBI_API_URL or SNOWFLAKE_ACCESS_URL with http:// to a host
// other than this machine's loopback sent the bearer token and the Snowflake password in clear
// text, and validate said nothing. Recording proxies listen on a non-loopback address of this machine
// (its first external interface; 0.0.0.0, which also reaches it, when it has none) in front of the
// stand-ins: a run and validate must refuse the configuration (exit 2) before a single byte reaches
// them, and a URL carrying a user name and password must be refused without printing them.
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { cliEnv, seedWorkspace, startWorld, workdir, type World } from './harness.js';
import { startHostileProxy, type HostileProxy } from './hostile-proxy.js';

/** An address of this machine that is not loopback, and the host to put in a URL for it. */
function externalAddress(): { bind: string; host: string } {
  for (const list of Object.values(networkInterfaces())) {
    const v4 = list?.find((a) => a.family === 'IPv4' && !a.internal);
    if (v4) return { bind: v4.address, host: v4.address };
  }
  // No external interface: 0.0.0.0 is not a loopback address, yet a connection to it reaches a
  // server listening on 127.0.0.1 on Linux and macOS — exactly the case to refuse.
  return { bind: '127.0.0.1', host: '0.0.0.0' };
}

let world: World;
let fabric: HostileProxy;
let snowflake: HostileProxy;
let ws: string;
const ext = externalAddress();
const via = (p: HostileProxy) => p.url.replace(ext.bind, ext.host);

beforeAll(async () => {
  world = await startWorld();
  ws = seedWorkspace(world.emu, 'Cleartext', 1).ws;
  fabric = await startHostileProxy(world.emu.url, () => false, ext.bind);
  snowflake = await startHostileProxy(world.standIn.url, () => false, ext.bind);
});
afterAll(async () => {
  await fabric?.close();
  await snowflake?.close();
  await world?.close();
});

describe('plain http to a host that is not loopback', () => {
  it('is refused for the Fabric, Power BI and Snowflake URLs by convert, monitor and validate (exit 2), before any request', async () => {
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['FABRIC_API_URL', { FABRIC_API_URL: via(fabric) }, /fabric\.apiUrl: must use https:\/\//],
      ['POWERBI_API_URL', { POWERBI_API_URL: via(fabric) }, /fabric\.powerbiApiUrl: must use https:\/\//],
      ['SNOWFLAKE_ACCESS_URL', { SNOWFLAKE_ACCESS_URL: via(snowflake) }, /snowflake\.accessUrl: must use https:\/\//],
    ];
    const results: string[] = [];
    for (const [name, extra, issue] of cases) {
      const env = cliEnv(world, [ws], extra);
      for (const args of [['convert', '--auto'], ['monitor', '--once']]) {
        const r = await runCli(args, { cwd: workdir('cleartext'), env, timeoutMs: 60_000 });
        expect(r.code, `${name} ${args[0]}\n${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(issue);
        results.push(`${name} ${args[0]}→${r.code}`);
      }
      const v = await runCli(['validate', '--json'], { cwd: workdir('cleartext'), env, timeoutMs: 60_000 });
      expect(v.code, v.stdout).toBe(2);
      const config = JSON.parse(v.stdout).checks.find((c: { id: string }) => c.id === 'config');
      expect(config.status).toBe('fail');
      expect(config.details.join('\n')).toMatch(issue);
      results.push(`${name} validate→${v.code}`);
    }
    console.log(`clear-text endpoints refused: ${results.join(', ')}; requests that reached them ${fabric.requests.length + snowflake.requests.length}`);
    expect(fabric.requests).toEqual([]);
    expect(snowflake.requests).toEqual([]);
  }, 120_000);

  it('a URL with a user name and password is refused without printing them', async () => {
    const url = world.emu.url.replace('http://', 'https://fabric-user:UrlPa55-CANARY@');
    for (const args of [['convert', '--auto'], ['validate'], ['validate', '--json']]) {
      const r = await runCli(args, { cwd: workdir('userinfo'), env: cliEnv(world, [ws], { FABRIC_API_URL: url }), timeoutMs: 60_000 });
      expect(r.code).toBe(2);
      expect(r.stdout + r.stderr).toMatch(/fabric\.apiUrl: must not contain a user name or password/);
      expect(r.stdout + r.stderr).not.toContain('UrlPa55-CANARY');
      expect(r.stdout + r.stderr).not.toContain('fabric-user');
    }
  }, 60_000);
});
