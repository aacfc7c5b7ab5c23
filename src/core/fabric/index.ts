export { createFabricClient, type FabricClient, type FabricClientOptions, type DefinitionPart, type ScanOptions, type ScanRequest, type RefreshEntry, type PushDatasetSummary } from './client.js';
export { ENDPOINTS, endpointPath, type Endpoint, type EndpointName } from './endpoints.js';
