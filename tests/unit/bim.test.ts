// readBim: TMSL → SemanticModel on a synthetic model covering what the corpus lacks, plus the bad
// inputs of issue 2 (truncated, binary, wrong field types) and a never-a-TypeError fuzz.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { readBim } from '../../src/core/schema/bim.js';
import { summarize } from '../../src/core/schema/summary.js';
import { example, repoRoot } from '../support/paths.js';

const fixture = path.join(repoRoot, 'tests/fixtures/bim/synthetic.bim');
const text = readFileSync(fixture, 'utf8');
const read = (t: string, file = 'model.bim') => readBim(t, { location: file });

function inputError(f: () => unknown): InputError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('readBim on a synthetic model', () => {
  const { model, source, warnings } = read(text, fixture);
  const sales = model.tables.find((t) => t.name === 'Sales \'Q\' "x"')!;

  it('reads the header and keeps the database name unless a name is given', () => {
    expect(source).toEqual({ format: 'BIM', location: fixture });
    expect(warnings).toEqual([]);
    expect(model).toMatchObject({ name: 'Synthetic DB', compatibilityLevel: 1604, defaultMode: 'import', culture: 'en-US' });
    expect(model.description).toBe('A model touching what the corpus lacks');
    expect(readBim(text, { location: fixture, modelName: 'Other' }).model.name).toBe('Other');
  });

  it('skips rowNumber columns, maps column kinds and data types case-insensitively', () => {
    expect(sales.columns.map((c) => [c.name, c.kind, c.dataType])).toEqual([
      ['Amount', 'data', 'decimal'],
      ['Key', 'data', 'int64'],
      ['Double]Amount', 'calculated', 'decimal'],
    ]);
    expect(model.tables.find((t) => t.name === 'Bin')!.columns.map((c) => c.dataType)).toEqual(['binary', 'variant']);
  });

  it('joins expression arrays with \\n and keeps multi-line DAX verbatim', () => {
    const calc = sales.columns[2]!;
    expect(calc.expression).toBe('VAR x = [Amount]\ncolumn y = 1\nmeasure z = 2\nRETURN x * 2');
    expect(sales.description).toBe('Line one\nLine two');
    expect(sales.partitions[0]!.expression).toContain('\n  Source = Sql.Database');
    expect(sales.partitions[1]).toEqual({ name: 'p2', mode: 'import', sourceType: 'query', expression: 'SELECT 1' });
  });

  it('reads every column property and leaves absent ones absent', () => {
    expect(sales.columns[0]).toEqual({
      name: 'Amount', dataType: 'decimal', kind: 'data', sourceColumn: 'amount', isHidden: false, isKey: false,
      formatString: '#,0.00', displayFolder: 'Money', summarizeBy: 'sum',
    });
    expect(sales.columns[2]).toMatchObject({ dataCategory: 'Uncategorized', sortByColumn: 'Amount', description: 'Twice' });
    expect(sales.columns[1]).toMatchObject({ isKey: true, isHidden: true });
  });

  it('derives table kinds and storage modes', () => {
    expect(model.tables.map((t) => [t.name, t.kind, t.storageMode])).toEqual([
      ['Sales \'Q\' "x"', 'data', 'mixed'],
      ['Calc', 'calculatedTable', 'import'],
      ['Time Intelligence', 'calculationGroup', 'import'],
      ['Bin', 'data', 'import'],
    ]);
  });

  it('reads measures, hierarchies and calculation groups', () => {
    expect(sales.measures).toEqual([
      { name: 'Total', expression: 'SUM(\'Sales \'\'Q\'\' "x"\'[Amount])', formatString: '0', displayFolder: 'KPIs', isHidden: false },
      { name: 'Empty', expression: '', isHidden: false },
    ]);
    expect(sales.hierarchies[0]).toEqual({
      name: 'H', isHidden: true, displayFolder: 'Nav',
      levels: [{ name: 'L2', ordinal: 1, column: 'Key' }, { name: 'L1', ordinal: 0, column: 'Amount' }],
    });
    const cg = model.tables[2]!.calculationGroup!;
    expect(cg.precedence).toBe(10);
    expect(cg.description).toBe('TI');
    expect(cg.items[0]).toEqual({
      name: 'YTD', ordinal: 1, expression: "CALCULATE(\n  SELECTEDMEASURE(),\n  DATESYTD('Date'[Date])\n)", formatStringExpression: '"0.0"',
    });
  });

  it('reads relationships with TMSL defaults', () => {
    expect(model.relationships).toEqual([
      { name: 'r1', fromTable: 'Sales \'Q\' "x"', fromColumn: 'Key', toTable: 'Calc', toColumn: 'Value', fromCardinality: 'many', toCardinality: 'one', crossFilteringBehavior: 'bothDirections', isActive: true, securityFilteringBehavior: 'bothDirections' },
      { name: 'r2', fromTable: 'Bin', fromColumn: 'V', toTable: 'Calc', toColumn: 'Value', fromCardinality: 'one', toCardinality: 'one', crossFilteringBehavior: 'oneDirection', isActive: false },
    ]);
  });

  it('reads roles without members, perspectives, cultures, expressions, functions', () => {
    expect(model.roles).toEqual([{ name: 'Readers', modelPermission: 'read', description: 'RLS', tablePermissions: [{ table: 'Calc', filterExpression: '[Value] > 1' }] }]);
    expect(model.perspectives).toEqual([{ name: 'P', tables: ['Calc'] }]);
    expect(model.cultures).toEqual(['en-US', 'de-DE']);
    expect(model.expressions.map((e) => [e.name, e.kind])).toEqual([['Server', 'm'], ['Source', 'm']]);
    expect(model.expressions[1]).toMatchObject({ expression: 'let\n  x = 1\nin\n  x', description: 'Shared' });
    expect(model.functions).toEqual([{ name: 'Double', expression: '(x) => x * 2', description: 'UDF' }]);
  });

  it('counts data sources but keeps no connection detail, credential or role member', () => {
    expect(model.dataSources).toBe(2);
    const all = JSON.stringify(model);
    for (const secret of ['hunter2', 'Provider=', 'connectionDetails', 'alice@contoso.com', 'srv", "db']) expect(all).not.toContain(secret);
  });

  it('summarises as the counting rules say', () => {
    expect(summarize(model, 'BIM')).toMatchObject({
      tables: 4, columns: 8, calculatedColumns: 1, measures: 2, relationships: 2, calculatedTables: 1,
      calculationGroups: 1, roles: 1, hierarchies: 1, calculationItems: 2, cultures: 2, inactiveRelationships: 1,
    });
  });
});

