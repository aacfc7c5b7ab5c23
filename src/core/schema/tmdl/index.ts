// The TMDL reader (issue 2, item 5): the files of a TMDL `definition/` folder → LoadedModel.
// Pure: the caller reads the files (local folder or Fabric getDefinition parts) and passes text.
// Grammar: docs/tmdl.md. Every failure is an InputError naming file, line and text.
import { InputError, isFabricSyncError } from '../../errors.js';
import type { LoadedModel } from '../model.js';
import { TableStream, buildModel } from './build.js';
import { TmdlStrings } from './node.js';
import { parseTmdlDocument } from './parse.js';
import type { TmdlNode, TmdlRef } from './node.js';

export interface TmdlFile {
  /** Relative to the item or definition folder: `model.tmdl`, `tables/Sales.tmdl`, `definition/tables/Sales.tmdl`. */
  path: string;
  text: string;
}

export interface ReadTmdlOptions {
  modelName: string;
  /** Folder shown in error messages. */
  location: string;
  /**
   * false: read every line through the general path (parse.ts → decl.ts → build.ts), without
   * scan.ts; the same model, only slower. Tests hold the scanned read to it.
   */
  scan?: boolean;
}

export function readTmdl(files: ReadonlyArray<TmdlFile>, options: ReadTmdlOptions): LoadedModel {
  const warnings: string[] = [];
  const docs: { rel: string; text: string; rank: number }[] = [];
  let scriptFolder = 0;
  for (const f of files) {
    const rel = relativePath(f.path);
    if (!rel.toLowerCase().endsWith('.tmdl')) continue; // definition.pbism, .platform, diagramLayout.json, …
    // Power BI Desktop keeps TMDL scripts (createOrReplace …) beside the definition (docs/tmdl.md#scripts).
    if (/(^|\/)tmdlscripts\//i.test(rel)) {
      scriptFolder++;
      continue;
    }
    docs.push({ rel, text: f.text, rank: rank(rel) });
  }
  if (scriptFolder > 0) warnings.push(`TMDL: ignored ${scriptFolder} script file(s) under TMDLScripts/ (they are not part of the model)`);
  if (docs.length === 0) {
    throw new InputError(`No .tmdl files found in ${options.location}`, { file: options.location }, {
      hint: 'Point at a *.SemanticModel folder, its definition/ folder, or a folder holding definition/.',
    });
  }
  // Deterministic order whatever the file system listed: model.tmdl first, then by path.
  docs.sort((a, b) => a.rank - b.rank || (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));

  if (options.scan === false) return readDocuments(docs, options, warnings, false);
  try {
    return readDocuments(docs, options, warnings, true);
  } catch {
    // Tables could not be read one by one (a table declared in parts, or inside `model`), a scanned
    // object needs merging (ScanRefused), or the model has an error: read again as a whole through
    // the general path, which reports the error exactly as it is found there.
  }
  return readDocuments(docs, options, warnings, false);
}

/**
 * Parse every document, then build the model. With `stream`, each table is read as soon as its
 * declaration ends (TableStream) and its lines are dropped: a model's lines then never all exist at
 * once, which is most of the work of the collector on a large model. Streaming also reads columns
 * and measures with scan.ts.
 */
function readDocuments(docs: { rel: string; text: string }[], options: ReadTmdlOptions, fileWarnings: string[], stream: boolean): LoadedModel {
  const warnings = [...fileWarnings];
  let current = options.location;
  try {
    const roots: TmdlNode[] = [];
    const refs: TmdlRef[] = [];
    const strings = new TmdlStrings();
    const tables = stream ? new TableStream() : undefined;
    const onRoot = tables ? (r: TmdlNode) => void (tables.add(r) || roots.push(r)) : undefined;
    for (const d of docs) {
      current = joinPath(options.location, d.rel);
      const parsed = parseTmdlDocument(current, d.text, strings, onRoot, stream);
      if (parsed.scriptCommand !== undefined) {
        warnings.push(`TMDL: ignored ${d.rel}: it is a TMDL script ('${parsed.scriptCommand.slice(0, 40)}'), not a model file`);
        continue;
      }
      for (const r of parsed.roots) roots.push(r);
      for (const r of parsed.refs) refs.push(r);
    }
    current = options.location;
    const built = buildModel(roots, refs, options.modelName, tables);
    return {
      model: built.model,
      source: { format: 'TMDL', location: options.location },
      warnings: [...warnings, ...built.warnings],
    };
  } catch (e) {
    if (stream || isFabricSyncError(e)) throw e;
    // Safety net for the "never a TypeError on any input" contract (fuzzed inputs): report the
    // document being read rather than a crash, keeping the original error as the cause.
    throw new InputError(`TMDL could not be read (${e instanceof Error ? e.name : 'error'})`, { file: current }, { cause: e });
  }
}

/** `definition/tables/X.tmdl`, `./tables\\X.tmdl` → `tables/X.tmdl`. */
function relativePath(p: string): string {
  let s = p.replaceAll('\\', '/');
  while (s.startsWith('./')) s = s.slice(2);
  while (s.startsWith('/')) s = s.slice(1);
  if (s.toLowerCase().startsWith('definition/')) s = s.slice('definition/'.length);
  return s;
}

function rank(rel: string): number {
  const r = rel.toLowerCase();
  return r === 'database.tmdl' ? 0 : r === 'model.tmdl' ? 1 : 2;
}

function joinPath(location: string, rel: string): string {
  return location.endsWith('/') || location.endsWith('\\') ? `${location}${rel}` : `${location}/${rel}`;
}
