import { describe, expect, it } from 'vitest';
import type { ReportEntry } from '../../src/core/publishers/report.js';
import { changeJson, changeLines, groupChanges, HUMAN_LIST_LIMIT } from '../../src/commands/conversion-changes.js';
import { escapeHtml, escapeMarkdown, reportFormatOf } from '../../src/commands/report-file.js';

const col = (name: string, reason = 'tableDropped'): ReportEntry => ({ kind: 'column', table: 'T', name, action: 'dropped', reason, detail: 'gone' });

describe('grouping of changed and dropped objects', () => {
  it('puts the loss first, then changes, then what push datasets never hold', () => {
    const groups = groupChanges([
      { kind: 'partition', table: 'T', name: 'p', action: 'dropped', reason: 'partition', informational: true },
      { kind: 'table', name: 'T', action: 'changed', reason: 'renamed' },
      col('a'),
      { kind: 'table', name: 'K', action: 'kept' },
    ]);
    expect(groups.map((g) => `${g.bucket}:${g.kind}/${g.reason}`)).toEqual(['dropped:column/tableDropped', 'changed:table/renamed', 'notApplicable:partition/partition']);
  });

  it('lists everything up to the limit, then a few per group and a count', () => {
    const few = Array.from({ length: HUMAN_LIST_LIMIT }, (_, i) => col(`c${i}`));
    expect(changeLines({ entries: few }, false).filter((l) => l.startsWith('    ')).length).toBe(HUMAN_LIST_LIMIT);
    const many = [...few, col('x'), col('y', 'calculatedColumn')];
    const lines = changeLines({ entries: many }, false);
    expect(lines).toContain('    … 19 more');
    expect(lines.some((l) => l.includes("'T'[y]"))).toBe(true);
    expect(lines.at(-1)).toMatch(/19 not listed/);
    expect(changeLines({ entries: many }, true).filter((l) => l.startsWith("    'T'")).length).toBe(22);
  });

  it('counts not-applicable objects without listing them unless asked', () => {
    const na: ReportEntry = { kind: 'partition', table: 'T', name: 'p1', action: 'dropped', reason: 'partition', informational: true };
    expect(changeLines({ entries: [na] }, false)).toEqual(['  not applicable · partition/partition (1)']);
    expect(changeLines({ entries: [na] }, true)).toEqual(['  not applicable · partition/partition (1)', '    p1 (table \'T\')']);
  });

  it('shows the chain of a transitive drop, in text and JSON', () => {
    const e: ReportEntry = { kind: 'measure', table: 'S', name: 'C', action: 'dropped', reason: 'referencesDropped', detail: 'references measure [B], which is dropped', chain: ['B', 'A'] };
    expect(changeLines({ entries: [e] }, false)[1]).toBe("    'S'[C]  references measure [B], which is dropped; via [B] → [A]");
    expect(changeJson(e)).toEqual({ kind: 'measure', table: 'S', name: 'C', action: 'dropped', reason: 'referencesDropped', detail: 'references measure [B], which is dropped', chain: ['B', 'A'] });
  });
});

describe('report file escaping', () => {
  it('HTML escapes every markup character', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
  it('Markdown text cannot open a cell, a tag, a link or emphasis, nor break a line', () => {
    expect(escapeMarkdown('a|b <i>[x](y) *z*\nnext')).toBe('a\\|b \\<i\\>\\[x\\]\\(y\\) \\*z\\* next');
  });
  it('takes the format from the extension', () => {
    expect(reportFormatOf('x/R.MD')).toBe('markdown');
    expect(reportFormatOf('r.htm')).toBe('html');
    expect(() => reportFormatOf('r.txt')).toThrow(/--report/);
  });
});
