// The local Fabric + Power BI emulator behaves like the documented services (issue 3 item 4) and every
// answer it gives in these tests conforms to the official swagger (violations stay empty).
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { startFabricEmulator, type EmulatorOptions, type FabricEmulator } from '../support/fabric-emulator/index.js';
import { example, modelEntries, synthetic } from '../support/paths.js';

const TOKEN = 'token-a';
let emu: FabricEmulator;
let ws: string;

async function start(options: EmulatorOptions = {}): Promise<void> {
  emu = await startFabricEmulator({ acceptTokens: [TOKEN, 'token-b'], ...options });
  ws = emu.addWorkspace({ name: 'Sales' });
}

async function call(method: string, p: string, body?: unknown, token: string | null = TOKEN): Promise<{ status: number; json: any; headers: Headers }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const url = p.startsWith('http') ? p : emu.url + p;
  const r = await fetch(url, { method, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : undefined, headers: r.headers };
}

afterEach(async () => {
  expect(emu.violations).toEqual([]);
  await emu.close();
});

function table(name: string, columns = 2): any {
  return { name, columns: Array.from({ length: columns }, (_, i) => ({ name: `c${i}`, dataType: 'Int64' })) };
}

describe('listing and paging', () => {
  test('Fabric semanticModels pages over 3+ pages; continuation fields vanish on the last page', async () => {
    await start({ pageSize: 2 });
    for (let i = 0; i < 5; i++) emu.addModel(ws, { name: `m${i}`, parts: [{ path: 'model.bim', text: '{"model":{"tables":[]}}' }, { path: 'definition.pbism', text: '{}' }] });
    const seen: string[] = [];
    let next: string | undefined = `/v1/workspaces/${ws}/semanticModels`;
    let pages = 0;
    while (next) {
      const r = await call('GET', next);
      expect(r.status).toBe(200);
      pages += 1;
      seen.push(...r.json.value.map((x: any) => x.displayName));
      if (r.json.continuationUri) expect(r.json.continuationToken).toBeTypeOf('string');
      else expect(r.json).not.toHaveProperty('continuationToken');
      next = r.json.continuationUri;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    const items = await call('GET', `/v1/workspaces/${ws}/items?type=SemanticModel`);
    expect(items.json.continuationUri).toContain('type=SemanticModel');
    expect((await call('GET', `/v1/workspaces/${ws}/items?continuationToken=bogus`)).status).toBe(400);
  });

  test('Power BI groups page with $top/$skip; datasets list models and push datasets', async () => {
    await start();
    for (let i = 0; i < 4; i++) emu.addWorkspace({ name: `w${i}` });
    const page = await call('GET', '/v1.0/myorg/groups?$top=2&$skip=2');
    expect(page.json.value.map((g: any) => g.name)).toEqual(['w1', 'w2']);
    emu.addModel(ws, { name: 'Sales', path: example.tmdl });
    await call('POST', `/v1.0/myorg/groups/${ws}/datasets`, { name: 'Sales_PushSync', tables: [table('T')] });
    const ds = await call('GET', `/v1.0/myorg/groups/${ws}/datasets`);
    expect(ds.json.value.map((d: any) => [d.name, d.addRowsAPIEnabled])).toEqual([['Sales', false], ['Sales_PushSync', true]]);
    expect(ds.json.value[0]).toMatchObject({ configuredBy: expect.any(String), targetStorageMode: 'Abf', createdDate: expect.stringMatching(/Z$/) });
    expect((await call('GET', `/v1.0/myorg/groups/${ws}/datasets/${ds.json.value[0].id}`)).json.name).toBe('Sales');
    const hist = await call('GET', `/v1.0/myorg/groups/${ws}/datasets/${ds.json.value[0].id}/refreshes?$top=5`);
    expect(hist.json.value[0]).toMatchObject({ status: 'Completed' });
  });
});

describe('getDefinition', () => {
  test('answers 200 at once by default, with base64 parts of the source format', async () => {
    await start();
    const tmsl = emu.addModel(ws, { name: 'AW', path: example.bim });
    const tmdl = emu.addModel(ws, { name: 'R', path: example.tmdl });
    const a = await call('POST', `/v1/workspaces/${ws}/semanticModels/${tmsl}/getDefinition?format=TMSL`);
    expect(a.status).toBe(200);
    expect(a.json.definition.parts.map((p: any) => p.path)).toEqual(['model.bim', 'definition.pbism']);
    const bim = JSON.parse(Buffer.from(a.json.definition.parts[0].payload, 'base64').toString('utf8'));
    expect(bim.model.tables.length).toBe(3);
    const b = await call('POST', `/v1/workspaces/${ws}/semanticModels/${tmdl}/getDefinition?format=TMSL`);
    expect(b.json.definition.format).toBe('TMDL');
    expect(b.json.definition.parts.map((p: any) => p.path)).toContain('definition/tables/Sales.tmdl');
    expect((await call('POST', `/v1/workspaces/${ws}/semanticModels/${tmdl}/getDefinition?format=tmsl`)).status).toBe(400);
  });

  test('LRO: 202 + Location, several Running polls, Succeeded, then the result; edits show up', async () => {
    await start({ lroPolls: 3, lroRetryAfter: 2 });
    const id = emu.addModel(ws, { name: 'R', path: example.tmdl });
    emu.updateModelPart(id, 'definition/tables/Sales.tmdl', (t) => `${t}\n\tmeasure 'Emulator Added' = 1\n`);
    const start202 = await call('POST', `/v1/workspaces/${ws}/semanticModels/${id}/getDefinition`);
    expect(start202.status).toBe(202);
    expect(start202.headers.get('retry-after')).toBe('2');
    const opId = start202.headers.get('x-ms-operation-id')!;
    expect(start202.headers.get('location')).toBe(`${emu.url}/v1/operations/${opId}`);
    const statuses: string[] = [];
    let location = start202.headers.get('location')!;
    for (;;) {
      const s = await call('GET', location);
      statuses.push(s.json.status);
      location = s.headers.get('location') ?? location;
      if (s.json.status === 'Succeeded') break;
      expect(s.json.percentComplete).toBeLessThan(100);
    }
    expect(statuses).toEqual(['Running', 'Running', 'Running', 'Succeeded']);
    expect(location).toBe(`${emu.url}/v1/operations/${opId}/result`);
    const result = await call('GET', location);
    const sales = result.json.definition.parts.find((p: any) => p.path === 'definition/tables/Sales.tmdl');
    expect(Buffer.from(sales.payload, 'base64').toString('utf8')).toContain('Emulator Added');
    expect((await call('GET', location, undefined, 'token-b')).status).toBe(404); // operations belong to their caller
  });

  test('lroFailed: the operation ends Failed with an ErrorResponse and has no result', async () => {
    await start();
    const id = emu.addModel(ws, { name: 'R', path: synthetic.directLake });
    emu.fault({ path: 'getDefinition', kind: 'lroFailed', times: 1 });
    const r = await call('POST', `/v1/workspaces/${ws}/semanticModels/${id}/getDefinition`);
    expect(r.status).toBe(202);
    const s = await call('GET', r.headers.get('location')!);
    expect(s.json).toMatchObject({ status: 'Failed', error: { errorCode: 'OperationNotSupportedForItem', message: expect.any(String) } });
    expect(s.headers.get('location')).toBeNull();
    expect((await call('GET', `/v1/operations/${r.headers.get('x-ms-operation-id')}/result`)).json.errorCode).toBe('OperationFailed');
    expect((await call('POST', `/v1/workspaces/${ws}/semanticModels/${id}/getDefinition`)).status).toBe(200);
  });
});

describe('authentication and authorization', () => {
  test('401 without or with an unknown token, 403 outside the workspace, on both surfaces', async () => {
    await start();
    const closed = emu.addWorkspace({ name: 'Finance', members: ['token-b'] });
    const noToken = await call('GET', `/v1.0/myorg/groups/${ws}/datasets`, undefined, null);
    expect(noToken.status).toBe(401);
    expect(noToken.json.error.code).toBe('Unauthorized');
    const unknown = await call('GET', `/v1/workspaces/${ws}/semanticModels`, undefined, 'stolen');
    expect(unknown.status).toBe(401);
    expect(unknown.json).toMatchObject({ errorCode: 'TokenExpired', requestId: expect.any(String) });
    const pbi = await call('GET', `/v1.0/myorg/groups/${closed}/datasets`);
    expect([pbi.status, pbi.json.error.code]).toEqual([403, 'PowerBINotAuthorizedException']);
    const fab = await call('GET', `/v1/workspaces/${closed}/semanticModels`);
    expect([fab.status, fab.json.errorCode]).toEqual([403, 'InsufficientPrivileges']);
    expect((await call('GET', `/v1/workspaces/${closed}/semanticModels`, undefined, 'token-b')).status).toBe(200);
    expect((await call('GET', '/v1/workspaces')).json.value.map((w: any) => w.displayName)).toEqual(['Sales']);
  });
});

describe('roles', () => {
  test('a Viewer lists and queries but getDefinition and push writes answer 403; admin APIs need an admin token', async () => {
    await start({ adminTokens: [TOKEN] });
    const shared = emu.addWorkspace({ name: 'Shared', members: [TOKEN], viewers: ['token-b'] });
    const id = emu.addModel(shared, { name: 'R', path: synthetic.minimal });
    expect((await call('GET', `/v1/workspaces/${shared}`, undefined, 'token-b')).json.displayName).toBe('Shared');
    expect((await call('GET', `/v1/workspaces/${shared}/semanticModels`, undefined, 'token-b')).json.value).toHaveLength(1);
    const denied = await call('POST', `/v1/workspaces/${shared}/semanticModels/${id}/getDefinition`, undefined, 'token-b');
    expect([denied.status, denied.json.errorCode]).toEqual([403, 'InsufficientPrivileges']);
    const push = await call('POST', `/v1.0/myorg/groups/${shared}/datasets`, { name: 'x', tables: [table('T')] }, 'token-b');
    expect([push.status, push.json.error.code]).toEqual([403, 'PowerBINotAuthorizedException']);
    expect((await call('POST', `/v1/workspaces/${shared}/semanticModels/${id}/getDefinition`)).status).toBe(200);
    expect((await call('GET', '/v1.0/myorg/admin/workspaces/modified', undefined, 'token-b')).status).toBe(401);
    expect((await call('GET', '/v1.0/myorg/admin/workspaces/modified')).status).toBe(200);
  });
});

test('every model (synthetic, and the corpus when present) is served in its format and scanned within the contracts', async () => {
  await start({ lroPolls: 1 });
  const entries = modelEntries();
  const ids = entries.map((e) => emu.addModel(ws, { name: e.id, path: e.dir }));
  for (const [i, id] of ids.entries()) {
    const r = await call('POST', `/v1/workspaces/${ws}/semanticModels/${id}/getDefinition?format=TMSL`);
    expect((await call('GET', r.headers.get('location')!)).json.status).toBe('Running');
    expect((await call('GET', r.headers.get('location')!)).json.status).toBe('Succeeded');
    const result = await call('GET', `/v1/operations/${r.headers.get('x-ms-operation-id')}/result`);
    const paths = result.json.definition.parts.map((p: any) => p.path);
    expect(result.json.definition.format).toBe(entries[i]!.expected.format === 'BIM' ? 'TMSL' : 'TMDL');
    expect(paths).toContain('definition.pbism');
    expect(paths.some((p: string) => p === 'model.bim' || p.startsWith('definition/tables/'))).toBe(true);
  }
  const scan = await call('POST', '/v1.0/myorg/admin/workspaces/getInfo?datasetSchema=true', { workspaces: [ws] });
  await call('GET', `/v1.0/myorg/admin/workspaces/scanStatus/${scan.json.id}`);
  await call('GET', `/v1.0/myorg/admin/workspaces/scanStatus/${scan.json.id}`);
  const result = await call('GET', `/v1.0/myorg/admin/workspaces/scanResult/${scan.json.id}`);
  const tables = Object.fromEntries(result.json.workspaces[0].datasets.map((d: any) => [d.name, d.tables.length]));
  for (const e of entries) expect(tables[e.id], e.id).toBe(e.expected.tables);
});

describe('push datasets', () => {
  const base = () => `/v1.0/myorg/groups/${ws}/datasets`;

  test('create, list, GET tables, PUT table, DELETE; same name twice is allowed', async () => {
    await start();
    const body = {
      name: 'Sales_PushSync', defaultMode: 'Push',
      tables: [{ ...table('Fact', 3), measures: [{ name: 'Total', expression: 'SUM(Fact[c0])' }] }, { name: 'Dim', columns: [{ name: 'c0', dataType: 'bool' }, { name: 'When', dataType: 'dateTime' }] }],
      relationships: [{ name: 'r1', fromTable: 'Fact', fromColumn: 'c0', toTable: 'Dim', toColumn: 'c0', crossFilteringBehavior: 'BothDirections' }],
    };
    const created = await call('POST', `${base()}?defaultRetentionPolicy=basicFIFO`, body);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'Sales_PushSync', defaultRetentionPolicy: 'basicFIFO' });
    const again = await call('POST', base(), body);
    expect(again.status).toBe(201);
    expect(emu.pushDatasets(ws).map((d) => d.name)).toEqual(['Sales_PushSync', 'Sales_PushSync']);
    const tables = await call('GET', `${base()}/${created.json.id}/tables`);
    expect(tables.json.value.map((t: any) => t.name)).toEqual(['Fact', 'Dim']);
    expect(tables.json.value[0].measures[0].name).toBe('Total');
    const put = await call('PUT', `${base()}/${created.json.id}/tables/Dim`, { name: 'Dim', columns: [{ name: 'c0', dataType: 'Boolean' }, { name: 'Label', dataType: 'String' }] });
    expect(put.status).toBe(200);
    expect(emu.pushDatasets(ws)[0]!.tables[1].columns.map((c: any) => c.name)).toEqual(['c0', 'Label']);
    expect((await call('PUT', `${base()}/${created.json.id}/tables/Nope`, table('Nope'))).status).toBe(404);
    expect((await call('DELETE', `${base()}/${created.json.id}`)).status).toBe(200);
    expect((await call('GET', `${base()}/${created.json.id}`)).status).toBe(404);
    expect(emu.stats.writes).toBe(4);
  });

  const cases: Array<[string, unknown, RegExp]> = [
    ['missing name', { tables: [table('T')] }, /name is required/],
    ['missing tables', { name: 'x' }, /tables is required/],
    ['table name with a dot', { name: 'x', tables: [table('Sales.Fact')] }, /Sales\.Fact' is invalid/],
    ['table name with parentheses', { name: 'x', tables: [table('Sales (2)')] }, /is invalid/],
    ['table name over 100 characters', { name: 'x', tables: [table('a'.repeat(101))] }, /is invalid/],
    ['column without dataType', { name: 'x', tables: [{ name: 'T', columns: [{ name: 'c' }] }] }, /dataType is required/],
    ['unknown dataType', { name: 'x', tables: [{ name: 'T', columns: [{ name: 'c', dataType: 'Currency' }] }] }, /dataType 'Currency'/],
    ['76 tables', { name: 'x', tables: Array.from({ length: 76 }, (_, i) => table(`T${i}`)) }, /76 tables exceed the limit of 75/],
    ['76 columns', { name: 'x', tables: [table('T', 76)] }, /76 columns exceed the limit of 75/],
    ['76 relationships', { name: 'x', tables: [table('A'), table('B')], relationships: Array.from({ length: 76 }, (_, i) => ({ name: `r${i}`, fromTable: 'A', fromColumn: 'c0', toTable: 'B', toColumn: 'c0' })) }, /76 relationships exceed the limit of 75/],
    ['relationship to a missing table', { name: 'x', tables: [table('A')], relationships: [{ name: 'r', fromTable: 'A', fromColumn: 'c0', toTable: 'B', toColumn: 'c0' }] }, /toTable 'B' is not a table/],
    ['relationship to a missing column', { name: 'x', tables: [table('A'), table('B')], relationships: [{ name: 'r', fromTable: 'A', fromColumn: 'zz', toTable: 'B', toColumn: 'c0' }] }, /fromColumn 'zz' is not a column/],
    ['relationship without toColumn', { name: 'x', tables: [table('A'), table('B')], relationships: [{ name: 'r', fromTable: 'A', fromColumn: 'c0', toTable: 'B' }] }, /toColumn is required/],
    ['duplicate table names', { name: 'x', tables: [table('T'), table('t')] }, /Duplicate table name/],
    ['measure without expression', { name: 'x', tables: [{ ...table('T'), measures: [{ name: 'm' }] }] }, /expression is required/],
  ];
  test.each(cases)('rejects %s with a Power BI 400', async (_label, body, message) => {
    await start();
    const r = await call('POST', base(), body);
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(message);
    expect(emu.pushDatasets()).toEqual([]);
    expect(emu.stats.writes).toBe(0);
  });

  test('accepts the limits exactly, unicode names and every dataType spelling', async () => {
    await start();
    const types = ['Int64', 'int64', 'Double', 'Boolean', 'bool', 'Datetime', 'DateTime', 'String', 'string', 'Decimal'];
    const ok = await call('POST', `${base()}?defaultRetentionPolicy=None`, {
      name: 'x',
      tables: [{ name: 'Δ Sales #1 ~ ^ @ -', columns: types.map((t, i) => ({ name: `c${i} (x.y)`, dataType: t })) },
        ...Array.from({ length: 74 }, (_, i) => table(`T${i}`, 75))],
      relationships: Array.from({ length: 75 }, (_, i) => ({ name: `r${i}`, fromTable: `T${i % 74}`, fromColumn: 'c0', toTable: 'Δ Sales #1 ~ ^ @ -', toColumn: 'c0 (x.y)' })),
    });
    expect(ok.status).toBe(201);
    expect((await call('POST', `${base()}?defaultRetentionPolicy=forever`, { name: 'y', tables: [table('T')] })).status).toBe(400);
    expect((await call('POST', base(), '{"name":')).status).toBe(400);
  });
});

