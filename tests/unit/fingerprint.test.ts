// Fingerprint properties (issue 2 "Must show"): unchanged when objects or files are reordered, when a
// BIM is re-serialised (whitespace, key order, expression arrays, CRLF, trailing blanks); changed by any
// single change to a column name, data type, measure expression, relationship or role.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readBim } from '../../src/core/schema/bim.js';
import { loadModel, loadModelFromParts } from '../../src/core/schema/load.js';
import { canonicalModel, normalizeExpression } from '../../src/core/schema/canonical.js';
import { fingerprint } from '../../src/core/schema/fingerprint.js';
import type { SemanticModel, TomDataType } from '../../src/core/schema/model.js';
import { TOM_DATA_TYPES } from '../../src/core/schema/model.js';
import { readTmdl } from '../../src/core/schema/tmdl/index.js';
import { filesIn } from '../support/model-files.js';
import { example, synthetic } from '../support/paths.js';

// Two synthetic TMSL models: a rich one (calculation group, field parameter, cultures, roles, hostile
// names, inferred column types) and a DirectQuery one (dual/import tables, perspective, data source).
const SALES = readFileSync(path.join(synthetic.retailBim, 'Retail.bim'), 'utf8');
const ALLPROPS = readFileSync(path.join(synthetic.directQueryBim, 'Ledger.Dataset/model.bim'), 'utf8');
const fp = (text: string) => fingerprint(readBim(text, { location: 'x.bim' }).model);

/** Shuffles an array with a fast-check-provided list of sort keys (so failures shrink and replay). */
function permute<T>(xs: T[], keys: number[]): T[] {
  return xs
    .map((x, i) => ({ x, k: keys[i % Math.max(keys.length, 1)] ?? i, i }))
    .sort((a, b) => a.k - b.k || b.i - a.i)
    .map((e) => e.x);
}

/** Re-serialises TMSL: every array of named objects and every object's key order permuted. */
function reshuffle(v: unknown, keys: number[], depth = 0): unknown {
  if (Array.isArray(v)) {
    const items = v.map((x) => reshuffle(x, keys, depth + 1));
    // Arrays of named objects are sets in TOM; arrays of strings are expression lines (ordered); hierarchy
    // levels are ordered by `ordinal`, so they may move too.
    return items.every((x) => x && typeof x === 'object' && 'name' in (x as object)) ? permute(items, keys.slice(depth)) : items;
  }
  if (v && typeof v === 'object') {
    const entries = permute(Object.entries(v), keys.slice(depth + 1));
    return Object.fromEntries(entries.map(([k, x]) => [k, reshuffle(x, keys, depth + 1)]));
  }
  return v;
}

/** Expressions become CRLF line arrays with trailing blanks: what another serializer might write. */
function noisyExpressions(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(noisyExpressions);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => {
        if (k === 'expression' && typeof x === 'string') return [k, `${x.replace(/\n/g, '  \r\n')}\t\r\n`];
        if (k === 'expression' && Array.isArray(x)) return [k, x.map((l: string) => `${l} `)];
        return [k, noisyExpressions(x)];
      }),
    );
  }
  return v;
}

