// `fabric-sync diff <model>` (issue 14 item 7): what changed between two synced versions of a model —
// by default the previous and the latest — read from _SEMANTIC_MODEL_VERSIONS in the configured
// warehouse. The comparison itself is src/core/diff.
import { z } from 'zod';
import { diffModels, type ModelDiff, type PropertyChange } from '../core/diff/model-diff.js';
import { UsageError } from '../core/errors.js';
import { listCandidates, matchCandidate, type Candidate } from '../core/names/match.js';
import type { WarehouseBackend } from '../core/warehouse/backend.js';
import { quoteIdent as q } from '../core/warehouse/dialect.js';
import { readTwoVersions, type ModelVersion } from '../core/publishers/warehouse/history.js';
import { type Namespace, qualified } from '../core/warehouse/names.js';
import { invalidOptions } from './option-errors.js';
import { defined, type Bind, type Command, type CommandContext } from './context.js';

const Options = z.object({
  from: z.string().min(1).optional(),
  to: z.string().min(1).optional(),
  target: z.enum(['snowflake', 'duckdb']).optional(),
});

export function registerDiff(program: Command, bind: Bind): void {
  program
    .command('diff')
    .argument('<model>', 'model name (source or published), or model id')
    .description('what changed between two synced versions of a model: tables, columns, measures (DAX diff), relationships')
    .option('--from <fingerprint>', 'the older version (a fingerprint or a prefix of 8+ characters; default: the one before --to)')
    .option('--to <fingerprint>', 'the newer version (default: the latest)')
    .option('--target <target>', 'warehouse: snowflake | duckdb (default: snowflake when SNOWFLAKE_ACCOUNT is set)')
    .addHelpText(
      'after',
      `
Examples:
  $ fabric-sync diff Sales                                  # previous version → latest
  $ fabric-sync diff Sales --from 1a2b3c4d --to 9f8e7d6c   # two chosen versions
  $ fabric-sync diff Sales --json`,
    )
    .action(
      bind(async (ctx, modelArg, rawOptions) => {
        const parsed = Options.safeParse(rawOptions);
        if (!parsed.success) throw invalidOptions(parsed.error, 'diff');
        const o = parsed.data;
        const { config } = await ctx.config({ warehouse: defined({ target: o.target }) });
        const { openConfiguredWarehouse } = await import('./warehouse-open.js');
        const wh = await openConfiguredWarehouse(ctx, config, { write: false, command: 'diff' });
        try {
          const model = await findModel(wh.backend, String(modelArg), wh.namespace);
          const { from, to } = await readTwoVersions(wh.backend, model.id, defined({ from: o.from, to: o.to }) as { from?: string; to?: string }, wh.namespace);
          const diff = diffModels(from.definition, to.definition);
          ctx.ui.result({ model: { id: model.id, name: model.names[0] }, from: versionJson(from), to: versionJson(to), same: diff.same, diff: diffJson(diff) }, () => renderDiff(ctx, model.names[0] ?? model.id, from, to, diff));
          return 0;
        } finally {
          await wh.backend.close();
        }
      }),
    );
}

async function findModel(backend: WarehouseBackend, query: string, ns?: Namespace): Promise<Candidate> {
  const r = await backend.execute(`SELECT ${q('MODEL_ID')}, ${q('MODEL_NAME')}, ${q('SOURCE_MODEL_NAME')} FROM ${qualified(ns, '_SEMANTIC_METADATA')} ORDER BY ${q('MODEL_NAME')}, ${q('MODEL_ID')}`);
  const candidates: Candidate[] = r.rows.map((row) => {
    const get = (k: string) => String(row[k] ?? row[k.toLowerCase()] ?? '');
    return { id: get('MODEL_ID'), names: [...new Set([get('SOURCE_MODEL_NAME'), get('MODEL_NAME')].filter(Boolean))] };
  });
  const m = matchCandidate(candidates, query);
  if (m.kind === 'found') return m.match;
  if (m.kind === 'ambiguous') throw new UsageError(`<model>: '${query}' names ${m.candidates.length} models: ${listCandidates(m.candidates)}.`, { hint: 'Give the model id instead.' });
  throw new UsageError(`<model>: no synced model named '${query}'.`, {
    hint: candidates.length ? `Synced models: ${listCandidates(candidates)}.` : 'Nothing has been synced to this warehouse yet: run `fabric-sync convert` first.',
  });
}

function versionJson(v: ModelVersion): Record<string, unknown> {
  return { fingerprint: v.fingerprint, syncedAt: v.syncedAt, modelName: v.modelName, sourceFormat: v.sourceFormat, toolVersion: v.toolVersion, runId: v.runId };
}

function diffJson(d: ModelDiff): Record<string, unknown> {
  return { tables: d.tables, columns: d.columns, measures: d.measures, relationships: d.relationships, other: d.other };
}

function renderDiff(ctx: CommandContext, name: string, from: ModelVersion, to: ModelVersion, d: ModelDiff): string {
  const { c } = ctx.ui;
  const head = `${c.bold(name)}: ${from.fingerprint.slice(0, 12)} (${from.syncedAt}) → ${to.fingerprint.slice(0, 12)} (${to.syncedAt})`;
  if (d.same) return `${head}\nNo difference in tables, columns, measures or relationships.`;
  const lines = [head];
  const col = (r: { table?: string; name: string }) => (r.table !== undefined ? `'${r.table}'[${r.name}]` : r.name);
  const section = (title: string, s: { added: Array<{ table?: string; name: string }>; removed: Array<{ table?: string; name: string }>; changed: Array<{ ref: { table?: string; name: string }; changes: PropertyChange[] }> }, label: (r: { table?: string; name: string }) => string, extra?: (i: number) => string[]) => {
    if (s.added.length + s.removed.length + s.changed.length === 0) return;
    lines.push('', c.bold(`${title}: ${s.added.length} added, ${s.removed.length} removed, ${s.changed.length} changed`));
    for (const r of s.added) lines.push(c.green(`  + ${label(r)}`));
    for (const r of s.removed) lines.push(c.red(`  - ${label(r)}`));
    s.changed.forEach((ch, i) => {
      lines.push(c.yellow(`  ~ ${label(ch.ref)}`));
      for (const p of ch.changes) if (!(extra && p.property === 'expression')) lines.push(`      ${p.property}: ${short(p.from)} → ${short(p.to)}`);
      if (extra) lines.push(...extra(i));
    });
  };
  section('tables', d.tables, (r) => `'${r.name}'`);
  section('columns', d.columns, col);
  section('measures', d.measures, col, (i) => (d.measures.changed[i]?.dax ?? []).map((l) => (l.op === '+' ? c.green : l.op === '-' ? c.red : c.dim)(`      ${l.op} ${l.text}`)));
  section('relationships', d.relationships, (r) => ('ends' in r ? String((r as { ends: string }).ends) : r.name));
  section('other objects', d.other, (r) => `${(r as { kind?: string }).kind ?? ''} ${r.name}`.trim());
  return lines.join('\n');
}

/** A property value on one line: absent spelled out, long values cut. */
function short(v: unknown): string {
  const text = v === undefined ? '(none)' : typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
