// Columns and measures holding only `key: value` lines are read in one pass (plain.ts); any other
// shape goes through the general Decl lookups. The two must agree on every model and every error:
// each case is read as written (one pass) and with a trailing annotation, which the model ignores
// but which sends the object down the general path.
import { describe, expect, it } from 'vitest';
import { readTmdl } from '../../src/core/schema/tmdl/index.js';

const opts = { modelName: 'Plain', location: '/models/Plain.SemanticModel/definition' };

function outcome(lines: string[]): unknown {
  try {
    return readTmdl([{ path: 'tables/T.tmdl', text: `${lines.join('\n')}\n` }], opts).model;
  } catch (e) {
    const err = e as { name: string; message: string; file?: string; line?: number };
    return { error: err.name, message: err.message, file: err.file, line: err.line };
  }
}

/** The table with `object` (a declaration and its nested lines), read both ways. */
function both(object: string[]): { plain: unknown; general: unknown } {
  const head = ['table T', '\tcolumn Other', '\t\tdataType: int64'];
  return {
    plain: outcome([...head, ...object]),
    general: outcome([...head, ...object, '\t\tannotation Why = general path']),
  };
}

const COLUMNS: Record<string, string[]> = {
  'every property': [
    '\t/// The key',
    "\tcolumn 'Order Key'",
    '\t\tdataType: Int64',
    '\t\tisHidden: TRUE',
    '\t\tisKey: false',
    '\t\tisDataTypeInferred: true',
    '\t\tsourceColumn: OrderKey',
    '\t\tformatString: "#,0"',
    '\t\tdisplayFolder: Keys',
    '\t\tdataCategory: Uncategorized',
    '\t\tsummarizeBy: NONE',
    '\t\tsortByColumn: Other',
    '\t\tlineageTag: 4b1f',
  ],
  'no dataType': ['\tcolumn C', '\t\tsourceColumn: C'],
  'calculated': ['\tcolumn C = 1 + 1', '\t\tdataType: double', '\t\tdescription: From a property'],
  'calculated without an expression line': ['\tcolumn C =', '\t\t\t[Other] * 2', '\t\tdataType: double'],
  'quoted sortByColumn': ['\tcolumn C', '\t\tdataType: string', "\t\tsortByColumn: 'Other'"],
  'sortByColumn with text after the quotes': ['\tcolumn C', '\t\tdataType: string', "\t\tsortByColumn: 'Other' x"],
  'unknown dataType': ['\tcolumn C', '\t\tdataType: int65'],
  'isHidden not a boolean': ['\tcolumn C', '\t\tdataType: string', '\t\tisHidden: yes'],
  'isKey not a boolean': ['\tcolumn C', '\t\tisKey: 1'],
  'isDataTypeInferred not a boolean': ['\tcolumn C', '\t\tdataType: string', '\t\tisDataTypeInferred: maybe'],
  'isDataTypeInferred not a boolean, no dataType': ['\tcolumn C', '\t\tisDataTypeInferred: maybe'],
  'two descriptions': ['\t/// Above', '\tcolumn C', '\t\tdataType: string', '\t\tdescription: Below'],
  'a property twice': ['\tcolumn C', '\t\tdataType: string', '\t\tdataType: string'],
};

const MEASURES: Record<string, string[]> = {
  'every property': ['\t/// Sum', "\tmeasure 'Total' = SUM(T[Other])", '\t\tisHidden', '\t\tformatString: 0', '\t\tdisplayFolder: A\\B'],
  'key: value only': ["\tmeasure 'Total' = SUM(T[Other])", '\t\tisHidden: false', '\t\tformatString: 0', '\t\tdisplayFolder: A'],
  'description property': ['\tmeasure M = 1', '\t\tdescription: "Said ""twice"""'],
  'isHidden not a boolean': ['\tmeasure M = 1', '\t\tisHidden: no'],
  'two descriptions': ['\t/// Above', '\tmeasure M = 1', '\t\tdescription: Below'],
  'no expression': ['\tmeasure M', '\t\tformatString: 0'],
};

describe('plain columns and measures read in one pass', () => {
  for (const [name, lines] of Object.entries({ ...prefix('column', COLUMNS), ...prefix('measure', MEASURES) })) {
    it(name, () => {
      const { plain, general } = both(lines);
      expect(plain).toEqual(general);
    });
  }

  it('takes the one-pass path for the plain cases (a trailing annotation changes nothing else)', () => {
    const { plain } = both(COLUMNS['every property'] as string[]);
    expect(plain).toMatchObject({ tables: [{ columns: [{ name: 'Other' }, { name: 'Order Key', dataType: 'int64', isHidden: true, summarizeBy: 'none', description: 'The key' }] }] });
  });
});

function prefix(kind: string, cases: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(cases).map(([k, v]) => [`${kind}: ${k}`, v]));
}
