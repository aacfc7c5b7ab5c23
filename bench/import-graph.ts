// `npm run graph`: the folder-level import graph of src/ (docs/architecture.md, "Plug-ins").
// A folder is a unit of src/core (core/sync, core/warehouse, …); each publisher and each source is
// a unit of its own (core/publishers/push, core/sources/fabric), so that "publishers do not import
// each other" can be read off the graph. tests/unit/import-graph.test.ts enforces the rules.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folders whose sub-folders are plug-ins, each a unit of the graph. */
const PLUGIN_PARENTS = ['core/publishers', 'core/sources'];

export interface SourceFile { file: string; lines: number; imports: string[] }

export function listSourceFiles(srcDir: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(full, 'utf8');
        const rel = path.relative(srcDir, full).split(path.sep).join('/');
        out.push({ file: rel, lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0), imports: relativeImports(rel, text) });
      }
    }
  };
  walk(srcDir);
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

/** The src-relative paths a file imports (static, `export … from` and dynamic `import()`). */
function relativeImports(file: string, text: string): string[] {
  const specs = new Set<string>();
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/gm)) specs.add(m[1]!);
  return [...specs].map((s) => path.posix.normalize(path.posix.join(path.posix.dirname(file), s)).replace(/\.js$/, '.ts'));
}

/** The unit a src-relative file belongs to. */
export function unitOf(file: string): string {
  const dir = path.posix.dirname(file);
  if (dir === '.') return 'cli';
  for (const parent of PLUGIN_PARENTS) {
    if (dir === parent) return parent;
    if (dir.startsWith(`${parent}/`)) return `${parent}/${dir.slice(parent.length + 1).split('/')[0]}`;
  }
  const parts = dir.split('/');
  return parts[0] === 'core' ? parts.slice(0, 2).join('/') : parts[0]!;
}

export type Graph = Map<string, Set<string>>;

export function folderGraph(files: SourceFile[]): Graph {
  const graph: Graph = new Map();
  for (const f of files) {
    const from = unitOf(f.file);
    const targets = graph.get(from) ?? new Set<string>();
    graph.set(from, targets);
    for (const imp of f.imports) {
      const to = unitOf(imp);
      if (to !== from) targets.add(to);
    }
  }
  return graph;
}

/** Every strongly connected component of more than one unit (a folder-level cycle). */
export function cycles(graph: Graph): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do { w = stack.pop()!; on.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return found;
}

export function renderGraph(graph: Graph): string {
  return [...graph.keys()].sort()
    .map((from) => `${from} -> ${[...graph.get(from)!].sort().join(', ') || '(nothing)'}`)
    .join('\n');
}

function main(): void {
  const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');
  const files = listSourceFiles(srcDir);
  const graph = folderGraph(files);
  console.log(renderGraph(graph));
  const loops = cycles(graph);
  console.log(loops.length === 0 ? '\nno folder-level cycles' : `\ncycles:\n${loops.map((c) => `  ${c.join(' <-> ')}`).join('\n')}`);
  const big = files.filter((f) => f.lines > 400);
  if (big.length > 0) console.log(`\nfiles over 400 lines:\n${big.map((f) => `  ${f.file} (${f.lines})`).join('\n')}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main();
