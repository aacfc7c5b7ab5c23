// Where things are, independent of the working directory and of whether this file runs from
// tests/ (vitest) or build/tests/ (compiled for bench/ and the standalone emulator).
//
// Two kinds of test material (docs/testing.md):
//  - the synthetic tier, in this repository: models under tests/fixtures/models (and the example in
//    examples/), each with its own EXPECTED.json. Always present.
//  - the shared tier, beside the repository (`../shared`, or FABRIC_SYNC_SHARED): 13 real models in
//    corpus/ and Microsoft's Swagger files in specs/. CI has it; a fresh clone does not, and then the
//    tests that need it are skipped with one line per tier.
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
export const cliPath = path.join(repoRoot, 'bin/fabric-sync.js');
export const fixturesDir = path.join(repoRoot, 'tests/fixtures');
/** The synthetic models, one folder each with EXPECTED.json. */
export const syntheticDir = path.join(fixturesDir, 'models');

/** `../shared` unless FABRIC_SYNC_SHARED names another folder (set it to a missing one to run without). */
export const sharedDir = path.resolve(repoRoot, process.env.FABRIC_SYNC_SHARED ?? '../shared');
/** Real semantic models from public repositories, with their counts (shared tier). */
export const corpusDir = path.join(sharedDir, 'corpus');
/** Microsoft's Swagger files for Fabric and Power BI (shared tier). */
export const specsDir = path.join(sharedDir, 'specs');
export const hasCorpus = existsSync(corpusDir);
export const hasSpecs = existsSync(path.join(specsDir, 'powerbi/swagger.json')) && existsSync(path.join(specsDir, 'fabric'));

/** What a missing tier means, in the one line global-setup.ts prints for it. */
export const TIERS = {
  corpus: {
    available: hasCorpus,
    skipped: `skipped: corpus tier (real semantic models from public repositories) — ${corpusDir} not found; the synthetic models in tests/fixtures/models were tested instead`,
  },
  specs: {
    available: hasSpecs,
    skipped: `skipped: official-spec conformance tier (Microsoft's Fabric and Power BI Swagger) — ${specsDir} not found; the emulator was checked against the project's own contracts (tests/support/contracts) only`,
  },
} as const;

/** The project's own example: the README's first command converts it. */
export const example = {
  tmdl: path.join(repoRoot, 'examples/Sales Analytics.SemanticModel'),
  bim: path.join(repoRoot, 'examples/tmsl/Sales Analytics.SemanticModel'),
};

/**
 * Named synthetic models for tests that need "a TMDL model", "a BIM model" or "the smallest one"
 * (before, they borrowed corpus models). docs/testing.md#the-synthetic-models says what each covers.
 */
export const synthetic = {
  /** 9 tables: calculation group, field parameter, perspectives, cultures, KPI, functions, hostile names. */
  retailTmdl: path.join(syntheticDir, 'syn-retail-tmdl'),
  /** The same model as TMSL: reads to the same fingerprint. */
  retailBim: path.join(syntheticDir, 'syn-retail-bim'),
  /** Direct Lake entity partitions beside an import calculated table. */
  directLake: path.join(syntheticDir, 'syn-directlake-tmdl'),
  /** Model default DirectQuery with dual and import tables, a KPI, a data source with a credential. */
  directQueryBim: path.join(syntheticDir, 'syn-directquery-bim'),
  /** DirectQuery, dual, import and a hybrid table; query groups; many-to-many. */
  composite: path.join(syntheticDir, 'syn-composite-tmdl'),
  /** Two tables named Table and Table_2, one one-to-one relationship. */
  minimal: path.join(syntheticDir, 'syn-minimal-tmdl'),
};

export interface ModelEntry {
  /** Folder name, e.g. `syn-retail-tmdl` or (corpus) `fuam-core`. */
  id: string;
  /** Folder holding the model (for the example, the folder EXPECTED.json's `source` points to). */
  dir: string;
  tier: 'synthetic' | 'corpus';
  expected: Record<string, unknown> & { format: 'BIM' | 'TMDL' };
}

function entriesUnder(root: string, tier: ModelEntry['tier']): ModelEntry[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(root, d.name, 'EXPECTED.json')))
    .map((d) => {
      const expected = JSON.parse(readFileSync(path.join(root, d.name, 'EXPECTED.json'), 'utf8')) as ModelEntry['expected'];
      const source = typeof expected.source === 'string' ? expected.source : undefined;
      return { id: d.name, dir: source ? path.resolve(root, d.name, source) : path.join(root, d.name), tier, expected };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** Every synthetic model (always available). */
export function syntheticEntries(): ModelEntry[] {
  return entriesUnder(syntheticDir, 'synthetic');
}

/** Every corpus model, so a model added to the folder is tested too; none without the shared tier. */
export function corpusEntries(): ModelEntry[] {
  return hasCorpus ? entriesUnder(corpusDir, 'corpus') : [];
}

/** Synthetic models, then corpus models when present: what the model-wide tests iterate over. */
export function modelEntries(): ModelEntry[] {
  return [...syntheticEntries(), ...corpusEntries()];
}
