// Power BI surface (/v1.0/myorg/...): groups with $top/$skip, datasets (models + push datasets),
// push create / GET tables / PUT table / DELETE, executeQueries, refresh history
// (docs/fabric-rest.md; each route names its official operation id).
import type { Route, RouteContext } from './router.js';
import { validateCreateDataset, validateTable, RETENTION_POLICIES } from './push-validation.js';
import { EmulatorHttpError, isPush, iso, type ModelRec, type PushRec, type Request } from './state.js';

const G = '/v1.0/myorg/groups/{groupId}/datasets';
const MAX_ROWS = 100_000;
const MAX_VALUES = 1_000_000;

function dataset(x: ModelRec | PushRec, url: string): Record<string, unknown> {
  const push = isPush(x);
  return {
    id: x.id,
    name: x.name,
    webUrl: `${url}/groups/${x.workspaceId}/datasets/${x.id}`,
    addRowsAPIEnabled: push,
    configuredBy: push ? 'fabric-sync@emulator.local' : 'owner@contoso.com',
    isRefreshable: !push,
    isEffectiveIdentityRequired: false,
    isEffectiveIdentityRolesRequired: false,
    isOnPremGatewayRequired: false,
    targetStorageMode: 'Abf',
    createdDate: iso(x.createdAt),
  };
}

function findDataset(req: Request, ctx: RouteContext): ModelRec | PushRec {
  const ws = ctx.state.workspaceFor(req.params.groupId!, req.token);
  const id = req.params.datasetId!.toLowerCase();
  const x = ctx.state.models.get(id) ?? ctx.state.pushes.get(id);
  if (!x || x.workspaceId !== ws.id) throw new EmulatorHttpError(404, 'ItemNotFound', `Dataset ${req.params.datasetId} is not found`);
  return x;
}

function findPush(req: Request, ctx: RouteContext, write = false): PushRec {
  const x = findDataset(req, ctx);
  if (write) ctx.state.requireWrite(ctx.state.workspaces.get(x.workspaceId)!, req.token);
  if (!isPush(x)) throw new EmulatorHttpError(400, 'InvalidRequest', 'This API call only supports push datasets');
  return x;
}

const TABLE_FIELDS = ['name', 'columns', 'measures', 'isHidden', 'description'];
const COLUMN_FIELDS = ['name', 'dataType', 'formatString', 'sortByColumn', 'dataCategory', 'isHidden', 'summarizeBy'];
const MEASURE_FIELDS = ['name', 'expression', 'formatString', 'description', 'isHidden'];
const REL_FIELDS = ['name', 'fromTable', 'fromColumn', 'toTable', 'toColumn', 'crossFilteringBehavior'];

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

/** What the service keeps of a table: the documented fields (rows are data, not schema). */
function storedTable(t: any): Record<string, unknown> {
  const out = pick(t, TABLE_FIELDS);
  out.columns = (t.columns as any[]).map((c) => pick(c, COLUMN_FIELDS));
  if (t.measures) out.measures = (t.measures as any[]).map((m) => pick(m, MEASURE_FIELDS));
  return out;
}

function bodyObject(req: Request): any {
  if (req.rawBody.trim() === '') throw new EmulatorHttpError(400, 'InvalidRequest', 'The request body is required');
  if (req.body === undefined) throw new EmulatorHttpError(400, 'InvalidRequest', 'The request body is not valid JSON');
  return req.body;
}

function daxError(message: string): EmulatorHttpError {
  // Body observed from the service (docs/fabric-rest.md#dax-queries, gbrueckl/PowerBI-VSCode#43).
  return new EmulatorHttpError(400, 'DatasetExecuteQueriesError', message, {}, {
    error: {
      code: 'DatasetExecuteQueriesError',
      'pbi.error': { code: 'DatasetExecuteQueriesError', parameters: {}, details: [{ code: 'DetailsMessage', detail: { type: 1, value: message } }] },
    },
  });
}

