import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Prints one "skipped: …" line per tier whose material (../shared) is missing.
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most test files wait on spawned CLIs, local servers and timers: one more file at a time than
    // there are cores keeps the CPU busy (vitest's default is one less, a single file on 2 cores).
    // Files are isolated (own temp folders, servers on port 0); docs/testing.md#speed.
    maxWorkers: availableParallelism() + 1,
    reporters: ['default'],
  },
});
