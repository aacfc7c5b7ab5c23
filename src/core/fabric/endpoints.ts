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
  /** WorkspaceInfo_GetModifiedWorkspaces: `modifiedSince` between 30 minutes and 30 days ago. Admin / SP with read-only admin APIs. */
  modifiedWorkspaces: { api: 'powerbi', method: 'GET', path: `${ADMIN}/modified`, quota: '30 requests per hour' },
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
