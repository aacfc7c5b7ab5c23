// Local Fabric + Power BI REST emulator (docs/architecture.md "Stand-ins", issue 3 item 4): one
// node:http server on 127.0.0.1 serving both surfaces, with state, bearer check, paging, getDefinition
// 200/LRO, push datasets with the documented validation, executeQueries, the admin scanner with its
// quotas, and fault injection. Every answer is checked against the project's API contracts
// (../contracts), which a conformance test holds to Microsoft's Swagger when it is available.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { validateContractResponse } from '../contracts/index.js';
import { adminRoutes } from './admin-routes.js';
import { fabricRoutes } from './fabric-routes.js';
import { formatOfParts, loadModelFromPath } from './models.js';
import { powerbiRoutes } from './powerbi-routes.js';
import { compile, match, type RouteContext } from './router.js';
import { EmulatorHttpError, EmulatorState, type Request, type Response, type SurfaceName } from './state.js';

export interface FaultRule {
  method?: string;
  path: string | RegExp;
  kind: '429' | '500' | '503' | '401' | '403' | 'reset' | 'malformed' | 'truncated' | 'latency' | 'hang' | 'lroFailed' | 'body';
  times?: number;
  /** `body`: answer with this status (default 200) and this JSON value (`null`, `{}`, `[]` …) instead of the real answer. */
  status?: number;
  body?: unknown;
  retryAfter?: number | string;
  latencyMs?: number;
  fabricStyle?: boolean;
}

export interface EmulatorOptions {
  acceptTokens?: string[];
  pageSize?: number;
  lroPolls?: number;
  lroRetryAfter?: number;
  latencyMs?: number;
  validateResponses?: boolean;
  /**
   * Answers `EVALUATE INFO.VIEW.TABLES()` (…COLUMNS/MEASURES/RELATIONSHIPS) through executeQueries:
   * return `{ TABLES: rows[], COLUMNS: rows[], … }` (keys case-insensitive, rows as the service
   * shapes them, e.g. `{"[Name]": "Sales"}`). Without it every DAX query answers 400.
   */
  describeModel?: (parts: { path: string; text: string }[]) => unknown;
  /** Clock in ms (default Date.now); share the client's fake clock so pauses and quotas line up. */
  now?: () => number;
  /** Tokens allowed on the admin scanner APIs (others get 401); all accepted tokens when omitted. */
  adminTokens?: string[];
  /** Listening port (default 0 = any free port); the standalone CLI uses a fixed one. */
  port?: number;
  /**
   * How long after a change a workspace appears in `admin/workspaces/modified` (default 0). The
   * documentation asks for a `modifiedSince` at least 30 minutes back "to allow workspace changes to
   * take effect": a change may surface that late.
   */
  modifiedLagMs?: number;
}

export interface PushDatasetView { id: string; name: string; workspaceId: string; tables: any[]; relationships: any[]; createdAt: number; }

export interface FabricEmulator {
  url: string;
  /** `members`: tokens with access (all when omitted); `viewers`: tokens with the Viewer role only. */
  addWorkspace(ws: { id?: string; name: string; members?: string[]; viewers?: string[] }): string;
  addModel(workspaceId: string, m: { id?: string; name: string; path: string } | { id?: string; name: string; parts: { path: string; text: string }[] }): string;
  updateModelPart(modelId: string, partPath: string, edit: (text: string) => string): void;
  removeModel(modelId: string): void;
  pushDatasets(workspaceId?: string): PushDatasetView[];
  fault(rule: FaultRule): void;
  clearFaults(): void;
  stats: { requests: number; writes: number; byRoute: Record<string, number>; requestsDuringPause: number; maxConcurrent: number };
  requestLog: Array<{ method: string; path: string; status: number; at: number; token?: string }>;
  violations: string[];
  resetStats(): void;
  close(): Promise<void>;
}

const routes = compile([...powerbiRoutes, ...adminRoutes, ...fabricRoutes]);

function surfaceOf(path: string): SurfaceName {
  return path.startsWith('/v1/') ? 'fabric' : 'powerbi';
}

function errorBody(surface: SurfaceName, err: EmulatorHttpError, requestId: string): unknown {
  if (err.body !== undefined) return err.body;
  return surface === 'fabric'
    ? { errorCode: err.code, message: err.message, requestId, isRetriable: err.status === 429 || err.status >= 500 }
    : { error: { code: err.code, message: err.message } };
}

const FAULT_ERRORS: Record<string, [number, string, string]> = {
  429: [429, 'RequestBlocked', 'Request is blocked by the upstream service until the Retry-After time'],
  500: [500, 'InternalServerError', 'An internal error occurred'],
  503: [503, 'ServiceUnavailable', 'The service is temporarily unavailable'],
  401: [401, 'TokenExpired', 'Access token has expired, resubmit with a new access token'],
  403: [403, 'InsufficientPrivileges', 'The caller does not have sufficient permissions'],
};

