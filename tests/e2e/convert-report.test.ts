// What a conversion dropped, where the output went (issue 14 items 5 and 6): the built CLI on a
// local model whose measures depend on each other through a dropped calculated column.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthetic } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';

const HOSTILE = '<script>alert("x")</script> | *bold*';
let dir: string;
let bim: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fs-report-'));
  const doc = JSON.parse(readFileSync(path.join(synthetic.retailBim, 'Retail.bim'), 'utf8'));
  const sales = doc.model.tables.find((t: { name: string }) => t.name === 'Sales');
  // [Line Margin Total] is dropped for its own reason (it uses a calculated column); these two follow it.
  sales.measures.push({ name: HOSTILE, expression: '[Line Margin Total] * 2' }, { name: 'Deep', expression: `[${HOSTILE.replace(/]/g, ']]')}] + 1` });
  bim = path.join(dir, 'model.bim');
  writeFileSync(bim, JSON.stringify(doc));
});

describe('convert: what was dropped', () => {
  it('--json lists every changed or dropped object, with the chain of a transitive drop', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'fs-report-json-'));
    const r = await runCli(['convert', '--source', bim, '--json'], { cwd, env: { FABRIC_SYNC_TARGET: 'duckdb' } });
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout).models[0];
    const deep = m.changes.find((c: { name: string }) => c.name === 'Deep');
    expect(deep).toMatchObject({ kind: 'measure', table: 'Sales', action: 'dropped', reason: 'referencesDropped', chain: [HOSTILE, 'Line Margin Total'] });
    expect(m.changes.find((c: { name: string }) => c.name === 'Line Margin Total')).toMatchObject({ reason: 'referencesDropped', detail: expect.stringContaining('Line Margin') });
    // Partitions are "not applicable", counted apart from the loss.
    const na = m.changes.filter((c: { notApplicable?: boolean }) => c.notApplicable);
    expect(na.length).toBe(m.report.counts.notApplicable);
    expect(na.every((c: { kind: string }) => c.kind === 'partition' || c.kind === 'expression')).toBe(true);
    const dropped = m.changes.filter((c: { action: string; notApplicable?: boolean }) => c.action === 'dropped' && !c.notApplicable);
    expect(dropped.length).toBe(m.report.counts.dropped);
    expect(m.changes.filter((c: { action: string }) => c.action === 'changed').length).toBe(m.report.counts.changed);
    expect(JSON.parse(r.stdout).locations).toMatchObject({ written: true, warehouse: { target: 'duckdb' } });
  });

  it('human output groups objects by reason, counts past 20, and --verbose lists all', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'fs-report-human-'));
    const r = await runCli(['convert', '--source', bim, '--no-color'], { cwd, env: { FABRIC_SYNC_TARGET: 'duckdb' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/dropped · measure\/referencesDropped \(4\)/);
    expect(r.stdout).toMatch(/not applicable · partition\/partition \(\d+\)/);
    expect(r.stdout).toMatch(/… \d+ more/);
    expect(r.stdout).toMatch(/not listed: --verbose lists every object/);
    const v = await runCli(['convert', '--source', bim, '--no-color', '--verbose'], { cwd, env: { FABRIC_SYNC_TARGET: 'duckdb' } });
    expect(v.stdout).not.toMatch(/… \d+ more/);
    expect(v.stdout).toMatch(/'Sales'\[Deep\] {2}references measure \[.*\], which is dropped; via \[.*\] → \[Line Margin Total\]/);
    expect(v.stdout).toMatch(/'Date'\[Month\]/);
  });

  it('--report writes a Markdown or HTML report with model text escaped', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'fs-report-file-'));
    const r = await runCli(['convert', '--source', bim, '--report', 'out/report.html', '--report', 'report.html'], { cwd, env: { FABRIC_SYNC_TARGET: 'duckdb' } });
    expect(r.code).toBe(0);
    const html = readFileSync(path.join(cwd, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toMatch(/<td>dropped<\/td><td>measure<\/td><td>&#39;Sales&#39;\[Deep\]<\/td>/);
    const md = await runCli(['convert', '--source', bim, '--report', 'r.md', '--dry-run'], { cwd, env: { FABRIC_SYNC_TARGET: 'duckdb' } });
    expect(md.code).toBe(0);
    const text = readFileSync(path.join(cwd, 'r.md'), 'utf8');
    expect(text).toMatch(/^# fabric-sync conversion report/);
    expect(text).toContain('dry run');
    // Each table row has exactly five cells: a `|` in a name is escaped.
    const rows = text.split('\n').filter((l) => l.startsWith('| dropped'));
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length).toBe(7);
    expect(text).not.toContain('<script>');
  });

  it('--report refuses an unknown extension before doing anything', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'fs-report-bad-'));
    const r = await runCli(['convert', '--source', bim, '--report', 'r.pdf'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--report: 'r.pdf' must end in .md or .html/);
    expect(existsSync(path.join(cwd, '.fabric-sync'))).toBe(false);
  });
});

describe('convert: where things went', () => {
  it('names the push file, the DuckDB file and the state file, and the next command', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'fs-where-'));
    const r = await runCli(['convert', '--source', bim, '--no-color'], { cwd, env: { FABRIC_SYNC_TARGET: 'duckdb' } });
    expect(r.code).toBe(0);
    const file = /push definition: +(\S+)/.exec(r.stdout)?.[1];
    expect(file).toMatch(/^push-definitions\/fs-report-\w+\.[0-9a-f]{12}_push_api\.json$/);
    expect(existsSync(path.join(cwd, file!))).toBe(true);
    expect(r.stdout).toMatch(/warehouse: +DuckDB file \.fabric-sync\/metadata\.duckdb/);
    expect(existsSync(path.join(cwd, '.fabric-sync/metadata.duckdb'))).toBe(true);
    expect(r.stdout).toMatch(/state: +sync_state\.json/);
    expect(r.stdout).toMatch(/next: +fabric-sync query "SELECT/);
  });

  it('--dry-run says nothing was written, and writes nothing', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'fs-where-dry-'));
    const r = await runCli(['convert', '--source', bim, '--dry-run', '--no-color'], { cwd, env: { FABRIC_SYNC_TARGET: 'duckdb' } });
    expect(r.code).toBe(0);
    const all = r.stdout + r.stderr;
    expect(all).not.toMatch(/was written|\bwrote\b/);
    expect(all).toMatch(/push definitions: would go to push-definitions \(not written\)/);
    expect(existsSync(path.join(cwd, 'push-definitions'))).toBe(false);
    expect(existsSync(path.join(cwd, '.fabric-sync'))).toBe(false);
    const j = await runCli(['convert', '--source', bim, '--dry-run', '--json'], { cwd, env: { FABRIC_SYNC_TARGET: 'duckdb' } });
    expect(JSON.parse(j.stdout).locations.written).toBe(false);
  });
});
