export { createFabricClient, type FabricClient, type FabricClientOptions, type DefinitionPart, type PushDatasetSummary } from './client.js';
export { ENDPOINTS, endpointPath, type Endpoint, type EndpointName } from './endpoints.js';
