// The benchmark suite's own logic (issue 8): the generated large model reads to the same counts in
// both formats, targets are judged as written, and the table shows PASS/MISS next to each target.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, classifyStatements, figure, rowsOf } from '../../bench/common.js';
import { writeGeneratedModel } from '../../bench/generate-model.js';
import { renderTable } from '../../bench/report.js';
import { loadModel } from '../../src/core/schema/load.js';

describe('generated model', () => {
  it('reads to the same counts as BIM and as TMDL', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-gen-'));
    const gen = writeGeneratedModel(dir, { tables: 12, columnsPerTable: 9, measuresPerTable: 4 });
    expect(gen.counts).toEqual({ tables: 12, columns: 108, measures: 48, relationships: 11 });
    for (const p of [gen.bimFile, gen.tmdlDir]) {
      const { model } = await loadModel(p);
      expect(model.tables).toHaveLength(12);
      expect(model.tables.reduce((n, t) => n + t.columns.length, 0)).toBe(108);
      expect(model.tables.reduce((n, t) => n + t.measures.length, 0)).toBe(48);
      expect(model.relationships).toHaveLength(11);
    }
  });
});

describe('targets', () => {
  it('are judged with the operator as written', () => {
    expect(check(15, { op: '<=', value: 15 })).toBe(true);
    expect(check(16, { op: '<=', value: 15 })).toBe(false);
    expect(check(10, { op: '<', value: 10 })).toBe(false);
    expect(check(0.33, { op: '>=', value: 0.33 })).toBe(true);
    expect(check(1, { op: '==', value: 0 })).toBe(false);
  });

  it('print PASS, MISS or info next to each figure', () => {
    const table = renderTable([
      figure('2 round trips', 'statements', 19, 'stmt', { op: '<=', value: 15 }, { gating: true }),
      figure('2 round trips', 'requests', 3, 'req', { op: '<=', value: 3, text: '≤ 3 + LRO polls' }),
      figure('4 quiet monitor', 'wall time', 1.25, 's'),
    ]);
    const rows = table.split('\n').slice(2);
    expect(rows[0]).toMatch(/19 stmt\s+\|\s+≤ 15\s+\|\s+MISS/);
    expect(rows[1]).toMatch(/≤ 3 \+ LRO polls\s+\|\s+PASS/);
    expect(rows[2]).toMatch(/—\s+\|\s+info/);
  });
});

describe('statement shapes', () => {
  const st = (sqlText: string, binds?: unknown) => ({ sessionId: '1', sqlText, binds, rows: 0, at: 0 });
  it('split per-connection DDL from per-model statements', () => {
    expect(classifyStatements([st('CREATE TABLE IF NOT EXISTS "A" (X INT)'), st('CREATE TEMPORARY TABLE IF NOT EXISTS "L" (X INT)'), st('BEGIN'), st('MERGE INTO "A" …'), st('COMMIT')]))
      .toEqual({ ddl: 2, other: 3, total: 5 });
  });
  it('count rows of array binds and of scalar binds', () => {
    expect(rowsOf(st('INSERT …', { 1: { type: 'TEXT', value: ['a', 'b', 'c'] }, 2: { type: 'TEXT', value: ['x', 'y', 'z'] } }))).toBe(3);
    expect(rowsOf(st('INSERT …', { 1: { type: 'TEXT', value: 'a' } }))).toBe(1);
    expect(rowsOf(st('COMMIT'))).toBe(0);
  });
});
