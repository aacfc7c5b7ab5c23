// Local model loading: turns the path a user types (`inspect <path>`, `convert --source <path>`) into a
// LoadedModel, and definitions downloaded from Fabric (getDefinition parts) likewise. Accepted forms are
// those of issue 2 item 5: a *.bim file; a folder holding one .bim (*.Dataset/, a TMSL *.SemanticModel/,
// a plain folder); a TMDL *.SemanticModel/, a definition/ folder or a folder holding definition/. A
// project folder holding exactly one such model folder is accepted too (the corpus layout). An item
// folder holds either model.bim or definition/, never both (docs/tmdl.md#files-and-folders).
import type { Dirent } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import { readBim } from './bim.js';
import type { LoadedModel } from './model.js';
import { readTmdl } from './tmdl/index.js';
import { rejectInvalidText } from './text-check.js';
import { FILE_READ_CONCURRENCY, MAX_DEFINITION_BYTES, MAX_MODEL_FILES, formatBytes } from '../limits.js';

export interface LoadModelOptions {
  /** `--dataset-name`: overrides the name derived from the path. */
  datasetName?: string;
}

type Resolved = { kind: 'bim'; file: string; name: string } | { kind: 'tmdl'; dir: string; name: string };

const ITEM_SUFFIX = /\.(SemanticModel|Dataset)$/i;
const HINT =
  'Pass a model.bim file, a *.SemanticModel/ or *.Dataset/ folder, a TMDL definition/ folder, or a folder holding one of them.';

export async function loadModel(pathArg: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const resolved = await resolveModelPath(pathArg);
  const modelName = options.datasetName ?? resolved.name;
  if (resolved.kind === 'bim') {
    const text = decodeText(await readText(resolved.file), resolved.file);
    return rejectInvalidText(readBim(text, { modelName, location: resolved.file }));
  }
  const files = await readTmdlFiles(resolved.dir);
  return rejectInvalidText(readTmdl(files, { modelName, location: resolved.dir }));
}

/** Definitions downloaded from Fabric: TMSL parts hold `model.bim`, TMDL parts `definition/…`. */
export function loadModelFromParts(
  parts: ReadonlyArray<{ path: string; text: string }>,
  options: { modelName: string; location: string },
): LoadedModel {
  const norm = parts.map((p) => ({ path: p.path.replace(/\\/g, '/').replace(/^\/+/, ''), text: p.text }));
  const bim = norm.find((p) => p.path.toLowerCase() === 'model.bim') ?? norm.find((p) => /\.bim$/i.test(p.path));
  const tmdl = norm
    .filter((p) => p.path.startsWith('definition/') && p.path.toLowerCase().endsWith('.tmdl'))
    .map((p) => ({ path: p.path.slice('definition/'.length), text: p.text }));
  if (bim && tmdl.length > 0) {
    throw new InputError('The definition holds both model.bim and definition/*.tmdl parts; expected one format', {
      file: options.location,
    });
  }
  const size = norm.reduce((n, p) => n + p.text.length, 0);
  if (size > MAX_DEFINITION_BYTES) {
    throw new InputError(`The definition is ${formatBytes(size)}, over the limit of ${formatBytes(MAX_DEFINITION_BYTES)}; the model was not read`, { file: options.location }, {
      hint: 'A semantic model definition this large is far beyond any real model; check the model. The other models are not affected.',
    });
  }
  if (bim) return rejectInvalidText(readBim(bim.text, { modelName: options.modelName, location: `${options.location}/${bim.path}` }));
  if (tmdl.length > 0) return rejectInvalidText(readTmdl(tmdl, options));
  throw new InputError('The definition has neither a model.bim part (TMSL) nor definition/*.tmdl parts (TMDL)', {
    file: options.location,
    text: norm.map((p) => p.path).join(', '),
  });
}

/** Which file or folder holds the model, and the name the rules of issue 2 item 5 give it. */
export async function resolveModelPath(pathArg: string): Promise<Resolved> {
  const abs = path.resolve(pathArg);
  const st = await stat(abs).catch(() => undefined);
  if (!st) throw new InputError('No such file or folder', { file: abs }, { hint: HINT });
  if (st.isFile()) {
    if (/\.bim$/i.test(abs)) return { kind: 'bim', file: abs, name: nameForBim(abs) };
    if (path.basename(abs).toLowerCase() === 'definition.pbism') return resolveDir(path.dirname(abs), false);
    const what = /\.tmdl$/i.test(abs) ? 'a single .tmdl file is only part of a model' : 'not a model file';
    throw new InputError(`Cannot read this file as a semantic model: ${what}`, { file: abs }, { hint: HINT });
  }
  if (!st.isDirectory()) throw new InputError('Not a file or folder', { file: abs }, { hint: HINT });
  return resolveDir(abs, true);
}

