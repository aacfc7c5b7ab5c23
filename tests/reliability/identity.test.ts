// Issue 13, data loss by mistaken identity (items 1, 4, 10), against the built CLI and the
// stand-ins: two models of one name never share a push file, a push twin or a state entry; a local
// model is identified by where it is and never taken for a Fabric model; ids from the service that
// are not GUIDs (`__proto__`, `constructor`) neither pollute nor crash anything.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { standInEnv } from '../support/stand-in-env.js';
import { TOKEN, cliEnv, modelParts, startWorld, withMeasure, workdir, type World } from './harness.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});

const results: string[] = [];
afterAll(() => console.log(`identity attacks: ${results.join(' | ')}`));

/** `modelParts` plus, optionally, one active many-to-one relationship Sales[Id] → Products[Id]. */
function parts(name: string, o: { tables?: string[]; measure?: string; relationship?: boolean } = {}) {
  const p = modelParts({ name, ...(o.tables ? { tables: o.tables } : {}), ...(o.measure ? { measure: o.measure } : {}) });
  if (!o.relationship) return p;
  const bim = JSON.parse(p[0]!.text);
  bim.model.relationships = [{ name: 'r-sales-products', fromTable: 'Sales', fromColumn: 'Id', toTable: 'Products', toColumn: 'Id' }];
  return [{ path: 'model.bim', text: JSON.stringify(bim, null, 2) }, p[1]!];
}

function pushFiles(cwd: string): string[] {
  return readdirSync(path.join(cwd, 'push-definitions')).filter((f) => f.endsWith('_push_api.json')).sort();
}

