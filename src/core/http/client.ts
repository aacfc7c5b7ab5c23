// The one HTTP seam for Fabric and Power BI (docs/architecture.md#reading-models-from-fabric, docs/architecture.md#conventions-in-the-code, issue 3 item 2): bearer
// token, per-request timeout, 429 + Retry-After with a per-host pause, capped exponential backoff with
// jitter on 5xx / network errors / timeouts, a time budget per operation, continuation paging, the
// Fabric long-running-operation protocol and typed errors. Clock and sleep are injected.
import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import type { Audience, TokenProvider } from '../auth/token-cache.js';
import type { Clock, Logger, Sleep } from '../context.js';
import { ApiError, InterruptedError, ThrottledError } from '../errors.js';
import { apiErrorFromResponse, readErrorBody } from './error-mapping.js';
import { sharedHostPauses, type HostPauses } from './host-pause.js';
import { runLongRunningOperation, type LroOptions } from './lro.js';
import { formatUtcTime, parseRetryAfter } from './retry-after.js';

/** One keep-alive connection pool for the whole process. */
export const sharedAgent: Dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 32 });

export interface HttpClientOptions {
  baseUrl: string;
  audience: Audience;
  tokens: TokenProvider;
  clock: Clock;
  sleep: Sleep;
  logger: Logger;
  /** Per attempt, headers and body each (default 30 s). */
  timeoutMs?: number;
  /** Retries after the first attempt, for 429, 5xx, network errors and timeouts (default 5). */
  maxRetries?: number;
  /** Total wall time one operation may take, waits included (default 15 min). */
  budgetMs?: number;
  userAgent?: string;
  dispatcher?: Dispatcher;
  pauses?: HostPauses;
  /** [0, 1) source for backoff jitter. */
  random?: () => number;
  /** First backoff step and its cap (defaults 500 ms and 30 s). */
  backoff?: { baseMs: number; maxMs: number };
  /**
   * Run-wide interruption (SIGINT/SIGTERM): ends a Retry-After pause, a backoff or an LRO poll wait
   * at once, and aborts a request in flight, with InterruptedError.
   */
  signal?: AbortSignal;
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Relative to baseUrl; or give an absolute `url`. */
  path?: string;
  url?: string;
  query?: Query;
  body?: unknown;
  /** Accepted statuses; default any 2xx. */
  expect?: number[];
  /**
   * May the request be sent twice? Default: yes except POST/PATCH. A POST that creates something
   * (a push dataset) must not be repeated after a timeout: it may have succeeded. A 429 is always
   * retried: the server refused it before doing anything.
   */
  idempotent?: boolean;
  /** Epoch ms after which no more waiting is allowed (set by paging and LRO for the whole operation). */
  deadline?: number;
  /**
   * For an API with its own quota (the admin scanner's 30 or 500 calls per hour, executeQueries' 120
   * per minute): its 429 pauses only requests of the same scope on the host, so an exhausted hourly
   * scanner quota does not stop listing or publishing. Those requests still respect host-wide pauses.
   */
  pauseScope?: string;
}

export interface HttpResponse<T> {
  status: number;
  headers: Record<string, string>;
  body: T;
  method: string;
  url: string;
  requestId: string | undefined;
}

export interface HttpClient {
  readonly baseUrl: string;
  request<T>(options: RequestOptions): Promise<HttpResponse<T>>;
  /** Every item of a Fabric paged list (`continuationUri` / `continuationToken`). */
  paginate<T>(path: string, options?: { query?: Query; itemsKey?: string }): AsyncGenerator<T>;
  /** Resolve a Fabric long-running operation started by `response` (200/201 pass through). */
  runLro<T>(response: HttpResponse<unknown>, options?: LroOptions): Promise<T>;
}

const RETRIABLE_STATUS = new Set([408, 500, 502, 503, 504]);