describe('readBim accepts the other TMSL shapes', () => {
  it('tolerates a UTF-8 BOM', () => {
    expect(read(`\uFEFF${text}`).model.tables).toHaveLength(4);
  });
  it('accepts a bare {model} object and a createOrReplace script', () => {
    const m = JSON.parse(text).model;
    expect(read(JSON.stringify({ model: m })).model.name).toBe('Model');
    const script = { createOrReplace: { object: { database: 'X' }, database: { name: 'X', compatibilityLevel: 1600, model: m } } };
    expect(read(JSON.stringify(script)).model).toMatchObject({ name: 'X', compatibilityLevel: 1600 });
  });
  it('reads a minimal model with no collections', () => {
    expect(read('{"model":{}}').model).toMatchObject({ tables: [], relationships: [], roles: [], dataSources: 0 });
  });
});

describe('readBim bad input', () => {
  it('a truncated file names the file, the line and the offending text', () => {
    const cut = text.slice(0, text.indexOf('"partitions"'));
    const e = inputError(() => read(cut, '/m/Sales.Dataset/model.bim'));
    expect(e.file).toBe('/m/Sales.Dataset/model.bim');
    expect(e.line).toBe(cut.split('\n').length);
    expect(e.message).toContain('/m/Sales.Dataset/model.bim, line');
    expect(e.message).toContain('Invalid JSON');
  });
  it('a syntax error in the middle points at its line', () => {
    const lines = text.split('\n');
    lines[20] = `${lines[20]} oops`;
    const e = inputError(() => read(lines.join('\n')));
    expect(e.line).toBe(21);
    expect(e.text).toContain('oops');
  });
  it('an invalid token (message without a position) still gets a line', () => {
    const e = inputError(() => read('{\n  "model": {\n    "tables": tru\n  }\n}'));
    expect(e.line).toBe(3);
    expect(e.text).toBe('"tables": tru');
  });
  it('a binary file is "not a text file"', () => {
    const e = inputError(() => read('PK\u0003\u0004\u0000\u0000binary'));
    expect(e.message).toMatch(/not a text file/i);
  });
  it('JSON that is not a model says so', () => {
    expect(inputError(() => read('[1,2]')).message).toMatch(/Not a TMSL model/);
    expect(inputError(() => read('{"name":"x","tables":[]}')).message).toMatch(/"model" property.*keys: name, tables/);
  });
  it('a wrong field type names the JSON path', () => {
    const doc = JSON.parse(text);
    doc.model.tables[0].columns[2].dataType = 6;
    expect(inputError(() => read(JSON.stringify(doc))).message).toContain('model.tables[0].columns[2].dataType must be a string, found number 6');
    doc.model.tables[0].columns[2].dataType = 'Int32';
    expect(inputError(() => read(JSON.stringify(doc))).message).toContain('model.tables[0].columns[2].dataType is not a TOM data type');
    const d2 = JSON.parse(text);
    d2.model.relationships[1].isActive = 'no';
    expect(inputError(() => read(JSON.stringify(d2))).message).toContain('model.relationships[1].isActive must be true or false');
    const d3 = JSON.parse(text);
    d3.model.tables = { a: 1 };
    expect(inputError(() => read(JSON.stringify(d3))).message).toContain('model.tables must be an array, found an object');
    const d4 = JSON.parse(text);
    delete d4.model.tables[1].name;
    expect(inputError(() => read(JSON.stringify(d4))).message).toContain('model.tables[1].name is missing');
  });
});