function retryAfterMs(value: number | string, now: number): number {
  if (typeof value === 'number') return value * 1000;
  const n = Number(value);
  return Number.isFinite(n) ? n * 1000 : Math.max(0, Date.parse(value) - now);
}

export async function startFabricEmulator(options: EmulatorOptions = {}): Promise<FabricEmulator> {
  const now = options.now ?? (() => Date.now());
  const state = new EmulatorState(now);
  const faults: Array<FaultRule & { left: number }> = [];
  const sockets = new Set<Socket>();
  let pauseUntil = 0;
  let inFlight = 0;
  const validate = options.validateResponses ?? true;

  const stats = { requests: 0, writes: 0, byRoute: {} as Record<string, number>, requestsDuringPause: 0, maxConcurrent: 0 };
  const requestLog: FabricEmulator['requestLog'] = [];
  const violations: string[] = [];

  function takeFault(method: string, path: string, kinds?: FaultRule['kind'][]): (FaultRule & { left: number }) | undefined {
    const rule = faults.find((f) => f.left > 0 && (!f.method || f.method.toUpperCase() === method)
      && (typeof f.path === 'string' ? path.includes(f.path) : f.path.test(path))
      && (kinds ? kinds.includes(f.kind) : f.kind !== 'lroFailed'));
    if (rule) rule.left -= 1;
    return rule;
  }

  const ctx: RouteContext = {
    state, url: '', pageSize: options.pageSize ?? 100, lroPolls: options.lroPolls ?? 0, lroRetryAfter: options.lroRetryAfter ?? 1,
    takeLroFailure: (req) => takeFault(req.method, req.path, ['lroFailed']) !== undefined,
    ...(options.describeModel ? { describeModel: options.describeModel } : {}),
    ...(options.adminTokens ? { adminTokens: options.adminTokens } : {}),
    ...(options.modifiedLagMs ? { modifiedLagMs: options.modifiedLagMs } : {}),
  };

  function send(res: ServerResponse, req: Request, r: Response): void {
    const text = r.body === undefined ? '' : JSON.stringify(r.body);
    const headers: Record<string, string> = { RequestId: req.requestId, 'x-ms-request-id': req.requestId, ...r.headers };
    if (text) headers['Content-Type'] = 'application/json; charset=utf-8';
    headers['Content-Length'] = String(Buffer.byteLength(text));
    res.writeHead(r.status, headers).end(text);
  }

  async function handle(raw: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of raw) chunks.push(c as Buffer);
    const u = new URL(raw.url ?? '/', 'http://127.0.0.1');
    const method = (raw.method ?? 'GET').toUpperCase();
    const rawBody = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try { body = rawBody ? JSON.parse(rawBody) : undefined; } catch { body = undefined; }
    const auth = raw.headers.authorization ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
    const req: Request = { method, path: u.pathname, query: u.searchParams, body, rawBody, params: {}, requestId: randomUUID(), ...(bearer ? { token: bearer } : {}) };
    const surface = surfaceOf(req.path);
    const found = match(routes, method, req.path);
    const routeKey = found ? `${method} ${found.route.template}` : `${method} ${req.path}`;
    stats.byRoute[routeKey] = (stats.byRoute[routeKey] ?? 0) + 1;

    const finish = (r: Response, check = true): void => {
      requestLog.push({ method, path: req.path, status: r.status, at: now(), ...(req.token ? { token: req.token } : {}) });
      if (found?.route.write && r.status < 300) stats.writes += 1;
      if (validate && check && found) {
        for (const problem of validateContractResponse(method, found.route.template, r.status, r.body)) {
          violations.push(`${method} ${req.path} → ${r.status}: ${problem}`);
        }
      }
      send(res, req, r);
    };

    const delay = (options.latencyMs ?? 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const fault = takeFault(method, req.path);
    if (fault) {
      const fabricStyle = fault.fabricStyle ?? surface === 'fabric';
      switch (fault.kind) {
        case 'latency':
          await new Promise((r) => setTimeout(r, fault.latencyMs ?? 1000));
          break;
        case 'hang':
          requestLog.push({ method, path: req.path, status: 0, at: now() });
          return; // never answered; close() drops the socket
        case 'reset':
          requestLog.push({ method, path: req.path, status: 0, at: now() });
          raw.socket.destroy();
          return;
        case 'malformed':
          requestLog.push({ method, path: req.path, status: 200, at: now() });
          res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', RequestId: req.requestId }).end('{"value": [{"id": "');
          return;
        case 'body': {
          // A well-formed answer of the wrong shape (a proxy's `{}`, a `null`): not checked against the spec on purpose.
          const text = JSON.stringify(fault.body ?? null);
          requestLog.push({ method, path: req.path, status: fault.status ?? 200, at: now(), ...(req.token ? { token: req.token } : {}) });
          res.writeHead(fault.status ?? 200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), RequestId: req.requestId }).end(text);
          return;
        }
        case 'truncated': {
          const full = JSON.stringify({ value: [{ id: randomUUID(), name: 'x'.repeat(200) }] });
          requestLog.push({ method, path: req.path, status: 200, at: now() });
          res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(full.length), RequestId: req.requestId });
          res.write(full.slice(0, Math.floor(full.length / 2)), () => raw.socket.destroy());
          return;
        }
        default: {
          const [status, code, message] = FAULT_ERRORS[fault.kind]!;
          const headers: Record<string, string> = {};
          if (fault.retryAfter !== undefined && (status === 429 || status === 503)) {
            headers['Retry-After'] = String(fault.retryAfter);
            if (status === 429) pauseUntil = Math.max(pauseUntil, now() + retryAfterMs(fault.retryAfter, now()));
          }
          const err = new EmulatorHttpError(status, code, message, headers);
          finish({ status, headers, body: errorBody(fabricStyle ? 'fabric' : 'powerbi', err, req.requestId) }, fabricStyle === (surface === 'fabric'));
          return;
        }
      }
    }
    try {
      if (!req.token) throw new EmulatorHttpError(401, 'Unauthorized', 'Authentication is required: send a bearer token', { 'WWW-Authenticate': 'Bearer' });
      if (options.acceptTokens && !options.acceptTokens.includes(req.token)) {
        throw new EmulatorHttpError(401, 'TokenExpired', 'Access token has expired or is not valid, resubmit with a new access token', { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
      }
      if (!found) throw new EmulatorHttpError(404, surface === 'fabric' ? 'EntityNotFound' : 'NotFound', `No route for ${method} ${req.path}`);
      req.params = found.params;
      finish(found.route.handler(req, ctx));
    } catch (e) {
      if (!(e instanceof EmulatorHttpError)) throw e;
      // Power BI answers workspace-permission failures with its own code (docs/fabric-rest.md, "Errors").
      const code = surface === 'powerbi' && e.code === 'InsufficientPrivileges' ? 'PowerBINotAuthorizedException' : e.code;
      const err = new EmulatorHttpError(e.status, code, e.message, e.headers, e.body);
      finish({ status: e.status, headers: e.headers, body: errorBody(surface, err, req.requestId) });
    }
  }

  const server = createServer((raw, res) => {
    stats.requests += 1;
    if (now() < pauseUntil) stats.requestsDuringPause += 1;
    inFlight += 1;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, inFlight);
    res.on('close', () => { inFlight -= 1; });
    handle(raw, res).catch((e: unknown) => {
      violations.push(`internal emulator error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { code: 'EmulatorBug', message: String(e) } }));
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ctx.url = url;

  const emulator: FabricEmulator = {
    url,
    addWorkspace(ws) {
      const id = (ws.id ?? state.newId()).toLowerCase();
      state.workspaces.set(id, {
        id, name: ws.name, createdAt: now(), modifiedAt: now(),
        ...(ws.members ? { members: ws.members } : {}), ...(ws.viewers ? { viewers: ws.viewers } : {}),
      });
      return id;
    },
    addModel(workspaceId, m) {
      const wsId = workspaceId.toLowerCase();
      if (!state.workspaces.has(wsId)) throw new Error(`fabric emulator: unknown workspace ${workspaceId}`);
      const loaded = 'path' in m ? loadModelFromPath(m.path) : { format: formatOfParts(m.parts), parts: m.parts.map((p) => ({ ...p })) };
      const id = (m.id ?? state.newId()).toLowerCase();
      state.models.set(id, { id, name: m.name, workspaceId: wsId, format: loaded.format, parts: loaded.parts, createdAt: now(), modifiedAt: now() });
      state.touchWorkspace(wsId);
      return id;
    },
    updateModelPart(modelId, partPath, edit) {
      const model = state.models.get(modelId.toLowerCase());
      if (!model) throw new Error(`fabric emulator: unknown model ${modelId}`);
      const part = model.parts.find((p) => p.path === partPath);
      if (!part) throw new Error(`fabric emulator: model ${modelId} has no part ${partPath}`);
      part.text = edit(part.text);
      model.modifiedAt = now();
      state.touchWorkspace(model.workspaceId);
    },
    removeModel(modelId) {
      const model = state.models.get(modelId.toLowerCase());
      if (!model) return;
      state.models.delete(model.id);
      state.touchWorkspace(model.workspaceId);
    },
    pushDatasets(workspaceId) {
      return [...state.pushes.values()]
        .filter((p) => !workspaceId || p.workspaceId === workspaceId.toLowerCase())
        .map((p) => ({ id: p.id, name: p.name, workspaceId: p.workspaceId, tables: p.tables, relationships: p.relationships, createdAt: p.createdAt }));
    },
    fault(rule) { faults.push({ ...rule, left: rule.times ?? Number.POSITIVE_INFINITY }); },
    clearFaults() { faults.length = 0; pauseUntil = 0; },
    stats,
    requestLog,
    violations,
    resetStats() {
      Object.assign(stats, { requests: 0, writes: 0, byRoute: {}, requestsDuringPause: 0, maxConcurrent: 0 });
      requestLog.length = 0;
    },
    close() {
      return new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      });
    },
  };
  return emulator;
}
