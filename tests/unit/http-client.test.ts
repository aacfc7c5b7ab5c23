// The HTTP seam against tiny real node:http servers (docs/architecture.md#conventions-in-the-code): retries, Retry-After in
// seconds and as a date, the per-host pause under concurrency, the time budget, give-up messages,
// timeouts, malformed bodies, paging and the Fabric LRO protocol. Clock and sleep are fakes: the
// tests never wait for a Retry-After for real.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient, HostPauses, type HttpClientOptions } from '../../src/core/http/index.js';
import { ApiError, InterruptedError, ThrottledError } from '../../src/core/errors.js';
import { realSleep, systemClock } from '../../src/core/context.js';
import type { Logger } from '../../src/core/context.js';

const TOKEN = 'tok-3f9a-not-for-logs';
const START = Date.UTC(2026, 10, 26, 21, 0, 0);

function fakeTime() {
  let t = START;
  const sleeps: number[] = [];
  return {
    clock: { now: () => t },
    sleeps,
    // Resolves on the next tick and moves time to when this sleep would have ended: concurrent
    // sleepers end at their own target, never earlier.
    sleep: async (ms: number) => {
      sleeps.push(ms);
      const target = t + ms;
      await new Promise((r) => setImmediate(r));
      t = Math.max(t, target);
    },
    advance: (ms: number) => (t += ms),
  };
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string, n: number) => void;
interface Seen { method: string; url: string; headers: IncomingMessage['headers']; body: string; at: number }

const servers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((c) => c()));
});

async function serve(clock: { now(): number }, handler: Handler) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body, at: clock.now() });
      handler(req, res, body, seen.length);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  servers.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return { url, seen };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

function recordingLogger() {
  const lines: Array<{ message: string; data?: Record<string, unknown> }> = [];
  const log = (message: string, data?: Record<string, unknown>) => lines.push({ message, ...(data ? { data } : {}) });
  const logger: Logger = { debug: log, info: log, warn: log, error: log };
  return { logger, lines };
}

function client(url: string, time: ReturnType<typeof fakeTime>, over: Partial<HttpClientOptions> = {}) {
  return createHttpClient({
    baseUrl: url,
    audience: 'fabric',
    tokens: { getToken: async () => TOKEN },
    clock: time.clock,
    sleep: time.sleep,
    logger: recordingLogger().logger,
    pauses: new HostPauses(),
    random: () => 0.5,
    ...over,
  });
}

async function failure(p: Promise<unknown>): Promise<ApiError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(ApiError);
  expect((e as ApiError).message).not.toContain(TOKEN);
  expect(JSON.stringify((e as ApiError).toJSON())).not.toContain(TOKEN);
  return e as ApiError;
}

