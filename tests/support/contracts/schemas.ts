// The bodies fabric-sync exchanges with Fabric and Power BI, as JSON Schemas this project writes
// itself: what the emulator must answer (checked on every response) and what the client sends
// (push datasets, DAX queries, scans). They are stricter than Microsoft's Swagger — every object is
// closed (`additionalProperties: false`), so a renamed field (`value` → `values`) fails — and a
// conformance test holds them to the official specifications whenever those are available
// (docs/testing.md, "Contracts"). Sources, in this project's words: docs/fabric-rest.md.
import { COLUMN_NAME, TABLE_NAME } from '../fabric-emulator/push-validation.js';

export type Schema = Record<string, unknown>;

const str = { type: 'string' };
const bool = { type: 'boolean' };
const uuid = { type: 'string', format: 'uuid' };
const dateTime = { type: 'string', format: 'date-time' };
/** OData annotations Power BI adds to list answers; no client reads them. */
const odata = { '@odata.context': str };

/** A closed object: only the listed properties, the `required` ones present. */
function object(properties: Record<string, unknown>, required: string[] = []): Schema {
  return { type: 'object', additionalProperties: false, required, properties };
}

function arrayOf(items: unknown, more: Schema = {}): Schema {
  return { type: 'array', items, ...more };
}

// ---- Fabric (https://learn.microsoft.com/rest/api/fabric/) ----------------------------------------

const errorDetail = object({
  errorCode: str,
  message: str,
  relatedResource: object({ resourceId: str, resourceType: str }, ['resourceId', 'resourceType']),
}, ['errorCode', 'message']);

/** Every Fabric error: a stable `errorCode` to branch on, a message, and the request id to quote. */
const FabricErrorResponse = object({
  errorCode: str,
  message: str,
  requestId: uuid,
  isRetriable: bool,
  moreDetails: arrayOf(errorDetail),
  relatedResource: object({ resourceId: str, resourceType: str }, ['resourceId', 'resourceType']),
}, ['errorCode', 'message']);

const FabricItem = object({
  id: uuid,
  displayName: str,
  description: str,
  type: { type: 'string', enum: ['SemanticModel'] },
  workspaceId: uuid,
  folderId: uuid,
}, ['id', 'displayName', 'type', 'workspaceId']);

/**
 * One page of a Fabric list. `continuationToken` and `continuationUri` come together and only when
 * another page follows; the last page has neither.
 */
function fabricPage(item: Schema): Schema {
  return {
    ...object({ value: arrayOf(item), continuationToken: str, continuationUri: { type: 'string', format: 'uri' } }, ['value']),
    dependencies: { continuationToken: ['continuationUri'], continuationUri: ['continuationToken'] },
  };
}

const FabricWorkspace = object({
  id: uuid,
  displayName: str,
  description: str,
  type: { type: 'string', enum: ['Personal', 'Workspace', 'AdminWorkspace'] },
  capacityId: uuid,
}, ['id', 'displayName', 'description']);

/** getDefinition's answer (200, or the LRO result): base64 parts in TMSL or TMDL layout. */
const DefinitionResponse = object({
  definition: object({
    format: { type: 'string', enum: ['TMSL', 'TMDL'] },
    parts: arrayOf(object({
      path: { type: 'string', minLength: 1 },
      payload: { type: 'string', contentEncoding: 'base64' },
      payloadType: { type: 'string', enum: ['InlineBase64'] },
    }, ['path', 'payload', 'payloadType']), { minItems: 1 }),
  }, ['parts']),
}, ['definition']);

const OperationState = object({
  status: { type: 'string', enum: ['Undefined', 'NotStarted', 'Running', 'Succeeded', 'Failed'] },
  createdTimeUtc: dateTime,
  lastUpdatedTimeUtc: dateTime,
  percentComplete: { type: 'integer', minimum: 0, maximum: 100 },
  error: FabricErrorResponse,
}, ['status', 'createdTimeUtc', 'lastUpdatedTimeUtc']);

// ---- Power BI (https://learn.microsoft.com/rest/api/power-bi/) ------------------------------------

/**
 * Power BI errors: `{"error":{"code",…}}` (often with a `pbi.error` detail object), or — from the
 * admin APIs over their hourly quota — a bare `{"message": "You have exceeded …"}`.
 */
const PowerBIError = {
  anyOf: [
    object({
      error: {
        type: 'object',
        required: ['code'],
        additionalProperties: false,
        properties: { code: str, message: str, target: str, 'pbi.error': { type: 'object' } },
      },
    }, ['error']),
    object({ message: str }, ['message']),
  ],
};

const Group = object({ id: uuid, name: str, isReadOnly: bool, isOnDedicatedCapacity: bool, capacityId: uuid }, ['id', 'name']);
const Groups = object({ ...odata, '@odata.count': { type: 'integer', minimum: 0 }, value: arrayOf(Group) }, ['value']);

/** A dataset as listed: camelCase as the service sends it (its Swagger spells some names in PascalCase). */
const Dataset = object({
  id: str,
  name: str,
  webUrl: str,
  addRowsAPIEnabled: bool,
  configuredBy: str,
  isRefreshable: bool,
  isEffectiveIdentityRequired: bool,
  isEffectiveIdentityRolesRequired: bool,
  isOnPremGatewayRequired: bool,
  targetStorageMode: str,
  createdDate: dateTime,
}, ['id', 'name']);
const Datasets = object({ ...odata, value: arrayOf(Dataset) }, ['value']);