describe('executeQueries', () => {
  test('INFO.VIEW via describeModel, one query only, DAX errors as DatasetExecuteQueriesError', async () => {
    await start({
      describeModel: (parts) => ({ TABLES: parts.filter((p) => p.path.includes('/tables/')).map((p) => ({ '[Name]': path.basename(p.path, '.tmdl'), '[Description]': null })) }),
    });
    const id = emu.addModel(ws, { name: 'R', path: example.tmdl });
    const q = (query: string | string[], includeNulls = true) => call('POST', `/v1.0/myorg/groups/${ws}/datasets/${id}/executeQueries`, {
      queries: (Array.isArray(query) ? query : [query]).map((x) => ({ query: x })), serializerSettings: { includeNulls },
    });
    const ok = await q('EVALUATE INFO.VIEW.TABLES()');
    expect(ok.status).toBe(200);
    expect(ok.json.results[0].tables[0].rows.map((r: any) => r['[Name]']).sort()).toEqual(['Customers', 'Products', 'Sales']);
    expect(ok.json.results[0].tables[0].rows[0]).toHaveProperty('[Description]', null);
    expect((await q('evaluate info.view.tables()', false)).json.results[0].tables[0].rows[0]).not.toHaveProperty('[Description]');
    const dax = await q('EVALUATE INFO.VIEW.MEASURES()');
    expect([dax.status, dax.json.error.code]).toEqual([400, 'DatasetExecuteQueriesError']);
    expect((await q(['EVALUATE {1}', 'EVALUATE {2}'])).status).toBe(400);
  });
});

