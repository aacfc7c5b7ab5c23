// Error bodies of both APIs → one ApiError with a hint (docs/architecture.md#conventions-in-the-code, docs/architecture.md#reading-models-from-fabric).
// Fabric: ErrorResponse {errorCode, message, requestId, isRetriable, moreDetails} (docs/fabric-rest.md#throttling-and-errors).
// Power BI: {"error": {code, message, "pbi.error": {code, details}}} and the admin quota body
// {"message": "... Retry in N seconds."}. The request id comes from the `RequestId` header (Power BI),
// `x-ms-request-id`, or the body.
import { ApiError } from '../errors.js';
import { PUBLIC_APIS_SETTING } from '../tenant-settings.js';

export interface ErrorFacts {
  errorCode?: string;
  message?: string;
  requestId?: string;
  isRetriable?: boolean;
}

export function readErrorBody(body: unknown, headers: Record<string, string>): ErrorFacts {
  const facts: ErrorFacts = {};
  const headerId = headers['requestid'] ?? headers['x-ms-request-id'] ?? headers['x-ms-activity-id'];
  if (headerId) facts.requestId = headerId;
  if (!body || typeof body !== 'object') return facts;
  const b = body as Record<string, unknown>;
  if (typeof b.errorCode === 'string') facts.errorCode = b.errorCode;
  if (typeof b.message === 'string') facts.message = b.message;
  if (typeof b.requestId === 'string' && !facts.requestId) facts.requestId = b.requestId;
  if (typeof b.isRetriable === 'boolean') facts.isRetriable = b.isRetriable;
  const err = b.error;
  if (err && typeof err === 'object') {
    const e = err as Record<string, unknown>;
    const pbi = e['pbi.error'] as Record<string, unknown> | undefined;
    const code = typeof e.code === 'string' ? e.code : typeof pbi?.code === 'string' ? pbi.code : undefined;
    if (code) facts.errorCode = code;
    if (typeof e.message === 'string') facts.message = e.message;
    else if (pbi && Array.isArray(pbi.details)) {
      const detail = pbi.details
        .map((d) => (d as { detail?: { value?: unknown } })?.detail?.value)
        .find((v): v is string => typeof v === 'string');
      if (detail) facts.message = detail;
    }
  }
  return facts;
}

/** Hints by Fabric / Power BI error code first, then by HTTP status. */
const CODE_HINTS: Record<string, string> = {
  OperationNotSupportedForItem:
    'getDefinition is refused for this item (for example a model with an encrypted sensitivity label); fabric-sync cannot read its definition.',
  InsufficientPrivileges: 'Give the service principal the Contributor role (or higher) on the workspace: reading a definition needs write permission on the model.',
  PrincipalTypeNotSupported: `Enable ${PUBLIC_APIS_SETTING} for a security group that contains the service principal.`,
  PowerBINotAuthorizedException: `Add the service principal to the workspace (Contributor or higher) and enable ${PUBLIC_APIS_SETTING}.`,
  DatasetExecuteQueriesError:
    'The DAX query failed. executeQueries also needs the tenant setting "Dataset Execute Queries REST API" and Build permission on the model.',
  TokenExpired:
    'The API refused the access token (expired, or issued for another tenant or API). Pre-acquired tokens ' +
    '(FABRIC_ACCESS_TOKEN / POWERBI_ACCESS_TOKEN) last about an hour; with a service principal check FABRIC_TENANT_ID ' +
    `and ${PUBLIC_APIS_SETTING}.`,
};

const STATUS_HINTS: Record<number, string> = {
  401:
    `The token was refused. Check that ${PUBLIC_APIS_SETTING} includes the ` +
    'service principal, that FABRIC_TENANT_ID is the tenant that owns the workspace, and that a pre-acquired token has not expired.',
  403:
    'The principal lacks access. Give the service principal a workspace role of Contributor or higher (getDefinition and ' +
    `push datasets need write permission), and check ${PUBLIC_APIS_SETTING}.`,
  404: 'Check the workspace and model ids, and that the service principal is a member of the workspace.',
  429: 'The API is throttling this principal; wait and run again, or reduce how often fabric-sync runs.',
};

export function hintFor(status: number, errorCode: string | undefined): string | undefined {
  if (errorCode && CODE_HINTS[errorCode]) return CODE_HINTS[errorCode];
  if (STATUS_HINTS[status]) return STATUS_HINTS[status];
  if (status >= 500) return 'The service had a problem; run again later. Quote the request id if you contact support.';
  return undefined;
}

export function apiErrorFromResponse(
  where: { method: string; url: string; status: number; attempts: number },
  facts: ErrorFacts,
): ApiError {
  const code = facts.errorCode ? ` ${facts.errorCode}` : '';
  const said = facts.message ? `: ${clip(facts.message)}` : '';
  const tries = where.attempts > 1 ? ` after ${where.attempts} attempts` : '';
  const rid = facts.requestId ? ` (request id ${facts.requestId})` : '';
  return new ApiError(
    `${where.method} ${where.url} failed with HTTP ${where.status}${code}${tries}${said}${rid}`,
    {
      status: where.status,
      url: where.url,
      method: where.method,
      ...(facts.errorCode ? { errorCode: facts.errorCode } : {}),
      ...(facts.requestId ? { requestId: facts.requestId } : {}),
      ...(facts.isRetriable !== undefined ? { isRetriable: facts.isRetriable } : {}),
    },
    { hint: hintFor(where.status, facts.errorCode) },
  );
}

function clip(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 300 ? `${one.slice(0, 300)}…` : one;
}
