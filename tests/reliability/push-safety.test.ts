// Issue 13, what the push step must say or refuse (items 3 and 20), against the built CLI and the
// stand-ins: a recreated twin (new id: bound reports break) is announced in human output, --json and
// NDJSON, and `push.perModel` can forbid it for chosen models; a measure without an expression is
// dropped with a reason; a model with no pushable table writes no push file and says why.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { cliEnv, modelParts, startWorld, workdir, type World } from './harness.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});

const results: string[] = [];
afterAll(() => console.log(`push attacks: ${results.join(' | ')}`));

/** Adds a table to a `modelParts` model.bim: its push dataset can then only be recreated. */
function withExtraTable(text: string, table: string): string {
  const bim = JSON.parse(text);
  bim.model.tables.push({ name: table, columns: [{ name: 'Id', dataType: 'int64', sourceColumn: 'Id' }], partitions: [{ name: `${table}-p`, mode: 'import', source: { type: 'm', expression: 'let Source = 1 in Source' } }] });
  return JSON.stringify(bim, null, 2);
}

describe('push safety', () => {
  it('item 3: a recreated twin is announced with its old and new id (human, --json, NDJSON); push.perModel can forbid it', async () => {
    const { emu } = world;
    const ws = emu.addWorkspace({ name: 'recreate' });
    const moved = emu.addModel(ws, { name: 'Moves Freely', parts: modelParts({ name: 'Moves Freely' }) });
    const kept = emu.addModel(ws, { name: 'Keep Bound', parts: modelParts({ name: 'Keep Bound' }) });
    const cwd = workdir('recreate', { push: { perModel: [{ match: 'keep*', onIncompatible: 'fail' }] } });
    const env = cliEnv(world, [ws]);
    const first = await runCli(['convert', '--auto', '--json'], { cwd, env });
    expect(first.code, first.stderr).toBe(0);
    const idOf = (name: string) => emu.pushDatasets(ws).find((d) => d.name === `${name}_PushSync`)?.id;
    const [movedId, keptId] = [idOf('Moves Freely'), idOf('Keep Bound')];

    // The table set of both changes: only a delete + create can follow it.
    for (const id of [moved, kept]) emu.updateModelPart(id, 'model.bim', (t) => withExtraTable(t, 'Stores'));
    const r = await runCli(['convert', '--auto', '--json'], { cwd, env });
    expect(r.code, r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout);
    const m = doc.models.find((x: { id: string }) => x.id === moved);
    expect(m.push).toMatchObject({ action: 'recreated', replaced: { datasetId: movedId } });
    const newId = idOf('Moves Freely');
    expect(newId).not.toBe(movedId);
    expect(m.warnings.join(' ')).toContain(`its id changed from ${movedId} to ${newId}`);
    expect(m.warnings.join(' ')).toMatch(/reports and dashboards bound to it must be rebound/);
    // The model configured `fail` keeps its twin (and its id, and its reports) and says how to proceed.
    const k = doc.models.find((x: { id: string }) => x.id === kept);
    expect(k.status).toBe('failed');
    expect(k.error.message).toMatch(/cannot be updated in place: its table set changed/);
    expect(idOf('Keep Bound')).toBe(keptId);

    // Human output says it where it happens; the monitor's NDJSON carries the old and new id.
    emu.updateModelPart(moved, 'model.bim', (t) => withExtraTable(t, 'Regions'));
    const human = await runCli(['convert', '--auto'], { cwd, env });
    expect(human.stderr).toMatch(/Moves Freely: push dataset 'Moves Freely_PushSync' was deleted and recreated because its table set changed: its id changed from/);
    emu.updateModelPart(moved, 'model.bim', (t) => withExtraTable(t, 'Zones'));
    const before = idOf('Moves Freely');
    const mon = await runCli(['monitor', '--once', '--json'], { cwd, env });
    const synced = mon.stdout.split('\n').filter((l) => l.startsWith('{"type":"model-synced"')).map((l) => JSON.parse(l));
    expect(synced).toEqual([expect.objectContaining({ id: moved, pushAction: 'recreated', replacedDatasetId: before, pushDatasetId: idOf('Moves Freely') })]);
    expect(synced[0].warnings[0]).toMatch(/must be rebound/);
    results.push('recreate announced (json, human, ndjson); perModel fail kept the twin id');
  }, 90_000);

  it('item 20: a measure without an expression is dropped with a reason; a model with no pushable table writes no push file', async () => {
    const cwd = workdir('measures');
    const dir = path.join(cwd, 'Empty Measure.SemanticModel');
    mkdirSync(dir);
    const bim = JSON.parse(modelParts({ name: 'Empty Measure' })[0]!.text);
    bim.model.tables[0].measures.push({ name: 'No Formula' }, { name: 'Blank Formula', expression: '   ' }, { name: 'Uses It', expression: '[No Formula] + 1' });
    writeFileSync(path.join(dir, 'model.bim'), JSON.stringify(bim));
    writeFileSync(path.join(dir, 'definition.pbism'), '{"version":"4.0"}');
    const r = await runCli(['convert', '--source', dir, '--json', '--no-warehouse'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout).models[0];
    const file = JSON.parse(readFileSync(path.resolve(cwd, doc.definitionFile), 'utf8'));
    const measures = file.tables.flatMap((t: { measures?: Array<{ name: string; expression: string }> }) => t.measures ?? []);
    expect(measures.map((x: { name: string }) => x.name)).toEqual(['Total']);
    expect(measures.every((x: { expression: string }) => x.expression.trim() !== '')).toBe(true);
    expect(doc.report.byReason).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'measure', reason: 'noExpression', count: 2 }), expect.objectContaining({ kind: 'measure', reason: 'referencesDropped', count: 1 })]));

    // Only calculated tables: nothing a push dataset can hold.
    const calc = path.join(cwd, 'Only Calculated.SemanticModel');
    mkdirSync(calc);
    writeFileSync(
      path.join(calc, 'model.bim'),
      JSON.stringify({ name: 'Only Calculated', compatibilityLevel: 1567, model: { tables: [{ name: 'Dates', columns: [{ name: 'Date', dataType: 'dateTime', type: 'calculatedTableColumn', sourceColumn: '[Date]' }], partitions: [{ name: 'p', source: { type: 'calculated', expression: 'CALENDARAUTO()' } }] }] } }),
    );
    writeFileSync(path.join(calc, 'definition.pbism'), '{"version":"4.0"}');
    const before = readdirSync(path.join(cwd, 'push-definitions')).length;
    const c = await runCli(['convert', '--source', calc, '--json', '--no-warehouse'], { cwd });
    expect(c.code, c.stderr).toBe(0);
    const only = JSON.parse(c.stdout).models[0];
    expect(only.definitionFile).toBeNull();
    expect(only.warnings.join(' ')).toMatch(/no push dataset and no push definition file: no table of 'Only Calculated' can be held by a push dataset \(1 calculatedTable\)/);
    expect(readdirSync(path.join(cwd, 'push-definitions'))).toHaveLength(before);
    expect(existsSync(path.join(cwd, 'push-definitions', 'Only Calculated_push_api.json'))).toBe(false);
    results.push('empty measures dropped (noExpression 2, dependant 1); no file for a model with no pushable table');
  }, 60_000);
});