function executeQueries(req: Request, ctx: RouteContext) {
  const x = findDataset(req, ctx);
  const wait = ctx.state.quota(`executeQueries:${req.token ?? ''}`, 120, 60_000);
  if (wait) throw new EmulatorHttpError(429, 'TooManyRequests', 'executeQueries is limited to 120 requests per minute per user', { 'Retry-After': String(wait) });
  const body = bodyObject(req);
  if (!Array.isArray(body?.queries) || body.queries.length !== 1 || typeof body.queries[0]?.query !== 'string') {
    throw new EmulatorHttpError(400, 'InvalidRequest', 'Exactly one query is supported per request');
  }
  const m = /^\s*EVALUATE\s+INFO\.VIEW\.(TABLES|COLUMNS|MEASURES|RELATIONSHIPS)\s*\(\s*\)\s*$/i.exec(body.queries[0].query);
  if (!m || isPush(x) || !ctx.describeModel) throw daxError('Failed to execute the DAX query.');
  const described = ctx.describeModel(x.parts) as Record<string, unknown> | undefined;
  const key = Object.keys(described ?? {}).find((k) => k.toUpperCase() === m[1]!.toUpperCase());
  const rows = key ? (described![key] as Record<string, unknown>[]) : undefined;
  if (!Array.isArray(rows)) throw daxError('Failed to execute the DAX query.');
  const includeNulls = body.serializerSettings?.includeNulls === true;
  const shaped = rows.map((r) => (includeNulls ? r : Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null))));
  const perRow = Math.max(1, Object.keys(rows[0] ?? {}).length);
  const limit = Math.min(MAX_ROWS, Math.floor(MAX_VALUES / perRow));
  const table: Record<string, unknown> = { rows: shaped.slice(0, limit) };
  if (shaped.length > limit) table.error = { code: 'QueryResultTooLarge', message: `More than ${limit} rows in a query result` };
  return { status: 200, body: { results: [{ tables: [table] }] } };
}