describe('requests', () => {
  it('sends the bearer token, user agent and query, parses JSON, logs at debug level', async () => {
    const time = fakeTime();
    const s = await serve(time.clock, (_q, res) => json(res, 200, { value: [1] }, { RequestId: 'rid-1' }));
    const { logger, lines } = recordingLogger();
    const c = client(s.url, time, { logger, userAgent: 'fabric-sync/test' });
    const res = await c.request<{ value: number[] }>({ path: '/v1/things', query: { a: 'x y', skip: undefined, n: 3 } });
    expect(res.body).toEqual({ value: [1] });
    expect(res.requestId).toBe('rid-1');
    expect(s.seen[0]!.url).toBe('/v1/things?a=x+y&n=3');
    expect(s.seen[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(s.seen[0]!.headers['user-agent']).toBe('fabric-sync/test');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.data).toMatchObject({ method: 'GET', url: `${s.url}/v1/things?a=x+y&n=3`, status: 200, requestId: 'rid-1' });
    expect(typeof lines[0]!.data!.durationMs).toBe('number');
    expect(JSON.stringify(lines)).not.toContain(TOKEN);
  });

  it('sends a JSON body and accepts an explicit status list', async () => {
    const time = fakeTime();
    const s = await serve(time.clock, (_q, res) => json(res, 201, { id: 'd1' }));
    const res = await client(s.url, time).request<{ id: string }>({ method: 'POST', path: '/x', body: { name: 'A' }, expect: [201] });
    expect(res.body.id).toBe('d1');
    expect(JSON.parse(s.seen[0]!.body)).toEqual({ name: 'A' });
    expect(s.seen[0]!.headers['content-type']).toMatch(/application\/json/);
  });
});

describe('429 and Retry-After', () => {
  it('waits Retry-After seconds, then succeeds', async () => {
    const time = fakeTime();
    const s = await serve(time.clock, (_q, res, _b, n) => (n === 1 ? json(res, 429, { errorCode: 'RequestBlocked' }, { 'Retry-After': '2' }) : json(res, 200, { ok: true })));
    const res = await client(s.url, time).request<{ ok: boolean }>({ path: '/v1/a' });
    expect(res.body.ok).toBe(true);
    expect(time.sleeps).toEqual([2000]);
    expect(s.seen[1]!.at - s.seen[0]!.at).toBe(2000);
  });

  it('waits until an HTTP-date Retry-After', async () => {
    const time = fakeTime();
    const when = new Date(START + 90_000).toUTCString();
    const s = await serve(time.clock, (_q, res, _b, n) => (n === 1 ? json(res, 429, {}, { 'Retry-After': when }) : json(res, 200, {})));
    await client(s.url, time).request({ path: '/v1/a' });
    expect(time.sleeps).toEqual([90_000]);
  });

  it('pauses the whole host: a burst of 10 and another client wait once, nothing is sent during the pause', async () => {
    const time = fakeTime();
    let pauseEnd = 0;
    const held: ServerResponse[] = [];
    const s = await serve(time.clock, (_q, res) => {
      // The whole burst is in flight before the first answer: all ten get the 429.
      if (pauseEnd === 0) {
        held.push(res);
        if (held.length === 10) {
          pauseEnd = time.clock.now() + 2000;
          for (const r of held) json(r, 429, { errorCode: 'TooManyRequests' }, { 'Retry-After': '2' });
        }
      } else if (time.clock.now() < pauseEnd) json(res, 429, { errorCode: 'TooManyRequests' }, { 'Retry-After': '2' });
      else json(res, 200, { ok: true });
    });
    const pauses = new HostPauses();
    const a = client(s.url, time, { pauses });
    const b = client(s.url, time, { pauses });
    const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => a.request<{ ok: boolean }>({ path: `/v1/r${i}` })));
    expect(burst.every((r) => r.body.ok)).toBe(true);
    const first429 = s.seen[9]!.at;
    const during = s.seen.filter((r) => r.at > first429 && r.at < pauseEnd);
    expect(during).toHaveLength(0);
    expect(s.seen).toHaveLength(20); // 10 refused in the burst, 10 after the single pause
    expect(s.seen.slice(10).every((r) => r.at === pauseEnd)).toBe(true);
    // The pause is over: the other client goes straight through.
    await b.request({ path: '/v1/other' });
    expect(s.seen).toHaveLength(21);
  });

  it('a second client on the same host waits for a pause it did not cause', async () => {
    const time = fakeTime();
    const s = await serve(time.clock, (q, res) => (q.url === '/v1/hot' && s.seen.length === 1 ? json(res, 429, {}, { 'Retry-After': '30' }) : json(res, 200, {})));
    const pauses = new HostPauses();
    // a's Retry-After sleep is held until b is done, so only b's own wait can move the clock past the pause.
    const held: Array<() => void> = [];
    const aSleeps: number[] = [];
    const a = client(s.url, { ...time, sleep: (ms: number) => (aSleeps.push(ms), new Promise<void>((r) => held.push(r))) }, { pauses });
    const b = client(s.url, time, { pauses });
    const hot = a.request({ path: '/v1/hot' });
    // Let the 429 arrive (a fixed 50 ms was too short on a loaded machine): a starts its Retry-After sleep.
    for (let i = 0; aSleeps.length === 0 && i < 1000; i++) await new Promise((r) => setTimeout(r, 5));
    expect(aSleeps).toEqual([30_000]);
    await b.request({ path: '/v1/cold' });
    expect(time.sleeps).toEqual([30_000]); // b slept out a's pause
    const cold = s.seen.find((r) => r.url === '/v1/cold')!;
    expect(cold.at - s.seen[0]!.at).toBeGreaterThanOrEqual(30_000);
    held.splice(0).forEach((release) => release());
    await hot;
    expect(s.seen.map((r) => r.url)).toEqual(['/v1/hot', '/v1/cold', '/v1/hot']);
  });

  it('a Retry-After past the time budget fails at once with ThrottledError "until HH:MM", and so does the next call', async () => {
    const time = fakeTime();
    const s = await serve(time.clock, (_q, res) => json(res, 429, { message: 'Retry in 3600 seconds.' }, { 'Retry-After': '3600', RequestId: 'rid-429' }));
    const c = client(s.url, time, { budgetMs: 15 * 60_000 });
    const e = await failure(c.request({ path: '/v1.0/myorg/admin/workspaces/modified' }));
    expect(e).toBeInstanceOf(ThrottledError);
    expect(e.message).toMatch(/^Throttled by 127\.0\.0\.1 until 22:00 UTC \(Retry-After 3600 s\)/);
    expect((e as ThrottledError).until).toBe(START + 3600_000);
    expect(e.status).toBe(429);
    expect(e.hint).toMatch(/22:00/);
    expect(time.sleeps).toEqual([]);
    const again = await failure(c.request({ path: '/v1/other' }));
    expect(again).toBeInstanceOf(ThrottledError);
    expect(s.seen).toHaveLength(1); // the paused host was not asked again
  });

  it('a 429 of an API with its own quota pauses only that scope; a host-wide pause still holds scoped requests', async () => {
    const time = fakeTime();
    const s = await serve(time.clock, (q, res) => {
      if (q.url === '/admin/modified') return json(res, 429, {}, { 'Retry-After': '3000' });
      if (q.url === '/hot' && s.seen.filter((r) => r.url === '/hot').length === 1) return json(res, 429, {}, { 'Retry-After': '5' });
      json(res, 200, {});
    });
    const c = client(s.url, time);
    const e = await failure(c.request({ path: '/admin/modified', pauseScope: 'modifiedWorkspaces' }));
    expect(e).toBeInstanceOf(ThrottledError);
    await c.request({ path: '/list' }); // the rest of the host is not paused
    expect(time.sleeps).toEqual([]);
    await failure(c.request({ path: '/admin/modified', pauseScope: 'modifiedWorkspaces' }));
    expect(s.seen.filter((r) => r.url === '/admin/modified')).toHaveLength(1); // failed fast, not asked again
    await c.request({ path: '/hot' }); // host-wide 429 → 5 s pause
    await c.request({ path: '/scoped', pauseScope: 'other' });
    expect(time.sleeps).toEqual([5000]);
  });

  it('keeps honouring 429s beyond maxRetries (the time budget bounds them), then succeeds', async () => {
    const time = fakeTime();
    let n = 0;
    const s = await serve(time.clock, (_q, res) => (++n <= 6 ? json(res, 429, {}, { 'Retry-After': '1', RequestId: 'rid-x' }) : json(res, 200, { ok: true })));
    const r = await client(s.url, time, { maxRetries: 2 }).request<{ ok: boolean }>({ path: '/v1/a' });
    expect(r.body.ok).toBe(true);
    expect(s.seen).toHaveLength(7);
  });

  it('gives up on endless 429s once the budget is spent, with the request id', async () => {
    const time = fakeTime();
    const s = await serve(time.clock, (_q, res) => json(res, 429, {}, { 'Retry-After': '30', RequestId: 'rid-x' }));
    const e = await failure(client(s.url, time, { maxRetries: 2, budgetMs: 100_000 }).request({ path: '/v1/a' }));
    expect(s.seen.length).toBeGreaterThanOrEqual(3);
    expect(s.seen.length).toBeLessThanOrEqual(5);
    expect(e.status).toBe(429);
    expect(e.message).toMatch(/until/);
  });
});