describe('fingerprint is stable under', () => {
  for (const [label, text] of [['syn-retail-bim', SALES], ['syn-directquery-bim', ALLPROPS]] as const) {
    it(`${label}: re-serialisation with permuted objects, key order and indentation`, () => {
      const base = fp(text);
      const doc = JSON.parse(text);
      fc.assert(
        fc.property(fc.array(fc.integer(), { minLength: 1, maxLength: 12 }), fc.constantFrom(0, 1, 2, 4, '\t'), fc.boolean(), (keys, indent, noisy) => {
          let d = reshuffle(doc, keys);
          if (noisy) d = noisyExpressions(d);
          expect(fp(JSON.stringify(d, null, indent))).toBe(base);
        }),
        { numRuns: label === 'syn-retail-bim' ? 30 : 100 },
      );
    });
  }

  it('permuting tables, columns, measures, relationships, roles of a loaded model', () => {
    const m = readBim(SALES, { location: 'x' }).model;
    const base = fingerprint(m);
    fc.assert(
      fc.property(fc.array(fc.integer(), { minLength: 1, maxLength: 20 }), (keys) => {
        const p: SemanticModel = {
          ...m,
          tables: permute(m.tables, keys).map((t) => ({ ...t, columns: permute(t.columns, keys.slice(1)), measures: permute(t.measures, keys.slice(2)) })),
          relationships: permute(m.relationships, keys.slice(3)),
          roles: permute(m.roles, keys.slice(4)),
          cultures: permute(m.cultures, keys),
          expressions: permute(m.expressions, keys.slice(5)),
        };
        expect(fingerprint(p)).toBe(base);
      }),
      { numRuns: 40 },
    );
  });

  it('the model name (a rename is not a schema change) and a round trip through canonicalModel', () => {
    const m = readBim(SALES, { location: 'x' }).model;
    expect(fingerprint({ ...m, name: 'Renamed' })).toBe(fingerprint(m));
    const stored = JSON.parse(JSON.stringify(canonicalModel(m))) as SemanticModel;
    expect(fingerprint(stored)).toBe(fingerprint(m));
    expect(canonicalModel(stored)).toEqual(stored);
  });

  it('TMDL files read in any order', () => {
    for (const dir of [path.join(synthetic.retailTmdl, 'Retail.SemanticModel/definition'), path.join(synthetic.composite, 'Telemetry.SemanticModel/definition')]) {
      const files = filesIn(dir);
      const base = fingerprint(readTmdl(files, { modelName: 'M', location: dir }).model);
      fc.assert(
        fc.property(fc.array(fc.integer(), { minLength: files.length, maxLength: files.length }), (keys) => {
          expect(fingerprint(readTmdl(permute(files, keys), { modelName: 'M', location: dir }).model)).toBe(base);
        }),
        { numRuns: 20 },
      );
    }
  });

  it('the format: the same model as TMSL and as TMDL', () => {
    const bim = JSON.stringify({
      name: 'X', compatibilityLevel: 1600,
      model: {
        culture: 'en-US',
        tables: [
          {
            name: 'T',
            columns: [{ name: 'A', dataType: 'int64', sourceColumn: 'A' }, { name: 'B', type: 'calculated', dataType: 'string', expression: '"x"' }],
            measures: [{ name: 'M', expression: 'SUM(T[A])', formatString: '0' }],
            partitions: [{ name: 'p', mode: 'import', source: { type: 'm', expression: ['let', '  S = 1', 'in', '  S'] } }],
          },
          { name: 'U', columns: [{ name: 'A', dataType: 'int64', sourceColumn: 'A' }], partitions: [{ name: 'q', mode: 'import', source: { type: 'm', expression: 'x' } }] },
        ],
        relationships: [{ name: 'r', fromTable: 'T', fromColumn: 'A', toTable: 'U', toColumn: 'A' }],
      },
    });
    const tmdl = [
      { path: 'definition/database.tmdl', text: 'database X\n\tcompatibilityLevel: 1600\n' },
      { path: 'definition/model.tmdl', text: 'model Model\n\tculture: en-US\n' },
      { path: 'definition/tables/T.tmdl', text: 'table T\n\n\tmeasure M = SUM(T[A])\n\t\tformatString: 0\n\n\tcolumn A\n\t\tdataType: int64\n\t\tsourceColumn: A\n\n\tcolumn B = "x"\n\t\tdataType: string\n\n\tpartition p = m\n\t\tmode: import\n\t\tsource =\n\t\t\t\tlet\n\t\t\t\t  S = 1\n\t\t\t\tin\n\t\t\t\t  S\n\n' },
      { path: 'definition/tables/U.tmdl', text: 'table U\n\n\tcolumn A\n\t\tdataType: int64\n\t\tsourceColumn: A\n\n\tpartition q = m\n\t\tmode: import\n\t\tsource = x\n' },
      { path: 'definition/relationships.tmdl', text: 'relationship r\n\tfromColumn: T.A\n\ttoColumn: U.A\n' },
    ];
    const a = loadModelFromParts([{ path: 'model.bim', text: bim }], { modelName: 'X', location: 'l' }).model;
    const b = loadModelFromParts(tmdl, { modelName: 'X', location: 'l' }).model;
    expect(canonicalModel(b)).toEqual(canonicalModel(a));
    expect(fingerprint(b)).toBe(fingerprint(a));
  });

  it('the format, on whole models: the example and syn-retail read as TMSL and as TMDL', async () => {
    for (const [tmdl, bim] of [[example.tmdl, example.bim], [synthetic.retailTmdl, synthetic.retailBim]] as const) {
      const a = (await loadModel(tmdl)).model;
      const b = (await loadModel(bim)).model;
      expect(fingerprint(a), `${tmdl} vs ${bim}`).toBe(fingerprint(b));
    }
  });

  it('an inferred column type: TMSL states it with isDataTypeInferred, Desktop\'s TMDL leaves it out', () => {
    const col = (extra: object) => JSON.stringify({
      name: 'X', compatibilityLevel: 1600,
      model: { tables: [{ name: 'T', columns: [{ name: 'A', dataType: 'int64', sourceColumn: 'A' }, { name: 'B', type: 'calculated', expression: 'T[A] * 2', ...extra }] }] },
    });
    const tmdl = (props: string) => [
      { path: 'definition/database.tmdl', text: 'database\n\tcompatibilityLevel: 1600\n' },
      { path: 'definition/tables/T.tmdl', text: `table T\n\tcolumn A\n\t\tdataType: int64\n\t\tsourceColumn: A\n\tcolumn B = T[A] * 2\n${props}` },
    ];
    const read = (bim: string) => fingerprint(readBim(bim, { location: 'x' }).model);
    const readT = (props: string) => fingerprint(loadModelFromParts(tmdl(props), { modelName: 'X', location: 'l' }).model);
    const inferred = read(col({ dataType: 'int64', isDataTypeInferred: true }));
    expect(readT('')).toBe(inferred);
    expect(read(col({ dataType: 'string', isDataTypeInferred: true }))).toBe(inferred); // the engine's guess is not the definition
    expect(readT('\t\tdataType: int64\n\t\tisDataTypeInferred\n')).toBe(inferred);
    // A type the author set is part of the definition, in both formats.
    const stated = read(col({ dataType: 'int64' }));
    expect(stated).not.toBe(inferred);
    expect(readT('\t\tdataType: int64\n')).toBe(stated);
  });

  it('CRLF, trailing whitespace and blank lines around expressions', () => {
    expect(normalizeExpression('a  \r\nb\t\r\n\r\n')).toBe('a\nb');
    expect(normalizeExpression('  a\n  b')).toBe('  a\n  b');
    // TMSL keeps the line break typed after `=` (["", "DIVIDE(", …]); TMDL cannot write it.
    expect(normalizeExpression('\n\r\n  \nDIVIDE(\n  1, 2)')).toBe('DIVIDE(\n  1, 2)');
    expect(normalizeExpression('a\n\n\nb')).toBe('a\n\n\nb');
  });
});