describe('admin scanner', () => {
  test('modified follows model changes; getInfo → scanStatus → scanResult; hourly quota → 429 + Retry-After', async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z');
    await start({ now: () => clock });
    const other = emu.addWorkspace({ name: 'Other' });
    const id = emu.addModel(ws, { name: 'AW', path: example.bim });
    clock += 3_600_000;
    const since = new Date(clock).toISOString();
    // modifiedSince must lie 30 minutes to 30 days back ("to allow workspace changes to take effect").
    clock += 60_000;
    expect((await call('GET', `/v1.0/myorg/admin/workspaces/modified?modifiedSince=${since}`)).status).toBe(400);
    clock += 30 * 60_000;
    expect((await call('GET', `/v1.0/myorg/admin/workspaces/modified?modifiedSince=${since}`)).json).toEqual([]);
    emu.updateModelPart(id, 'model.bim', (t) => t.replace('"tables"', '"description": "edited", "tables"'));
    expect((await call('GET', `/v1.0/myorg/admin/workspaces/modified?modifiedSince=${since}`)).json).toEqual([{ id: ws }]);
    expect((await call('GET', '/v1.0/myorg/admin/workspaces/modified')).json.map((w: any) => w.id).sort()).toEqual([ws, other].sort());
    const scan = await call('POST', '/v1.0/myorg/admin/workspaces/getInfo?datasetSchema=true&datasetExpressions=true', { workspaces: [ws] });
    expect(scan.status).toBe(202);
    expect(scan.headers.get('location')).toContain(`/scanStatus/${scan.json.id}`);
    expect((await call('GET', `/v1.0/myorg/admin/workspaces/scanResult/${scan.json.id}`)).status).toBe(400);
    const statuses = [];
    for (let i = 0; i < 2; i++) statuses.push((await call('GET', `/v1.0/myorg/admin/workspaces/scanStatus/${scan.json.id}`)).json.status);
    expect(statuses).toEqual(['Running', 'Succeeded']);
    const result = await call('GET', `/v1.0/myorg/admin/workspaces/scanResult/${scan.json.id}`);
    expect(result.json.workspaces[0].datasets[0].tables.length).toBe(3);
    for (let i = 0; i < 27; i++) await call('GET', '/v1.0/myorg/admin/workspaces/modified');
    const limited = await call('GET', '/v1.0/myorg/admin/workspaces/modified');
    expect(limited.status).toBe(429);
    // The window's oldest call (the refused one) was made 30 minutes before the others.
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(1700);
    expect(limited.json.message).toMatch(/Retry in \d+ seconds/);
    clock += 3_600_000;
    expect((await call('GET', '/v1.0/myorg/admin/workspaces/modified')).status).toBe(200);
    expect((await call('POST', '/v1.0/myorg/admin/workspaces/getInfo', { workspaces: [] })).status).toBe(400);
  });
});