describe('5xx, network errors, timeouts', () => {
  it('retries 5xx with capped exponential backoff and jitter, then gives up with the request id', async () => {
    const time = fakeTime();
    const s = await serve(time.clock, (_q, res) => json(res, 503, { errorCode: 'ServiceUnavailable', message: 'busy', isRetriable: true }, { RequestId: 'rid-503' }));
    let r = 0;
    const randoms = [0, 0.999, 0.5, 0];
    const c = client(s.url, time, { maxRetries: 4, backoff: { baseMs: 1000, maxMs: 5000 }, random: () => randoms[r++]! });
    const e = await failure(c.request({ path: '/v1/a' }));
    expect(s.seen).toHaveLength(5);
    // base·2^n capped at 5 s, times a jitter factor in [0.5, 1)
    expect(time.sleeps).toEqual([500, 1999, 3000, 2500]);
    expect(e.status).toBe(503);
    expect(e.errorCode).toBe('ServiceUnavailable');
    expect(e.isRetriable).toBe(true);
    expect(e.requestId).toBe('rid-503');
    expect(e.message).toMatch(/HTTP 503 ServiceUnavailable after 5 attempts: busy \(request id rid-503\)/);
  });

  it('a 500 then 200 succeeds', async () => {
    const time = fakeTime();
    const s = await serve(time.clock, (_q, res, _b, n) => (n === 1 ? json(res, 500, {}) : json(res, 200, { ok: 1 })));
    expect((await client(s.url, time).request<{ ok: number }>({ path: '/' })).body.ok).toBe(1);
  });

  it('does not repeat a POST after a 500 unless it is declared idempotent', async () => {
    const time = fakeTime();
    const s = await serve(time.clock, (_q, res, _b, n) => (n <= 2 ? json(res, 500, {}) : json(res, 200, {})));
    await failure(client(s.url, time).request({ method: 'POST', path: '/create', body: {} }));
    expect(s.seen).toHaveLength(1);
    await client(s.url, time).request({ method: 'POST', path: '/query', body: {}, idempotent: true });
    expect(s.seen).toHaveLength(3);
  });

  it('repeats even a POST when the connection was refused (nothing was sent), then names the cause', async () => {
    const time = fakeTime();
    const e = await failure(client('http://127.0.0.1:1', time, { maxRetries: 2 }).request({ method: 'POST', path: '/create', body: {} }));
    expect(e.message).toMatch(/POST http:\/\/127\.0\.0\.1:1\/create failed: network error ECONNREFUSED \(3 attempts\)/);
    expect(time.sleeps).toHaveLength(2);
    expect(e.hint).toMatch(/network path/);
  });

  it('retries a dropped connection', async () => {
    const time = fakeTime();
    const s = await serve(time.clock, (q, res, _b, n) => (n === 1 ? q.socket.destroy() : json(res, 200, { ok: true })));
    expect((await client(s.url, time).request<{ ok: boolean }>({ path: '/' })).body.ok).toBe(true);
    expect(s.seen).toHaveLength(2);
  });

  it('times out a request that never answers, retries, then fails with "timed out"', async () => {
    const time = fakeTime();
    const s = await serve(time.clock, () => {});
    const started = Date.now();
    const e = await failure(client(s.url, time, { timeoutMs: 150, maxRetries: 1 }).request({ path: '/v1/slow' }));
    expect(e.message).toMatch(/GET .*\/v1\/slow failed: no answer within 0\.2 s \(timed out\) \(2 attempts\)/);
    expect(e.status).toBe(0);
    expect(s.seen).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a malformed JSON body is an ApiError "invalid JSON from …"', async () => {
    const time = fakeTime();
    const s = await serve(time.clock, (_q, res) => json(res, 200, '{"value": [1, 2', { RequestId: 'rid-m' }));
    const e = await failure(client(s.url, time).request({ path: '/v1/list' }));
    expect(e.message).toMatch(/invalid JSON from GET http:\/\/127\.0\.0\.1:\d+\/v1\/list \(HTTP 200, 15 bytes\) \(request id rid-m\)/);
  });
});

