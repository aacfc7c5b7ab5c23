// The project's API contracts (tests/support/contracts), which the emulator checks every answer
// against: they cover every route the emulator serves, accept what it really sends and reject the
// same answers once a field is renamed, dropped or mistyped (issue 3 "Must show": schema validation
// fails when a response field is renamed). Needs nothing outside the repository; the contracts are
// held to Microsoft's Swagger by tests/integration/contracts-conformance.test.ts when it is available.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { OPERATIONS, findOperation, validateContractBody, validateContractResponse } from '../support/contracts/index.js';
import { adminRoutes } from '../support/fabric-emulator/admin-routes.js';
import { fabricRoutes } from '../support/fabric-emulator/fabric-routes.js';
import { startFabricEmulator, type FabricEmulator } from '../support/fabric-emulator/index.js';
import { powerbiRoutes } from '../support/fabric-emulator/powerbi-routes.js';
import { example, synthetic } from '../support/paths.js';

const SM = '/v1/workspaces/{workspaceId}/semanticModels';
const DS = '/v1.0/myorg/groups/{groupId}/datasets';

test('every route the emulator serves has exactly one contract, and every contract a route', () => {
  const routes = [...fabricRoutes, ...powerbiRoutes, ...adminRoutes];
  for (const r of routes) expect(findOperation(r.method, r.template), `${r.method} ${r.template}`).toBeDefined();
  const served = new Set(routes.map((r) => `${r.method} ${r.template}`));
  expect(OPERATIONS.filter((o) => !served.has(`${o.method} ${o.path}`)).map((o) => o.operationId)).toEqual([]);
  expect(new Set(OPERATIONS.map((o) => `${o.method} ${o.path}`)).size).toBe(OPERATIONS.length);
});

