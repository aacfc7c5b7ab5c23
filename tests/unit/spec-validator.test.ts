// The validator over Microsoft's Swagger (official-spec tier: needs ../shared/specs) accepts what the
// emulator really sends and rejects the same answers once a field is renamed or dropped (issue 3 "Must
// show": schema validation fails when a response field is renamed). The project's own contracts, which
// the emulator checks always, are tested in contracts.test.ts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFabricEmulator, type FabricEmulator } from '../support/fabric-emulator/index.js';
import { example, specsDir, synthetic } from '../support/paths.js';
import { operationIdOf, validateAgainstDefinition, validateResponse } from '../support/spec-validator.js';
import { describeSpecs } from '../support/tiers.js';

describeSpecs('the official-spec validator', () => {
  let emu: FabricEmulator;
  let ws: string;
  const auth = { authorization: 'Bearer t' };

  async function get(p: string, method = 'GET', body?: unknown): Promise<any> {
    const r = await fetch(emu.url + p, { method, headers: { ...auth, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return r.json();
  }

  beforeAll(async () => {
    emu = await startFabricEmulator({ pageSize: 1 });
    ws = emu.addWorkspace({ name: 'W' });
    emu.addModel(ws, { name: 'A', path: example.bim });
    emu.addModel(ws, { name: 'B', path: synthetic.minimal });
  });
  afterAll(async () => { await emu.close(); });

  const SM = '/v1/workspaces/{workspaceId}/semanticModels';
  const DS = '/v1.0/myorg/groups/{groupId}/datasets';

  describe('real emulator answers pass, mutated ones fail', () => {
    test('Fabric list: value → values and continuationUri → nextLink are caught', async () => {
      const page = await get(`/v1/workspaces/${ws}/semanticModels`);
      expect(page.continuationUri).toBeTypeOf('string');
      expect(validateResponse('fabric', 'GET', SM, 200, page)).toEqual([]);

      const { value, ...rest } = page;
      const renamed = validateResponse('fabric', 'GET', SM, 200, { ...rest, values: value });
      expect(renamed).toContain('/: property "values" is not declared in the spec');
      expect(renamed).toContain("/ must have required property 'value'");

      const { continuationUri, ...noUri } = page;
      expect(validateResponse('fabric', 'GET', SM, 200, { ...noUri, nextLink: continuationUri })).toEqual(['/: property "nextLink" is not declared in the spec']);
    });

    test('Fabric item without its required type, or with a non-uuid id', async () => {
      const page = await get(`/v1/workspaces/${ws}/semanticModels`);
      const { type: _type, ...noType } = page.value[0];
      expect(validateResponse('fabric', 'GET', SM, 200, { value: [noType] })).toEqual(["/value/0 must have required property 'type'"]);
      expect(validateResponse('fabric', 'GET', SM, 200, { value: [{ ...page.value[0], id: 'model-1' }] })).toEqual(['/value/0/id must match format "uuid"']);
    });

    test('Power BI datasets: a missing required id and a renamed value are caught', async () => {
      const list = await get(`/v1.0/myorg/groups/${ws}/datasets`);
      expect(validateResponse('powerbi', 'GET', DS, 200, list)).toEqual([]);
      const { id: _id, ...noId } = list.value[0];
      expect(validateResponse('powerbi', 'GET', DS, 200, { value: [noId] })).toEqual(["/value/0 must have required property 'id'"]);
      expect(validateResponse('powerbi', 'GET', DS, 200, { values: list.value })).toEqual(['/: property "values" is not declared in the spec']);
      // camelCase answers are matched to the swagger's PascalCase names, and then type-checked
      expect(validateResponse('powerbi', 'GET', DS, 200, { value: [{ ...list.value[0], createdDate: 'yesterday' }] })).toEqual(['/value/0/CreatedDate must match format "date-time"']);
    });

    test('LRO state: a wrong status and an out-of-range percentComplete are caught', () => {
      const ok = { status: 'Running', createdTimeUtc: '2026-01-01T00:00:00Z', lastUpdatedTimeUtc: '2026-01-01T00:00:01Z', percentComplete: 25 };
      expect(validateResponse('fabric', 'GET', '/v1/operations/{operationId}', 200, ok)).toEqual([]);
      expect(validateResponse('fabric', 'GET', '/v1/operations/{operationId}', 200, { ...ok, status: 'Done', percentComplete: 250 })).toHaveLength(2);
    });

    test('errors: Fabric ErrorResponse needs errorCode, Power BI needs the error envelope', () => {
      expect(validateResponse('fabric', 'GET', SM, 404, { errorCode: 'ItemNotFound', message: 'x' })).toEqual([]);
      expect(validateResponse('fabric', 'GET', SM, 404, { code: 'ItemNotFound', message: 'x' })).toContain("/ must have required property 'errorCode'");
      expect(validateResponse('powerbi', 'GET', DS, 404, { error: { code: 'ItemNotFound' } })).toEqual([]);
      expect(validateResponse('powerbi', 'GET', DS, 404, { errorCode: 'ItemNotFound' })).not.toEqual([]);
    });

    test('a 202 getDefinition must have no body; an undeclared status is reported', () => {
      const t = `${SM}/{semanticModelId}/getDefinition`;
      expect(validateResponse('fabric', 'POST', t, 202, undefined)).toEqual([]);
      expect(validateResponse('fabric', 'POST', t, 202, { status: 'Running' })).toEqual(['Items_GetSemanticModelDefinition: status 202 declares no body']);
      expect(validateResponse('powerbi', 'GET', DS, 204, undefined)).toEqual(['Datasets_GetDatasetsInGroup: status 204 is not declared']);
    });

    test('the emulator itself records a violation when it is fed a non-uuid model id', async () => {
      const local = await startFabricEmulator();
      try {
        const w = local.addWorkspace({ name: 'W' });
        local.addModel(w, { id: 'not-a-uuid', name: 'X', parts: [{ path: 'model.bim', text: '{}' }] });
        await fetch(`${local.url}/v1/workspaces/${w}/semanticModels`, { headers: auth });
        expect(local.violations).toEqual([`GET /v1/workspaces/${w}/semanticModels → 200: /value/0/id must match format "uuid"`]);
      } finally {
        await local.close();
      }
    });
  });

  describe('push names use the intended unicode pattern (docs/fabric-rest.md, "Push datasets")', () => {
    const body = (name: string, column = 'c') => ({ name: 'd', tables: [{ name, columns: [{ name: column, dataType: 'Int64' }] }] });

    test('the swagger pattern compiled as written admits forbidden characters; the validator does not', () => {
      const swagger = JSON.parse(readFileSync(path.join(specsDir, 'powerbi/swagger.json'), 'utf8'));
      const asWritten = new RegExp(swagger.definitions.Table.properties.name.pattern);
      // the bug: `\u10000-\u10FFFF` reads as `\u1000`, `0-\u10FF`, `F`, `F`, so 0x30–0x10FF is admitted
      for (const name of ['a:b', 'x[y]', 'p{q}', 'back`tick', 'a|b']) {
        expect(asWritten.test(name)).toBe(true);
        expect(validateAgainstDefinition('powerbi', 'CreateDatasetRequest', body(name))).toHaveLength(1);
      }
    });

    test.each(['Sales', 'Δ Sales #1', 'Ventes_été ~ ^ @ -', '吃', 'emoji 😀', 'a'.repeat(100)])('accepts table name %s', (name) => {
      expect(validateAgainstDefinition('powerbi', 'CreateDatasetRequest', body(name))).toEqual([]);
    });

    test.each(['Sales.Fact', 'Sales (2)', 'a:b', 'x[y]', 'p{q}', 'back`tick', '50%', '', 'a'.repeat(101)])('rejects table name %j', (name) => {
      expect(validateAgainstDefinition('powerbi', 'CreateDatasetRequest', body(name)).join()).toMatch(/must match pattern/);
    });

    test('column names may hold any printable character', () => {
      expect(validateAgainstDefinition('powerbi', 'CreateDatasetRequest', body('T', 'Amount (EUR) [net].x'))).toEqual([]);
      expect(validateAgainstDefinition('powerbi', 'CreateDatasetRequest', body('T', ''))).not.toEqual([]);
    });
  });

  test('routes map to the documented operations', () => {
    expect(operationIdOf('fabric', 'GET', SM)).toBe('Items_ListSemanticModels');
    expect(operationIdOf('fabric', 'GET', '/v1/workspaces/{workspaceId}/items')).toBe('Items_ListItems');
    expect(operationIdOf('fabric', 'GET', '/v1/operations/{operationId}/result')).toBe('LongRunningOperations_GetOperationResult');
    expect(operationIdOf('powerbi', 'POST', DS)).toBe('Datasets_PostDatasetInGroup');
    expect(operationIdOf('powerbi', 'GET', '/v1.0/myorg/admin/workspaces/scanResult/{scanId}')).toBe('WorkspaceInfo_GetScanResult');
  });
});