describe('error bodies', () => {
  it('reads a Fabric ErrorResponse', async () => {
    const time = fakeTime();
    const s = await serve(time.clock, (_q, res) =>
      json(res, 404, { errorCode: 'ItemNotFound', message: 'The requested item was not found', requestId: 'f-rid', isRetriable: false }),
    );
    const e = await failure(client(s.url, time).request({ path: '/v1/workspaces/w/semanticModels/m' }));
    expect(e).toMatchObject({ status: 404, errorCode: 'ItemNotFound', requestId: 'f-rid', isRetriable: false, method: 'GET' });
    expect(e.url).toBe(`${s.url}/v1/workspaces/w/semanticModels/m`);
    expect(e.hint).toMatch(/workspace and model ids/);
    expect(e.exitCode).toBe(1);
  });

  it('reads a Power BI error with a nested pbi.error, and the RequestId header', async () => {
    const time = fakeTime();
    const s = await serve(time.clock, (_q, res) =>
      json(res, 400, { error: { 'pbi.error': { code: 'DatasetExecuteQueriesError', details: [{ code: 'DetailsMessage', detail: { type: 1, value: 'Failed to execute the DAX query.' } }] } } }, { RequestId: 'p-rid' }),
    );
    const e = await failure(client(s.url, time).request({ method: 'POST', path: '/v1.0/myorg/groups/g/datasets/d/executeQueries', body: {} }));
    expect(e).toMatchObject({ status: 400, errorCode: 'DatasetExecuteQueriesError', requestId: 'p-rid' });
    expect(e.message).toMatch(/Failed to execute the DAX query/);
    expect(e.hint).toMatch(/Dataset Execute Queries REST API/);
  });

  it.each([
    [401, /Service principals can call Fabric public APIs/],
    [403, /Contributor or higher/],
  ])('%i gives exit code 3 and a tenant-setting / role hint', async (status, hint) => {
    const time = fakeTime();
    const s = await serve(time.clock, (_q, res) => json(res, status, { error: { code: 'PowerBINotAuthorizedException2' } }));
    const e = await failure(client(s.url, time).request({ path: '/v1.0/myorg/groups' }));
    expect(e.exitCode).toBe(3);
    expect(e.hint).toMatch(hint);
  });
});

