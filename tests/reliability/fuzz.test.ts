// Area 3 of issue 9, first half: the BIM and TMDL readers under mangled input. Seeded mutations of
// model files — the synthetic ones always, the corpus's real ones too when present — (truncation, bit flips, indent changes, inserted fragments) plus hostile shapes (huge
// names, deep nesting, a 10 MB expression). Every case must end in a model or a typed InputError
// naming the file (and the line where the reader can know it), within one second, with a bounded
// message — never a TypeError/RangeError, never a hang.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { readBim } from '../../src/core/schema/bim.js';
import { readTmdl, type TmdlFile } from '../../src/core/schema/tmdl/index.js';
import { filesIn } from '../support/model-files.js';
import { corpusDir, example, hasCorpus, synthetic } from '../support/paths.js';

const SEED = Number(process.env.FABRIC_SYNC_FUZZ_SEED ?? 9_000_009);
const RUNS = Number(process.env.FABRIC_SYNC_FUZZ_RUNS ?? 1100); // per reader; > 2,000 in all

const CORPUS_BIMS = ['as-sales-bim/Sales.Dataset/model.bim', 'dt-standard/Config-01 - Standard.bim', 'te-allproperties/AllProperties.bim', 'dt-calcgroup/Config-03 - CalculationGroup.bim'];
const bims = [
  path.join(synthetic.retailBim, 'Retail.bim'),
  path.join(synthetic.directQueryBim, 'Ledger.Dataset/model.bim'),
  path.join(example.bim, 'model.bim'),
  ...(hasCorpus ? CORPUS_BIMS.map((p) => path.join(corpusDir, p)) : []),
].map((p) => ({ path: p, text: readFileSync(p, 'utf8') }));

function tmdlFolder(dir: string): TmdlFile[] {
  return filesIn(dir, (name) => name.endsWith('.tmdl'));
}
const tmdls = [
  tmdlFolder(path.join(example.tmdl, 'definition')),
  tmdlFolder(path.join(synthetic.minimal, 'Tiny.SemanticModel/definition')),
  tmdlFolder(path.join(synthetic.retailTmdl, 'Retail.SemanticModel/definition')),
  ...(hasCorpus ? ['rr-model01/Model01.SemanticModel/definition', 'fabric-cicd-abc/ABC.SemanticModel/definition'].map((p) => tmdlFolder(path.join(corpusDir, p))) : []),
];

type Outcome = 'model' | 'input-error';
interface Tally { cases: number; models: number; errors: number; crashes: string[]; slow: string[]; unlocated: string[]; noLine: number; maxMs: number }
const tally = (): Tally => ({ cases: 0, models: 0, errors: 0, crashes: [], slow: [], unlocated: [], noLine: 0, maxMs: 0 });

