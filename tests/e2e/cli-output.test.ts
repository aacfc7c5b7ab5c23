// Small things of the command line, each as a user hits it (issue 14 item 10).
import { describe, expect, it } from 'vitest';
import { runCli, runSpawnedCli } from '../support/run-cli.js';

describe('command-line output', () => {
  it('--version --json is one JSON document', async () => {
    const r = await runSpawnedCli(['--version', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'fabric-sync', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    const plain = await runCli(['--version']);
    expect(plain.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('a refused option value names the flag as typed', async () => {
    const r = await runCli(['convert', '--source', 'x', '--on-incompatible', 'foo']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--on-incompatible: /);
    expect(r.stderr).not.toMatch(/onIncompatible/);
    const m = await runCli(['monitor', '--once', '--max-cycles', '0']);
    expect(m.stderr).toMatch(/--max-cycles: /);
  });

  it("a command's --help lists the global options", async () => {
    for (const cmd of ['convert', 'query', 'diff', 'monitor']) {
      const r = await runCli([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout, cmd).toMatch(/Global Options:[\s\S]*--config <file>[\s\S]*--json/);
    }
  });

  it('every error line starts with "error:", ours as commander\'s', async () => {
    const ours = await runSpawnedCli(['convert', '--source', '/no/such/model']);
    expect(ours.code).toBe(2);
    expect(ours.stderr).toMatch(/^error: No such file or folder/m);
    const commander = await runSpawnedCli(['convert', '--bogus']);
    expect(commander.code).toBe(2);
    expect(commander.stderr).toMatch(/^error: unknown option '--bogus'/m);
  });

  it('a hint of several lines keeps its line breaks', async () => {
    const r = await runCli(['inspect', 'tests/fixtures/models']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^hint: Pass the model folder you mean, one of:\n {2}syn-/m);
    expect(r.stderr).not.toContain('\\n');
  });
});
