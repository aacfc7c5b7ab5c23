// The project's API contracts against Microsoft's Swagger (official-spec tier: runs whenever
// ../shared/specs is present, as in CI). Three checks: every contracted operation and status is one the
// spec declares; every contract schema is at least as strict as the spec's (conformance.ts); and every
// answer the emulator gives along a full run over all operations passes the spec's own validator. A
// contract edited to drift from the spec fails here.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { OPERATIONS, SCHEMAS, validateContractResponse, type Operation, type SchemaName } from '../support/contracts/index.js';
import { compareWithOfficial } from '../support/contracts/conformance.js';
import { startFabricEmulator, type FabricEmulator } from '../support/fabric-emulator/index.js';
import { example, synthetic } from '../support/paths.js';
import { officialDefinition, officialRequestSchema, officialResponseSchema, operationIdOf, validateResponse } from '../support/spec-validator.js';
import { describeSpecs } from '../support/tiers.js';

const DEFINITION = '/v1/workspaces/{workspaceId}/semanticModels/{semanticModelId}/getDefinition';
/** The spec types an operation result as a file; its body is the initiating call's (getDefinition). */
const officialTemplate = (op: Operation) => (op.path === '/v1/operations/{operationId}/result' ? { method: 'POST', path: DEFINITION } : op);

describeSpecs('contracts against the official specification', () => {
  test.each(OPERATIONS.map((o) => [o.operationId, o] as const))('%s: the operation and its statuses are declared', (_id, op) => {
    expect(operationIdOf(op.surface, op.method, op.path)).toBe(op.operationId);
    for (const status of Object.keys(op.responses).map(Number)) {
      const t = officialTemplate(op);
      expect(officialResponseSchema(op.surface, t.method, t.path, status), `status ${status}`).not.toBeUndefined();
    }
  });

  test.each(OPERATIONS.map((o) => [o.operationId, o] as const))('%s: response and request contracts are at least as strict as the spec', (_id, op) => {
    const t = officialTemplate(op);
    for (const [status, name] of Object.entries(op.responses)) {
      const official = officialResponseSchema(op.surface, t.method, t.path, Number(status));
      if (name === null) {
        expect(official, `status ${status} has a body in the spec`).toBeNull();
        continue;
      }
      expect(official, `status ${status}`).toBeTruthy();
      expect(compareWithOfficial(SCHEMAS[name], official!, { surface: op.surface, root: name })).toEqual([]);
    }
    if (op.request) {
      const official = officialRequestSchema(op.surface, op.method, op.path);
      expect(official, 'the spec declares a body').toBeDefined();
      expect(compareWithOfficial(SCHEMAS[op.request], official!, { surface: op.surface, root: op.request })).toEqual([]);
    }
  });

  test('the Fabric error body is the spec\'s ErrorResponse', () => {
    expect(compareWithOfficial(SCHEMAS.FabricErrorResponse, officialDefinition('fabric', 'ErrorResponse'), { surface: 'fabric', root: 'FabricErrorResponse' })).toEqual([]);
  });

  test('a contract that drifts from the spec is caught', () => {
    const mutate = (name: SchemaName, edit: (s: any) => void) => {
      const copy = structuredClone(SCHEMAS[name]) as any;
      edit(copy);
      return copy;
    };
    const page = officialResponseSchema('fabric', 'GET', '/v1/workspaces/{workspaceId}/semanticModels', 200)!;
    expect(compareWithOfficial(mutate('FabricItemsPage', (s) => { s.properties.nextLink = { type: 'string' }; }), page, { surface: 'fabric', root: 'FabricItemsPage' }))
      .toEqual(['FabricItemsPage: property "nextLink" is not declared by the spec']);
    expect(compareWithOfficial(mutate('FabricItemsPage', (s) => { s.properties.value.items.required = ['id']; }), page, { surface: 'fabric', root: 'FabricItemsPage' }))
      .toEqual(['FabricItemsPage/value: the spec requires "type", the contract does not']);
    expect(compareWithOfficial(mutate('FabricItemsPage', (s) => { s.properties.value.items.properties.id = { type: 'string' }; }), page, { surface: 'fabric', root: 'FabricItemsPage' }))
      .toEqual(['FabricItemsPage/value/id: the spec\'s format uuid is not in the contract']);
    const state = officialResponseSchema('fabric', 'GET', '/v1/operations/{operationId}', 200)!;
    expect(compareWithOfficial(mutate('OperationState', (s) => { s.properties.status.enum.push('Done'); }), state, { surface: 'fabric', root: 'OperationState' }))
      .toEqual(['OperationState/status: enum value Done is not in the spec']);
    const create = officialRequestSchema('powerbi', 'POST', '/v1.0/myorg/groups/{groupId}/datasets')!;
    expect(compareWithOfficial(mutate('CreateDatasetRequest', (s) => { s.properties.tables.items.properties.name.pattern = '^.+$'; }), create, { surface: 'powerbi', root: 'CreateDatasetRequest' }).join())
      .toMatch(/CreateDatasetRequest\/tables\/name: pattern \^\.\+\$ differs/);
  });
});

