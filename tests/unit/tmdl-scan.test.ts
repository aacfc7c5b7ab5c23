// A table's columns and measures are read straight from the text (scan.ts) when their lines allow
// it, and by the general path otherwise. Both must give the same model — key order included — and
// the same error (file, line, text) on every input: each case is read both ways and compared.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeGeneratedModel } from '../../bench/generate-model.js';
import { readTmdl, type TmdlFile } from '../../src/core/schema/tmdl/index.js';
import { parseTmdlDocument } from '../../src/core/schema/tmdl/parse.js';
import { filesIn } from '../support/model-files.js';

const opts = { modelName: 'Scan', location: '/models/Scan.SemanticModel/definition' };

function outcome(files: TmdlFile[], scan: boolean): string {
  try {
    return JSON.stringify(readTmdl(files, { ...opts, scan }));
  } catch (e) {
    const err = e as { name: string; message: string; file?: string; line?: number; text?: string };
    return JSON.stringify({ error: err.name, message: err.message, file: err.file, line: err.line, text: err.text });
  }
}

function table(lines: string[]): TmdlFile[] {
  return [{ path: 'tables/T.tmdl', text: `${['table T', '\tcolumn Other', '\t\tdataType: int64', ...lines].join('\n')}\n` }];
}

/** Columns and measures (after the table's first column) the scanner takes as they are. */
const SCANNED: Record<string, string[]> = {
  'column, every property': [
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
  'column, Desktop metadata': [
    '\tcolumn C',
    '\t\tdataType: dateTime',
    '\t\tsourceProviderType: date',
    '\t\tlineageTag: 16de',
    '\t\tsourceLineageTag: C',
    '\t\tisNameInferred',
    '',
    '\t\tchangedProperty = FormatString',
    '',
    "\t\tannotation 'Summarization Set By' = Automatic",
    '\t\tannotation PBI_FormatHint = {"isCustom":true}',
    '\t\textendedProperty X = {"a": 1}',
  ],
  'column, bare booleans and quoted values': ['\tcolumn C', '\t\tisHidden', '\t\tIsKey', '\t\tdataType: "String"', '\t\tsummarizeBy: "sum"', '\t\tdisplayFolder: "A ""quoted"" folder"  '],
  'column, the usual properties': ['\tcolumn C', '\t\tdataType: int64', '\t\tsummarizeBy: none', '\t\tsourceColumn: C'],
  'column, the usual properties with a format, in another order': ['\tcolumn C', '\t\tsourceColumn: "C"', '\t\tformatString: 0', '\t\tdataType: int64', '\t\tsummarizeBy: sum'],
  'column, the usual properties and a description': ['\t/// About C', '\tcolumn C', '\t\tsummarizeBy: none', '\t\tsourceColumn: Other'],
  'column, the usual properties and an inferred dataType': ['\tcolumn C', '\t\tsummarizeBy: none', '\t\tsourceColumn: C', '\t\tisDataTypeInferred'],
  'calculated column, the usual properties': ['\tcolumn C = 1', '\t\tdataType: int64', '\t\tsummarizeBy: none', '\t\tsourceColumn: C'],
  'measure, the usual properties': ['\tmeasure M = 1', '\t\tdisplayFolder: F', '\t\tformatString: 0'],
  'column, no dataType': ['\tcolumn C', '\t\tsourceColumn: C'],
  'column, unknown summarizeBy kept as written': ['\tcolumn C', '\t\tdataType: string', '\t\tsummarizeBy: median'],
  'calculated column': ['\tcolumn C = 1 + 1', '\t\tdataType: double', '\t\tdescription: From a property'],
  "quoted name with ''": ["\tcolumn 'It''s'", '\t\tdataType: string'],
  'measure, every property': ['\t/// Sum', '\t/// of Other', "\tmeasure 'Total' = SUM(T[Other])", '\t\tisHidden', '\t\tformatString: 0', '\t\tdisplayFolder: A\\B', '\t\tlineageTag: x'],
  'measure, description property': ['\tmeasure M = 1', '\t\tdescription: "Said ""twice"""'],
  'measure without an expression': ['\tmeasure M', '\t\tformatString: 0'],
  'column at the end of the file without a newline': ['\tcolumn Last', '\t\tdataType: string\t '],
  'bare booleans, one with trailing blanks, the last at the end of the file without a newline': ['\tcolumn C', '\t\tisHidden \t', '\t\tdataType: string', '\t\tisKey'],
  'keywords followed by spaces and tabs': ['\tcolumn C', '\t\tdataType \t: int64', "\t\tannotation\tA\t= 1", '\t\tchangedProperty = X'],
};

/** Lines the scanner leaves to the general path: the model or the error must not change. */
const GENERAL: Record<string, string[]> = {
  'calculated column with an indented expression': ['\tcolumn C =', '\t\t\t[Other] * 2', '\t\tdataType: double'],
  'measure with a ``` expression': ['\tmeasure M = ```', '\t\t\tSUM ( T[Other] )', '\t\t\t```', '\t\tformatString: 0'],
  'measure with a ``` expression indented no deeper than the measure': ['\tmeasure M = ```', '\tSUM ( T[Other] )', '\t```'],
  'a word that starts like annotation, twice': ['\tcolumn C', '\t\tannotationX = 1', '\t\tannotationX = 2'],
  'a key with more letters': ['\tcolumn C', '\t\tdataTypes: string'],
  'quoted sortByColumn': ['\tcolumn C', '\t\tdataType: string', "\t\tsortByColumn: 'Other'"],
  'sortByColumn with text after the quotes': ['\tcolumn C', '\t\tdataType: string', "\t\tsortByColumn: 'Other' x"],
  'unknown dataType': ['\tcolumn C', '\t\tdataType: int65'],
  'isHidden not a boolean': ['\tcolumn C', '\t\tdataType: string', '\t\tisHidden: yes'],
  'isKey not a boolean': ['\tcolumn C', '\t\tisKey: 1'],
  'isDataTypeInferred not a boolean': ['\tcolumn C', '\t\tdataType: string', '\t\tisDataTypeInferred: maybe'],
  'isDataTypeInferred not a boolean, no dataType': ['\tcolumn C', '\t\tisDataTypeInferred: maybe'],
  'a bare property that needs a value': ['\tcolumn C', '\t\tformatString'],
  'two descriptions': ['\t/// Above', '\tcolumn C', '\t\tdataType: string', '\t\tdescription: Below'],
  'a property twice': ['\tcolumn C', '\t\tdataType: string', '\t\tdataType: string'],
  'a bare and a valued boolean': ['\tcolumn C', '\t\tisHidden', '\t\tisHidden: false'],
  'an ignored property twice': ['\tcolumn C', '\t\tlineageTag: a', '\t\tlineageTag: b'],
  'an unknown property': ['\tcolumn C', '\t\tdataType: string', '\t\tencodingHint2: x', '\t\tencodingHint2: y'],
  'a property with =': ['\tcolumn C', '\t\tformatString = 0'],
  '/// inside the object': ['\tcolumn C', '\t\t/// stray', '\t\tdataType: string'],
  'a line nested under a property': ['\tcolumn C', '\t\tdataType: string', '\t\t\tsourceColumn: C'],
  'an annotation with a multi-line value': ['\tcolumn C', '\t\tannotation A =', '\t\t\tline one', '\t\tdataType: string'],
  'an annotation with no =': ['\tcolumn C', '\t\tannotation A: x'],
  'an annotation with an unclosed quote': ['\tcolumn C', "\t\tannotation 'A = x"],
  'space indentation': ['\tcolumn C', '  \t\tdataType: string'],
  'a key followed by a no-break space': ['\tcolumn C', '\t\tisHidden\u00a0', '\t\tdataType: string'],
  'a key ended by another character': ['\tcolumn C', '\t\tisHidden;', '\t\tdataType: string'],
  'a dataType with a control character where a digit is': ['\tcolumn C', '\t\tdataType: int\u00164'],
  'a bare annotation': ['\tcolumn C', '\t\tannotation', '\t\tdataType: string'],
  'an annotation with a colon after the keyword': ['\tcolumn C', '\t\tannotation: x', '\t\tdataType: string'],
  'a key with a Kelvin sign': ['\tcolumn C', '\t\tisKey: true', '\t\tisHidden: true', '\t\tdataType: string', '\t\tis\u212Aey: true'],
  'a name with no closing quote': ["\tcolumn 'C", '\t\tdataType: string'],
  'text after the name': ['\tcolumn C D', '\t\tdataType: string'],
  'a column without a name': ['\tcolumn', '\t\tdataType: string'],
  'a column declared twice': ['\tcolumn C', '\t\tdataType: string', '\tcolumn C', '\t\tformatString: 0'],
  'a column declared twice, in other case': ['\tcolumn C', '\t\tdataType: string', '\tcolumn c', '\t\tdataType: int64'],
  "a quoted column with '' declared twice, in other case": ["\tcolumn 'It''s A'", '\t\tdataType: string', "\tcolumn 'IT''S a'", '\t\tdataType: int64'],
  "a quoted column with '' declared twice, scanned then read by the general path": ["\tcolumn 'It''s'", '\t\tdataType: string', "\tcolumn 'it''S' =", '\t\t\t1'],
  'a quoted column declared twice, once unquoted': ["\tcolumn 'Big'", '\t\tdataType: string', '\tcolumn bIG', '\t\tdataType: int64'],
  'a quoted column declared twice, in other non-ASCII case': ["\tcolumn 'Ä b'", '\t\tdataType: string', "\tcolumn 'ä B'", '\t\tdataType: int64'],
  'a column declared twice, once with a Kelvin sign (which lower-cases to k)': ['\tcolumn \u212Aey', '\t\tdataType: string', '\tcolumn key', '\t\tdataType: int64'],
  'a column declared twice, in other non-ASCII case': ['\tcolumn Ärger', '\t\tdataType: string', '\tmeasure M = 1', '\tcolumn äRGER', '\t\tformatString: 0'],
  'scanned and general columns interleaved': ['\tcolumn A', '\t\tdataType: string', '\tcolumn B =', '\t\t\t1', '\tcolumn C', '\t\tdataType: string', '\tmeasure M = 1', '\t\tisHidden: x'],
  'a column of a calculated table': ['\tcolumn C', '\t\tdataType: string', '\tpartition T = calculated', '\t\tsource = ROW("a", 1)'],
};

describe('scanned columns and measures', () => {
  for (const [name, lines] of Object.entries({ ...SCANNED, ...GENERAL })) {
    it(`${name}: the same outcome with and without scanning`, () => {
      const files = table(lines);
      expect(outcome(files, true)).toBe(outcome(files, false));
    });
  }

  it('the cases meant for the scanner are scanned', () => {
    for (const [name, lines] of Object.entries(SCANNED)) {
      const roots: { scanned?: { columns: unknown[]; measures: unknown[] } }[] = [];
      const text = ['table T', ...lines].join('\n');
      parseTmdlDocument('T.tmdl', name.endsWith('newline') ? text : `${text}\n`, undefined, (r) => void roots.push(r), true);
      const scanned = roots[0]?.scanned;
      expect((scanned?.columns.length ?? 0) + (scanned?.measures.length ?? 0), name).toBe(1);
    }
  });

  it('a table of 600 columns (more than the scratch table of name hashes holds), with and without a repeat', () => {
    const columns = Array.from({ length: 600 }, (_, i) => [`\tcolumn 'C ${i}'`, '\t\tdataType: string']).flat();
    for (const lines of [columns, [...columns, "\tcolumn 'c 599'", '\t\tformatString: 0']]) {
      const files = table(lines);
      const scanned = outcome(files, true);
      expect(scanned).toBe(outcome(files, false));
      expect(JSON.parse(scanned).model.tables[0].columns).toHaveLength(601);
    }
  });

  it('a table whose scanned column is declared in parts is read as a whole', () => {
    const files: TmdlFile[] = [
      { path: 'tables/T.tmdl', text: 'table T\n\tcolumn C\n\t\tdataType: string\n' },
      { path: 'tables/T2.tmdl', text: 'table T\n\tcolumn C\n\t\tformatString: 0\n' },
    ];
    expect(outcome(files, true)).toBe(outcome(files, false));
    expect(readTmdl(files, opts).model.tables[0]?.columns).toEqual([
      { name: 'C', dataType: 'string', kind: 'data', isHidden: false, isKey: false, formatString: '0' },
    ]);
  });

  it('the generated model (40 tables) reads the same both ways', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tmdl-scan-'));
    try {
      const gen = writeGeneratedModel(dir, { tables: 40, columnsPerTable: 30, measuresPerTable: 10 });
      const def = path.join(gen.tmdlDir, 'definition');
      const files = filesIn(def);
      const scanned = outcome(files, true);
      expect(scanned).toBe(outcome(files, false));
      expect(JSON.parse(scanned).model.tables).toHaveLength(40);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
