// What a Power BI list answer must look like before anything is concluded from it (issue 13 items 2
// and 10). A datasets list is `{"value": Dataset[]}` and every Dataset has an `id`
// (https://learn.microsoft.com/rest/api/power-bi/datasets/get-datasets-in-group); workspaces,
// push tables and refreshes use the same envelope; `admin/workspaces/modified` answers a bare array
// of `{id}` (https://learn.microsoft.com/rest/api/power-bi/admin/workspace-info-get-modified-workspaces).
// A 200 whose body is `{}`, `null` or has no `value` array is NOT an empty list: taking it for one
// would mark every model of the workspace deleted (and, with prune, delete their twins). Ids are
// GUIDs in every one of these documents; anything else (`__proto__`, `constructor`, a path) is not an
// item we can address, and must never become an object key.
import { ApiError } from '../errors.js';

/** A GUID as the Power BI and Fabric APIs write item and workspace ids (any case). */
export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: unknown): value is string {
  return typeof value === 'string' && GUID_PATTERN.test(value);
}

export interface ResponseFacts {
  status: number;
  url: string;
  method: string;
  requestId: string | undefined;
}

/** The `value` array of a list answer; anything else is a failed request (ApiError), never an empty list. */
export function listItems(body: unknown, what: string, res: ResponseFacts): Array<Record<string, unknown>> {
  const value = isRecord(body) ? body.value : undefined;
  if (!Array.isArray(value)) throw shapeError(what, `${describeBody(body)} instead of an object with a "value" array`, res);
  return value.map((item, i) => {
    if (!isRecord(item)) throw shapeError(what, `item ${i} of "value" is ${describeBody(item)}, not an object`, res);
    return item;
  });
}

/** A bare JSON array of objects (`admin/workspaces/modified`). */
export function arrayItems(body: unknown, what: string, res: ResponseFacts): Array<Record<string, unknown>> {
  if (!Array.isArray(body)) throw shapeError(what, `${describeBody(body)} instead of an array`, res);
  return body.map((item, i) => {
    if (!isRecord(item)) throw shapeError(what, `item ${i} is ${describeBody(item)}, not an object`, res);
    return item;
  });
}

function shapeError(what: string, problem: string, res: ResponseFacts): ApiError {
  return new ApiError(
    `${what} answered HTTP ${res.status} with ${problem}; it was treated as a failed request and nothing was concluded from it` +
      `${res.requestId ? ` (request id ${res.requestId})` : ''}.`,
    { status: res.status, url: res.url, method: res.method, ...(res.requestId ? { requestId: res.requestId } : {}) },
    { hint: 'A proxy or the service returned a body of the wrong shape. Nothing was marked deleted or pruned; run again, and report the request id if it persists.' },
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A few words about a body, never its content (it may be large or hostile). */
function describeBody(v: unknown): string {
  if (v === undefined) return 'an empty body';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (isRecord(v)) {
    if (!('value' in v)) return Object.keys(v).length === 0 ? 'an empty object' : 'an object without "value"';
    const value = v.value;
    return `an object whose "value" is ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`;
  }
  return `a ${typeof v}`;
}
