// One row per REST operation fabric-sync calls (and the emulator serves): method, path as the
// emulator routes it (Fabric with its `/v1` base path), the official operation id, the request body
// the client sends and the body of every success status. Error statuses (4xx/5xx) carry the surface's
// error body (FabricErrorResponse or PowerBIError). `null` = the status has no body.
import type { SchemaName } from './schemas.js';

export type Surface = 'fabric' | 'powerbi';

export interface Operation {
  surface: Surface;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** The operationId of Microsoft's Swagger, checked by the conformance test. */
  operationId: string;
  request?: SchemaName;
  responses: Record<number, SchemaName | null>;
}

const G = '/v1.0/myorg/groups/{groupId}/datasets';
const A = '/v1.0/myorg/admin/workspaces';
const SM = '/v1/workspaces/{workspaceId}/semanticModels';

export const OPERATIONS: Operation[] = [
  { surface: 'fabric', method: 'GET', path: '/v1/workspaces', operationId: 'Workspaces_ListWorkspaces', responses: { 200: 'FabricWorkspacesPage' } },
  { surface: 'fabric', method: 'GET', path: '/v1/workspaces/{workspaceId}', operationId: 'Workspaces_GetWorkspace', responses: { 200: 'FabricWorkspace' } },
  { surface: 'fabric', method: 'GET', path: SM, operationId: 'Items_ListSemanticModels', responses: { 200: 'FabricItemsPage' } },
  { surface: 'fabric', method: 'GET', path: '/v1/workspaces/{workspaceId}/items', operationId: 'Items_ListItems', responses: { 200: 'FabricItemsPage' } },
  { surface: 'fabric', method: 'GET', path: `${SM}/{semanticModelId}`, operationId: 'Items_GetSemanticModel', responses: { 200: 'FabricItem' } },
  // 200 with the definition, or 202 + Location/Retry-After and no body (a long-running operation).
  { surface: 'fabric', method: 'POST', path: `${SM}/{semanticModelId}/getDefinition`, operationId: 'Items_GetSemanticModelDefinition', responses: { 200: 'DefinitionResponse', 202: null } },
  { surface: 'fabric', method: 'POST', path: '/v1/workspaces/{workspaceId}/items/{itemId}/getDefinition', operationId: 'Items_GetItemDefinition', responses: { 200: 'DefinitionResponse', 202: null } },
  { surface: 'fabric', method: 'GET', path: '/v1/operations/{operationId}', operationId: 'LongRunningOperations_GetOperationState', responses: { 200: 'OperationState' } },
  // The result of an operation is the initiating call's answer: here always getDefinition's.
  { surface: 'fabric', method: 'GET', path: '/v1/operations/{operationId}/result', operationId: 'LongRunningOperations_GetOperationResult', responses: { 200: 'DefinitionResponse' } },

  { surface: 'powerbi', method: 'GET', path: '/v1.0/myorg/groups', operationId: 'Groups_GetGroups', responses: { 200: 'Groups' } },
  { surface: 'powerbi', method: 'GET', path: G, operationId: 'Datasets_GetDatasetsInGroup', responses: { 200: 'Datasets' } },
  { surface: 'powerbi', method: 'POST', path: G, operationId: 'Datasets_PostDatasetInGroup', request: 'CreateDatasetRequest', responses: { 201: 'CreatedDataset' } },
  { surface: 'powerbi', method: 'GET', path: `${G}/{datasetId}`, operationId: 'Datasets_GetDatasetInGroup', responses: { 200: 'Dataset' } },
  { surface: 'powerbi', method: 'DELETE', path: `${G}/{datasetId}`, operationId: 'Datasets_DeleteDatasetInGroup', responses: { 200: null } },
  { surface: 'powerbi', method: 'GET', path: `${G}/{datasetId}/tables`, operationId: 'Datasets_GetTablesInGroup', responses: { 200: 'Tables' } },
  { surface: 'powerbi', method: 'PUT', path: `${G}/{datasetId}/tables/{tableName}`, operationId: 'Datasets_PutTableInGroup', request: 'PushTable', responses: { 200: 'PushTable' } },
  { surface: 'powerbi', method: 'POST', path: `${G}/{datasetId}/executeQueries`, operationId: 'Datasets_ExecuteQueriesInGroup', request: 'ExecuteQueriesRequest', responses: { 200: 'ExecuteQueriesResponse' } },
  { surface: 'powerbi', method: 'GET', path: `${G}/{datasetId}/refreshes`, operationId: 'Datasets_GetRefreshHistoryInGroup', responses: { 200: 'Refreshes' } },
  { surface: 'powerbi', method: 'GET', path: `${A}/modified`, operationId: 'WorkspaceInfo_GetModifiedWorkspaces', responses: { 200: 'ModifiedWorkspaces' } },
  { surface: 'powerbi', method: 'POST', path: `${A}/getInfo`, operationId: 'WorkspaceInfo_PostWorkspaceInfo', request: 'ScanRequestBody', responses: { 202: 'ScanRequest' } },
  { surface: 'powerbi', method: 'GET', path: `${A}/scanStatus/{scanId}`, operationId: 'WorkspaceInfo_GetScanStatus', responses: { 200: 'ScanRequest' } },
  { surface: 'powerbi', method: 'GET', path: `${A}/scanResult/{scanId}`, operationId: 'WorkspaceInfo_GetScanResult', responses: { 200: 'ScanResult' } },
];

/** `/v1.0/myorg/groups/{groupId}/datasets` and `…/groups/{workspaceId}/datasets` are one path. */
export function pathShape(p: string): string {
  return p.replace(/\{[^}]+\}/g, '{}');
}

export function findOperation(method: string, path: string): Operation | undefined {
  const shape = pathShape(path);
  return OPERATIONS.find((o) => o.method === method.toUpperCase() && pathShape(o.path) === shape);
}