type Mutation = (d: { model: { tables: any[]; relationships: any[]; roles?: any[] } }, pick: number) => boolean;
const at = <T>(xs: T[], i: number): T | undefined => (xs.length ? xs[i % xs.length] : undefined);
// An inferred type is not part of the definition (see above), so only stated types are mutated.
const dataColumns = (d: any) => d.model.tables.flatMap((t: any) => (t.columns ?? []).filter((c: any) => c.type !== 'rowNumber'));
const typedColumns = (d: any) => dataColumns(d).filter((c: any) => c.isDataTypeInferred !== true);
const measures = (d: any) => d.model.tables.flatMap((t: any) => t.measures ?? []);

const MUTATIONS: Record<string, Mutation> = {
  'column name': (d, i) => {
    const c = at(dataColumns(d), i) as any;
    if (!c) return false;
    c.name = `${c.name}_x`;
    return true;
  },
  'column data type': (d, i) => {
    const c = at(typedColumns(d), i) as any;
    if (!c) return false;
    const types = TOM_DATA_TYPES.filter((t) => t !== c.dataType) as TomDataType[];
    c.dataType = types[i % types.length];
    return true;
  },
  'measure expression': (d, i) => {
    const m = at(measures(d), i) as any;
    if (!m) return false;
    m.expression = `${Array.isArray(m.expression) ? m.expression.join('\n') : (m.expression ?? '')} + 0`;
    return true;
  },
  'relationship end': (d, i) => {
    const r = at(d.model.relationships, i);
    if (!r) return false;
    r.toColumn = `${r.toColumn}_x`;
    return true;
  },
  'relationship activity': (d, i) => {
    const r = at(d.model.relationships, i);
    if (!r) return false;
    r.isActive = r.isActive === false;
    return true;
  },
  'relationship direction': (d, i) => {
    const r = at(d.model.relationships, i);
    if (!r) return false;
    r.crossFilteringBehavior = r.crossFilteringBehavior === 'bothDirections' ? 'oneDirection' : 'bothDirections';
    return true;
  },
  'relationship cardinality': (d, i) => {
    const r = at(d.model.relationships, i);
    if (!r) return false;
    r.toCardinality = r.toCardinality === 'many' ? 'one' : 'many';
    return true;
  },
  'table added': (d) => {
    d.model.tables.push({ name: 'Extra', columns: [] });
    return true;
  },
  'role filter': (d, i) => {
    const r = at(d.model.roles ?? [], i);
    if (!r) return false;
    r.tablePermissions = [...(r.tablePermissions ?? []), { name: 'X', filterExpression: 'FALSE()' }];
    return true;
  },
};