describe('identity', () => {
  it('item 1: same-named models in two workspaces keep their own push file and twin (a measure change recreates nothing)', async () => {
    const { emu } = world;
    const ws1 = emu.addWorkspace({ name: 'north' });
    const ws2 = emu.addWorkspace({ name: 'south' });
    // Same name; the one in ws1 has a relationship, the one in ws2 none.
    const a = emu.addModel(ws1, { name: 'Shared Name', parts: parts('Shared Name', { relationship: true }) });
    emu.addModel(ws2, { name: 'Shared Name', parts: parts('Shared Name') });
    const cwd = workdir('same-name');
    // One workspace after the other, so the second run writes its file last.
    for (const ws of [ws1, ws2]) {
      const r = await runCli(['convert', '--auto', '--json'], { cwd, env: cliEnv(world, [ws]) });
      expect(r.code, r.stderr).toBe(0);
    }
    const ids = () => [ws1, ws2].map((ws) => emu.pushDatasets(ws).map((d) => d.id));
    const before = ids();

    emu.updateModelPart(a, 'model.bim', (t) => withMeasure(t, 'SUM(Sales[Amount]) * 2'));
    const r = await runCli(['convert', '--auto', '--json'], { cwd, env: cliEnv(world, [ws1, ws2]) });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    const changed = doc.models.find((m: { id: string }) => m.id === a);
    // Compared with its own last request: only the measure changed, so its table is updated in place.
    expect(changed.push.action, JSON.stringify(changed.push)).toBe('updated');
    expect(ids()).toEqual(before);
    expect(emu.pushDatasets(ws1)[0]!.relationships).toHaveLength(1);
    expect(emu.pushDatasets(ws2)[0]!.relationships).toHaveLength(0);
    expect(pushFiles(cwd)).toHaveLength(2);
    results.push('same name in two workspaces: twins kept');
  }, 60_000);

  it('item 1: two models of one name in one workspace never share (or fight over) one push twin', async () => {
    const { emu, standIn } = world;
    const ws = emu.addWorkspace({ name: 'dup' });
    const older = emu.addModel(ws, { name: 'Dup', parts: parts('Dup') });
    // createdDate has millisecond precision: the second model must be visibly newer (a tie goes to the lower id).
    await new Promise((r) => setTimeout(r, 5));
    const newer = emu.addModel(ws, { name: 'Dup', parts: parts('Dup', { tables: ['Sales', 'Other'] }) });
    const cwd = workdir('dup');
    const r = await runCli(['convert', '--auto', '--json'], { cwd, env: cliEnv(world, [ws]) });
    expect(r.code, r.stderr).toBe(0);
    const twins = () => emu.pushDatasets(ws).filter((d) => d.name === 'Dup_PushSync');
    expect(twins()).toHaveLength(1);
    const twin = twins()[0]!;
    // The oldest model owns the name; the other is still in the warehouse and says why it has no twin.
    expect(twin.tables.map((t) => t.name)).toEqual(['Sales', 'Products', 'Customers']);
    const doc = JSON.parse(r.stdout);
    const other = doc.models.find((m: { id: string }) => m.id === newer);
    expect(other.push.skipped).toContain(older);
    expect(other.warnings.join(' ')).toMatch(/rename one of them/);
    const meta = await standIn.query(`SELECT MODEL_ID, PUSH_DATASET_ID FROM _SEMANTIC_METADATA WHERE MODEL_ID IN ('${older}', '${newer}') ORDER BY MODEL_ID`);
    expect(meta).toHaveLength(2);
    expect(meta.find((m) => m.MODEL_ID === newer)?.PUSH_DATASET_ID ?? null).toBeNull();

    // A change in the other model leaves the owner's twin exactly as it was.
    emu.updateModelPart(newer, 'model.bim', (t) => withMeasure(t, 'SUM(Sales[Amount]) * 3'));
    const again = await runCli(['convert', '--auto', '--json'], { cwd, env: cliEnv(world, [ws]) });
    expect(again.code, again.stderr).toBe(0);
    expect(twins().map((d) => [d.id, d.tables.map((t) => t.name)])).toEqual([[twin.id, ['Sales', 'Products', 'Customers']]]);
    results.push('same name in one workspace: one owner');
  }, 60_000);

  it('item 4: local models are identified by path, never overwrite each other and are never "no longer in Fabric"', async () => {
    const { emu } = world;
    const ws = emu.addWorkspace({ name: 'local-vs-fabric' });
    emu.addModel(ws, { name: 'Fabric One', parts: parts('Fabric One') });
    const cwd = workdir('local');
    const dirs = ['team-a', 'team-b'].map((d, i) => {
      const dir = path.join(cwd, d, 'Sales.SemanticModel');
      mkdirSync(dir, { recursive: true });
      const p = parts('Sales', { tables: i === 0 ? ['Sales', 'Products'] : ['Sales', 'Products', 'Customers', 'Stores'] });
      for (const part of p) writeFileSync(path.join(dir, part.path), part.text);
      return dir;
    });
    // A state file of an earlier version: the local model keyed by its name only.
    writeFileSync(
      path.join(cwd, 'sync_state.json'),
      JSON.stringify({ version: 2, synced_models: { 'local:Sales': { name: 'Sales_PushSync', last_sync_time: '2026-01-01T00:00:00.000Z', sync_count: 3, fingerprint: 'sha256:old', source_name: 'Sales' } } }),
    );
    const env = standInEnv({ emu, token: TOKEN, workspaces: [ws], target: 'duckdb' });
    const ids: string[] = [];
    for (const dir of dirs) {
      const r = await runCli(['convert', '--source', dir, '--json'], { cwd, env });
      expect(r.code, r.stderr).toBe(0);
      ids.push(JSON.parse(r.stdout).models[0].id);
    }
    expect(ids[0]).not.toBe(ids[1]);
    expect(ids[0]).toMatch(/^local:.*team-a/);
    expect(pushFiles(cwd)).toHaveLength(2);

    const mon = await runCli(['monitor', '--once', '--json'], { cwd, env });
    expect(mon.code, mon.stderr).toBe(0);
    const events = mon.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.filter((e) => e.type === 'model-deleted')).toEqual([]);

    const state = JSON.parse(readFileSync(path.join(cwd, 'sync_state.json'), 'utf8'));
    // The earlier entry became the first folder's (history kept: 3 syncs + this one), nothing deleted.
    expect(Object.keys(state.synced_models)).not.toContain('local:Sales');
    expect(state.synced_models[ids[0]!]).toMatchObject({ sync_count: 4, deleted_at: null });
    expect(state.synced_models[ids[1]!]).toMatchObject({ sync_count: 1, deleted_at: null });

    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(path.join(cwd, '.fabric-sync', 'metadata.duckdb'), { access_mode: 'READ_ONLY' });
    const conn = await db.connect();
    const rows = (await conn.runAndReadAll(`SELECT MODEL_ID, TABLE_COUNT, DELETED_AT FROM _SEMANTIC_METADATA WHERE MODEL_ID LIKE 'local:%' ORDER BY MODEL_ID`)).getRowObjectsJS();
    conn.closeSync();
    db.closeSync();
    expect(rows.map((r) => [r.MODEL_ID, Number(r.TABLE_COUNT), r.DELETED_AT])).toEqual([
      [ids[0], 2, null],
      [ids[1], 4, null],
    ]);
    results.push('local models by path: 2 rows, 2 files, 0 marked deleted');
  }, 60_000);

  it('item 10: dataset ids "__proto__" and "constructor" from a listing are ignored, cycle after cycle', async () => {
    const { emu } = world;
    const ws = emu.addWorkspace({ name: 'proto' });
    const good = emu.addModel(ws, { name: 'Good Model', parts: parts('Good Model') });
    for (const id of ['__proto__', 'constructor', 'hasOwnProperty']) emu.addModel(ws, { id, name: `Hostile ${id}`, parts: parts(`Hostile ${id}`) });
    const cwd = workdir('proto');
    const env = cliEnv(world, [ws]);
    for (const cycle of [1, 2]) {
      const r = await runCli(['monitor', '--once', '--json'], { cwd, env });
      expect(r.code, `cycle ${cycle}: ${r.stderr}`).toBe(0);
      const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(events.filter((e) => e.type === 'model-failed')).toEqual([]);
      if (cycle === 1) expect(events.filter((e) => e.type === 'model-synced').map((e) => e.id)).toEqual([good]);
      expect(r.stderr).toMatch(/"__proto__" is not a GUID/);
    }
    const text = readFileSync(path.join(cwd, 'sync_state.json'), 'utf8');
    expect(Object.keys(JSON.parse(text).synced_models)).toEqual([good]);
    expect(emu.pushDatasets(ws).map((d) => d.name)).toEqual(['Good Model_PushSync']);

    // A state file that already holds such keys (written by an earlier version) loads as plain data.
    const crafted = JSON.parse(text);
    crafted.synced_models = JSON.parse(`{"__proto__": {"name": "P", "last_sync_time": null, "sync_count": 1}, "constructor": {"name": "C", "last_sync_time": null, "sync_count": 1}, ${JSON.stringify(good)}: ${JSON.stringify(crafted.synced_models[good])}}`);
    writeFileSync(path.join(cwd, 'sync_state.json'), JSON.stringify(crafted));
    const show = await runCli(['state', '--json'], { cwd, env });
    expect(show.code, show.stderr).toBe(0);
    expect(JSON.parse(show.stdout).models.map((m: { id: string }) => m.id).sort()).toEqual(['__proto__', 'constructor', good].sort());
    const again = await runCli(['monitor', '--once', '--json'], { cwd, env });
    expect(again.code, again.stderr).toBe(0);
    results.push('__proto__/constructor ids: ignored, 2 cycles, state intact');
  }, 60_000);
});
