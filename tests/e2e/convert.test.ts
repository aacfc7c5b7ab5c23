// `convert` as users run it: the built CLI against the Fabric emulator, with only environment
// variables pointing it there (issue 4 "Must show").
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFabricEmulator, type FabricEmulator } from '../support/fabric-emulator/index.js';
import { example, synthetic } from '../support/paths.js';
import { runCli, runSpawnedCli } from '../support/run-cli.js';

const TOKEN = 'e2e-convert-token';
let emu: FabricEmulator;

beforeAll(async () => {
  emu = await startFabricEmulator({ acceptTokens: [TOKEN], lroPolls: 1, lroRetryAfter: 0 });
});
afterAll(async () => {
  expect(emu.violations).toEqual([]);
  await emu.close();
});

function envFor(workspaceId: string, extra: Record<string, string> = {}) {
  return {
    FABRIC_ACCESS_TOKEN: TOKEN,
    FABRIC_API_URL: emu.url,
    POWERBI_API_URL: emu.url,
    FABRIC_WORKSPACE_ID: workspaceId,
    FABRIC_SYNC_TARGET: 'duckdb',
    ...extra,
  };
}

function workspaceWith(models: Array<[string, string]>): { ws: string; ids: Record<string, string> } {
  const ws = emu.addWorkspace({ name: `ws-${Math.random().toString(36).slice(2, 8)}` });
  const ids: Record<string, string> = {};
  for (const [name, dir] of models) ids[name] = emu.addModel(ws, { name, path: dir });
  return { ws, ids };
}

const writesOf = (since: number) => emu.requestLog.slice(since).filter((r) => r.method !== 'GET' && !/getDefinition|executeQueries/.test(r.path));

describe('convert --auto against the emulator', () => {
  let ws: string;
  let ids: Record<string, string>;
  const cwd = mkdtempSync(path.join(tmpdir(), 'fs-convert-'));

  beforeAll(() => {
    ({ ws, ids } = workspaceWith([
      ['Sales', example.tmdl],
      ['Retail', synthetic.retailBim],
      ['Tiny', synthetic.minimal],
    ]));
  });

  it('creates one push twin per model and writes the push JSON files', async () => {
    const r = await runCli(['convert', '--auto', '--json'], { cwd, env: envFor(ws) });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ synced: 3, failed: 0 });
    const names = emu.pushDatasets(ws).map((d) => d.name).sort();
    expect(names).toEqual(['Retail_PushSync', 'Sales_PushSync', 'Tiny_PushSync']);
    // The file is exactly what was sent: the emulator kept the body it accepted.
    const stored = emu.pushDatasets(ws).find((d) => d.name === 'Sales_PushSync')!;
    // Named by the model, keyed by workspace + model id (two models may share a name).
    const sales = doc.models.find((m: { name: string }) => m.name === 'Sales');
    expect(path.basename(sales.definitionFile)).toMatch(/^Sales\.[0-9a-f]{12}_push_api\.json$/);
    const file = JSON.parse(readFileSync(path.join(cwd, 'push-definitions', path.basename(sales.definitionFile)), 'utf8'));
    expect(file.name).toBe('Sales_PushSync');
    expect(file.tables).toEqual(stored.tables);
    expect(file.relationships ?? []).toEqual(stored.relationships);
  });

  it('a second run creates nothing, sends no write and says "up to date"', async () => {
    const before = emu.requestLog.length;
    const r = await runCli(['convert', '--auto'], { cwd, env: envFor(ws) });
    expect(r.code).toBe(0);
    expect(writesOf(before)).toEqual([]);
    expect(r.stdout).toMatch(/0 synced · 3 up to date · 0 failed/);
  });

  it('a changed measure updates exactly that table (one PUT)', async () => {
    emu.updateModelPart(ids.Sales!, 'definition/tables/Sales.tmdl', (t) => t.replace("measure 'Total Quantity' = SUM(Sales[Quantity])", "measure 'Total Quantity' = SUM(Sales[Quantity]) * 1"));
    const before = emu.requestLog.length;
    const r = await runCli(['convert', '--auto', '--json'], { cwd, env: envFor(ws) });
    expect(r.code).toBe(0);
    const writes = writesOf(before);
    expect(writes.map((w) => `${w.method} ${decodeURIComponent(w.path.split('/').slice(-2).join('/'))}`)).toEqual(['PUT tables/Sales']);
    const doc = JSON.parse(r.stdout);
    const m = doc.models.find((x: { name: string }) => x.name === 'Sales');
    expect(m.push).toMatchObject({ action: 'updated', tablesUpdated: ['Sales'] });
    expect(doc.unchanged).toBe(2);
  });

  it('an added relationship recreates the dataset — or fails with --on-incompatible fail', async () => {
    emu.updateModelPart(ids.Tiny!, 'definition/relationships.tmdl', (t) => t);
    emu.updateModelPart(ids.Sales!, 'definition/relationships.tmdl', (t) => `${t}\nrelationship e2e-added\n\tfromColumn: Customers.CustomerID\n\ttoColumn: Products.ProductID\n`);
    const refused = await runCli(['convert', '--auto', '--on-incompatible', 'fail'], { cwd, env: envFor(ws) });
    expect(refused.code).toBe(1);
    expect(refused.stderr + refused.stdout).toMatch(/relationship/i);
    const oldId = emu.pushDatasets(ws).find((d) => d.name === 'Sales_PushSync')!.id;

    const r = await runCli(['convert', '--auto', '--json'], { cwd, env: envFor(ws) });
    expect(r.code).toBe(0);
    const twins = emu.pushDatasets(ws).filter((d) => d.name === 'Sales_PushSync');
    expect(twins).toHaveLength(1);
    expect(twins[0]!.id).not.toBe(oldId);
    expect(twins[0]!.relationships.length).toBe(3);
    const m = JSON.parse(r.stdout).models.find((x: { name: string }) => x.name === 'Sales');
    expect(m.push.action).toBe('recreated');
  });

  it('the state records each model with its twin', async () => {
    const r = await runCli(['state', '--json'], { cwd, env: envFor(ws) });
    expect(r.code).toBe(0);
    const models = JSON.parse(r.stdout).models;
    expect(models).toHaveLength(3);
    for (const m of models) expect(m.push_dataset_id).toBeTruthy();
  });
});

