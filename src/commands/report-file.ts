// `convert --report <file.md|file.html>` (issue 14 item 5): a conversion report people can read and
// share — per model what the push dataset keeps, changes and drops, and why. Every value from a model
// is escaped for the format it lands in (a model name may hold `<script>` or a `|`).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import type { ConvertModelResult } from '../core/sync/convert.js';
import { BUCKET_TITLES, chainText, groupChanges, objectLabel, publishedAs } from './conversion-changes.js';

export type ReportFormat = 'markdown' | 'html';

export function reportFormatOf(file: string): ReportFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.md' || ext === '.markdown') return 'markdown';
  if (ext === '.html' || ext === '.htm') return 'html';
  throw new UsageError(`--report: '${file}' must end in .md or .html.`, { hint: 'e.g. --report conversion.md or --report conversion.html' });
}

export interface ReportMeta {
  generatedAt: string;
  version: string;
  dryRun: boolean;
}

interface Row {
  action: string;
  kind: string;
  object: string;
  reason: string;
  detail: string;
}

interface ModelSection {
  title: string;
  facts: Array<[string, string]>;
  summary: string;
  rows: Row[];
}

function sections(models: readonly ConvertModelResult[]): ModelSection[] {
  return models.map((m) => {
    const r = m.result;
    const facts: Array<[string, string]> = [['status', m.status], ['id', m.id]];
    if (r) {
      facts.push(['published as', publishedAs(r)], ['source format', r.format], ['fingerprint', r.fingerprint]);
      if (r.definitionFile) facts.push(['push definition', r.definitionFile]);
    }
    if (m.error) facts.push(['error', m.error.message]);
    const c = r?.report?.counts;
    const summary = c ? `kept ${c.kept} · changed ${c.changed} · dropped ${c.dropped} · not applicable ${c.notApplicable}` : r ? 'no conversion (the source is a push dataset)' : 'not converted';
    const rows: Row[] = [];
    for (const g of groupChanges(r?.report?.entries ?? [])) {
      for (const e of g.entries) {
        rows.push({ action: BUCKET_TITLES[g.bucket], kind: e.kind, object: objectLabel(e), reason: g.reason, detail: [e.detail, chainText(e), e.pushName !== undefined ? `pushed as '${e.pushName}'` : ''].filter(Boolean).join('; ') });
      }
    }
    return { title: m.name, facts, summary, rows };
  });
}

/** Markdown: text from a model cannot open a tag, a link, emphasis or a new table cell. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[\\`*_{}[\]()<>#+!|~]/g, (ch) => `\\${ch}`)
    .replace(/&/g, '&amp;');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);
}

export function renderMarkdownReport(models: readonly ConvertModelResult[], meta: ReportMeta): string {
  const md = escapeMarkdown;
  const out = ['# fabric-sync conversion report', '', `Generated ${md(meta.generatedAt)} by fabric-sync ${md(meta.version)}${meta.dryRun ? ' (dry run: nothing was sent or written)' : ''}.`, ''];
  if (models.length === 0) out.push('No models were converted.', '');
  for (const s of sections(models)) {
    out.push(`## ${md(s.title)}`, '');
    for (const [k, v] of s.facts) out.push(`- ${k}: ${md(v)}`);
    out.push('', `**${md(s.summary)}**`, '');
    if (s.rows.length === 0) {
      out.push('Nothing was changed or dropped.', '');
      continue;
    }
    out.push('| action | kind | object | reason | detail |', '| --- | --- | --- | --- | --- |');
    for (const r of s.rows) out.push(`| ${md(r.action)} | ${md(r.kind)} | ${md(r.object)} | ${md(r.reason)} | ${md(r.detail)} |`);
    out.push('');
  }
  return out.join('\n');
}

export function renderHtmlReport(models: readonly ConvertModelResult[], meta: ReportMeta): string {
  const h = escapeHtml;
  const body: string[] = [
    '<h1>fabric-sync conversion report</h1>',
    `<p>Generated ${h(meta.generatedAt)} by fabric-sync ${h(meta.version)}${meta.dryRun ? ' (dry run: nothing was sent or written)' : ''}.</p>`,
  ];
  if (models.length === 0) body.push('<p>No models were converted.</p>');
  for (const s of sections(models)) {
    body.push(`<section>`, `<h2>${h(s.title)}</h2>`, '<dl>');
    for (const [k, v] of s.facts) body.push(`<dt>${h(k)}</dt><dd>${h(v)}</dd>`);
    body.push('</dl>', `<p><strong>${h(s.summary)}</strong></p>`);
    if (s.rows.length === 0) body.push('<p>Nothing was changed or dropped.</p>');
    else {
      body.push('<table>', '<thead><tr><th>action</th><th>kind</th><th>object</th><th>reason</th><th>detail</th></tr></thead>', '<tbody>');
      for (const r of s.rows) body.push(`<tr class="${h(r.action.replace(/ /g, '-'))}"><td>${h(r.action)}</td><td>${h(r.kind)}</td><td>${h(r.object)}</td><td>${h(r.reason)}</td><td>${h(r.detail)}</td></tr>`);
      body.push('</tbody>', '</table>');
    }
    body.push('</section>');
  }
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<title>fabric-sync conversion report</title>',
    '<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:72rem}table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}dt{font-weight:bold;float:left;clear:left;width:10rem}dd{margin-left:10rem}tr.dropped td:first-child{color:#b00}tr.changed td:first-child{color:#a60}</style>',
    '</head>',
    '<body>',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Writes the report (a dry run writes it too: it is what the user asked for, and touches no model). */
export async function writeConversionReport(file: string, models: readonly ConvertModelResult[], meta: ReportMeta): Promise<string> {
  const format = reportFormatOf(file);
  const text = format === 'html' ? renderHtmlReport(models, meta) : renderMarkdownReport(models, meta);
  const full = path.resolve(file);
  await mkdir(path.dirname(full), { recursive: true });
  await writeFile(full, text, 'utf8');
  return full;
}
