// The CLI as a user meets it: real argv, real files; exit codes, stdout, stderr. The inspect
// representatives, bad input and --version are spawned processes; the rest runs in the worker
// (tests/support/run-cli.ts; tests/e2e/run-modes.test.ts holds the two ways to the same result).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runSpawnedCli } from '../support/run-cli.js';
import { inspectModel } from '../../src/core/schema/inspect.js';
import { example, modelEntries, syntheticEntries } from '../support/paths.js';

const COUNTS = ['format', 'tables', 'columns', 'calculatedColumns', 'measures', 'relationships', 'calculatedTables', 'calculationGroups', 'roles', 'hierarchies'] as const;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;

describe('inspect --json matches EXPECTED.json for every model (synthetic, and the corpus when present)', () => {
  // Every model through the core call behind the command (src/core/schema/inspect.ts); the richest
  // synthetic model of each format through the spawned CLI, whose JSON must be that same result.
  for (const entry of modelEntries()) {
    it(`${entry.tier}: ${entry.id}`, async () => {
      const result = await inspectModel(entry.dir);
      for (const k of COUNTS) expect(result.summary[k], `${entry.id}.${k}`).toBe(entry.expected[k]);
      expect(result.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    });
  }
  const representatives = syntheticEntries().filter((e) => e.id === 'syn-retail-bim' || e.id === 'syn-retail-tmdl');
  it('has a spawned representative of each format', () => expect(representatives.map((e) => e.expected.format).sort()).toEqual(['BIM', 'TMDL']));
  for (const entry of representatives) {
    it(`spawned: ${entry.id}`, async () => {
      const r = await runSpawnedCli(['inspect', entry.dir, '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout);
      for (const k of COUNTS) expect(doc[k], `${entry.id}.${k}`).toBe(entry.expected[k]);
      const core = await inspectModel(entry.dir);
      expect(doc).toEqual(JSON.parse(JSON.stringify({ ...core.summary, fingerprint: core.fingerprint, location: core.location, warnings: core.warnings })));
      expect(r.stdout).not.toMatch(ANSI);
    });
  }
});

describe('inspect, human output', () => {
  it('prints a compact summary', async () => {
    const r = await runCli(['inspect', example.tmdl]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Sales Analytics {2}TMDL/);
    expect(r.stdout).toMatch(/tables\s+3/);
    expect(r.stdout).toMatch(/measures\s+6/);
    expect(r.stdout).not.toMatch(ANSI); // not a TTY: no colour
  });
});

describe('bad input: exit code 2, file and line named, no stack trace', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fs-bad-'));
  const cases: Array<[string, string | Buffer, RegExp]> = [
    ['truncated.bim', '{\n  "name": "x",\n  "compatibilityLevel": 1550,\n  "model": {\n    "tables": [\n      { "name": "Sales", "columns": [', /truncated\.bim.*line \d+/],
    ['binary.bim', Buffer.from([0x7b, 0x00, 0x01, 0xff, 0xfe, 0x00, 0x22]), /binary\.bim/],
  ];
  for (const [name, content, pattern] of cases) {
    it(name, async () => {
      const file = path.join(dir, name);
      writeFileSync(file, content);
      const r = await runSpawnedCli(['inspect', file]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack without --verbose
      const verbose = await runCli(['inspect', file, '--verbose']);
      expect(verbose.stderr).toMatch(/\n\s+at /);
    });
  }

  it('a TMDL file with a broken indent', async () => {
    const def = path.join(dir, 'Broken.SemanticModel', 'definition');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.join(def, 'tables'), { recursive: true });
    writeFileSync(path.join(def, 'model.tmdl'), 'model Model\n\tculture: en-US\n');
    writeFileSync(path.join(def, 'tables', 'Sales.tmdl'), 'table Sales\n\tcolumn Amount\n\t\t\t\tdataType: int64\n');
    const r = await runCli(['inspect', path.join(dir, 'Broken.SemanticModel')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Sales\.tmdl.*line 3/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('--json renders the error as one JSON document', async () => {
    const r = await runCli(['inspect', path.join(dir, 'does-not-exist'), '--json']);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ error: 'InputError', exitCode: 2 });
  });
});

describe('usage', () => {
  it('--help on every command shows examples or usage and the exit codes', async () => {
    for (const args of [['--help'], ['inspect', '--help'], ['convert', '--help'], ['monitor', '--help'], ['validate', '--help'], ['state', '--help']]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/Usage: fabric-sync/);
      expect(r.stdout).toMatch(/Exit codes:/);
    }
  });

  it('an unknown option is a usage error (exit 2)', async () => {
    const r = await runCli(['inspect', '--frobnicate', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option/);
  });

  it('--version prints the package version', async () => {
    const r = await runSpawnedCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('--dotenv', () => {
  // `--env-file` is Node's own option (Node 20 exits 9 before the program starts), so the file of
  // environment variables is given with --dotenv.
  it('reads the variables from the file given, and names a missing file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fs-dotenv-'));
    writeFileSync(path.join(dir, 'settings.env'), 'FABRIC_SYNC_TARGET=bogus\n');
    const bad = await runCli(['--dotenv', 'settings.env', 'convert', '--source', example.tmdl, '--dry-run'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/warehouse\.target/);
    const missing = await runCli(['--dotenv', 'nope.env', 'convert', '--source', example.tmdl, '--dry-run'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.env/);
  });
});