describe('real emulator answers pass, mutated ones fail', () => {
  let emu: FabricEmulator;
  let ws: string;
  const get = async (p: string, method = 'GET', body?: unknown): Promise<any> => {
    const r = await fetch(emu.url + p, { method, headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return r.json();
  };
  beforeAll(async () => {
    emu = await startFabricEmulator({ pageSize: 1 });
    ws = emu.addWorkspace({ name: 'W' });
    emu.addModel(ws, { name: 'A', path: example.bim });
    emu.addModel(ws, { name: 'B', path: synthetic.minimal });
  });
  afterAll(async () => {
    expect(emu.violations).toEqual([]);
    await emu.close();
  });

  test('Fabric list: value → values and continuationUri → nextLink are caught; a lone continuationToken too', async () => {
    const page = await get(`/v1/workspaces/${ws}/semanticModels`);
    expect(page.continuationUri).toBeTypeOf('string');
    expect(validateContractResponse('GET', SM, 200, page)).toEqual([]);
    const { value, ...rest } = page;
    const renamed = validateContractResponse('GET', SM, 200, { ...rest, values: value });
    expect(renamed).toContain('/: property "values" is not in the contract');
    expect(renamed).toContain("/ must have required property 'value'");
    const { continuationUri, ...noUri } = page;
    expect(validateContractResponse('GET', SM, 200, { ...noUri, nextLink: continuationUri })).toContain('/: property "nextLink" is not in the contract');
    expect(validateContractResponse('GET', SM, 200, noUri).join()).toMatch(/continuationUri/);
  });

  test('Fabric item without its type, with a non-uuid id, or of another type', async () => {
    const page = await get(`/v1/workspaces/${ws}/semanticModels`);
    const { type: _type, ...noType } = page.value[0];
    expect(validateContractResponse('GET', SM, 200, { value: [noType] })).toEqual(["/value/0 must have required property 'type'"]);
    expect(validateContractResponse('GET', SM, 200, { value: [{ ...page.value[0], id: 'model-1' }] })).toEqual(['/value/0/id must match format "uuid"']);
    expect(validateContractResponse('GET', SM, 200, { value: [{ ...page.value[0], type: 'Report' }] })).toEqual(['/value/0/type must be equal to one of the allowed values']);
  });

  test('Power BI datasets: a missing id, a renamed value, a bad createdDate', async () => {
    const list = await get(`/v1.0/myorg/groups/${ws}/datasets`);
    expect(validateContractResponse('GET', DS, 200, list)).toEqual([]);
    const { id: _id, ...noId } = list.value[0];
    expect(validateContractResponse('GET', DS, 200, { value: [noId] })).toEqual(["/value/0 must have required property 'id'"]);
    expect(validateContractResponse('GET', DS, 200, { values: list.value })).toContain('/: property "values" is not in the contract');
    expect(validateContractResponse('GET', DS, 200, { value: [{ ...list.value[0], createdDate: 'yesterday' }] })).toEqual(['/value/0/createdDate must match format "date-time"']);
  });

  test('getDefinition: parts need path, payload and the InlineBase64 type', async () => {
    const id = (await get(`/v1/workspaces/${ws}/semanticModels`)).value[0].id;
    const def = await get(`/v1/workspaces/${ws}/semanticModels/${id}/getDefinition`, 'POST');
    const t = `${SM}/{semanticModelId}/getDefinition`;
    expect(validateContractResponse('POST', t, 200, def)).toEqual([]);
    const part = def.definition.parts[0];
    expect(validateContractResponse('POST', t, 200, { definition: { parts: [{ ...part, payloadType: 'Base64' }] } })).toEqual(['/definition/parts/0/payloadType must be equal to one of the allowed values']);
    expect(validateContractResponse('POST', t, 200, { definition: { parts: [] } })).toEqual(['/definition/parts must NOT have fewer than 1 items']);
  });
});

test('LRO state: a wrong status and an out-of-range percentComplete are caught', () => {
  const ok = { status: 'Running', createdTimeUtc: '2026-01-01T00:00:00Z', lastUpdatedTimeUtc: '2026-01-01T00:00:01Z', percentComplete: 25 };
  expect(validateContractResponse('GET', '/v1/operations/{operationId}', 200, ok)).toEqual([]);
  expect(validateContractResponse('GET', '/v1/operations/{operationId}', 200, { ...ok, status: 'Done', percentComplete: 250 })).toHaveLength(2);
});

test('errors: Fabric needs errorCode and message; Power BI the error envelope or the quota message', () => {
  expect(validateContractResponse('GET', SM, 404, { errorCode: 'ItemNotFound', message: 'x' })).toEqual([]);
  expect(validateContractResponse('GET', SM, 404, { code: 'ItemNotFound', message: 'x' })).toContain("/ must have required property 'errorCode'");
  expect(validateContractResponse('GET', DS, 404, { error: { code: 'ItemNotFound' } })).toEqual([]);
  expect(validateContractResponse('GET', '/v1.0/myorg/admin/workspaces/modified', 429, { message: 'You have exceeded the amount of requests' })).toEqual([]);
  expect(validateContractResponse('GET', DS, 404, { errorCode: 'ItemNotFound' })).not.toEqual([]);
});

test('statuses: a 202 getDefinition has no body; an undeclared status or operation is reported', () => {
  const t = `${SM}/{semanticModelId}/getDefinition`;
  expect(validateContractResponse('POST', t, 202, undefined)).toEqual([]);
  expect(validateContractResponse('POST', t, 202, { status: 'Running' })).toEqual(['Items_GetSemanticModelDefinition: status 202 has no body in the contract']);
  expect(validateContractResponse('GET', DS, 204, undefined)).toEqual(['Datasets_GetDatasetsInGroup: status 204 is not in the contract']);
  expect(validateContractResponse('PATCH', DS, 200, {})).toEqual([`PATCH ${DS}: no contract for this operation`]);
});

test('the emulator itself records a violation when it is fed a non-uuid model id', async () => {
  const local = await startFabricEmulator();
  try {
    const w = local.addWorkspace({ name: 'W' });
    local.addModel(w, { id: 'not-a-uuid', name: 'X', parts: [{ path: 'model.bim', text: '{}' }] });
    await fetch(`${local.url}/v1/workspaces/${w}/semanticModels`, { headers: { authorization: 'Bearer t' } });
    expect(local.violations).toEqual([`GET /v1/workspaces/${w}/semanticModels → 200: /value/0/id must match format "uuid"`]);
  } finally {
    await local.close();
  }
});

describe('push names: the intended unicode patterns', () => {
  const body = (name: string, column = 'c') => ({ name: 'd', tables: [{ name, columns: [{ name: column, dataType: 'Int64' }] }] });
  test.each(['Sales', 'Δ Sales #1', 'Ventes_été ~ ^ @ -', '吃', 'emoji 😀', 'a'.repeat(100)])('accepts table name %s', (name) => {
    expect(validateContractBody('CreateDatasetRequest', body(name))).toEqual([]);
  });
  test.each(['Sales.Fact', 'Sales (2)', 'a:b', 'x[y]', 'p{q}', 'back`tick', '50%', '', 'a'.repeat(101)])('rejects table name %j', (name) => {
    expect(validateContractBody('CreateDatasetRequest', body(name)).join()).toMatch(/must match pattern/);
  });
  test('column names may hold any printable character; 76 columns are too many', () => {
    expect(validateContractBody('CreateDatasetRequest', body('T', 'Amount (EUR) [net].x'))).toEqual([]);
    expect(validateContractBody('CreateDatasetRequest', body('T', ''))).not.toEqual([]);
    const wide = { name: 'd', tables: [{ name: 'T', columns: Array.from({ length: 76 }, (_, i) => ({ name: `c${i}`, dataType: 'Int64' })) }] };
    expect(validateContractBody('CreateDatasetRequest', wide)).toEqual(['/tables/0/columns must NOT have more than 75 items']);
  });
});