describe('paging', () => {
  it('follows continuationUri across pages until it is absent', async () => {
    const time = fakeTime();
    const s = await serve(time.clock, (q, res) => {
      const u = new URL(q.url!, 'http://x');
      const page = Number(u.searchParams.get('continuationToken') ?? 0);
      const body: Record<string, unknown> = { value: [`item${page * 2}`, `item${page * 2 + 1}`] };
      if (page < 3) {
        body.continuationToken = String(page + 1);
        body.continuationUri = `${s.url}/v1/workspaces/w/items?type=SemanticModel&continuationToken=${page + 1}`;
      }
      json(res, 200, body);
    });
    const items: string[] = [];
    for await (const it of client(s.url, time).paginate<string>('/v1/workspaces/w/items', { query: { type: 'SemanticModel' } })) items.push(it);
    expect(items).toEqual(['item0', 'item1', 'item2', 'item3', 'item4', 'item5', 'item6', 'item7']);
    expect(s.seen.map((r) => r.url)).toEqual([
      '/v1/workspaces/w/items?type=SemanticModel',
      '/v1/workspaces/w/items?type=SemanticModel&continuationToken=1',
      '/v1/workspaces/w/items?type=SemanticModel&continuationToken=2',
      '/v1/workspaces/w/items?type=SemanticModel&continuationToken=3',
    ]);
  });

  it('uses continuationToken when there is no URI, or when the URI is on another host', async () => {
    const time = fakeTime();
    const s = await serve(time.clock, (q, res) => {
      const tok = new URL(q.url!, 'http://x').searchParams.get('continuationToken');
      if (!tok) json(res, 200, { value: [1], continuationToken: 'a' });
      else if (tok === 'a') json(res, 200, { value: [2], continuationToken: 'b', continuationUri: 'https://elsewhere.example/v1/x?continuationToken=b' });
      else json(res, 200, { value: [3] });
    });
    const items: number[] = [];
    for await (const it of client(s.url, time).paginate<number>('/v1/x')) items.push(it);
    expect(items).toEqual([1, 2, 3]);
    expect(s.seen).toHaveLength(3);
  });
});

