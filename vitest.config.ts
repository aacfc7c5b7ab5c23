import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import FoldersFirst from './tests/support/sequencer.js';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Prints one "skipped: …" line per tier whose material (../shared) is missing.
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most test files wait on spawned CLIs, local servers and timers: two more files at a time than
    // there are cores keep the CPU busy (vitest's default is one less, a single file on 2 cores;
    // docs/testing.md#speed has the figures).
    maxWorkers: availableParallelism() + 2,
    // Each worker process runs file after file and keeps its loaded modules (the Snowflake driver,
    // DuckDB, the SQL parser, the compiled sources): a fresh process per file cost about a third of
    // the suite's CPU. Files keep to their own temp folders and servers on port 0, and a file that
    // changes process.env restores it or sets only what every file wants; docs/testing.md#speed.
    isolate: false,
    // Slow folders first, so that no long file starts last (tests/support/sequencer.ts).
    sequence: { sequencer: FoldersFirst },
    reporters: ['default'],
    // The built CLI (dist/), which tests run in-process (tests/support/run-cli.ts), is loaded by Node
    // itself as bin/fabric-sync.js would, not transformed.
    server: { deps: { external: [/\/dist\//] } },
  },
});