describeSpecs('every answer of a run over all operations passes the official validator', () => {
  let emu: FabricEmulator;
  const answers: Array<{ op: string; method: string; template: string; status: number; body: unknown }> = [];
  const TOKEN = 'conformance-token';
  const call = async (op: Operation, path: string, init: { method?: string; body?: unknown } = {}) => {
    const r = await fetch(emu.url + path, {
      method: init.method ?? op.method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await r.text();
    const body = text ? JSON.parse(text) : undefined;
    answers.push({ op: op.operationId, method: op.method, template: op.path, status: r.status, body });
    return { status: r.status, body, headers: r.headers };
  };
  const op = (id: string) => OPERATIONS.find((o) => o.operationId === id)!;

  beforeAll(async () => {
    emu = await startFabricEmulator({ acceptTokens: [TOKEN], pageSize: 2, lroPolls: 1, lroRetryAfter: 0, describeModel: () => ({ TABLES: [{ '[Name]': 'Sales' }] }) });
    const ws = emu.addWorkspace({ name: 'Conformance' });
    const bim = emu.addModel(ws, { name: 'Sales Analytics', path: example.bim });
    emu.addModel(ws, { name: 'Retail', path: synthetic.retailTmdl });
    emu.addModel(ws, { name: 'Tiny', path: synthetic.minimal });
    const G = `/v1.0/myorg/groups/${ws}/datasets`;
    await call(op('Workspaces_ListWorkspaces'), '/v1/workspaces');
    await call(op('Workspaces_GetWorkspace'), `/v1/workspaces/${ws}`);
    const page = await call(op('Items_ListSemanticModels'), `/v1/workspaces/${ws}/semanticModels`);
    await call(op('Items_ListSemanticModels'), new URL(page.body.continuationUri).pathname + new URL(page.body.continuationUri).search);
    await call(op('Items_ListItems'), `/v1/workspaces/${ws}/items?type=SemanticModel`);
    await call(op('Items_GetSemanticModel'), `/v1/workspaces/${ws}/semanticModels/${bim}`);
    const lro = await call(op('Items_GetSemanticModelDefinition'), `/v1/workspaces/${ws}/semanticModels/${bim}/getDefinition?format=TMSL`);
    const opId = lro.headers.get('x-ms-operation-id');
    await call(op('LongRunningOperations_GetOperationState'), `/v1/operations/${opId}`);
    await call(op('LongRunningOperations_GetOperationState'), `/v1/operations/${opId}`);
    await call(op('LongRunningOperations_GetOperationResult'), `/v1/operations/${opId}/result`);
    await call(op('Items_GetItemDefinition'), `/v1/workspaces/${ws}/items/${bim}/getDefinition`);
    await call(op('Items_GetSemanticModelDefinition'), `/v1/workspaces/${ws}/semanticModels/00000000-0000-4000-8000-000000000000/getDefinition`);
    await call(op('Groups_GetGroups'), '/v1.0/myorg/groups');
    await call(op('Datasets_GetDatasetsInGroup'), G);
    const created = await call(op('Datasets_PostDatasetInGroup'), `${G}?defaultRetentionPolicy=basicFIFO`, {
      body: { name: 'Sales Analytics_PushSync', defaultMode: 'Push', tables: [{ name: 'Sales', columns: [{ name: 'Amount', dataType: 'Double' }], measures: [{ name: 'Total', expression: 'SUM(Sales[Amount])' }] }] },
    });
    await call(op('Datasets_PostDatasetInGroup'), G, { body: { name: 'bad', tables: [{ name: 'a.b', columns: [] }] } });
    const id = created.body.id as string;
    await call(op('Datasets_GetDatasetInGroup'), `${G}/${id}`);
    await call(op('Datasets_GetTablesInGroup'), `${G}/${id}/tables`);
    await call(op('Datasets_PutTableInGroup'), `${G}/${id}/tables/Sales`, { body: { name: 'Sales', columns: [{ name: 'Amount', dataType: 'Double' }, { name: 'Qty', dataType: 'Int64' }] } });
    await call(op('Datasets_ExecuteQueriesInGroup'), `${G}/${bim}/executeQueries`, { body: { queries: [{ query: 'EVALUATE INFO.VIEW.TABLES()' }], serializerSettings: { includeNulls: true } } });
    await call(op('Datasets_GetRefreshHistoryInGroup'), `${G}/${bim}/refreshes?$top=5`);
    await call(op('Datasets_DeleteDatasetInGroup'), `${G}/${id}`);
    await call(op('WorkspaceInfo_GetModifiedWorkspaces'), '/v1.0/myorg/admin/workspaces/modified');
    const scan = await call(op('WorkspaceInfo_PostWorkspaceInfo'), '/v1.0/myorg/admin/workspaces/getInfo?datasetSchema=true&datasetExpressions=true', { body: { workspaces: [ws] } });
    await call(op('WorkspaceInfo_GetScanStatus'), `/v1.0/myorg/admin/workspaces/scanStatus/${scan.body.id}`);
    await call(op('WorkspaceInfo_GetScanStatus'), `/v1.0/myorg/admin/workspaces/scanStatus/${scan.body.id}`);
    await call(op('WorkspaceInfo_GetScanResult'), `/v1.0/myorg/admin/workspaces/scanResult/${scan.body.id}`);
  });
  afterAll(async () => {
    await emu?.close();
  });

  test('every contracted operation was exercised', () => {
    expect(OPERATIONS.map((o) => o.operationId).filter((id) => !answers.some((a) => a.op === id))).toEqual([]);
  });

  test('each answer passes its contract and the official specification', () => {
    expect(emu.violations).toEqual([]);
    const problems = answers.flatMap((a) => {
      const t = a.template === '/v1/operations/{operationId}/result' ? { method: 'POST', template: DEFINITION } : a;
      const surface = a.template.startsWith('/v1/') ? 'fabric' : 'powerbi';
      return [
        ...validateContractResponse(a.method, a.template, a.status, a.body),
        ...validateResponse(surface, t.method, t.template, a.status, a.body),
      ].map((p) => `${a.op} ${a.status}: ${p}`);
    });
    expect(problems).toEqual([]);
    expect(answers.filter((a) => a.status >= 400).map((a) => `${a.op} ${a.status}`)).toEqual([
      'Items_GetSemanticModelDefinition 404', 'Datasets_PostDatasetInGroup 400',
    ]);
  });
});