describe('fingerprint changes on any single schema change', () => {
  for (const [label, text] of [['syn-retail-bim', SALES], ['syn-directquery-bim', ALLPROPS]] as const) {
    it(label, () => {
      const base = fp(text);
      const doc = JSON.parse(text);
      fc.assert(
        fc.property(fc.constantFrom(...Object.keys(MUTATIONS)), fc.nat(), (name, pick) => {
          const d = structuredClone(doc);
          if (!MUTATIONS[name]!(d, pick)) return;
          expect(fp(JSON.stringify(d))).not.toBe(base);
        }),
        { numRuns: label === 'syn-retail-bim' ? 60 : 200 },
      );
    });
  }

  it('and on changes to hidden flags, formats, partitions, descriptions', () => {
    const m = readBim(ALLPROPS, { location: 'x' }).model;
    const base = fingerprint(m);
    const t0 = m.tables[0]!;
    const variants: SemanticModel[] = [
      { ...m, tables: [{ ...t0, isHidden: !t0.isHidden }, ...m.tables.slice(1)] },
      { ...m, tables: [{ ...t0, columns: [{ ...t0.columns[0]!, formatString: '0.0' }, ...t0.columns.slice(1)] }, ...m.tables.slice(1)] },
      { ...m, tables: [{ ...t0, partitions: t0.partitions.slice(1) }, ...m.tables.slice(1)] },
      { ...m, description: 'new' },
      { ...m, perspectives: [] },
      { ...m, dataSources: m.dataSources + 1 },
    ];
    const seen = new Set([base, ...variants.map(fingerprint)]);
    expect(seen.size).toBe(variants.length + 1);
  });
});