async function resolveDir(dir: string, searchChildren: boolean): Promise<Resolved> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((e: unknown) => {
    throw new InputError('Cannot read the folder', { file: dir }, { hint: HINT, cause: e });
  });
  const bims = entries.filter((e) => e.isFile() && /\.bim$/i.test(e.name)).map((e) => e.name).sort();
  const hasDefinition = entries.some((e) => e.isDirectory() && e.name === 'definition');
  const isDefinitionDir = path.basename(dir) === 'definition' && entries.some((e) => e.name.toLowerCase().endsWith('.tmdl') || e.isDirectory());
  if (bims.length > 0 && hasDefinition) {
    throw new InputError('The folder holds both a .bim file and a definition/ folder; expected one format', { file: dir }, { hint: HINT });
  }
  if (bims.length > 1) {
    throw new InputError(`The folder holds ${bims.length} .bim files; expected exactly one`, { file: dir, text: bims.join(', ') }, {
      hint: 'Pass the .bim file you mean.',
    });
  }
  if (bims.length === 1) {
    const file = path.join(dir, bims[0]!);
    return { kind: 'bim', file, name: nameForBim(file) };
  }
  if (hasDefinition) return { kind: 'tmdl', dir: path.join(dir, 'definition'), name: itemName(dir) };
  if (isDefinitionDir) return { kind: 'tmdl', dir, name: itemName(path.dirname(dir)) };
  if (searchChildren) {
    const found = await findModels(dir, entries, SEARCH_DEPTH);
    if (found.length === 1) return found[0]!;
    if (found.length > 1) {
      // One line per model: a control character in a folder name is shown escaped, never a line break of its own.
      // eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped
      const list = found.map((r) => `  ${path.relative(dir, path.dirname(r.kind === 'bim' ? r.file : r.dir)).replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`)}`);
      throw new InputError(`The folder holds ${found.length} models; expected one`, { file: dir }, {
        hint: `Pass the model folder you mean, one of:\n${list.join('\n')}`,
      });
    }
  }
  const pbism = entries.some((e) => e.isFile() && e.name.toLowerCase() === 'definition.pbism');
  throw new InputError(
    pbism
      ? 'The folder holds definition.pbism but neither model.bim (TMSL) nor a definition/ folder (TMDL)'
      : entries.length === 0
        ? 'The folder is empty; expected a semantic model'
        : 'The folder holds no semantic model (no .bim file, no definition/ folder)',
    { file: dir },
    { hint: HINT },
  );
}

/** How far below the folder a user names models are looked for (a corpus folder holds them 2 deep). */
const SEARCH_DEPTH = 3;

/**
 * Every model in the folders below `dir`, down to `depth` levels: a folder that is a model is not
 * searched further. All of them are counted, so "holds N models" names them all rather than the
 * ones that happen to sit one level down.
 */
async function findModels(dir: string, entries: Dirent[], depth: number): Promise<Resolved[]> {
  const found: Resolved[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || e.name.startsWith('.') || e.name === 'node_modules') continue;
    const child = path.join(dir, e.name);
    const r = await resolveDir(child, false).catch(() => undefined);
    if (r) found.push(r);
    else if (depth > 1) {
      const below = await readdir(child, { withFileTypes: true }).catch(() => undefined);
      if (below) found.push(...(await findModels(child, below, depth - 1)));
    }
  }
  return found;
}

/** `Sales.SemanticModel` → `Sales`; a plain folder keeps its name. */
function itemName(dir: string): string {
  return path.basename(dir).replace(ITEM_SUFFIX, '') || path.basename(dir);
}

/** The file's name, or its folder's for the generic `model.bim` (as Power BI Desktop and SSDT name it). */
function nameForBim(file: string): string {
  const base = path.basename(file);
  if (base.toLowerCase() === 'model.bim') return itemName(path.dirname(file));
  return base.replace(/\.bim$/i, '');
}

async function readTmdlFiles(dir: string): Promise<{ path: string; text: string }[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.tmdl'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  if (files.length === 0) {
    throw new InputError('The definition/ folder holds no .tmdl files', { file: dir }, { hint: HINT });
  }
  // Limits before anything is read (issue 13 item 14): a folder of 100,000 files ended in EMFILE.
  if (files.length > MAX_MODEL_FILES) {
    throw new InputError(`The definition/ folder holds ${files.length} .tmdl files, over the limit of ${MAX_MODEL_FILES}`, { file: dir }, {
      hint: 'A semantic model has one .tmdl file per table, role, culture and perspective; check that the path points at one model.',
    });
  }
  const sizes = await mapLimited(files, FILE_READ_CONCURRENCY, async (f) => (await stat(f)).size);
  const total = sizes.reduce((n, s) => n + s, 0);
  if (total > MAX_DEFINITION_BYTES) throw tooLarge(dir, total);
  return mapLimited(files, FILE_READ_CONCURRENCY, async (f) => ({
    path: path.relative(dir, f).split(path.sep).join('/'),
    text: decodeText(await readText(f), f),
  }));
}

/** `fn` over `items`, at most `limit` at once (so a large folder never opens more files than that). */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function tooLarge(file: string, size: number): InputError {
  return new InputError(`The model is ${formatBytes(size)}, over the limit of ${formatBytes(MAX_DEFINITION_BYTES)}; it was not read`, { file }, {
    hint: 'A semantic model definition this large is far beyond any real model (README "Reliability and security guarantees"); check the path.',
  });
}

async function readText(file: string): Promise<Buffer> {
  const size = await stat(file).then((s) => s.size, () => 0);
  if (size > MAX_DEFINITION_BYTES) throw tooLarge(file, size);
  return readFile(file).catch((e: unknown) => {
    const code = (e as { code?: string }).code;
    throw new InputError(`Cannot read the file${code ? ` (${code})` : ''}`, { file }, { hint: 'Check that the file exists and is readable.', cause: e });
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 (BOM or not) or UTF-16 with a BOM; anything else, or NUL bytes, is not a model text file. */
export function decodeText(buf: Buffer, file: string): string {
  const notText = () =>
    new InputError('Not a text file (binary content or invalid UTF-8)', { file }, { hint: HINT });
  let text: string;
  if (buf[0] === 0xff && buf[1] === 0xfe) text = new TextDecoder('utf-16le').decode(buf.subarray(2));
  else if (buf[0] === 0xfe && buf[1] === 0xff) text = new TextDecoder('utf-16be').decode(buf.subarray(2));
  else {
    if (buf.includes(0)) throw notText();
    try {
      text = utf8.decode(buf);
    } catch {
      throw notText();
    }
  }
  if (text.includes('\u0000')) throw notText();
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