describe('readBim never throws anything but InputError', () => {
  const small = readFileSync(path.join(example.bim, 'model.bim'), 'utf8');
  const check = (t: string) => {
    try {
      read(t);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
    }
  };

  it('on truncations and bit flips of a real model', () => {
    fc.assert(
      fc.property(fc.nat(small.length), fc.nat(small.length - 1), fc.integer({ min: 0, max: 0xffff }), (cut, at, ch) => {
        check(small.slice(0, cut));
        check(small.slice(0, at) + String.fromCharCode(ch) + small.slice(at + 1));
      }),
      { numRuns: 300 },
    );
  });

  it('on any value placed anywhere in the model tree', () => {
    const base = JSON.parse(small);
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, p: (string | number)[]) => {
      paths.push(p);
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
    };
    walk(base, []);
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 3 }), (p, value) => {
        const doc = structuredClone(base);
        if (p.length === 0) return check(JSON.stringify(value));
        let o = doc;
        for (const k of p.slice(0, -1)) o = o[k];
        o[p[p.length - 1]!] = value;
        check(JSON.stringify(doc));
      }),
      { numRuns: 1000 },
    );
  });

  it('on deep nesting and huge names', () => {
    check('['.repeat(200_000));
    check(`{"model":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    const huge = 'x'.repeat(2_000_000);
    expect(read(JSON.stringify({ model: { tables: [{ name: huge, columns: [{ name: huge, dataType: 'string' }] }] } })).model.tables[0]!.name).toHaveLength(huge.length);
  });
});
