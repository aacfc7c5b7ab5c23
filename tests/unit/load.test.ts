// loadModel path resolution (issue 2 item 5): every accepted and rejected path form, on small folders
// built in a temp dir, plus the name rules and loadModelFromParts for Fabric getDefinition parts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { fingerprint } from '../../src/core/schema/fingerprint.js';
import { inspectModel } from '../../src/core/schema/inspect.js';
import { loadModel, loadModelFromParts } from '../../src/core/schema/load.js';
import { filesIn } from '../support/model-files.js';
import { synthetic } from '../support/paths.js';

const root = mkdtempSync(path.join(tmpdir(), 'fs-load-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const bim = (table: string) =>
  JSON.stringify({ name: 'FromFile', compatibilityLevel: 1600, model: { tables: [{ name: table, columns: [{ name: 'A', dataType: 'int64', sourceColumn: 'A' }] }] } });
const TMDL: Record<string, string> = {
  'model.tmdl': 'model Model\n\tculture: en-US\n',
  'tables/T.tmdl': 'table T\n\n\tcolumn A\n\t\tdataType: int64\n\t\tsourceColumn: A\n',
};
const PBISM = '{"version":"4.0","settings":{}}';

let n = 0;
/** Writes files (path → content) under a fresh folder and returns it. */
function tree(files: Record<string, string | Buffer>): string {
  const dir = path.join(root, `case${++n}`);
  mkdirSync(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    if (!rel.endsWith('/')) writeFileSync(p, content);
  }
  return dir;
}
const tmdlUnder = (prefix: string) => Object.fromEntries(Object.entries(TMDL).map(([k, v]) => [`${prefix}${k}`, v]));

async function rejects(p: string, pattern: RegExp): Promise<InputError> {
  const e = await loadModel(p).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(InputError);
  expect((e as Error).message).toMatch(pattern);
  return e as InputError;
}

describe('loadModel accepts', () => {
  const cases: [string, () => string, string, 'BIM' | 'TMDL', string][] = [
    ['a named .bim file', () => path.join(tree({ 'Sales Model.bim': bim('S') }), 'Sales Model.bim'), 'Sales Model', 'BIM', 'S'],
    ['model.bim inside *.Dataset (folder name)', () => path.join(tree({ 'Sales.Dataset/model.bim': bim('S') }), 'Sales.Dataset/model.bim'), 'Sales', 'BIM', 'S'],
    ['Model.BIM in a plain folder (case-insensitive)', () => path.join(tree({ 'AW Sales/Model.BIM': bim('S') }), 'AW Sales/Model.BIM'), 'AW Sales', 'BIM', 'S'],
    ['a *.Dataset folder', () => path.join(tree({ 'Sales.Dataset/model.bim': bim('S') }), 'Sales.Dataset'), 'Sales', 'BIM', 'S'],
    ['a TMSL *.SemanticModel folder', () => path.join(tree({ 'Fin.SemanticModel/model.bim': bim('F'), 'Fin.SemanticModel/definition.pbism': PBISM }), 'Fin.SemanticModel'), 'Fin', 'BIM', 'F'],
    ['a plain folder with one named .bim', () => tree({ 'x.bim': bim('X'), 'notes.txt': 'hi' }), 'x', 'BIM', 'X'],
    ['a plain folder with model.bim', () => path.join(tree({ 'plain/model.bim': bim('P') }), 'plain'), 'plain', 'BIM', 'P'],
    ['a TMDL *.SemanticModel folder', () => path.join(tree({ 'Ops.SemanticModel/definition.pbism': PBISM, ...tmdlUnder('Ops.SemanticModel/definition/') }), 'Ops.SemanticModel'), 'Ops', 'TMDL', 'T'],
    ['a definition/ folder', () => path.join(tree({ 'Ops.SemanticModel/definition.pbism': PBISM, ...tmdlUnder('Ops.SemanticModel/definition/') }), 'Ops.SemanticModel/definition'), 'Ops', 'TMDL', 'T'],
    ['a plain folder holding definition/', () => path.join(tree(tmdlUnder('proj/definition/')), 'proj'), 'proj', 'TMDL', 'T'],
    ['a folder holding one model two levels down', () => path.join(tree({ 'repo/models/Fin.SemanticModel/model.bim': bim('F') }), 'repo'), 'Fin', 'BIM', 'F'],
    ['definition.pbism itself (its folder)', () => path.join(tree({ 'Ops.SemanticModel/definition.pbism': PBISM, ...tmdlUnder('Ops.SemanticModel/definition/') }), 'Ops.SemanticModel/definition.pbism'), 'Ops', 'TMDL', 'T'],
    ['a project folder holding one model folder', () => tree({ 'README.md': '#', 'Ops.SemanticModel/definition.pbism': PBISM, ...tmdlUnder('Ops.SemanticModel/definition/'), 'Ops.Report/definition.pbir': '{}' }), 'Ops', 'TMDL', 'T'],
    ['a UTF-16 .bim with BOM', () => path.join(tree({ 'u16.bim': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(bim('U'), 'utf16le')]) }), 'u16.bim'), 'u16', 'BIM', 'U'],
    ['a UTF-8 .bim with BOM', () => path.join(tree({ 'bom.bim': `\uFEFF${bim('B')}` }), 'bom.bim'), 'bom', 'BIM', 'B'],
  ];
  for (const [title, make, name, format, table] of cases) {
    it(title, async () => {
      const p = make();
      const loaded = await loadModel(p);
      expect(loaded.model.name).toBe(name);
      expect(loaded.source.format).toBe(format);
      expect(loaded.model.tables.map((t) => t.name)).toEqual([table]);
      expect(path.isAbsolute(loaded.source.location)).toBe(true);
      const renamed = await loadModel(p, { datasetName: 'Given Name' });
      expect(renamed.model.name).toBe('Given Name');
    });
  }

  it('ignores TMDLScripts/ beside definition/', async () => {
    const dir = tree({ ...tmdlUnder('M.SemanticModel/definition/'), 'M.SemanticModel/TMDLScripts/s.tmdl': 'createOrReplace\n\ttable X\n' });
    const loaded = await loadModel(path.join(dir, 'M.SemanticModel'));
    expect(loaded.model.tables.map((t) => t.name)).toEqual(['T']);
  });

  it('relative paths resolve against the working directory', async () => {
    const dir = tree({ 'R.Dataset/model.bim': bim('R') });
    const loaded = await loadModel(path.relative(process.cwd(), path.join(dir, 'R.Dataset')));
    expect(loaded.model.name).toBe('R');
  });
});

