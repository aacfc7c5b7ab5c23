// The end of `convert`: one JSON document, or a summary table plus the conversion report in brief;
// CI annotations for dropped objects; the exit code (1 when any model failed, 130 when interrupted).
import { ExitCode } from '../core/errors.js';
import type { ConvertModelResult, ConvertSummary } from '../core/sync/convert.js';
import type { CommandContext } from './context.js';
import { changeJson, changeLines, publishedAs } from './conversion-changes.js';
import { locationLines, type RunLocations } from './locations.js';

export interface RenderConvertExtras {
  /** Where the run put things (or would have, with --dry-run). */
  locations?: RunLocations;
  /** The --report file written. */
  reportFile?: string;
}

export function renderConvert(ctx: CommandContext, s: ConvertSummary, dryRun: boolean, extras: RenderConvertExtras = {}): number {
  const { ui } = ctx;
  for (const m of s.models) {
    if (m.result?.lossy && m.result.report) ui.annotate('warning', `${m.name}: push conversion ${m.result.report.text}`);
    for (const w of m.result?.warnings ?? []) ui.warn(`${m.name}: ${w}`);
    // A recreated twin has a new id: reports bound to it break, so CI logs say so too.
    const twin = m.result?.twin;
    if (twin?.replacedDatasetId) ui.annotate('warning', `${m.name}: push dataset ${twin.name} recreated with a new id (was ${twin.replacedDatasetId}); rebind its reports`);
  }
  const listFailures = s.listFailures ?? 0;
  ui.result({ dryRun, synced: s.synced, unchanged: s.unchanged, failed: s.failed, deleted: s.deleted, interrupted: s.interrupted, ...(listFailures ? { workspacesFailed: listFailures, failedWorkspaces: s.failedWorkspaces ?? [] } : {}), models: s.models.map(toJson), ...(extras.locations ? { locations: locationsJson(extras.locations, dryRun) } : {}), ...(extras.reportFile ? { reportFile: extras.reportFile } : {}) }, () => {
    const rows = s.models.map((m) => [m.name, statusText(ctx, m, dryRun), m.result ? publishedAs(m.result) : '', detail(m)]);
    const head = dryRun ? ui.c.bold('Dry run: nothing was sent or written.') : '';
    const plan = dryRun ? s.models.flatMap((m) => planLines(m)) : [];
    const totals = `${s.synced} ${dryRun ? 'planned' : 'synced'} · ${s.unchanged} up to date · ${s.failed} failed${s.deleted ? ` · ${s.deleted} deleted` : ''}${listFailures ? ` · ${listFailures} workspace(s) not listed` : ''}`;
    const changes = dryRun ? [] : s.models.flatMap((m) => changeBlock(m, ui.verbose));
    const files = s.models.map((m) => m.result?.definitionFile).filter((f): f is string => typeof f === 'string');
    const firstSynced = s.models.find((m) => m.status !== 'failed');
    const where = extras.locations ? ['', ...locationLines(extras.locations, files, dryRun, firstSynced?.name)] : [];
    const report = extras.reportFile ? [`report:           ${extras.reportFile}`] : [];
    return [head, ...plan, rows.length ? ui.table(['model', 'status', 'published as', 'details'], rows) : 'No models to convert.', totals, ...changes, ...where, ...report].filter(Boolean).join('\n');
  });
  if (s.interrupted) return ExitCode.interrupted;
  const failed = s.models.filter((m) => m.status === 'failed');
  // Every failure an authentication or permission refusal (e.g. a wrong Snowflake password): exit 3.
  if (failed.length > 0 && failed.every((m) => m.error?.exitCode === ExitCode.auth)) return ExitCode.auth;
  // A workspace that could not be listed is work not done, even when no model failed.
  return s.failed > 0 || listFailures > 0 ? ExitCode.failed : ExitCode.ok;
}

function statusText(ctx: CommandContext, m: ConvertModelResult, dryRun: boolean): string {
  const c = ctx.ui.c;
  if (m.status === 'failed') return c.red('failed');
  if (m.status === 'unchanged') return c.dim('up to date');
  return c.green(dryRun ? 'planned' : 'synced');
}

function detail(m: ConvertModelResult): string {
  if (m.error) return m.error.message;
  const r = m.result;
  if (!r) return '';
  const c = r.report?.counts;
  const dropped = c?.dropped ? `${c.dropped} dropped` : '';
  const changed = c?.changed ? `${c.changed} changed` : '';
  const na = c?.notApplicable ? `${c.notApplicable} not applicable` : '';
  return [...r.details, dropped, changed, na].filter(Boolean).join(', ');
}

/** The changed and dropped objects of one model, grouped by reason (issue 14 item 5). */
function changeBlock(m: ConvertModelResult, all: boolean): string[] {
  const entries = m.result?.report?.entries ?? [];
  if (entries.length === 0) return [];
  return [`\n${m.name}: what the push dataset does not hold as is`, ...changeLines({ entries }, all)];
}

function locationsJson(l: RunLocations, dryRun: boolean): Record<string, unknown> {
  return { written: !dryRun, pushDir: l.pushDir, warehouse: l.warehouse, statePath: l.statePath };
}

function planLines(m: ConvertModelResult): string[] {
  const r = m.result;
  if (!r) return [];
  const lines = [`\n# ${m.name}`];
  if (r.report) lines.push(`conversion: ${r.report.text}`, ...changeLines(r.report, false));
  lines.push(...r.planLines);
  return lines;
}

function toJson(m: ConvertModelResult): Record<string, unknown> {
  const r = m.result;
  return {
    id: m.id,
    name: m.name,
    status: m.status,
    ...(m.error ? { error: m.error } : {}),
    ...(m.outcomes ?? {}),
    ...(r
      ? {
          publishedName: publishedAs(r),
          fingerprint: r.fingerprint,
          format: r.format,
          definitionFile: r.definitionFile,
          report: r.report ? { counts: r.report.counts, byReason: r.report.byReason } : null,
          changes: (r.report?.entries ?? []).map(changeJson),
          // One key per publisher, in the run's order (push, warehouse, …).
          ...r.outcomes,
          warnings: r.warnings,
        }
      : {}),
  };
}
