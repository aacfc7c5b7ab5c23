// Where things are, independent of the working directory and of whether this file runs from
// tests/ (vitest) or build/tests/ (compiled for bench/ and the standalone emulator).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'fabric-sync') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`fabric-sync package.json not found above ${start}`);
    dir = up;
  }
}

export const repoRoot = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));
/** The shared corpus of real semantic models, beside the repository (`../shared/corpus`). */
export const corpusDir = path.resolve(repoRoot, '../shared/corpus');
export const specsDir = path.resolve(repoRoot, '../shared/specs');
export const cliPath = path.join(repoRoot, 'bin/fabric-sync.js');

export interface CorpusEntry {
  /** Folder name under corpus/, e.g. `fuam-core`. */
  id: string;
  dir: string;
  expected: Record<string, unknown> & { format: 'BIM' | 'TMDL' };
}

/** Every corpus model, so a model added to the folder is tested too. */
export function corpusEntries(): CorpusEntry[] {
  return readdirSync(corpusDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(corpusDir, d.name, 'EXPECTED.json')))
    .map((d) => ({
      id: d.name,
      dir: path.join(corpusDir, d.name),
      expected: JSON.parse(readFileSync(path.join(corpusDir, d.name, 'EXPECTED.json'), 'utf8')),
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}
