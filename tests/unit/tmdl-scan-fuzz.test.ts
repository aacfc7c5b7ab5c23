// The scanned read (scan.ts) against the general path on mangled models: lines of the example model's
// tables dropped, repeated, re-indented, re-cased, or joined by lines the scanner must refuse. Both
// reads must end in the same model (key order included) or the same error (message, file, line, text).
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readTmdl, type TmdlFile } from '../../src/core/schema/tmdl/index.js';
import { filesIn } from '../support/model-files.js';
import { example } from '../support/paths.js';

const defDir = path.join(example.tmdl, 'definition');
const files: TmdlFile[] = filesIn(defDir);
const tables = files.filter((f) => f.path.startsWith('tables/'));

function outcome(input: TmdlFile[], scan: boolean): string {
  try {
    return JSON.stringify(readTmdl(input, { modelName: 'fuzz', location: 'fuzz', scan }));
  } catch (e) {
    const err = e as { name: string; message: string; file?: string; line?: number; text?: string };
    return JSON.stringify({ error: err.name, message: err.message, file: err.file, line: err.line, text: err.text });
  }
}

type Edit =
  | { kind: 'drop' | 'repeat' | 'upper'; line: number }
  | { kind: 'indent'; line: number; tabs: number }
  | { kind: 'insert'; line: number; text: string }; // `text` as a new line before it

const LINES = [
  '\t\tisHidden', '\t\tisHidden: false', '\t\tisKey: 1', '\t\tdataType: int65', '\t\tdataType: "Double"', '\t\tformatString',
  '\t\tsortByColumn: \'Customer Name\'', '\t\tsummarizeBy: Median', '\t\tlineageTag: x', '\t\tdescription: d', '\t\t/// d',
  '\t\tannotation A =', '\t\tannotation A = 1', "\t\tannotation 'A = 1", '\t\tchangedProperty = IsHidden', '\t\tformatString = 0',
  '\t\tencodingHint: Value', '\t\tunknownKey: 1', '\t\t\tdataType: string', '  \t\tdataType: string', '\tcolumn CustomerID',
  '\tcolumn X = 1', '\tcolumn X =', "\tcolumn 'X", '\tmeasure M = 1', '\tmeasure M', '\t/// About X', '', '\t\t',
  '\tmeasure M = ```', '\t```', '\t\tannotationX = 1', '\t\tdataTypes: int64', '\t\tisHiddenX',
];

function apply(text: string, edits: Edit[]): string {
  const lines = text.split('\n');
  for (const e of edits) {
    const i = e.line % lines.length;
    const line = lines[i] ?? '';
    switch (e.kind) {
      case 'drop': lines.splice(i, 1); break;
      case 'repeat': lines.splice(i, 0, line); break;
      case 'upper': lines[i] = line.toUpperCase(); break;
      case 'indent': lines[i] = '\t'.repeat(e.tabs) + line.replace(/^\t*/, ''); break;
      case 'insert': lines.splice(i, 0, e.text); break;
    }
  }
  return lines.join('\n');
}

// A line index (taken modulo the line count), spread evenly: fc.double favours its bounds.
const unit = fc.nat({ max: 10_000 });
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constantFrom('drop' as const, 'repeat' as const, 'upper' as const), line: unit }),
  fc.record({ kind: fc.constant('indent' as const), line: unit, tabs: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('insert' as const), line: unit, text: fc.constantFrom(...LINES) }),
);

describe('scanned read against the general path on mangled tables', () => {
  it('the example model reads the same both ways', () => {
    expect(outcome(files, true)).toBe(outcome(files, false));
  });

  it('every mangled model ends in the same model or the same error', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: tables.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 4 }), (t, edits) => {
        const target = tables[t] as TmdlFile;
        const input = files.map((f) => (f === target ? { path: f.path, text: apply(f.text, edits) } : f));
        expect(outcome(input, true)).toBe(outcome(input, false));
      }),
      { numRuns: 600, seed: 4242 },
    );
  });
});
