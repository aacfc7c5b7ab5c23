// Benchmark 1 (issue 8): reader throughput in MB/s of source text, each as a ratio to JSON.parse of
// the BIM bytes in the same run (so the figure does not depend on the machine), over the corpus (or the synthetic models) and
// over a generated large model, plus the peak RSS of reading the large model (in a child process).
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBim } from '../src/core/schema/bim.js';
import { resolveModelPath } from '../src/core/schema/load.js';
import { readTmdl, type TmdlFile } from '../src/core/schema/tmdl/index.js';
import { benchModels, figure, round, tempDir, type BenchOptions, type Figure } from './common.js';
import { LARGE_MODEL, writeGeneratedModel } from './generate-model.js';

const here = path.dirname(fileURLToPath(import.meta.url));

interface Input { name: string; bytes: number; run: () => void }

/** Seconds per call of `fn`, over a batch lasting at least `minMs`. */
function batch(fn: () => void, minMs: number): number {
  let calls = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minMs) {
    fn();
    calls++;
    t = performance.now();
  }
  return (t - t0) / 1000 / calls;
}

interface Rate { mbps: number; bytes: number }

/**
 * Throughput of `subject` and of the JSON.parse `reference`, measured in alternating batches so
 * that both see the same machine load (other processes, CPU frequency); the ratio is the median of
 * the per-round ratios, the MB/s figures the medians of each side.
 */
function compare(subject: Input[], reference: Input[], o: BenchOptions): { ratio: number; subject: Rate; reference: Rate } {
  const minMs = o.quick ? 40 : 250;
  const rounds = o.quick ? 3 : 9;
  const all = (inputs: Input[]) => () => { for (const i of inputs) i.run(); };
  const bytes = (inputs: Input[]) => inputs.reduce((n, i) => n + i.bytes, 0);
  const s = all(subject);
  const r = all(reference);
  s();
  r(); // warm-up: JIT and caches
  const sb = bytes(subject);
  const rb = bytes(reference);
  const ratios: number[] = [];
  const sRates: number[] = [];
  const rRates: number[] = [];
  for (let k = 0; k < rounds; k++) {
    const sr = sb / 1e6 / batch(s, minMs);
    const rr = rb / 1e6 / batch(r, minMs);
    sRates.push(sr);
    rRates.push(rr);
    ratios.push(sr / rr);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { ratio: median(ratios), subject: { mbps: median(sRates), bytes: sb }, reference: { mbps: median(rRates), bytes: rb } };
}

function tmdlFilesOf(dir: string): TmdlFile[] {
  const out: TmdlFile[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.tmdl')) out.push({ path: path.relative(dir, p).split(path.sep).join('/'), text: readFileSync(p, 'utf8') });
    }
  };
  walk(dir);
  return out;
}

const bytesOf = (files: TmdlFile[]) => files.reduce((n, f) => n + Buffer.byteLength(f.text), 0);