/** Safety net for a server that answers 429 forever with tiny Retry-After values. */
const MAX_THROTTLED_ATTEMPTS = 100;

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const { clock, logger, tokens, audience, signal } = options;
  const interrupted = (what: string) => new InterruptedError(`Interrupted ${what}.`);
  // Every wait of the seam goes through here so that an interruption ends it at once.
  const sleep = async (ms: number): Promise<void> => {
    if (signal?.aborted) throw interrupted('while waiting to retry');
    try {
      await options.sleep(ms, signal);
    } catch (e) {
      if (signal?.aborted) throw interrupted('while waiting to retry');
      throw e;
    }
  };
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxRetries = options.maxRetries ?? 5;
  const budgetMs = options.budgetMs ?? 15 * 60_000;
  const dispatcher = options.dispatcher ?? sharedAgent;
  const pauses = options.pauses ?? sharedHostPauses;
  const random = options.random ?? Math.random;
  const backoff = options.backoff ?? { baseMs: 500, maxMs: 30_000 };
  const userAgent = options.userAgent ?? 'fabric-sync';

  function backoffMs(attempt: number): number {
    const capped = Math.min(backoff.maxMs, backoff.baseMs * 2 ** attempt);
    return Math.round(capped * (0.5 + random() * 0.5));
  }

  function resolveUrl(o: { path?: string; url?: string; query?: Query }): string {
    const u = new URL(o.url ?? `${baseUrl}${o.path ?? ''}`);
    for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  function throttled(method: string, url: string, until: number, retryAfterSeconds: number, deadline: number): ThrottledError {
    const host = new URL(url).hostname;
    const budget = Math.round((deadline - clock.now()) / 60_000);
    return new ThrottledError(
      `Throttled by ${host} until ${formatUtcTime(until)} (Retry-After ${retryAfterSeconds} s), ` +
        `past this operation's remaining time budget (${budget} min); gave up on ${method} ${url}.`,
      { status: 429, url, method, until },
      { hint: `The API quota for this principal is used up. Run again after ${formatUtcTime(until)}, or run less often.` },
    );
  }

  /** Wait out any pause of the host (and of the request's quota scope); fail at once if it lasts past the deadline. */
  async function respectPause(keys: string[], method: string, url: string, deadline: number): Promise<void> {
    for (;;) {
      const now = clock.now();
      const p = keys
        .map((k) => pauses.active(k, now))
        .reduce<ReturnType<HostPauses['active']>>((a, b) => (b && (!a || b.until > a.until) ? b : a), undefined);
      if (!p) return;
      if (p.until > deadline) throw throttled(method, url, p.until, p.retryAfterSeconds, deadline);
      await sleep(p.until - clock.now());
    }
  }

  async function request<T>(o: RequestOptions): Promise<HttpResponse<T>> {
    const method = o.method ?? 'GET';
    const url = resolveUrl(o);
    const host = new URL(url).host;
    const pauseKey = o.pauseScope ? `${host} ${o.pauseScope}` : host;
    const pauseKeys = o.pauseScope ? [host, pauseKey] : [host];
    const deadline = o.deadline ?? clock.now() + budgetMs;
    const idempotent = o.idempotent ?? !(method === 'POST' || method === 'PATCH');
    const payload = o.body === undefined ? undefined : JSON.stringify(o.body);

    let throttledAttempts = 0;
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw interrupted(`before ${method} ${url}`);
      await respectPause(pauseKeys, method, url, deadline);
      const token = await tokens.getToken(audience);
      const started = clock.now();
      let status: number;
      let headers: Record<string, string>;
      let text: string;
      try {
        const res = await undiciRequest(url, {
          method,
          dispatcher,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            'user-agent': userAgent,
            ...(payload !== undefined ? { 'content-type': 'application/json; charset=utf-8' } : {}),
          },
          ...(payload !== undefined ? { body: payload } : {}),
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          ...(signal ? { signal } : {}),
        });
        status = res.statusCode;
        headers = flattenHeaders(res.headers);
        text = await res.body.text();
      } catch (e) {
        if (signal?.aborted) throw interrupted(`during ${method} ${url}`);
        const reason = networkReason(e, timeoutMs);
        logger.debug(`${method} ${url} failed: ${reason}`, { method, url, attempt, durationMs: clock.now() - started });
        const wait = backoffMs(attempt);
        // A connection that was never made cannot have created anything: safe to repeat even a POST.
        const neverSent = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(reason);
        if ((idempotent || neverSent) && attempt < maxRetries && clock.now() + wait <= deadline) {
          await sleep(wait);
          continue;
        }
        throw new ApiError(
          `${method} ${url} failed: ${reason}${attempt > 0 ? ` (${attempt + 1} attempts)` : ''}.`,
          { status: 0, url, method },
          {
            hint: idempotent || neverSent
              ? 'Check the network path to the API (proxy, firewall, DNS) and the API URL settings.'
              : 'The request was not repeated because it may have taken effect; check the workspace before running again.',
            cause: e,
          },
        );
      }
      const requestId = headers['requestid'] ?? headers['x-ms-request-id'];
      logger.debug(`${method} ${url} → ${status}`, { method, url, status, durationMs: clock.now() - started, requestId, attempt });

      const ok = o.expect ? o.expect.includes(status) : status >= 200 && status < 300;
      if (ok) {
        let body: T;
        try {
          body = parseBody<T>(text, { method, url, status, requestId });
        } catch (e) {
          // A success whose body is not JSON was garbled on the way (a proxy, a cut answer): repeat
          // a read as after a network error instead of losing the workspace for this run (issue 9).
          const wait = backoffMs(attempt);
          if (idempotent && attempt < maxRetries && clock.now() + wait <= deadline) {
            logger.debug(`${method} ${url} → ${status} with a body that is not JSON; retrying`, { method, url, status, requestId, attempt });
            await sleep(wait);
            continue;
          }
          throw e;
        }
        return { status, headers, body, method, url, requestId };
      }

      const facts = readErrorBody(tryParse(text), headers);
      const retryAfter = parseRetryAfter(headers['retry-after'], clock.now());
      if (status === 429) {
        const wait = retryAfter ?? backoffMs(attempt);
        const until = clock.now() + wait;
        const seconds = Math.round(wait / 1000);
        pauses.pause(pauseKey, until, seconds);
        logger.debug(`${pauseKey} throttled for ${seconds} s`, { method, url, requestId: facts.requestId });
        if (until > deadline) throw throttled(method, url, until, seconds, deadline);
        // A 429 says when to come back: it is bounded by the time budget, not by maxRetries (which is
        // for failures). Under steady throttling a request may be told to wait several times.
        throttledAttempts += 1;
        if (throttledAttempts <= MAX_THROTTLED_ATTEMPTS) continue; // the pause is waited out at the top of the loop
      } else if (RETRIABLE_STATUS.has(status) && idempotent && attempt < maxRetries) {
        const wait = retryAfter ?? backoffMs(attempt);
        if (clock.now() + wait <= deadline) {
          await sleep(wait);
          continue;
        }
      }
      throw apiErrorFromResponse({ method, url, status, attempts: attempt + 1 }, facts);
    }
  }

  async function* paginate<T>(path: string, po: { query?: Query; itemsKey?: string } = {}): AsyncGenerator<T> {
    const itemsKey = po.itemsKey ?? 'value';
    const deadline = clock.now() + budgetMs;
    const origin = new URL(baseUrl).origin;
    let next: RequestOptions = { path, ...(po.query ? { query: po.query } : {}), deadline };
    for (let page = 0; page < 100_000; page++) {
      const res = await request<Record<string, unknown> | undefined>(next);
      const items = res.body?.[itemsKey];
      if (!Array.isArray(items)) {
        throw new ApiError(`${res.method} ${res.url} returned no "${itemsKey}" list.`, { status: res.status, url: res.url, method: res.method });
      }
      for (const item of items) yield item as T;
      const uri = res.body?.continuationUri;
      const token = res.body?.continuationToken;
      // Both are removed on the last page (docs/fabric-rest.md#listing-models). Follow the URI only on our own origin,
      // so the bearer token never goes to a host we were not configured for.
      if (typeof uri === 'string' && uri && new URL(uri, baseUrl).origin === origin) next = { url: new URL(uri, baseUrl).toString(), deadline };
      else if (typeof token === 'string' && token) next = { path, query: { ...po.query, continuationToken: token }, deadline };
      else return;
    }
    throw new ApiError(`Paging ${path} did not end.`, { status: 0, url: `${baseUrl}${path}`, method: 'GET' });
  }

  const client: HttpClient = {
    baseUrl,
    request,
    paginate,
    runLro: (response, lo) => runLongRunningOperation(response, lo ?? {}, { request, clock, sleep, baseUrl, budgetMs }),
  };
  return client;
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function tryParse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function parseBody<T>(text: string, where: { method: string; url: string; status: number; requestId: string | undefined }): T {
  if (text.trim() === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new ApiError(
      `Received invalid JSON from ${where.method} ${where.url} (HTTP ${where.status}, ${text.length} bytes)` +
        `${where.requestId ? ` (request id ${where.requestId})` : ''}.`,
      { status: where.status, url: where.url, method: where.method, ...(where.requestId ? { requestId: where.requestId } : {}) },
      { hint: 'A proxy or the service returned a broken body; run again, and report the request id if it persists.', cause: e },
    );
  }
}

function networkReason(e: unknown, timeoutMs: number): string {
  const code = (e as { code?: string })?.code ?? (e as { cause?: { code?: string } })?.cause?.code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return `no answer within ${Math.round(timeoutMs / 100) / 10} s (timed out)`;
  if (code) return `network error ${code}`;
  return e instanceof Error ? e.message : String(e);
}
