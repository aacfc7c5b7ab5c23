// Robustness of the TMDL reader: any mangled input ends in a model or a typed InputError naming a
// file — never a TypeError/RangeError, never the reader's "could not be read" safety net (which
// would mean a bug), and fast.
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { readTmdl } from '../../src/core/schema/tmdl/index.js';
import type { TmdlFile } from '../../src/core/schema/tmdl/index.js';
import { filesIn } from '../support/model-files.js';
import { example } from '../support/paths.js';

const defDir = path.join(example.tmdl, 'definition');
const files: TmdlFile[] = filesIn(defDir);

function outcome(input: TmdlFile[]): 'model' | 'input-error' {
  const started = performance.now();
  try {
    readTmdl(input, { modelName: 'fuzz', location: 'fuzz' });
    return 'model';
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    const err = e as InputError;
    expect(err.message).not.toMatch(/could not be read/);
    expect(err.file).toBeTruthy();
    return 'input-error';
  } finally {
    expect(performance.now() - started).toBeLessThan(1000);
  }
}

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'indent'; line: number; tabs: number }
  | { kind: 'insert'; at: number; text: string };

function mutate(text: string, m: Mutation): string {
  const pos = (x: number) => Math.floor(x * text.length);
  switch (m.kind) {
    case 'truncate':
      return text.slice(0, pos(m.at));
    case 'flip': {
      const i = pos(m.at);
      if (i >= text.length) return text;
      return text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ (1 << m.bit)) + text.slice(i + 1);
    }
    case 'indent': {
      const lines = text.split('\n');
      const i = Math.floor(m.line * lines.length);
      lines[i] = '\t'.repeat(m.tabs) + (lines[i] ?? '').replace(/^\t*/, '');
      return lines.join('\n');
    }
    case 'insert': {
      const i = pos(m.at);
      return text.slice(0, i) + m.text + text.slice(i);
    }
  }
}

const unit = fc.double({ min: 0, max: 0.999, noNaN: true });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: unit }),
  fc.record({ kind: fc.constant('flip' as const), at: unit, bit: fc.integer({ min: 0, max: 15 }) }),
  fc.record({ kind: fc.constant('indent' as const), line: unit, tabs: fc.integer({ min: 0, max: 6 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: unit,
    text: fc.constantFrom("'", '```', '\n```\n', '=', ':', '\n\t\t\t\tx', '\n    y', '///', '\r', '\uFEFF', '\u0000', "\nref table 'x"),
  }),
);

describe('readTmdl on mangled input', () => {
  it('the unmangled model reads', () => {
    expect(outcome(files)).toBe('model');
  });

  it('truncations, bit flips, random indents and stray tokens end in a model or an InputError', () => {
    const seen = { model: 0, 'input-error': 0 };
    fc.assert(
      fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 4 }), (pick, ms) => {
        const target = pick % files.length;
        const input = files.map((f, i) => (i === target ? { ...f, text: ms.reduce(mutate, f.text) } : f));
        seen[outcome(input)]++;
      }),
      { numRuns: 400, seed: 20261126 },
    );
    // Both outcomes occur: the mutations do reach the error paths and do leave readable models.
    expect(seen.model).toBeGreaterThan(20);
    expect(seen['input-error']).toBeGreaterThan(20);
  });

  it('handles very deep nesting, a 10 MB one-line expression and random bytes', () => {
    const deep = Array.from({ length: 3000 }, (_, i) => `${'\t'.repeat(i)}column c${i}`).join('\n');
    expect(outcome([{ path: 'tables/deep.tmdl', text: `table T\n${deep.replace(/^/, '\t')}` }])).toMatch(/model|input-error/);
    const big = `table T\n\tmeasure M = ${'x+'.repeat(5_000_000)}1\n`;
    expect(outcome([{ path: 'tables/T.tmdl', text: big }])).toBe('model');
    const bytes = Array.from({ length: 20_000 }, (_, i) => String.fromCharCode((i * 7919) % 256)).join('');
    expect(outcome([{ path: 'model.tmdl', text: bytes }])).toBe('input-error');
  });
});