/** The 201 of a push create: id, name and the retention policy (the official example's shape). */
const CreatedDataset = object({ id: str, name: str, defaultRetentionPolicy: { type: 'string', enum: ['None', 'basicFIFO'] } }, ['id', 'name']);

// Push names: tables and relationships 1–100 characters from a restricted set; columns and measures
// any printable character. The patterns are the intended ones, read with the `u` flag.
const tableName = { type: 'string', pattern: TABLE_NAME.source };
const columnName = { type: 'string', pattern: COLUMN_NAME.source };

const PushColumn = object({
  name: columnName,
  dataType: str,
  formatString: str,
  sortByColumn: str,
  dataCategory: str,
  isHidden: bool,
  summarizeBy: str,
}, ['name', 'dataType']);
const PushMeasure = object({ name: columnName, expression: str, formatString: str, description: str, isHidden: bool }, ['name', 'expression']);
const PushTable = object({
  name: tableName,
  columns: arrayOf(PushColumn, { maxItems: 75 }),
  measures: arrayOf(PushMeasure),
  isHidden: bool,
  description: str,
}, ['name', 'columns']);
const PushRelationship = object({
  name: tableName,
  fromTable: tableName,
  fromColumn: columnName,
  toTable: tableName,
  toColumn: columnName,
  crossFilteringBehavior: { type: 'string', enum: ['OneDirection', 'BothDirections', 'Automatic'] },
}, ['name', 'fromTable', 'fromColumn', 'toTable', 'toColumn']);
const CreateDatasetRequest = object({
  name: { type: 'string', minLength: 1 },
  defaultMode: { type: 'string', enum: ['Push', 'PushStreaming', 'Streaming'] },
  tables: arrayOf(PushTable, { minItems: 1, maxItems: 75 }),
  relationships: arrayOf(PushRelationship, { maxItems: 75 }),
}, ['name', 'tables']);
const Tables = object({ ...odata, value: arrayOf(PushTable) }, ['value']);

const ExecuteQueriesRequest = object({
  queries: arrayOf(object({ query: str }, ['query']), { minItems: 1, maxItems: 1 }),
  serializerSettings: object({ includeNulls: bool }),
  impersonatedUserName: str,
}, ['queries']);
const queryError = object({ code: str, message: str });
/** Rows are free-form: keys are the DAX column names (`Table[Column]` or `[Name]`). */
const ExecuteQueriesResponse = object({
  results: arrayOf(object({
    tables: arrayOf(object({ rows: arrayOf({ type: 'object' }), error: queryError }, ['rows'])),
    error: queryError,
  }, ['tables'])),
  error: queryError,
}, ['results']);

const Refreshes = object({
  ...odata,
  value: arrayOf(object({
    refreshType: { type: 'string', enum: ['Scheduled', 'OnDemand', 'ViaApi', 'ViaXmlaEndpoint', 'ViaEnhancedApi', 'OnDemandTraining'] },
    startTime: dateTime,
    endTime: dateTime,
    status: str,
    requestId: str,
    serviceExceptionJson: str,
  })),
}, ['value']);

const ModifiedWorkspaces = arrayOf(object({ id: uuid }, ['id']));
const ScanRequestBody = object({ workspaces: arrayOf(uuid, { minItems: 1, maxItems: 100 }) }, ['workspaces']);
const ScanRequest = object({ id: uuid, createdDateTime: dateTime, status: str, error: object({ code: str, message: str, target: str }) }, ['id', 'status']);

/**
 * Tables of a scan result. They reuse the push shapes in the official Swagger, but hold a real
 * model's names (`.`, `%`, …) and leave measure expressions out unless `datasetExpressions=true`.
 */
const ScanTable = object({
  name: str,
  isHidden: bool,
  description: str,
  columns: arrayOf(object({ name: columnName, dataType: str, isHidden: bool }, ['name', 'dataType'])),
  measures: arrayOf(object({ name: columnName, expression: str, isHidden: bool, description: str }, ['name'])),
}, ['name', 'columns']);
const ScanResult = object({
  workspaces: arrayOf(object({
    id: uuid,
    name: str,
    type: str,
    state: str,
    isOnDedicatedCapacity: bool,
    datasets: arrayOf(object({
      id: str,
      name: str,
      configuredBy: str,
      createdDate: dateTime,
      targetStorageMode: str,
      tables: arrayOf(ScanTable),
    }, ['id'])),
  }, ['id'])),
  datasourceInstances: arrayOf({ type: 'object' }),
  misconfiguredDatasourceInstances: arrayOf({ type: 'object' }),
}, ['workspaces']);

/** Every named schema; operations.ts refers to them by name. */
export const SCHEMAS = {
  FabricErrorResponse,
  FabricItemsPage: fabricPage(FabricItem),
  FabricItem,
  FabricWorkspace,
  FabricWorkspacesPage: fabricPage(FabricWorkspace),
  DefinitionResponse,
  OperationState,
  PowerBIError,
  Groups,
  Datasets,
  Dataset,
  CreatedDataset,
  CreateDatasetRequest,
  PushTable,
  Tables,
  ExecuteQueriesRequest,
  ExecuteQueriesResponse,
  Refreshes,
  ModifiedWorkspaces,
  ScanRequestBody,
  ScanRequest,
  ScanResult,
} satisfies Record<string, Schema>;

export type SchemaName = keyof typeof SCHEMAS;
