// Every Fabric / Power BI REST path fabric-sync calls, in one table (docs/architecture.md#conventions-in-the-code). Sources:
// docs/fabric-rest.md, with the operation ids of Microsoft's Swagger (checked by the contract tests).
// Quotas are documented here because they are per principal and the caller decides how often to call;
// a row with a quota also gets its own throttling pause scope (a 429 there does not pause the host).

export type Api = 'fabric' | 'powerbi';

export interface Endpoint {
  api: Api;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** Documented quota, when there is one. */
  quota?: string;
}

const G = '/v1.0/myorg/groups/{workspaceId}';
const ADMIN = '/v1.0/myorg/admin/workspaces';

export const ENDPOINTS = {
  /** Groups_GetGroups: every workspace the principal can see; `$top`/`$skip` paging. */
  listGroups: { api: 'powerbi', method: 'GET', path: '/v1.0/myorg/groups' },
  /** Datasets_GetDatasetsInGroup: no paging. */
  listDatasets: { api: 'powerbi', method: 'GET', path: `${G}/datasets` },
  /** Items_ListSemanticModels: `continuationToken` paging. Viewer role. */
  listSemanticModels: { api: 'fabric', method: 'GET', path: '/v1/workspaces/{workspaceId}/semanticModels' },
  /** Items_GetSemanticModelDefinition: 200 or 202 long-running operation. Needs write permission on the model. */
  getDefinition: { api: 'fabric', method: 'POST', path: '/v1/workspaces/{workspaceId}/semanticModels/{modelId}/getDefinition' },
  /** Datasets_PostDatasetInGroup: push datasets only; `defaultRetentionPolicy` None | basicFIFO. */
  createDataset: { api: 'powerbi', method: 'POST', path: `${G}/datasets` },
  /** Datasets_GetTablesInGroup: push datasets only. */
  getTables: { api: 'powerbi', method: 'GET', path: `${G}/datasets/{datasetId}/tables` },
  /** Datasets_PutTableInGroup: replaces one table's schema and measures. */
  putTable: { api: 'powerbi', method: 'PUT', path: `${G}/datasets/{datasetId}/tables/{tableName}` },
  /** Datasets_DeleteDatasetInGroup. */
  deleteDataset: { api: 'powerbi', method: 'DELETE', path: `${G}/datasets/{datasetId}` },
  /** Datasets_ExecuteQueriesInGroup: one DAX query, one table, 100k rows / 1M values, 15 MB. */
  executeQueries: { api: 'powerbi', method: 'POST', path: `${G}/datasets/{datasetId}/executeQueries`, quota: '120 requests per minute per user' },
  /** Datasets_GetRefreshHistoryInGroup: `$top`, default the last 60 entries. */
  refreshHistory: { api: 'powerbi', method: 'GET', path: `${G}/datasets/{datasetId}/refreshes` },
  /** WorkspaceInfo_GetModifiedWorkspaces: `modifiedSince` between 30 minutes and 30 days ago. Admin / SP with read-only admin APIs. */
  modifiedWorkspaces: { api: 'powerbi', method: 'GET', path: `${ADMIN}/modified`, quota: '30 requests per hour' },
  /** WorkspaceInfo_PostWorkspaceInfo: 1–100 workspace ids per scan. */
  scanStart: { api: 'powerbi', method: 'POST', path: `${ADMIN}/getInfo`, quota: '500 requests per hour, 16 simultaneous' },
  /** WorkspaceInfo_GetScanStatus: poll every 30–60 s. */
  scanStatus: { api: 'powerbi', method: 'GET', path: `${ADMIN}/scanStatus/{scanId}`, quota: '10,000 requests per hour' },
  /** WorkspaceInfo_GetScanResult: results are kept 24 h. */
  scanResult: { api: 'powerbi', method: 'GET', path: `${ADMIN}/scanResult/{scanId}`, quota: '500 requests per hour' },
} as const satisfies Record<string, Endpoint>;

export type EndpointName = keyof typeof ENDPOINTS;

/** Fill `{name}` placeholders, each value URI-encoded (table names may hold spaces, `#`, non-ASCII). */
export function endpointPath(name: EndpointName, params: Record<string, string> = {}): string {
  return ENDPOINTS[name].path.replace(/\{(\w+)\}/g, (_, key: string) => {
    const v = params[key];
    if (v === undefined) throw new Error(`endpoint ${name} needs ${key}`);
    return encodeURIComponent(v);
  });
}