describe('long-running operations', () => {
  async function lroServer(time: ReturnType<typeof fakeTime>, outcome: 'Succeeded' | 'Failed', runningPolls: number) {
    let polls = 0;
    const holder: { url: string } = { url: '' };
    const s = await serve(time.clock, (q, res) => {
      // Spec examples give Location without /v1: it must be followed verbatim.
      if (q.method === 'POST') return json(res, 202, '', { Location: `${holder.url}/operations/op-1`, 'x-ms-operation-id': 'op-1', 'Retry-After': '5' });
      if (q.url === '/operations/op-1') {
        polls++;
        if (polls <= runningPolls) return json(res, 200, { status: 'Running', percentComplete: polls * 20 }, { 'Retry-After': '3' });
        if (outcome === 'Failed') {
          return json(res, 200, { status: 'Failed', error: { errorCode: 'OperationNotSupportedForItem', message: 'Encrypted label', requestId: 'op-rid' } });
        }
        return json(res, 200, { status: 'Succeeded', percentComplete: 100 }, { Location: `${holder.url}/operations/op-1/result` });
      }
      if (q.url === '/operations/op-1/result') return json(res, 200, { definition: { parts: [] } });
      json(res, 404, { errorCode: 'NotFound' });
    });
    holder.url = s.url;
    return s;
  }

  it('polls through several Running states, honouring Retry-After, then fetches the result', async () => {
    const time = fakeTime();
    let polls = 0;
    const s = await serve(time.clock, (q, res) => {
      if (q.method === 'POST') return json(res, 202, '', { Location: `${s.url}/operations/op-1`, 'x-ms-operation-id': 'op-1', 'Retry-After': '5' });
      if (q.url === '/operations/op-1') {
        polls++;
        if (polls <= 3) return json(res, 200, { status: 'Running', percentComplete: polls * 20 }, { 'Retry-After': '3' });
        return json(res, 200, { status: 'Succeeded', percentComplete: 100 }, { Location: `${s.url}/operations/op-1/result` });
      }
      if (q.url === '/operations/op-1/result') return json(res, 200, { definition: { parts: [] } });
      json(res, 404, {});
    });
    const c = client(s.url, time);
    const started = await c.request({ method: 'POST', path: '/v1/workspaces/w/semanticModels/m/getDefinition', query: { format: 'TMSL' }, idempotent: true });
    expect(started.status).toBe(202);
    const result = await c.runLro<{ definition: { parts: unknown[] } }>(started);
    expect(result).toEqual({ definition: { parts: [] } });
    expect(time.sleeps).toEqual([5000, 3000, 3000, 3000]);
    expect(s.seen.map((r) => r.url)).toEqual([
      '/v1/workspaces/w/semanticModels/m/getDefinition?format=TMSL',
      '/operations/op-1', '/operations/op-1', '/operations/op-1', '/operations/op-1',
      '/operations/op-1/result',
    ]);
  });

  it('a Failed operation becomes an ApiError carrying the operation error code', async () => {
    const time = fakeTime();
    const s = await lroServer(time, 'Failed', 2);
    const c = client(s.url, time);
    const started = await c.request({ method: 'POST', path: '/v1/workspaces/w/semanticModels/m/getDefinition', idempotent: true });
    const e = await failure(c.runLro(started));
    expect(e.errorCode).toBe('OperationNotSupportedForItem');
    expect(e.requestId).toBe('op-rid');
    expect(e.message).toMatch(/operation op-1 ended OperationNotSupportedForItem: Encrypted label/);
    expect(e.hint).toMatch(/cannot read its definition/);
  });

  it('builds /v1/operations/{id} from the id when there is no Location, and passes a 200 straight through', async () => {
    const time = fakeTime();
    const s = await serve(time.clock, (q, res) => {
      if (q.url === '/start') return json(res, 202, '', { 'x-ms-operation-id': 'op-9' });
      if (q.url === '/now') return json(res, 200, { done: true });
      if (q.url === '/v1/operations/op-9') return json(res, 200, { status: 'Succeeded' });
      if (q.url === '/v1/operations/op-9/result') return json(res, 200, { ok: 9 });
      json(res, 404, {});
    });
    const c = client(s.url, time);
    expect(await c.runLro(await c.request({ method: 'POST', path: '/now', idempotent: true }))).toEqual({ done: true });
    expect(await c.runLro(await c.request({ method: 'POST', path: '/start', idempotent: true }))).toEqual({ ok: 9 });
    expect(time.sleeps).toEqual([2000]);
  });

  it('stops polling when the operation outlives the budget', async () => {
    const time = fakeTime();
    const s = await serve(time.clock, (q, res) => {
      if (q.method === 'POST') return json(res, 202, '', { 'x-ms-operation-id': 'op-2', 'Retry-After': '60' });
      json(res, 200, { status: 'Running' }, { 'Retry-After': '60' });
    });
    const c = client(s.url, time, { budgetMs: 5 * 60_000 });
    const e = await failure(c.runLro(await c.request({ method: 'POST', path: '/start', idempotent: true })));
    expect(e.errorCode).toBe('OperationTimedOut');
    expect(s.seen.length).toBeLessThanOrEqual(6);
  });
});

describe('interruption', () => {
  it('ends a long Retry-After pause at once with InterruptedError', async () => {
    const time = fakeTime();
    const s = await serve(time.clock, (_q, res) => json(res, 429, {}, { 'Retry-After': '600' }));
    const controller = new AbortController();
    const c = client(s.url, time, { clock: systemClock, sleep: realSleep, signal: controller.signal });
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('SIGINT')), 100);
    const e = await c.request({ path: '/v1/a' }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(InterruptedError);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('aborts a request in flight', async () => {
    const time = fakeTime();
    const s = await serve(time.clock, () => {});
    const controller = new AbortController();
    const c = client(s.url, time, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('SIGTERM')), 100);
    const e = await c.request({ path: '/v1/slow' }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(InterruptedError);
    expect(s.seen).toHaveLength(1);
  });
});