describe('faults', () => {
  const list = () => `/v1/workspaces/${ws}/semanticModels`;

  test('429 with Retry-After pauses the host: requests during the pause are counted', async () => {
    let clock = 1_000_000;
    await start({ now: () => clock });
    emu.fault({ path: 'semanticModels', kind: '429', retryAfter: 2, times: 1 });
    const r = await call('GET', list());
    expect([r.status, r.headers.get('retry-after'), r.json.errorCode, r.json.isRetriable]).toEqual([429, '2', 'RequestBlocked', true]);
    await call('GET', '/v1.0/myorg/groups'); // another route, same host, still during the pause
    expect(emu.stats.requestsDuringPause).toBe(1);
    clock += 2_000;
    expect((await call('GET', list())).status).toBe(200);
    expect(emu.stats.requestsDuringPause).toBe(1);
  });

  test('429 with an HTTP-date Retry-After, Power BI style body', async () => {
    const clock = Date.parse('2026-01-01T00:00:00Z');
    await start({ now: () => clock });
    const until = new Date(clock + 3_600_000).toUTCString();
    emu.fault({ method: 'GET', path: /\/datasets$/, kind: '429', retryAfter: until, times: 1 });
    const r = await call('GET', `/v1.0/myorg/groups/${ws}/datasets`);
    expect([r.status, r.headers.get('retry-after'), r.json.error.code]).toEqual([429, until, 'RequestBlocked']);
    await call('GET', `/v1.0/myorg/groups/${ws}/datasets`);
    expect(emu.stats.requestsDuringPause).toBe(1);
  });

  test.each(['500', '503', '401', '403'] as const)('%s answers with the surface error body, `times` limits it', async (kind) => {
    await start();
    emu.fault({ path: 'semanticModels', kind, times: 2, ...(kind === '503' ? { retryAfter: 5 } : {}) });
    const a = await call('GET', list());
    const b = await call('GET', list());
    const c = await call('GET', list());
    expect([a.status, b.status, c.status]).toEqual([Number(kind), Number(kind), 200]);
    expect(a.json).toMatchObject({ errorCode: expect.any(String), message: expect.any(String), requestId: expect.any(String) });
    if (kind === '503') expect(a.headers.get('retry-after')).toBe('5');
    emu.fault({ path: 'datasets', kind, times: 1 });
    expect((await call('GET', `/v1.0/myorg/groups/${ws}/datasets`)).json.error.code).toEqual(expect.any(String));
  });

  test('reset drops the connection, malformed sends broken JSON, truncated cuts the body', async () => {
    await start();
    emu.fault({ path: 'semanticModels', kind: 'reset', times: 1 });
    await expect(fetch(emu.url + list(), { headers: { authorization: `Bearer ${TOKEN}` } })).rejects.toThrow();
    emu.fault({ path: 'semanticModels', kind: 'malformed', times: 1 });
    const m = await fetch(emu.url + list(), { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(m.status).toBe(200);
    await expect(m.json()).rejects.toThrow(SyntaxError);
    emu.fault({ path: 'semanticModels', kind: 'truncated', times: 1 });
    await expect(fetch(emu.url + list(), { headers: { authorization: `Bearer ${TOKEN}` } }).then((x) => x.text())).rejects.toThrow();
    expect((await call('GET', list())).status).toBe(200);
  });

  test('latency delays, hang never answers (a client timeout ends it), maxConcurrent is tracked', async () => {
    await start({ latencyMs: 20 });
    emu.fault({ path: 'semanticModels', kind: 'latency', latencyMs: 150, times: 1 });
    const t0 = Date.now();
    expect((await call('GET', list())).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(160);
    emu.fault({ path: 'semanticModels', kind: 'hang', times: 1 });
    await expect(fetch(emu.url + list(), { headers: { authorization: `Bearer ${TOKEN}` }, signal: AbortSignal.timeout(200) })).rejects.toThrow();
    await Promise.all(Array.from({ length: 5 }, () => call('GET', list())));
    expect(emu.stats.maxConcurrent).toBeGreaterThanOrEqual(2);
    expect(emu.requestLog.some((e) => e.status === 0)).toBe(true);
  });
});