function peakRss(modelPath: string): { maxRssBytes: number; tables: number; columns: number; measures: number; relationships: number } {
  const out = execFileSync(process.execPath, [path.join(here, 'readers-child.js'), modelPath], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

export async function benchReaders(o: BenchOptions): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  // The corpus (or, without it, the synthetic models): BIM texts for readBim and JSON.parse, TMDL
  // folders for readTmdl.
  const models = benchModels();
  const bim: Input[] = [];
  const json: Input[] = [];
  const tmdl: Input[] = [];
  for (const e of models.entries) {
    const resolved = await resolveModelPath(e.dir);
    if (resolved.kind === 'bim') {
      const text = readFileSync(resolved.file, 'utf8');
      const bytes = Buffer.byteLength(text);
      bim.push({ name: e.id, bytes, run: () => void readBim(text, { location: resolved.file, modelName: resolved.name }) });
      json.push({ name: e.id, bytes, run: () => void JSON.parse(text) });
    } else {
      const files = tmdlFilesOf(resolved.dir);
      tmdl.push({ name: e.id, bytes: bytesOf(files), run: () => void readTmdl(files, { modelName: resolved.name, location: resolved.dir }) });
    }
  }
  const corpusBim = compare(bim, json, o);
  const corpusTmdl = compare(tmdl, json, o);

  // The generated large model, the same content in both formats.
  const dir = tempDir('readers');
  const gen = writeGeneratedModel(dir, LARGE_MODEL);
  const bimText = readFileSync(gen.bimFile, 'utf8');
  const tmdlFiles = tmdlFilesOf(path.join(gen.tmdlDir, 'definition'));
  const largeJson: Input[] = [{ name: 'large', bytes: gen.bimBytes, run: () => void JSON.parse(bimText) }];
  const largeBim = compare([{ name: 'large', bytes: gen.bimBytes, run: () => void readBim(bimText, { location: gen.bimFile, modelName: 'Large' }) }], largeJson, o);
  const largeTmdl = compare([{ name: 'large', bytes: gen.tmdlBytes, run: () => void readTmdl(tmdlFiles, { modelName: 'Large', location: gen.tmdlDir }) }], largeJson, o);
  const rssBim = peakRss(gen.bimFile);
  const rssTmdl = peakRss(gen.tmdlDir);
  for (const r of [rssBim, rssTmdl]) {
    if (r.tables !== gen.counts.tables || r.columns !== gen.counts.columns || r.measures !== gen.counts.measures) {
      throw new Error(`the large model was not read whole: ${JSON.stringify(r)} vs ${JSON.stringify(gen.counts)}`);
    }
  }
  const mb = (n: number) => round(n / 1e6, 1);
  o.log(`  MB/s ${models.label}: JSON.parse ${round(corpusBim.reference.mbps, 1)}, BIM ${round(corpusBim.subject.mbps, 1)}, TMDL ${round(corpusTmdl.subject.mbps, 1)}; large: JSON.parse ${round(largeBim.reference.mbps, 1)}, BIM ${round(largeBim.subject.mbps, 1)}, TMDL ${round(largeTmdl.subject.mbps, 1)}`);

  const b = '1 readers';
  const size = `${gen.counts.tables} tables, ${gen.counts.columns} columns, ${gen.counts.measures} measures`;
  const figures: Figure[] = [
    figure(b, `BIM reader / JSON.parse, ${models.label}`, round(corpusBim.ratio, 3), '×', { op: '>=', value: 0.33 }, { note: `${round(corpusBim.subject.mbps, 1)} vs ${round(corpusBim.reference.mbps, 1)} MB/s over ${mb(corpusBim.subject.bytes)} MB` }),
    figure(b, `TMDL reader / JSON.parse, ${models.label}`, round(corpusTmdl.ratio, 3), '×', { op: '>=', value: 0.5 }, { note: `${round(corpusTmdl.subject.mbps, 1)} MB/s over ${mb(corpusTmdl.subject.bytes)} MB of TMDL` }),
    figure(b, 'BIM reader / JSON.parse, large model', round(largeBim.ratio, 3), '×', { op: '>=', value: 0.33 }, { note: `${round(largeBim.subject.mbps, 1)} vs ${round(largeBim.reference.mbps, 1)} MB/s, ${mb(gen.bimBytes)} MB (${size})` }),
    figure(b, 'TMDL reader / JSON.parse, large model', round(largeTmdl.ratio, 3), '×', { op: '>=', value: 0.3 }, { note: `${round(largeTmdl.subject.mbps, 1)} MB/s, ${mb(gen.tmdlBytes)} MB of TMDL` }),
    figure(b, 'peak RSS reading the large model (BIM)', mb(rssBim.maxRssBytes), 'MB', { op: '<', value: 300 }),
    figure(b, 'peak RSS reading the large model (TMDL)', mb(rssTmdl.maxRssBytes), 'MB', { op: '<', value: 300 }),
  ];
  return {
    figures,
    details: {
      [models.label]: { jsonParseMBps: round(corpusBim.reference.mbps, 1), bimMBps: round(corpusBim.subject.mbps, 1), tmdlMBps: round(corpusTmdl.subject.mbps, 1), bimBytes: corpusBim.subject.bytes, tmdlBytes: corpusTmdl.subject.bytes, bimModels: bim.map((i) => i.name), tmdlModels: tmdl.map((i) => i.name) },
      large: { ...gen.counts, bimBytes: gen.bimBytes, tmdlBytes: gen.tmdlBytes, jsonParseMBps: round(largeBim.reference.mbps, 1), bimMBps: round(largeBim.subject.mbps, 1), tmdlMBps: round(largeTmdl.subject.mbps, 1), peakRssBim: rssBim, peakRssTmdl: rssTmdl, tmdlFiles: tmdlFiles.length, sizeOnDisk: statSync(gen.bimFile).size },
    },
  };
}