export const powerbiRoutes: Route[] = [
  {
    method: 'GET', surface: 'powerbi', template: '/v1.0/myorg/groups', // Groups_GetGroups
    handler(req, ctx) {
      const top = Number(req.query.get('$top') ?? 5000);
      const skip = Number(req.query.get('$skip') ?? 0);
      if (!Number.isInteger(top) || top < 1 || !Number.isInteger(skip) || skip < 0) throw new EmulatorHttpError(400, 'InvalidRequest', '$top and $skip must be non-negative integers');
      const all = [...ctx.state.workspaces.values()].filter((w) => ctx.state.canSee(w, req.token))
        .map((w) => ({ id: w.id, name: w.name, isReadOnly: false, isOnDedicatedCapacity: true }));
      return { status: 200, body: { '@odata.context': `${ctx.url}/v1.0/myorg/$metadata#groups`, '@odata.count': all.length, value: all.slice(skip, skip + top) } };
    },
  },
  {
    method: 'GET', surface: 'powerbi', template: G, // Datasets_GetDatasetsInGroup
    handler(req, ctx) {
      const ws = ctx.state.workspaceFor(req.params.groupId!, req.token);
      return { status: 200, body: { '@odata.context': `${ctx.url}/v1.0/myorg/groups/${ws.id}/$metadata#datasets`, value: ctx.state.itemsOf(ws.id).map((x) => dataset(x, ctx.url)) } };
    },
  },
  {
    method: 'POST', surface: 'powerbi', template: G, write: true, // Datasets_PostDatasetInGroup
    handler(req, ctx) {
      const ws = ctx.state.workspaceFor(req.params.groupId!, req.token);
      ctx.state.requireWrite(ws, req.token);
      const policyParam = req.query.get('defaultRetentionPolicy') ?? 'None';
      const retention = RETENTION_POLICIES.find((p) => p.toLowerCase() === policyParam.toLowerCase());
      if (!retention) throw new EmulatorHttpError(400, 'InvalidRequest', `defaultRetentionPolicy '${policyParam}' is not one of None, basicFIFO`);
      const body = bodyObject(req);
      const problem = validateCreateDataset(body);
      if (problem) throw new EmulatorHttpError(400, problem.code, problem.message);
      if (body.defaultMode && !['Push', 'PushStreaming', 'Streaming'].includes(body.defaultMode)) {
        throw new EmulatorHttpError(400, 'InvalidRequest', `defaultMode '${body.defaultMode}' is not supported by this API (push datasets only)`);
      }
      // Two datasets with the same name are allowed by the service; avoiding that is the client's job.
      const rec: PushRec = {
        id: ctx.state.newId(), name: body.name, workspaceId: ws.id, createdAt: ctx.state.now(), retention,
        tables: (body.tables as any[]).map(storedTable),
        relationships: ((body.relationships ?? []) as any[]).map((r) => pick(r, REL_FIELDS)),
      };
      ctx.state.pushes.set(rec.id, rec);
      ctx.state.touchWorkspace(ws.id);
      return { status: 201, body: { id: rec.id, name: rec.name, defaultRetentionPolicy: retention } };
    },
  },
  {
    method: 'GET', surface: 'powerbi', template: `${G}/{datasetId}`, // Datasets_GetDatasetInGroup
    handler: (req, ctx) => ({ status: 200, body: dataset(findDataset(req, ctx), ctx.url) }),
  },
  {
    method: 'DELETE', surface: 'powerbi', template: `${G}/{datasetId}`, write: true, // Datasets_DeleteDatasetInGroup
    handler(req, ctx) {
      const x = findDataset(req, ctx);
      ctx.state.requireWrite(ctx.state.workspaces.get(x.workspaceId)!, req.token);
      if (isPush(x)) ctx.state.pushes.delete(x.id); else ctx.state.models.delete(x.id);
      ctx.state.touchWorkspace(x.workspaceId);
      return { status: 200 };
    },
  },
  {
    method: 'GET', surface: 'powerbi', template: `${G}/{datasetId}/tables`, // Datasets_GetTablesInGroup
    handler(req, ctx) {
      const x = findPush(req, ctx);
      return { status: 200, body: { '@odata.context': `${ctx.url}/v1.0/myorg/groups/${x.workspaceId}/$metadata#tables`, value: x.tables } };
    },
  },
  {
    method: 'PUT', surface: 'powerbi', template: `${G}/{datasetId}/tables/{tableName}`, write: true, // Datasets_PutTableInGroup
    handler(req, ctx) {
      const x = findPush(req, ctx, true);
      const body = bodyObject(req);
      const problem = validateTable(body, 'table');
      if (problem) throw new EmulatorHttpError(400, problem.code, problem.message);
      const name = req.params.tableName!;
      if (body.name.toLowerCase() !== name.toLowerCase()) throw new EmulatorHttpError(400, 'InvalidRequest', `The table name in the body '${body.name}' does not match '${name}'`);
      const index = x.tables.findIndex((t) => String(t.name).toLowerCase() === name.toLowerCase());
      // PUT "updates the metadata and schema for the specified table": it does not add tables.
      if (index < 0) throw new EmulatorHttpError(404, 'ItemNotFound', `Table ${name} is not found in dataset ${x.id}`);
      const stored = storedTable(body);
      x.tables[index] = stored;
      ctx.state.touchWorkspace(x.workspaceId);
      return { status: 200, body: stored };
    },
  },
  { method: 'POST', surface: 'powerbi', template: `${G}/{datasetId}/executeQueries`, handler: executeQueries }, // Datasets_ExecuteQueriesInGroup
  {
    method: 'GET', surface: 'powerbi', template: `${G}/{datasetId}/refreshes`, // Datasets_GetRefreshHistoryInGroup
    handler(req, ctx) {
      const x = findDataset(req, ctx);
      const top = Number(req.query.get('$top') ?? 60);
      const value = isPush(x) ? [] : [{
        refreshType: 'ViaApi', startTime: iso(x.modifiedAt), endTime: iso(x.modifiedAt + 30_000), status: 'Completed', requestId: ctx.state.newId(),
      }].slice(0, top);
      return { status: 200, body: { '@odata.context': `${ctx.url}/v1.0/myorg/groups/${x.workspaceId}/$metadata#refreshes`, value } };
    },
  },
];
