// Test tiers that need material from beside the repository (docs/testing.md). A suite of such a tier
// is declared with describeCorpus / describeSpecs: without the material it is skipped as a whole,
// and global-setup.ts prints one "skipped: …" line per tier (paths.ts TIERS) instead of one per test.
import { describe } from 'vitest';
import { hasCorpus, hasSpecs } from './paths.js';

export { TIERS } from './paths.js';

/** A suite over the real models of ../shared/corpus. */
export const describeCorpus = describe.skipIf(!hasCorpus);
/** A suite that reads Microsoft's Swagger files in ../shared/specs. */
export const describeSpecs = describe.skipIf(!hasSpecs);
