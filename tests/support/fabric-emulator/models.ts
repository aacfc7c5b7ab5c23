// Loads a semantic model from disk into the definition parts Fabric getDefinition would return
// (docs/fabric-rest.md#reading-a-definition): TMSL = `model.bim` + `definition.pbism`; TMDL = `definition/**.tmdl` +
// `definition.pbism`. Corpus BIM files carry no `.pbism`, so a minimal one is supplied.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export interface ModelPart { path: string; text: string; }
export interface LoadedModel { format: 'TMSL' | 'TMDL'; parts: ModelPart[]; suggestedName: string; }

const DEFAULT_PBISM = JSON.stringify({ version: '4.0', settings: {} }, null, 2);

function read(file: string): string {
  return readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? listFiles(path.join(dir, d.name), `${prefix}${d.name}/`) : [`${prefix}${d.name}`]);
}

/** The folder holding `definition/` or a `.bim`, searched a few levels down from a corpus folder. */
function findItem(dir: string, depth = 0): { kind: 'tmdl'; dir: string } | { kind: 'bim'; file: string } | undefined {
  if (existsSync(path.join(dir, 'definition')) && statSync(path.join(dir, 'definition')).isDirectory()) return { kind: 'tmdl', dir };
  const entries = readdirSync(dir, { withFileTypes: true });
  const bim = entries.find((e) => e.isFile() && e.name.toLowerCase().endsWith('.bim'));
  if (bim) return { kind: 'bim', file: path.join(dir, bim.name) };
  if (depth >= 3) return undefined;
  for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const hit = findItem(path.join(dir, e.name), depth + 1);
    if (hit) return hit;
  }
  return undefined;
}

function nameFrom(p: string): string {
  return path.basename(p).replace(/\.(SemanticModel|Dataset|bim)$/i, '');
}

/** Load a corpus model folder, a `.bim` file or a `*.SemanticModel` folder. */
export function loadModelFromPath(p: string): LoadedModel {
  if (!existsSync(p)) throw new Error(`fabric emulator: model path not found: ${p}`);
  if (statSync(p).isFile()) {
    const pbism = path.join(path.dirname(p), 'definition.pbism');
    return {
      format: 'TMSL',
      suggestedName: nameFrom(p),
      parts: [{ path: 'model.bim', text: read(p) }, { path: 'definition.pbism', text: existsSync(pbism) ? read(pbism) : DEFAULT_PBISM }],
    };
  }
  const item = findItem(p);
  if (!item) throw new Error(`fabric emulator: no model.bim or definition/ folder under ${p}`);
  if (item.kind === 'bim') {
    const loaded = loadModelFromPath(item.file);
    // A corpus folder named after the model reads better than `Model` or `model`.
    return { ...loaded, suggestedName: /^model$/i.test(loaded.suggestedName) ? nameFrom(path.dirname(item.file)) : loaded.suggestedName };
  }
  const pbism = path.join(item.dir, 'definition.pbism');
  const parts = listFiles(path.join(item.dir, 'definition')).sort().map((rel) => ({
    path: `definition/${rel}`, text: read(path.join(item.dir, 'definition', rel)),
  }));
  parts.push({ path: 'definition.pbism', text: existsSync(pbism) ? read(pbism) : DEFAULT_PBISM });
  return { format: 'TMDL', parts, suggestedName: nameFrom(item.dir) };
}

/** Format of caller-supplied parts: TMSL when a model.bim is among them. */
export function formatOfParts(parts: ModelPart[]): 'TMSL' | 'TMDL' {
  return parts.some((x) => x.path === 'model.bim') ? 'TMSL' : 'TMDL';
}

export interface ScanTable { name: string; isHidden: boolean; columns: { name: string; dataType: string; isHidden: boolean }[]; measures: { name: string; expression: string; isHidden: boolean }[]; }

function unquote(name: string): string {
  const t = name.trim();
  return t.startsWith("'") && t.endsWith("'") ? t.slice(1, -1).replace(/''/g, "'") : t;
}

/**
 * Tables/columns/measures for the admin scanner result (`datasetSchema=true`). BIM is JSON; for TMDL
 * a line scan of `table` / `column` / `measure` declarations is enough for the scanner's flat shape.
 */
export function scanTables(format: 'TMSL' | 'TMDL', parts: ModelPart[]): ScanTable[] {
  if (format === 'TMSL') {
    const bim = JSON.parse(parts.find((x) => x.path === 'model.bim')?.text ?? '{}');
    return ((bim.model?.tables ?? []) as any[]).map((t) => ({
      name: String(t.name),
      isHidden: Boolean(t.isHidden),
      columns: ((t.columns ?? []) as any[]).filter((c) => c.type !== 'rowNumber').map((c) => ({ name: String(c.name), dataType: String(c.dataType ?? 'string'), isHidden: Boolean(c.isHidden) })),
      measures: ((t.measures ?? []) as any[]).map((m) => ({ name: String(m.name), expression: Array.isArray(m.expression) ? m.expression.join('\n') : String(m.expression ?? ''), isHidden: Boolean(m.isHidden) })),
    }));
  }
  const tables: ScanTable[] = [];
  for (const part of parts.filter((x) => x.path.startsWith('definition/tables/'))) {
    let table: ScanTable | undefined;
    let last: { isHidden: boolean; dataType?: string } | undefined;
    for (const line of part.text.split(/\r?\n/)) {
      const top = /^table\s+(.+?)\s*$/.exec(line);
      if (top) { table = { name: unquote(top[1]!), isHidden: false, columns: [], measures: [] }; tables.push(table); last = table; continue; }
      if (!table) continue;
      const col = /^\tcolumn\s+('(?:[^']|'')*'|[^=]+?)\s*(=.*)?$/.exec(line);
      if (col) { const c = { name: unquote(col[1]!), dataType: 'string', isHidden: false }; table.columns.push(c); last = c; continue; }
      const mea = /^\tmeasure\s+('(?:[^']|'')*'|[^=]+?)\s*=\s*(.*)$/.exec(line);
      if (mea) { const m = { name: unquote(mea[1]!), expression: mea[2]!.trim(), isHidden: false }; table.measures.push(m); last = m; continue; }
      if (/^\t(partition|hierarchy|calculationGroup)\b/.test(line)) { last = undefined; continue; }
      const dt = /^\t\tdataType:\s*(\w+)/.exec(line);
      if (dt && last && 'dataType' in last) last.dataType = dt[1]!;
      if (/^\t{1,2}isHidden\s*$/.test(line) && last) last.isHidden = true;
    }
  }
  return tables;
}
