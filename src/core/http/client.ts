// The one HTTP seam for Fabric and Power BI (docs/architecture.md#reading-models-from-fabric, docs/architecture.md#conventions-in-the-code, issue 3 item 2): bearer
// token, per-request timeout, 429 + Retry-After with a per-host pause, capped exponential backoff with
// jitter on 5xx / network errors / timeouts, a time budget per operation, continuation paging, the
// Fabric long-running-operation protocol and typed errors. Clock and sleep are injected.
// Issue 13: each attempt has an overall deadline (a server trickling one byte a second cannot keep a
// run alive), an answer is read up to a size limit (never held whole when huge, never fetched again),
// and every error text built from a server's answer is scrubbed of the token we sent and of anything
// shaped like a credential (services have echoed the Authorization header back).
import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import type { Audience, TokenProvider } from '../auth/token-cache.js';
import type { Clock, Logger, Sleep } from '../context.js';
import { ApiError, InterruptedError, ThrottledError } from '../errors.js';
import { MAX_RESPONSE_BYTES, formatBytes } from '../limits.js';
import { createRedactor, type Redactor } from '../redact.js';
import { readLimited } from './body.js';
import { apiErrorFromResponse, readErrorBody, type ErrorFacts } from './error-mapping.js';
import { HostPauses } from './host-pause.js';
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
  /**
   * One attempt, from sending the request to the last byte of the answer (default 30 s). Also the
   * longest silence while waiting for headers or between two chunks of the body.
   */
  timeoutMs?: number;
  /** Largest answer read (default MAX_RESPONSE_BYTES); a bigger one fails at once and is not retried. */
  maxBodyBytes?: number;
  /** Scrubs configured secrets from error texts, besides the tokens this client sends. */
  redact?: Redactor;
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
  /** A server-provided text (an error message) with every token and secret this client knows removed. */
  scrub(text: string): string;
}

/** Tokens sent recently (a long monitor renews them hourly); the newest few are enough to scrub echoes. */
const REMEMBERED_TOKENS = 8;

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
  const pauses = options.pauses ?? new HostPauses();
  const random = options.random ?? Math.random;
  const backoff = options.backoff ?? { baseMs: 500, maxMs: 30_000 };
  const userAgent = options.userAgent ?? 'fabric-sync';
  const maxBodyBytes = options.maxBodyBytes ?? MAX_RESPONSE_BYTES;
  const sentTokens: string[] = [];
  const redactor = options.redact ?? createRedactor();
  function scrub(text: string): string {
    let out = text;
    for (const t of sentTokens) if (t.length >= 4 && out.includes(t)) out = out.split(t).join('***');
    return redactor(out);
  }
  function remember(token: string): void {
    if (sentTokens.includes(token)) return;
    sentTokens.push(token);
    if (sentTokens.length > REMEMBERED_TOKENS) sentTokens.shift();
  }

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
      remember(token);
      const started = clock.now();
      let status: number;
      let headers: Record<string, string>;
      let text: string;
      // The overall deadline of this attempt: undici's headers and body timeouts measure silence, so a
      // server sending one byte a second would never trip them (issue 13 item 11).
      const attemptDeadline = AbortSignal.timeout(timeoutMs);
      const abort = signal ? AbortSignal.any([signal, attemptDeadline]) : attemptDeadline;
      let tooLarge: ApiError | undefined;
      let answered = false;
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
          signal: abort,
        });
        status = res.statusCode;
        headers = flattenHeaders(res.headers);
        answered = true;
        const body = await readLimited(res.body, maxBodyBytes, headers['content-length']);
        if (body.tooLarge) {
          tooLarge = new ApiError(
            `The answer to ${method} ${url} (HTTP ${status}) is larger than ${formatBytes(maxBodyBytes)}, the most fabric-sync reads; it was not read further.`,
            { status: status >= 200 && status < 300 ? 0 : status, url, method },
            { hint: 'A model definition this large is over the size limit (README "Reliability and security guarantees"); check the model, or the API URL settings if this is not the Fabric API.' },
          );
        }
        text = body.text;
      } catch (e) {
        if (signal?.aborted) throw interrupted(`during ${method} ${url}`);
        const reason = attemptDeadline.aborted
          ? `${answered ? 'no complete answer' : 'no answer'} within ${Math.round(timeoutMs / 100) / 10} s (timed out)`
          : networkReason(e, timeoutMs);
        logger.debug(`${method} ${url} failed: ${reason}`, { method, url, attempt, durationMs: clock.now() - started });
        const wait = backoffMs(attempt);
        // A connection that was never made cannot have created anything: safe to repeat even a POST.
        const neverSent = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(reason);
        if ((idempotent || neverSent) && attempt < maxRetries && clock.now() + wait <= deadline) {
          await sleep(wait);
          continue;
        }
        throw new ApiError(
          `${method} ${url} failed: ${scrub(reason)}${attempt > 0 ? ` (${attempt + 1} attempts)` : ''}.`,
          { status: 0, url, method },
          {
            hint: idempotent || neverSent
              ? 'Check the network path to the API (proxy, firewall, DNS) and the API URL settings.'
              : 'The request was not repeated because it may have taken effect; check the workspace before running again.',
            cause: e,
          },
        );
      }
      // Not retried: the same answer would be downloaded again (issue 13 item 14).
      if (tooLarge) throw tooLarge;
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

      const facts = scrubFacts(readErrorBody(tryParse(text), headers), scrub);
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
    runLro: (response, lo) => runLongRunningOperation(response, lo ?? {}, { request, clock, sleep, baseUrl, budgetMs, scrub }),
    scrub,
  };
  return client;
}

function scrubFacts(facts: ErrorFacts, scrub: (s: string) => string): ErrorFacts {
  return facts.message === undefined ? facts : { ...facts, message: scrub(facts.message) };
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
