// Issue 13 item 8: an API error body that echoes the bearer token. A proxy in front of the emulator
// answers three requests the way a careless service or gateway might — a getDefinition 400 quoting
// the Authorization header, a long-running operation that fails with the token in its message, a
// workspace listing 500 that repeats the token, a JWT and the Snowflake password — and convert and
// monitor run through it, human and --json (NDJSON for monitor), with --verbose. Not one of those
// values may appear in stdout, stderr or the state file; the errors themselves must still be shown.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Spawned: the subject is everything the process prints, libraries' writes included (tests/support/run-cli.ts).
import { runSpawnedCli as runCli } from '../support/run-cli.js';
import { FAST_CONFIG, SF_PASSWORD, cliEnv, seedWorkspace, startWorld, workdir, type World } from './harness.js';
import { startHostileProxy, type HostileProxy } from './hostile-proxy.js';

/** An opaque token (no JWT shape, no "Bearer" in front when echoed): only an exact scrub catches it. */
const TOKEN = 'ECHOCANARY-opaque-token-7f3e9c1d5a';
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJlY2hvIn0.c2lnbmF0dXJlLWVjaG8';

let world: World;
let proxy: HostileProxy;
let ws: string;
let ws2: string;
let first: string;
let second: string;

beforeAll(async () => {
  world = await startWorld({ acceptTokens: [TOKEN], lroPolls: 1, lroRetryAfter: 0 });
  const a = seedWorkspace(world.emu, 'Echo', 3);
  ws = a.ws;
  [first, second] = [...a.models.keys()] as [string, string];
  ws2 = seedWorkspace(world.emu, 'EchoList', 1).ws;
  proxy = await startHostileProxy(world.emu.url, (req, res) => {
    const auth = req.headers.authorization ?? '';
    const echo = `the header '${auth}' (token ${auth.replace(/^Bearer /, '')}) is not valid here; also seen: ${JWT}, password=${SF_PASSWORD}, ${SF_PASSWORD}`;
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return true;
    };
    const url = req.url ?? '';
    if (req.method === 'POST' && url.includes(`/semanticModels/${first}/getDefinition`)) {
      return send(400, { errorCode: 'EchoedTokenRequest', message: echo, requestId: 'rid-echo-1' });
    }
    if (req.method === 'POST' && url.includes(`/semanticModels/${second}/getDefinition`)) {
      res.writeHead(202, { location: `/v1/operations/op-echo-${second}`, 'x-ms-operation-id': `op-echo-${second}`, 'retry-after': '0' }).end();
      return true;
    }
    if (url.includes(`/operations/op-echo-${second}`)) {
      return send(200, { status: 'Failed', error: { errorCode: 'EchoedTokenOperation', message: echo, requestId: 'rid-echo-2' } });
    }
    if (req.method === 'GET' && url.includes(`/groups/${ws2}/datasets`)) {
      return send(500, { error: { code: 'EchoedTokenListing', message: echo } });
    }
    return false;
  });
});
afterAll(async () => {
  await proxy?.close();
  await world?.close();
});

const SECRETS = { token: TOKEN, jwt: JWT, snowflakePassword: SF_PASSWORD };

function leaks(text: string): string[] {
  return Object.entries(SECRETS).filter(([, v]) => text.includes(v) || text.includes(v.slice(4, 20))).map(([k]) => k);
}

describe('an error body that echoes the token', () => {
  it('is printed without the token, JWT or password by convert and monitor (human, --json, NDJSON, --verbose) and stored without them', async () => {
    const env = cliEnv(world, [ws, ws2], { FABRIC_ACCESS_TOKEN: TOKEN, FABRIC_API_URL: proxy.url, POWERBI_API_URL: proxy.url });
    const runs: Array<[string, string[]]> = [
      ['convert human', ['convert', '--auto', '--verbose']],
      ['convert --json', ['convert', '--auto', '--json', '--verbose']],
      ['monitor human', ['monitor', '--once', '--verbose']],
      ['monitor NDJSON', ['monitor', '--once', '--json', '--verbose']],
    ];
    const found: string[] = [];
    const codes: string[] = [];
    for (const [label, args] of runs) {
      const cwd = workdir('echo', FAST_CONFIG);
      const r = await runCli(args, { cwd, env, timeoutMs: 60_000 });
      codes.push(`${label}→${r.code}`);
      const state = readFileSync(path.join(cwd, 'sync_state.json'), 'utf8');
      const everything = `${r.stdout}\n${r.stderr}\n${state}`;
      for (const l of leaks(everything)) found.push(`${label}: ${l}`);
      // The errors are reported (so the absence of the token is not the absence of the message).
      for (const code of ['EchoedTokenRequest', 'EchoedTokenOperation', 'EchoedTokenListing']) expect(everything, `${label} reports ${code}`).toContain(code);
      expect(r.code, `${label}\n${r.stderr.slice(0, 2000)}`).toBe(1);
      if (args.includes('--json')) {
        // stdout stays exact JSON: one document (convert) or one object per line (monitor).
        if (label.startsWith('convert')) expect(() => JSON.parse(r.stdout)).not.toThrow();
        else for (const line of r.stdout.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
      }
    }
    // The proxy really sent the token back: each hostile answer carried it.
    expect(proxy.requests.filter((q) => q.authorization === `Bearer ${TOKEN}`).length).toBeGreaterThan(0);
    console.log(`token echo: ${runs.length} runs (${codes.join(', ')}), leaks ${found.length}`);
    expect(found).toEqual([]);
  }, 120_000);
});