describe('loadModel rejects', () => {
  it('a path that does not exist', async () => {
    await rejects(path.join(root, 'nope.bim'), /No such file or folder/);
  });
  it('a definition.pbism-only folder', async () => {
    await rejects(path.join(tree({ 'X.SemanticModel/definition.pbism': PBISM }), 'X.SemanticModel'), /definition\.pbism but neither model\.bim.*nor a definition\/ folder/);
  });
  it('an empty folder', async () => {
    await rejects(tree({}), /folder is empty/);
  });
  it('a folder with several .bim files, naming them', async () => {
    const e = await rejects(tree({ 'a.bim': bim('A'), 'b.bim': bim('B') }), /2 \.bim files; expected exactly one/);
    expect(e.text).toBe('a.bim, b.bim');
  });
  it('a folder holding both model.bim and definition/', async () => {
    await rejects(tree({ 'model.bim': bim('A'), ...tmdlUnder('definition/') }), /both a \.bim file and a definition\/ folder/);
  });
  it('a project folder with two models, naming them', async () => {
    const e = await rejects(tree({ 'A.Dataset/model.bim': bim('A'), ...tmdlUnder('B.SemanticModel/definition/') }), /holds 2 models/);
    expect(e.hint).toBe('Pass the model folder you mean, one of:\n  A.Dataset\n  B.SemanticModel');
  });
  it('a folder of model folders, counting the models one and two levels down alike', async () => {
    // The corpus layout: <id>/<Name>.SemanticModel/… beside <id>/x.bim; all of them count.
    const e = await rejects(tree({
      'a/Sales.Dataset/model.bim': bim('A'),
      ...tmdlUnder('b/Ops.SemanticModel/definition/'),
      'c/loose.bim': bim('C'),
      'd/readme.md': 'no model here',
      '.hidden/x.bim': bim('H'),
    }), /holds 3 models; expected one/);
    expect(e.hint).toContain('  a/Sales.Dataset\n  b/Ops.SemanticModel\n  c');
  });
  it('a folder with no model', async () => {
    await rejects(tree({ 'readme.md': 'x' }), /holds no semantic model/);
  });
  it('a file that is neither .bim nor a model folder', async () => {
    await rejects(path.join(tree({ 'x.json': '{}' }), 'x.json'), /not a model file/);
    await rejects(path.join(tree(tmdlUnder('definition/')), 'definition/model.tmdl'), /single \.tmdl file/);
  });
  it('a definition/ folder without .tmdl files', async () => {
    await rejects(path.join(tree({ 'definition/tables/readme.txt': 'x' }), 'definition'), /no \.tmdl files/i);
  });
  it('a binary .bim, naming the file', async () => {
    const dir = tree({ 'bad.bim': Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]) });
    const e = await rejects(path.join(dir, 'bad.bim'), /Not a text file/);
    expect(e.file).toBe(path.join(dir, 'bad.bim'));
    await rejects(path.join(tree({ 'z.bim': Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]) }), 'z.bim'), /Not a text file/);
  });
  it('a truncated .bim with file and line', async () => {
    const text = JSON.stringify(JSON.parse(bim('T')), null, 2);
    const dir = tree({ 'Cut.Dataset/model.bim': text.slice(0, text.length - 20) });
    const e = await rejects(path.join(dir, 'Cut.Dataset'), /Invalid JSON/);
    expect(e.file).toBe(path.join(dir, 'Cut.Dataset/model.bim'));
    expect(e.line).toBeGreaterThan(5);
  });
});

