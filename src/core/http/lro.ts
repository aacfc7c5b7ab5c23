// The Fabric long-running-operation protocol (docs/fabric-rest.md#long-running-operations,
// https://learn.microsoft.com/rest/api/fabric/articles/long-running-operation):
// 202 + Location + x-ms-operation-id + Retry-After → poll GET /v1/operations/{id} until Succeeded →
// GET /v1/operations/{id}/result. `Failed` carries an ErrorResponse that becomes the ApiError.
// The service's Retry-After is honoured but never below our own floor, which starts at MIN_POLL_MS and
// doubles with every poll up to MAX_FLOOR_MS: an operation answering `Running` with `Retry-After: 0`
// forever was polled 17,441 times in 24 s (issue 13 item 12). The whole operation ends at the
// operation deadline (the client's time budget) with OperationTimedOut.
import type { Clock, Sleep } from '../context.js';
import type { HttpResponse } from './client.js';
import { ApiError } from '../errors.js';
import { hintFor, readErrorBody } from './error-mapping.js';
import { parseRetryAfter } from './retry-after.js';

export interface LroOptions {
  /** Fetch `/result` after `Succeeded` (default true). Some operations have none. */
  result?: boolean;
  /** Poll interval when the service sends no Retry-After (default 2 s). */
  defaultPollMs?: number;
  /** The first poll's floor (default MIN_POLL_MS); each later poll's floor doubles up to MAX_FLOOR_MS. */
  minPollMs?: number;
}

/** Shortest wait before the first poll, whatever Retry-After says. */
export const MIN_POLL_MS = 100;
/** The floor stops growing here: a long operation is polled at least every 30 s. */
export const MAX_FLOOR_MS = 30_000;

interface OperationState {
  status?: string;
  percentComplete?: number;
  error?: unknown;
}

interface LroDeps {
  request<T>(o: { url: string; deadline: number }): Promise<HttpResponse<T>>;
  clock: Clock;
  sleep: Sleep;
  baseUrl: string;
  budgetMs: number;
  /** Removes tokens and secrets from a server-provided message. */
  scrub?: (text: string) => string;
}

type Started = { status: number; headers: Record<string, string>; body: unknown; method: string; url: string };

/** Error codes inside a failed operation that mean "no permission" (exit code 3, not 1). */
const DENIED_CODES = /Unauthorized|Forbidden|InsufficientPrivileges|PrincipalTypeNotSupported|NotAuthorized/i;

export async function runLongRunningOperation<T>(started: Started, options: LroOptions, deps: LroDeps): Promise<T> {
  if (started.status !== 202) return started.body as T;
  const { clock, sleep, baseUrl } = deps;
  const deadline = clock.now() + deps.budgetMs;
  const operationId = started.headers['x-ms-operation-id'];
  const origin = new URL(baseUrl).origin;
  let stateUrl = locate(started.headers.location, operationId, origin, baseUrl);
  if (!stateUrl) {
    throw new ApiError(`${started.method} ${started.url} answered 202 without Location or x-ms-operation-id.`, {
      status: 202,
      url: started.url,
      method: started.method,
    });
  }
  const scrub = deps.scrub ?? ((t: string) => t);
  let floorMs = options.minPollMs ?? MIN_POLL_MS;
  const nextWait = (retryAfter: string | undefined): number => {
    const asked = parseRetryAfter(retryAfter, clock.now()) ?? options.defaultPollMs ?? 2000;
    const wait = Math.max(asked, floorMs);
    floorMs = Math.min(floorMs * 2, MAX_FLOOR_MS);
    return wait;
  };
  let waitMs = nextWait(started.headers['retry-after']);
  let polls = 0;

  for (;;) {
    if (clock.now() + waitMs > deadline) {
      throw new ApiError(
        `The operation ${operationId ?? stateUrl} started by ${started.method} ${started.url} did not finish within the time budget (${Math.round(deps.budgetMs / 1000)} s, ${polls} polls).`,
        { status: 202, url: stateUrl, method: 'GET', errorCode: 'OperationTimedOut' },
        { hint: 'The service is slow or busy; run again later.' },
      );
    }
    await sleep(waitMs);
    const polled: HttpResponse<OperationState | undefined> = await deps.request<OperationState | undefined>({ url: stateUrl, deadline });
    polls += 1;
    const state = polled.body ?? {};
    if (state.status === 'Succeeded') {
      if (options.result === false) return undefined as T;
      // Once succeeded, Location points at …/result (spec examples omit /v1: follow it verbatim).
      const next = polled.headers.location ? locate(polled.headers.location, undefined, origin, baseUrl) : undefined;
      const resultUrl = next && next !== stateUrl ? next : `${stateUrl.replace(/\/+$/, '')}/result`;
      const result = await deps.request<T>({ url: resultUrl, deadline });
      return result.body;
    }
    if (state.status === 'Failed') {
      const read = readErrorBody(state.error, polled.headers);
      const facts = read.message === undefined ? read : { ...read, message: scrub(read.message) };
      const code = facts.errorCode ?? 'OperationFailed';
      const status = DENIED_CODES.test(code) ? 403 : 200;
      throw new ApiError(
        `${started.method} ${started.url} failed: operation ${operationId ?? stateUrl} ended ${code}` +
          `${facts.message ? `: ${facts.message}` : ''}${facts.requestId ? ` (request id ${facts.requestId})` : ''}.`,
        {
          status,
          url: started.url,
          method: started.method,
          errorCode: code,
          ...(facts.requestId ? { requestId: facts.requestId } : {}),
          ...(facts.isRetriable !== undefined ? { isRetriable: facts.isRetriable } : {}),
        },
        { hint: hintFor(status, code) ?? 'The service could not complete the operation; run again later.' },
      );
    }
    // Undefined / NotStarted / Running (the status set is extensible): keep polling.
    waitMs = nextWait(polled.headers['retry-after']);
    if (polled.headers.location) stateUrl = locate(polled.headers.location, operationId, origin, baseUrl) ?? stateUrl;
  }
}

/**
 * Where to poll. Location is followed verbatim when it is on our own origin; a Location on another
 * host is not sent our token — the state URL is rebuilt from the operation id instead.
 */
function locate(location: string | undefined, operationId: string | undefined, origin: string, baseUrl: string): string | undefined {
  if (location) {
    const u = new URL(location, baseUrl);
    if (u.origin === origin) return u.toString();
  }
  return operationId ? `${baseUrl}/v1/operations/${encodeURIComponent(operationId)}` : undefined;
}
