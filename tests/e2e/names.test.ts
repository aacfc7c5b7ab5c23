// `--workspace` and `--dataset-id` by name or `fab` path (issue 14 item 8): the built CLI against
// the Fabric emulator, where two workspaces hold a model of the same name.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFabricEmulator, type FabricEmulator } from '../support/fabric-emulator/index.js';
import { example, synthetic } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';

const TOKEN = 'e2e-names-token';
let emu: FabricEmulator;
let finance: string;
let ops: string;
let ids: { financeSales: string; opsSales: string; retail: string };

beforeAll(async () => {
  emu = await startFabricEmulator({ acceptTokens: [TOKEN], lroPolls: 1, lroRetryAfter: 0 });
  finance = emu.addWorkspace({ name: 'Finance' });
  ops = emu.addWorkspace({ name: 'Ops Team' });
  ids = {
    financeSales: emu.addModel(finance, { name: 'Sales Analytics', path: example.tmdl }),
    opsSales: emu.addModel(ops, { name: 'Sales Analytics', path: example.tmdl }),
    retail: emu.addModel(ops, { name: 'Retail', path: synthetic.retailBim }),
  };
});
afterAll(async () => {
  expect(emu.violations).toEqual([]);
  await emu.close();
});

const env = (extra: Record<string, string> = {}) => ({ FABRIC_ACCESS_TOKEN: TOKEN, FABRIC_API_URL: emu.url, POWERBI_API_URL: emu.url, FABRIC_SYNC_TARGET: 'duckdb', ...extra });
const convert = async (args: string[], extra?: Record<string, string>) => {
  const cwd = mkdtempSync(path.join(tmpdir(), 'fs-names-'));
  return runCli(['convert', '--no-push', '--no-warehouse', '--json', ...args], { cwd, env: env(extra) });
};

describe('names instead of GUIDs', () => {
  it('takes Workspace/Model as fab writes it, with or without the type suffixes', async () => {
    // The plain `Finance/Sales Analytics` is the suffixed form once the suffixes are dropped
    // (tests/unit/query-diff.test.ts, "fab paths"): the suffixed and the lower-case forms go end to end.
    for (const ref of ['/Finance.Workspace/Sales Analytics.SemanticModel', 'finance/sales analytics']) {
      const r = await convert(['--dataset-id', ref]);
      expect(r.code, `${ref}: ${r.stderr}`).toBe(0);
      expect(JSON.parse(r.stdout).models[0]).toMatchObject({ id: ids.financeSales, status: 'synced' });
    }
  });

  it('takes a model name with --workspace given by name', async () => {
    const r = await convert(['--dataset-id', 'Sales Analytics', '--workspace', 'Ops Team']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).models[0].id).toBe(ids.opsSales);
    const unique = await convert(['--dataset-id', 'Retail']);
    expect(unique.code, unique.stderr).toBe(0);
    expect(JSON.parse(unique.stdout).models[0].id).toBe(ids.retail);
  });

  it('an ambiguous name lists every candidate, and the error blames the flag', async () => {
    const r = await convert(['--dataset-id', 'Sales Analytics']);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout);
    expect(doc.message).toMatch(/^--dataset-id: 'Sales Analytics' names 2 semantic models:/);
    expect(doc.message).toContain(`in workspace 'Finance' (${ids.financeSales})`);
    expect(doc.message).toContain(`in workspace 'Ops Team' (${ids.opsSales})`);
  });

  it('unknown names say which flag and what exists', async () => {
    const m = await runCli(['convert', '--dataset-id', 'Finance/Nope', '--no-push', '--no-warehouse'], { env: env() });
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/--dataset-id: no semantic model named 'Nope' in workspace 'Finance'/);
    expect(m.stderr).toMatch(/Models there: 'Sales Analytics'/);
    const w = await runCli(['convert', '--dataset-id', 'Retail', '--workspace', 'Nowhere', '--no-push', '--no-warehouse'], { env: env() });
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/--workspace: no workspace named 'Nowhere'/);
    expect(w.stderr).not.toMatch(/configuration/);
    const p = await runCli(['monitor', '--once', '--workspace', 'Finance/Sales Analytics'], { env: env() });
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/--workspace: 'Finance\/Sales Analytics' is a path to an item, not a workspace/);
  });

  it('monitor --workspace takes a name', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'fs-names-mon-'));
    const r = await runCli(['monitor', '--once', '--no-push', '--workspace', 'Finance.Workspace', '--json'], { cwd, env: env() });
    expect(r.code, r.stderr).toBe(0);
    const synced = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'model-synced');
    expect(synced.map((e) => e.id ?? e.modelId)).toEqual([ids.financeSales]);
  });

  it('a GUID is used as it is, without listing workspaces', async () => {
    const before = emu.requestLog.length;
    const r = await convert(['--dataset-id', ids.financeSales, '--workspace', finance]);
    expect(r.code, r.stderr).toBe(0);
    expect(emu.requestLog.slice(before).filter((q) => /\/groups(\?|$)/.test(q.path))).toEqual([]);
  });
});