describe('loadModelFromParts (Fabric getDefinition)', () => {
  it('reads TMSL parts and TMDL parts to the same schema', () => {
    const b = loadModelFromParts(
      [{ path: 'definition.pbism', text: PBISM }, { path: 'model.bim', text: bim('T') }, { path: 'diagramLayout.json', text: '{}' }],
      { modelName: 'Remote', location: 'fabric:ws/id' },
    );
    const t = loadModelFromParts(
      [{ path: 'definition.pbism', text: PBISM }, { path: '.platform', text: '{}' }, ...Object.entries(TMDL).map(([k, v]) => ({ path: `definition/${k}`, text: v }))],
      { modelName: 'Remote', location: 'fabric:ws/id' },
    );
    expect(b.source.format).toBe('BIM');
    expect(t.source.format).toBe('TMDL');
    expect(b.model.name).toBe('Remote');
    expect(t.model.name).toBe('Remote');
    expect(t.model.tables[0]!.columns).toEqual(b.model.tables[0]!.columns);
  });
  it('rejects parts with neither format, or both', () => {
    expect(() => loadModelFromParts([{ path: 'definition.pbism', text: PBISM }], { modelName: 'X', location: 'fabric:x' })).toThrow(/neither a model\.bim part/);
    expect(() =>
      loadModelFromParts([{ path: 'model.bim', text: bim('A') }, { path: 'definition/model.tmdl', text: TMDL['model.tmdl']! }], { modelName: 'X', location: 'fabric:x' }),
    ).toThrow(/both model\.bim and definition/);
  });
  it('a TMDL model read from parts fingerprints like the folder', async () => {
    const dir = path.join(synthetic.retailTmdl, 'Retail.SemanticModel');
    const local = await loadModel(dir);
    const files = filesIn(dir);
    const remote = loadModelFromParts(files, { modelName: 'Retail', location: 'fabric:ws/x' });
    expect(fingerprint(remote.model)).toBe(fingerprint(local.model));
  });
});

describe('inspectModel', () => {
  it('returns summary, fingerprint, warnings and the resolved location', async () => {
    const dir = tree({ 'Sales.Dataset/model.bim': bim('S') });
    const r = await inspectModel(dir);
    expect(r.location).toBe(path.join(dir, 'Sales.Dataset/model.bim'));
    expect(r.summary).toMatchObject({ name: 'Sales', format: 'BIM', tables: 1, columns: 1, compatibilityLevel: 1600 });
    expect(r.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(r.warnings).toEqual([]);
    expect((await inspectModel(dir, { datasetName: 'Other' })).summary.name).toBe('Other');
  });
});