describe('convert --dry-run', () => {
  it('sends no write request and writes no file', async () => {
    const { ws } = workspaceWith([['DryModel', example.tmdl]]);
    const cwd = mkdtempSync(path.join(tmpdir(), 'fs-dry-'));
    const before = emu.requestLog.length;
    const r = await runCli(['convert', '--auto', '--dry-run'], { cwd, env: envFor(ws) });
    expect(r.code).toBe(0);
    expect(writesOf(before)).toEqual([]);
    expect(readdirSync(cwd)).toEqual([]);
    expect(r.stdout).toMatch(/Dry run: nothing was sent or written/);
    expect(r.stdout).toMatch(/POST \/v1\.0\/myorg\/groups\/.+\/datasets/);
    expect(r.stdout).toMatch(/MERGE INTO/);
  });
});

describe('concurrent convert --auto runs', () => {
  it('never produce two datasets of one name', async () => {
    const { ws } = workspaceWith([
      ['Race A', example.tmdl],
      ['Race B', synthetic.minimal],
    ]);
    // Two runners with their own state (two CI jobs), racing on one workspace: two processes.
    const runs = await Promise.all(
      [0, 1].map(() => runSpawnedCli(['convert', '--auto', '--no-warehouse'], { cwd: mkdtempSync(path.join(tmpdir(), 'fs-race-')), env: envFor(ws) })),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const names = emu.pushDatasets(ws).map((d) => d.name).sort();
    expect(names).toEqual(['Race A_PushSync', 'Race B_PushSync']);
  });
});

describe('convert --source', () => {
  it('writes the push JSON and the DuckDB file without any Fabric setting', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'fs-source-'));
    const r = await runCli(['convert', '--source', synthetic.retailBim, '--json'], { cwd, env: { FABRIC_SYNC_TARGET: 'duckdb' } });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    // No push twin for a local source: the model is published under its own name (the warehouse's
    // MODEL_NAME); the push definition file carries the twin's name for whoever uploads it.
    expect(doc.models[0]).toMatchObject({ status: 'synced', publishedName: 'Retail' });
    expect(existsSync(path.join(cwd, '.fabric-sync', 'metadata.duckdb'))).toBe(true);
    expect(path.basename(doc.models[0].definitionFile)).toMatch(/^Retail\.[0-9a-f]{12}_push_api\.json$/);
    const file = path.join(cwd, 'push-definitions', path.basename(doc.models[0].definitionFile));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ name: 'Retail_PushSync' });
  });

  it('--strict fails a lossy conversion with exit code 1', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'fs-strict-'));
    const r = await runCli(['convert', '--source', synthetic.retailBim, '--strict', '--no-warehouse'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/strict/i);
  });

  it('refuses conflicting modes with a usage error', async () => {
    const r = await runCli(['convert', '--auto', '--source', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/exactly one of --dataset-id/);
  });
});
