// The architecture's rules, read off the folder-level import graph of src/ (bench/import-graph.ts,
// docs/architecture.md#plug-ins).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cycles, folderGraph, listSourceFiles, unitOf } from '../../bench/import-graph.js';
import { repoRoot } from '../support/paths.js';

const files = listSourceFiles(path.join(repoRoot, 'src'));
const graph = folderGraph(files);
const edges = (from: string) => [...(graph.get(from) ?? [])];

describe('the import graph of src/', () => {
  it('has no cycle between folders', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('finds the cycles it is meant to catch', () => {
    const g = new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])], ['d', new Set(['a'])]]);
    expect(cycles(g)).toEqual([['a', 'b', 'c']]);
  });

  it('makes each publisher and each source a unit of its own', () => {
    expect(unitOf('core/publishers/push/plan.ts')).toBe('core/publishers/push');
    expect(unitOf('core/publishers/publisher.ts')).toBe('core/publishers');
    expect(unitOf('core/sources/fabric/scanner.ts')).toBe('core/sources/fabric');
    expect(unitOf('core/schema/tmdl/parse.ts')).toBe('core/schema');
    expect(unitOf('commands/convert.ts')).toBe('commands');
  });

  it('has publishers that do not import each other', () => {
    const publishers = [...graph.keys()].filter((u) => u.startsWith('core/publishers/'));
    expect(publishers).toEqual(expect.arrayContaining(['core/publishers/push', 'core/publishers/warehouse']));
    for (const p of publishers) expect(edges(p).filter((t) => t.startsWith('core/publishers/')), p).toEqual([]);
    // The shared interface knows no publisher; only the composition root lists them.
    expect(edges('core/publishers').filter((t) => t.startsWith('core/publishers/'))).toEqual([]);
  });

  it('keeps the Fabric client and the warehouse connections below the runner', () => {
    const low = ['core/fabric', 'core/warehouse', 'core/http', 'core/auth'];
    for (const u of low) expect(edges(u).filter((t) => ['core/sync', 'core/run', 'core/publishers', 'commands'].some((h) => t === h || t.startsWith(`${h}/`))), u).toEqual([]);
  });

  it('has no file over 400 lines', () => {
    expect(files.filter((f) => f.lines > 400).map((f) => `${f.file} (${f.lines})`)).toEqual([]);
  });
});
