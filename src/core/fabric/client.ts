// Fabric and Power BI REST operations fabric-sync needs (docs/architecture.md#reading-models-from-fabric, issue 3 item 3), on top of the
// one HTTP seam: two clients (one per API host and token audience) sharing the per-host pause
// registry, the keep-alive pool and the time budget. Paths come from endpoints.ts.
import type { TokenProvider } from '../auth/token-cache.js';
import type { Clock, Logger, Sleep } from '../context.js';
import { ApiError } from '../errors.js';
import { createHttpClient, type HttpClient, type HttpClientOptions } from '../http/client.js';
import { HostPauses } from '../http/host-pause.js';
import type { Redactor } from '../redact.js';
import { SCANNER_HINT } from '../tenant-settings.js';
import type { ModelListing } from '../sources/listing.js';
import { ENDPOINTS, endpointPath, type Endpoint, type EndpointName } from './endpoints.js';
import { arrayItems, isGuid, listItems } from './shapes.js';

export interface FabricClientOptions {
  /** Default https://api.fabric.microsoft.com */
  fabricUrl?: string;
  /** Default https://api.powerbi.com */
  powerbiUrl?: string;
  tokens: TokenProvider;
  clock: Clock;
  sleep: Sleep;
  logger: Logger;
  timeoutMs?: number;
  maxRetries?: number;
  budgetMs?: number;
  userAgent?: string;
  /** Run-wide interruption: ends waits and in-flight requests with InterruptedError. */
  signal?: AbortSignal;
  /** Scrubs the configured secrets from error texts (src/core/redact.ts). */
  redact?: Redactor;
  /** Passed to the HTTP seam (tests: a private pause registry, deterministic jitter). */
  http?: Pick<HttpClientOptions, 'pauses' | 'random' | 'backoff' | 'dispatcher'>;
}

export interface DefinitionPart {
  path: string;
  text: string;
}

export interface PushDatasetSummary {
  id: string;
  name: string;
  addRowsAPIEnabled?: boolean;
  createdDate?: string;
}

export interface FabricClient {
  listWorkspaces(): Promise<Array<{ id: string; name: string }>>;
  /** Every semantic model of a workspace, one request (Power BI datasets list). */
  listModels(workspaceId: string): Promise<ModelListing[]>;
  getDefinition(workspaceId: string, modelId: string, format?: 'TMSL' | 'TMDL'): Promise<{ format: string; parts: DefinitionPart[] }>;
  findDatasetsByName(workspaceId: string, name: string): Promise<PushDatasetSummary[]>;
  createPushDataset(workspaceId: string, body: unknown, retention?: 'None' | 'basicFIFO'): Promise<{ id: string; name: string }>;
  getPushTables(workspaceId: string, datasetId: string): Promise<unknown[]>;
  putPushTable(workspaceId: string, datasetId: string, tableName: string, table: unknown): Promise<void>;
  deleteDataset(workspaceId: string, datasetId: string): Promise<void>;
  /** Admin scanner (opt-in): ids of workspaces modified since `since` (30 min … 30 days ago). 30 requests/hour. */
  getModifiedWorkspaces(since: Date, options?: { excludePersonalWorkspaces?: boolean; excludeInActiveWorkspaces?: boolean }): Promise<string[]>;
}

/** The admin scanner APIs (tenant admins only). */
const ADMIN_ENDPOINTS = new Set<EndpointName>(['modifiedWorkspaces']);

/** Page size for `GET /groups` ($top); Power BI caps it at 5000. */
const GROUPS_PAGE = 5000;

