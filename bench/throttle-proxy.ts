// A throttling front for the Fabric emulator (benchmark 5): answers a fixed share of requests with
// 429 + Retry-After before they reach the emulator, forwards the rest unchanged. The share is
// deterministic (every request whose arrival number falls on the pattern), so runs are comparable.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ThrottleProxy {
  url: string;
  /** Requests received, 429s sent, and requests that arrived while a Retry-After window was open (after a short in-flight grace). */
  stats: { requests: number; throttled: number; duringPause: number };
  /** 0 … 1: share of requests answered 429 from now on. */
  setShare(share: number): void;
  close(): Promise<void>;
}

const IN_FLIGHT_GRACE_MS = 25;

export async function startThrottleProxy(target: string, options: { retryAfterSeconds: number }): Promise<ThrottleProxy> {
  const upstream = new URL(target);
  let share = 0;
  let pauseUntil = 0;
  let pauseFrom = 0;
  const stats = { requests: 0, throttled: 0, duringPause: 0 };
  const sockets = new Set<Socket>();

  const throttle = (n: number) => share > 0 && Math.floor(n * share) !== Math.floor((n - 1) * share);

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    stats.requests += 1;
    const n = stats.requests;
    const now = Date.now();
    // Requests already in flight when the 429 went out arrive within a few ms: not counted.
    if (now >= pauseFrom && now < pauseUntil) stats.duringPause += 1;
    if (throttle(n)) {
      stats.throttled += 1;
      if (now >= pauseUntil) pauseFrom = now + IN_FLIGHT_GRACE_MS;
      pauseUntil = Math.max(pauseUntil, now + options.retryAfterSeconds * 1000);
      req.resume();
      const fabric = (req.url ?? '').startsWith('/v1/');
      const body = JSON.stringify(fabric
        ? { errorCode: 'RequestBlocked', message: 'Request is blocked by the upstream service until the Retry-After time', requestId: `bench-${n}`, isRetriable: true }
        : { error: { code: 'TooManyRequests', message: 'Rate limit exceeded' } });
      res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': String(options.retryAfterSeconds), 'Content-Length': String(Buffer.byteLength(body)) }).end(body);
      return;
    }
    const fwd = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    fwd.on('error', () => res.destroy());
    req.pipe(fwd);
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    setShare(s) { share = s; },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
