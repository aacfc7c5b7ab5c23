import { describe, expect, it } from 'vitest';
import { diffModels } from '../../src/core/diff/model-diff.js';
import { diffLines } from '../../src/core/diff/text-diff.js';
import { listCandidates, matchCandidate } from '../../src/core/names/match.js';
import { checkStatement } from '../../src/core/query/statement.js';

describe('which statements query runs without --write', () => {
  it.each([
    'SELECT * FROM _SEMANTIC_METADATA',
    '  -- a comment\n select 1;',
    'WITH x AS (SELECT 1) SELECT * FROM x',
    'SHOW TABLES',
    'describe _SEMANTIC_COLUMNS',
    "SELECT 'DROP TABLE x; DELETE' AS s",
    'SELECT "update" FROM t WHERE DELETED_AT IS NULL',
    '(SELECT 1)',
  ])('reads: %s', (sql) => expect(checkStatement(sql).kind).toBe('read'));

  it.each([
    ['DELETE FROM t', /DELETE is not a read/],
    ['SELECT 1; DROP TABLE t', /more than one statement/],
    ['WITH x AS (SELECT 1) DELETE FROM t', /contains DELETE/],
    ['/* SELECT */ CREATE TABLE t (a int)', /CREATE is not a read/],
    ['', /empty/],
  ])('writes: %s', (sql, why) => {
    const c = checkStatement(sql);
    expect(c.kind).toBe('write');
    expect(c.reason).toMatch(why);
  });
});

describe('line diff', () => {
  it('keeps common lines and marks the rest', () => {
    expect(diffLines('a\nb\nc', 'a\nB\nc\nd')).toEqual([
      { op: ' ', text: 'a' },
      { op: '-', text: 'b' },
      { op: '+', text: 'B' },
      { op: ' ', text: 'c' },
      { op: '+', text: 'd' },
    ]);
    expect(diffLines('x', 'x')).toEqual([{ op: ' ', text: 'x' }]);
  });
});

describe('model diff', () => {
  const table = (name: string, extra: Record<string, unknown> = {}) => ({ name, columns: [], measures: [], ...extra });
  it('a measure that moved tables is one change, not a removal and an addition', () => {
    const a = { name: 'M', tables: [table('A', { measures: [{ name: 'X', expression: '1' }] }), table('B')] };
    const b = { name: 'M', tables: [table('A'), table('B', { measures: [{ name: 'X', expression: '1' }] })] };
    const d = diffModels(a, b);
    expect(d.measures.added).toEqual([]);
    expect(d.measures.changed).toEqual([{ ref: { table: 'B', name: 'X' }, changes: [{ property: 'table', from: 'A', to: 'B' }] }]);
  });
  it('ignores key order, and says when nothing differs', () => {
    const a = { name: 'M', tables: [table('A', { columns: [{ name: 'c', dataType: 'int64', isHidden: false }] })] };
    const b = { tables: [{ measures: [], columns: [{ isHidden: false, dataType: 'int64', name: 'c' }], name: 'A' }], name: 'M' };
    expect(diffModels(a, b).same).toBe(true);
  });
  it('reports model-level objects and properties under other', () => {
    const d = diffModels({ name: 'M', tables: [], roles: [{ name: 'R' }], culture: 'en-US' }, { name: 'M', tables: [], roles: [], culture: 'de-DE' });
    expect(d.other.removed).toEqual([{ kind: 'role', name: 'R' }]);
    expect(d.other.changed[0]).toEqual({ ref: { kind: 'model', name: 'M' }, changes: [{ property: 'culture', from: 'en-US', to: 'de-DE' }] });
  });
});

describe('matching a name', () => {
  const c = [
    { id: 'aaaa', names: ['Sales'] },
    { id: 'bbbb', names: ['sales'] },
    { id: 'cccc', names: ['Finance', 'Finance_PushSync'] },
  ];
  it('prefers the id, then the exact name, then the name in any case', () => {
    expect(matchCandidate(c, 'BBBB')).toEqual({ kind: 'found', match: c[1] });
    expect(matchCandidate(c, 'Sales')).toEqual({ kind: 'found', match: c[0] });
    expect(matchCandidate(c, 'finance_pushsync')).toEqual({ kind: 'found', match: c[2] });
  });
  it('a line break in a listed name stays inside its line', () => {
    expect(listCandidates([{ id: 'x', names: ['Evil\nerror: forged'] }])).toBe("'Evil\\x0aerror: forged' (x)");
  });
  it('lists every candidate when the name is ambiguous', () => {
    expect(matchCandidate(c, 'SALES')).toEqual({ kind: 'ambiguous', candidates: [c[0], c[1]] });
    expect(matchCandidate(c, 'nope')).toEqual({ kind: 'none' });
  });
});

describe('fab paths', async () => {
  const { parseModelRef, parseWorkspaceRef, needsResolving } = await import('../../src/core/names/fabric-names.js');
  it('splits Workspace/Model and drops the type suffixes', () => {
    expect(parseModelRef('/Finance.Workspace/Sales.SemanticModel', '--dataset-id')).toEqual({ workspace: 'Finance', model: 'Sales' });
    expect(parseModelRef('Sales Analytics', '--dataset-id')).toEqual({ model: 'Sales Analytics' });
    expect(parseWorkspaceRef('Finance.Workspace', '--workspace')).toBe('Finance');
    expect(() => parseModelRef('a/b/c', '--dataset-id')).toThrow(/^--dataset-id: /);
    expect(() => parseWorkspaceRef('a/b', '--workspace')).toThrow(/^--workspace: .*not a workspace/);
  });
  it('asks Fabric only for what is not a GUID', () => {
    const g = '6f1c2d3e-0000-4000-8000-0000000000e2';
    expect(needsResolving({ workspaces: [g], datasetId: g })).toBe(false);
    expect(needsResolving({ workspaces: ['Finance'] })).toBe(true);
    expect(needsResolving({ datasetId: `Finance/${g}` })).toBe(true);
  });
});