export function createFabricClient(options: FabricClientOptions): FabricClient {
  const common = {
    tokens: options.tokens,
    clock: options.clock,
    sleep: options.sleep,
    logger: options.logger,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
    ...(options.budgetMs !== undefined ? { budgetMs: options.budgetMs } : {}),
    ...(options.userAgent !== undefined ? { userAgent: options.userAgent } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.redact ? { redact: options.redact } : {}),
    ...options.http,
    // The Fabric and Power BI clients share one pause table (one host may serve both).
    pauses: options.http?.pauses ?? new HostPauses(),
  };
  const clients: Record<'fabric' | 'powerbi', HttpClient> = {
    fabric: createHttpClient({ ...common, baseUrl: options.fabricUrl ?? 'https://api.fabric.microsoft.com', audience: 'fabric' }),
    powerbi: createHttpClient({ ...common, baseUrl: options.powerbiUrl ?? 'https://api.powerbi.com', audience: 'powerbi' }),
  };

  /**
   * One request. A 401 is retried once with a fresh token (issue 13): a token revoked or expired
   * early is replaced, and the request did nothing the first time (401 is answered before any work),
   * so even a create may be repeated. Pre-acquired tokens cannot be renewed and are not retried.
   */
  async function call<T>(
    name: EndpointName,
    params: Record<string, string>,
    more: { query?: Record<string, string | number | boolean | undefined>; body?: unknown; idempotent?: boolean; expect?: number[] } = {},
  ) {
    const e: Endpoint = ENDPOINTS[name];
    // An endpoint with its own documented quota gets its own pause scope (see RequestOptions.pauseScope).
    const send = () => clients[e.api].request<T>({ method: e.method, path: endpointPath(name, params), ...(e.quota ? { pauseScope: name } : {}), ...more });
    const sent = retriedOn401(send, e);
    if (!ADMIN_ENDPOINTS.has(name)) return sent;
    // A refusal of the admin scanner has its own causes: its tenant setting, and admin-consent permissions on the app.
    return sent.catch((err: unknown) => {
      if (!(err instanceof ApiError) || (err.status !== 401 && err.status !== 403)) throw err;
      throw new ApiError(err.message, { status: err.status, url: err.url, method: err.method, ...(err.errorCode ? { errorCode: err.errorCode } : {}), ...(err.requestId ? { requestId: err.requestId } : {}) }, { hint: SCANNER_HINT, cause: err });
    });
  }

  async function retriedOn401<T>(send: () => Promise<T>, e: Endpoint): Promise<T> {
    const refresh = options.tokens.refresh;
    if (!refresh) return send();
    const used = await options.tokens.getToken(e.api);
    try {
      return await send();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401) || !(await refresh(e.api, used))) throw err;
      options.logger.debug(`${e.method} ${e.path} answered 401; retrying once with a fresh token`, { requestId: err.requestId });
      return send();
    }
  }

  /** Ids the service returned that are not GUIDs: warned about once per process, then ignored. */
  const warnedIds = new Set<string>();
  function addressable(id: unknown, where: string): id is string {
    if (isGuid(id)) return true;
    const shown = JSON.stringify(typeof id === 'string' ? id.slice(0, 80) : id ?? null);
    if (!warnedIds.has(`${where}\u0000${shown}`)) {
      warnedIds.add(`${where}\u0000${shown}`);
      options.logger.warn(`${where} listed an item whose id ${shown} is not a GUID (the API documents GUID ids); it is ignored.`);
    }
    return false;
  }

  async function listDatasets(workspaceId: string): Promise<Array<Record<string, unknown>>> {
    const res = await call<unknown>('listDatasets', { workspaceId });
    return listItems(res.body, `The datasets list of workspace ${workspaceId}`, res);
  }

  return {
    async listWorkspaces() {
      const out: Array<{ id: string; name: string }> = [];
      for (let skip = 0; ; skip += GROUPS_PAGE) {
        const res = await call<unknown>('listGroups', {}, { query: { $top: GROUPS_PAGE, $skip: skip } });
        const page = listItems(res.body, 'The workspace list', res);
        for (const g of page) if (addressable(g.id, 'The workspace list')) out.push({ id: g.id, name: str(g.name) ?? g.id });
        if (page.length < GROUPS_PAGE) return out;
      }
    },

    async listModels(workspaceId) {
      // One request per workspace (issue 6: a quiet cycle costs one list call per workspace). The
      // Power BI datasets list holds every semantic model of the workspace — Import, DirectQuery,
      // Direct Lake and push — and is the only one that tells push datasets (addRowsAPIEnabled),
      // createdDate and the storage mode; the Fabric list (listSemanticModels) adds nothing here.
      const datasets = await listDatasets(workspaceId);
      const models: ModelListing[] = [];
      for (const d of datasets) {
        const id = field(d, 'id');
        if (!addressable(id, `Workspace ${workspaceId}`)) continue;
        models.push({
          id,
          name: str(field(d, 'name')) ?? id,
          workspaceId,
          isPushDataset: field(d, 'addRowsAPIEnabled') === true,
          ...opt('configuredBy', str(field(d, 'configuredBy'))),
          ...opt('createdDate', str(field(d, 'createdDate'))),
          ...opt('targetStorageMode', str(field(d, 'targetStorageMode'))),
          ...opt('description', str(field(d, 'description'))),
        });
      }
      return models;
    },

    async getDefinition(workspaceId, modelId, format = 'TMSL') {
      const started = await call<unknown>('getDefinition', { workspaceId, modelId }, { query: { format }, idempotent: true });
      const result = await clients.fabric.runLro<{ definition?: { format?: string; parts?: Array<{ path: string; payload: string; payloadType?: string }> } }>(started);
      const parts = result?.definition?.parts;
      if (!Array.isArray(parts)) {
        throw new ApiError(`getDefinition of model ${modelId} returned no definition parts.`, { status: started.status, url: started.url, method: 'POST' });
      }
      return {
        format: result?.definition?.format ?? format,
        parts: parts.map((p) => ({ path: p.path, text: decodePayload(p.payload) })),
      };
    },

    async findDatasetsByName(workspaceId, name) {
      const all = await listDatasets(workspaceId);
      return all
        .filter((d) => field(d, 'name') === name && addressable(field(d, 'id'), `Workspace ${workspaceId}`))
        .map((d) => ({
          id: String(field(d, 'id')),
          name: String(field(d, 'name')),
          ...opt('addRowsAPIEnabled', typeof field(d, 'addRowsAPIEnabled') === 'boolean' ? (field(d, 'addRowsAPIEnabled') as boolean) : undefined),
          ...opt('createdDate', str(field(d, 'createdDate'))),
        }));
    },

    async createPushDataset(workspaceId, body, retention) {
      // Not idempotent: a retried POST after a timeout could create a duplicate; the publisher looks
      // the dataset up by name before creating (docs/architecture.md#push-conversion "never create a duplicate").
      const res = await call<{ id: string; name: string }>('createDataset', { workspaceId }, {
        body,
        expect: [200, 201, 202],
        ...(retention ? { query: { defaultRetentionPolicy: retention } } : {}),
      });
      return { id: res.body.id, name: res.body.name };
    },

    async getPushTables(workspaceId, datasetId) {
      // An empty table list taken from a malformed answer would make the publisher recreate the twin.
      const res = await call<unknown>('getTables', { workspaceId, datasetId });
      return listItems(res.body, `The table list of push dataset ${datasetId}`, res);
    },

    async putPushTable(workspaceId, datasetId, tableName, table) {
      await call('putTable', { workspaceId, datasetId, tableName }, { body: table });
    },

    async deleteDataset(workspaceId, datasetId) {
      await call('deleteDataset', { workspaceId, datasetId });
    },

    async getModifiedWorkspaces(since, o = {}) {
      const res = await call<unknown>('modifiedWorkspaces', {}, {
        query: {
          modifiedSince: since.toISOString(),
          excludePersonalWorkspaces: o.excludePersonalWorkspaces ?? true,
          ...(o.excludeInActiveWorkspaces !== undefined ? { excludeInActiveWorkspaces: o.excludeInActiveWorkspaces } : {}),
        },
      });
      return arrayItems(res.body, 'The modified-workspaces list', res)
        .map((w) => w.id)
        .filter((id): id is string => addressable(id, 'The modified-workspaces list'));
    },
  };
}

/** Power BI swagger spells some fields PascalCase, examples camelCase (docs/fabric-rest.md#listing-models): read either. */
function field(o: Record<string, unknown>, name: string): unknown {
  if (name in o) return o[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(o)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function decodePayload(payload: string): string {
  const text = Buffer.from(payload, 'base64').toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
