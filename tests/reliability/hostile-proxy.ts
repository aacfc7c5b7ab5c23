// A proxy in front of the Fabric emulator that lets a test answer chosen requests the way a hostile or
// broken server would (echo the bearer token in an error body, trickle a body one byte a second,
// send a body of hundreds of megabytes) while every other request reaches the emulator unchanged.
// It records each request's method, path and Authorization header, and how many bytes it sent back.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ProxiedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  /** Bytes of body written back for this request (hostile handlers count their own). */
  bytesSent: number;
}

/** Answers the request itself and returns true, or returns false to let the emulator answer. */
export type Hijack = (req: IncomingMessage, res: ServerResponse, record: ProxiedRequest) => boolean | Promise<boolean>;

export interface HostileProxy {
  url: string;
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

export async function startHostileProxy(target: string, hijack: Hijack, host = '127.0.0.1'): Promise<HostileProxy> {
  const sockets = new Set<Socket>();
  const requests: ProxiedRequest[] = [];
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const record: ProxiedRequest = { method: req.method ?? 'GET', path: new URL(req.url ?? '/', 'http://x').pathname, authorization: req.headers.authorization, bytesSent: 0 };
    requests.push(record);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        if (await hijack(req, res, record)) return;
        const body = Buffer.concat(chunks);
        const out = httpRequest(
          { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.on('data', (c: Buffer) => (record.bytesSent += c.length));
            up.pipe(res);
          },
        );
        out.on('error', () => res.destroy());
        out.end(body);
      })().catch(() => res.destroy());
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