/** Runs one case; records what happened instead of throwing, so a run reports every problem at once. */
function run(t: Tally, label: string, read: () => unknown, needLine: boolean): Outcome | 'crash' {
  t.cases++;
  const started = performance.now();
  let outcome: Outcome | 'crash';
  try {
    read();
    outcome = 'model';
    t.models++;
  } catch (e) {
    if (e instanceof InputError) {
      outcome = 'input-error';
      t.errors++;
      if (!e.file || e.message.length > 4000 || /could not be read/.test(e.message)) t.unlocated.push(`${label}: ${e.message.slice(0, 300)}`);
      if (e.line === undefined) {
        t.noLine++;
        if (needLine) t.unlocated.push(`${label} (no line): ${e.message.slice(0, 300)}`);
      }
    } else {
      outcome = 'crash';
      t.crashes.push(`${label}: ${e instanceof Error ? `${e.name}: ${e.message.slice(0, 300)}` : String(e)}`);
    }
  }
  const ms = performance.now() - started;
  t.maxMs = Math.max(t.maxMs, ms);
  if (ms > 1000) t.slow.push(`${label}: ${Math.round(ms)} ms`);
  return outcome;
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), bit: fc.integer({ min: 0, max: 15 }) }),
  fc.record({ kind: fc.constant('indent' as const), line: fc.double({ min: 0, max: 1, noNaN: true }), tabs: fc.integer({ min: 0, max: 9 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), text: fc.constantFrom('"', "'", '{', '}', '[', ']', ',', ':', '\n', '\t', '=', '```', 'null', '"x":', '\u0000', '\uFEFF', '\r', 'column', 'table ', 'measure ', '///', '\\', '\uD800') }),
  fc.record({ kind: fc.constant('delete-line' as const), line: fc.double({ min: 0, max: 1, noNaN: true }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(text: string, ms: Mutation[]): string {
  let out = text;
  for (const m of ms) {
    const pos = (x: number) => Math.min(out.length, Math.floor(x * out.length));
    if (m.kind === 'truncate') out = out.slice(0, pos(m.at));
    else if (m.kind === 'flip') {
      const i = pos(m.at);
      if (i < out.length) out = out.slice(0, i) + String.fromCharCode(out.charCodeAt(i) ^ (1 << m.bit)) + out.slice(i + 1);
    } else if (m.kind === 'insert') out = out.slice(0, pos(m.at)) + m.text + out.slice(pos(m.at));
    else {
      const lines = out.split('\n');
      const i = Math.min(lines.length - 1, Math.floor(m.line * lines.length));
      if (m.kind === 'delete-line') lines.splice(i, 1);
      else lines[i] = '\t'.repeat(m.tabs) + (lines[i] ?? '').replace(/^[\t ]*/, '');
      out = lines.join('\n');
    }
  }
  return out;
}

const summary: string[] = [];
/** Each reader's tally, for the figure: counted, not written down. */
const tallies: Array<{ reader: string; t: Tally }> = [];
const HUGE = 'N'.repeat(200_000);
const TEN_MB = 'x + '.repeat(2_621_440) + '1';

describe('reader fuzzing', () => {
  it(`BIM reader: ${RUNS} seeded mutations and hostile shapes`, () => {
    const t = tally();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bims.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, ms) => {
        const src = bims[which]!;
        const text = mutate(src.text, ms);
        run(t, `${src.path} ${JSON.stringify(ms)}`, () => readBim(text, { location: src.path }), true);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    const base = JSON.parse(bims[0]!.text);
    const hostile: Array<[string, string]> = [
      ['huge table name', JSON.stringify({ ...base, model: { ...base.model, tables: [{ ...base.model.tables[0], name: HUGE }] } })],
      ['10 MB measure expression', JSON.stringify({ ...base, model: { ...base.model, tables: [{ ...base.model.tables[0], measures: [{ name: 'M', expression: TEN_MB }] }] } })],
      ['deep nesting (arrays)', `{"model": {"tables": ${'['.repeat(100_000)}${']'.repeat(100_000)}}}`],
      ['deep nesting (annotation value)', `{"model": {"tables": [], "annotations": [{"name": "a", "value": ${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}]}}`],
      ['deep nesting (extendedProperties)', `{"model": {"tables": [{"name": "T", "columns": [], "extendedProperties": [{"name": "e", "value": ${'['.repeat(20_000)}${']'.repeat(20_000)}}]}]}}`],
      ['10 MB of one string', `{"model": {"name": "${TEN_MB}"}}`],
      ['lone surrogate', bims[0]!.text.replace('"name"', '"na\\ud800me"')],
      ['NUL bytes', `${bims[0]!.text.slice(0, 100)}\u0000${bims[0]!.text.slice(100)}`],
      ['empty', ''],
      ['a number', '42'],
      ['model is an array', '{"model": []}'],
      ['tables is an object', '{"model": {"tables": {"name": "x"}}}'],
      ['columns of wrong types', '{"model": {"tables": [{"name": 5, "columns": [null, 3, "x", {"name": {}}]}]}}'],
      ['__proto__ keys', '{"model": {"__proto__": {"tables": 1}, "tables": [{"name": "constructor", "__proto__": {"columns": 7}}]}}'],
    ];
    for (const [label, text] of hostile) run(t, `BIM ${label}`, () => readBim(text, { location: `${label}.bim` }), true);
    summary.push(`BIM ${t.cases} (${t.models} models, ${t.errors} InputErrors, ${t.noLine} without a line, max ${Math.round(t.maxMs)} ms)`);
    tallies.push({ reader: 'BIM', t });
    expect(t.crashes).toEqual([]);
    expect(t.slow).toEqual([]);
    expect(t.unlocated).toEqual([]);
  }, Math.max(120_000, RUNS * 5));

  it(`TMDL reader: ${RUNS} seeded mutations and hostile shapes`, () => {
    const t = tally();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: tmdls.length - 1 }), fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, fileIndex, ms) => {
        const files = tmdls[which]!;
        const k = fileIndex % files.length;
        const mutated = files.map((f, i) => (i === k ? { path: f.path, text: mutate(f.text, ms) } : f));
        run(t, `${files[k]!.path} ${JSON.stringify(ms)}`, () => readTmdl(mutated, { modelName: 'fuzz', location: 'fuzz' }), true);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    const files = tmdls[0]!;
    const withFile = (name: string, text: string) => [...files, { path: `tables/${name}.tmdl`, text }];
    const hostile: Array<[string, TmdlFile[]]> = [
      ['huge table name', withFile('Huge', `table '${HUGE}'\n\tcolumn A\n\t\tdataType: string\n`)],
      ['huge unquoted name', withFile('Huge2', `table ${HUGE}\n`)],
      ['10 MB measure expression', withFile('Big', `table Big\n\tmeasure M = \`\`\`\n\t\t\t${TEN_MB}\n\t\t\t\`\`\`\n`)],
      ['10 MB single-line expression', withFile('Big1', `table Big1\n\tmeasure M = ${TEN_MB}\n`)],
      ['deep nesting', withFile('Deep', `table Deep\n${Array.from({ length: 5_000 }, (_, i) => `${'\t'.repeat(i + 1)}column C${i}`).join('\n')}\n`)],
      ['30,000 columns', withFile('Wide', `table Wide\n${Array.from({ length: 30_000 }, (_, i) => `\tcolumn C${i}\n\t\tdataType: string`).join('\n')}\n`)],
      ['unterminated fence', withFile('Fence', 'table Fence\n\tmeasure M = ```\n\t\t1\n')],
      ['NUL bytes', withFile('Nul', 'table Nul\u0000\n')],
      ['only a BOM', withFile('Bom', '\uFEFF')],
      ['CR line ends', withFile('Cr', 'table Cr\r\tcolumn A\r\t\tdataType: string\r')],
      ['spaces instead of tabs', withFile('Spaces', 'table Spaces\n    column A\n        dataType: string\n')],
      ['__proto__ names', withFile('Proto', "table __proto__\n\tcolumn constructor\n\t\tdataType: string\n\tmeasure 'toString' = 1\n")],
    ];
    for (const [label, input] of hostile) run(t, `TMDL ${label}`, () => readTmdl(input, { modelName: 'fuzz', location: 'fuzz' }), true);
    summary.push(`TMDL ${t.cases} (${t.models} models, ${t.errors} InputErrors, ${t.noLine} without a line, max ${Math.round(t.maxMs)} ms)`);
    tallies.push({ reader: 'TMDL', t });
    expect(t.crashes).toEqual([]);
    expect(t.slow).toEqual([]);
    expect(t.unlocated).toEqual([]);
  }, Math.max(120_000, RUNS * 5));

  it('BIM errors found after parsing name the line of the offending value', () => {
    const lineOf = (text: string) => {
      try {
        readBim(text, { location: 'x.bim' });
      } catch (e) {
        return (e as InputError).line;
      }
      return 'no error';
    };
    const table = (columns: string, rels = '[]') => `{\n  "model": {\n    "tables": [\n      {\n        "name": "T",\n        "columns": [\n${columns}\n        ]\n      }\n    ],\n    "relationships": ${rels}\n  }\n}`;
    expect(lineOf(table('          { "name": "A", "dataType": "int64" },\n          { "name": "B", "dataType": "text" }'))).toBe(8);
    expect(lineOf(table('          { "name": "A", "isHidden": "yes" }'))).toBe(7);
    expect(lineOf(table('', '[\n      { "name": "r", "fromTable": "T" }\n    ]'))).toBe(12);
    expect(lineOf(`{"createOrReplace": {"database": {\n"model": {\n"tables": [\n{"name": 7}]}}}}`)).toBe(4);
  });

  it('prints the figure, counted from both readers', () => {
    const sum = (f: (t: Tally) => number) => tallies.reduce((n, x) => n + f(x.t), 0);
    const cases = sum((t) => t.cases);
    const crashes = sum((t) => t.crashes.length);
    const slow = sum((t) => t.slow.length);
    console.log(`fuzz cases ${cases}, crashes ${crashes}, over 1 s ${slow} (seed ${SEED}): ${summary.join('; ')}`);
    // Both readers ran (a reader whose test failed before its tally would shrink the figure silently).
    expect(tallies.map((x) => x.reader).sort()).toEqual(['BIM', 'TMDL']);
    expect(cases).toBe(2 * RUNS + 14 + 12);
    expect(crashes).toBe(0);
    expect(slow).toBe(0);
  });
});
