// What a conversion changed or dropped, object by object (issue 14 item 5): grouped by action, kind
// and reason for people, one flat list for --json and the report file. Pure: no I/O, no colour.
import type { ReportEntry, ReportSummary } from '../core/publishers/report.js';
import type { ConvertModelResult } from '../core/sync/convert.js';

/** The three piles people read apart: a real loss, a change, and what push datasets never hold. */
export type ChangeBucket = 'dropped' | 'changed' | 'notApplicable';

export interface ChangeGroup {
  bucket: ChangeBucket;
  kind: ReportEntry['kind'];
  reason: string;
  entries: ReportEntry[];
}

export const BUCKET_TITLES: Record<ChangeBucket, string> = { dropped: 'dropped', changed: 'changed', notApplicable: 'not applicable' };

export function bucketOf(e: ReportEntry): ChangeBucket | null {
  if (e.action === 'kept') return null;
  if (e.action === 'changed') return 'changed';
  return e.informational ? 'notApplicable' : 'dropped';
}

/** Groups in reading order: dropped first (the loss), then changed, then not applicable; the larger group first within each. */
export function groupChanges(entries: readonly ReportEntry[]): ChangeGroup[] {
  const groups = new Map<string, ChangeGroup>();
  for (const e of entries) {
    const bucket = bucketOf(e);
    if (!bucket) continue;
    const reason = e.reason ?? 'unspecified';
    const key = `${bucket}\u0000${e.kind}\u0000${reason}`;
    const g = groups.get(key) ?? { bucket, kind: e.kind, reason, entries: [] };
    g.entries.push(e);
    groups.set(key, g);
  }
  const order: ChangeBucket[] = ['dropped', 'changed', 'notApplicable'];
  return [...groups.values()].sort(
    (a, b) => order.indexOf(a.bucket) - order.indexOf(b.bucket) || b.entries.length - a.entries.length || `${a.kind}/${a.reason}`.localeCompare(`${b.kind}/${b.reason}`),
  );
}

/** How an object is named in DAX style: `'Table'[Column]`, `'Table'` for a table, the bare name otherwise. */
export function objectLabel(e: ReportEntry): string {
  if (e.kind === 'table') return `'${e.name}'`;
  if (e.table !== undefined && (e.kind === 'column' || e.kind === 'measure')) return `'${e.table}'[${e.name}]`;
  if (e.table !== undefined) return `${e.name} (table '${e.table}')`;
  return e.name;
}

/** The transitive path of a dropped measure, e.g. `via [Margin] → [Cost]`. */
export function chainText(e: ReportEntry): string {
  return e.chain && e.chain.length > 0 ? `via ${e.chain.map((m) => `[${m}]`).join(' → ')}` : '';
}

/** One object for --json: every field a script needs, nothing it does not. */
export function changeJson(e: ReportEntry): Record<string, unknown> {
  return {
    kind: e.kind,
    ...(e.table !== undefined ? { table: e.table } : {}),
    name: e.name,
    action: e.action,
    ...(e.informational ? { notApplicable: true } : {}),
    reason: e.reason ?? 'unspecified',
    ...(e.detail !== undefined ? { detail: e.detail } : {}),
    ...(e.pushName !== undefined ? { pushName: e.pushName } : {}),
    ...(e.chain ? { chain: e.chain } : {}),
  };
}

/** Objects listed by default in human output; past it a count, and --verbose lists all. */
export const HUMAN_LIST_LIMIT = 20;

/**
 * Human lines for one model: a heading per group (`dropped · measure/referencesDropped (3)`) and one
 * line per object under it. Not-applicable objects are counted, not listed, unless `all`. Without
 * `all` and past HUMAN_LIST_LIMIT objects, each group lists its first few and counts the rest, so
 * every reason stays in view.
 */
export function changeLines(summary: Pick<ReportSummary, 'entries'>, all: boolean): string[] {
  const groups = groupChanges(summary.entries);
  const listable = groups.filter((g) => all || g.bucket !== 'notApplicable');
  const total = listable.reduce((n, g) => n + g.entries.length, 0);
  const perGroup = all || total <= HUMAN_LIST_LIMIT ? Infinity : PER_GROUP_WHEN_LONG;
  const lines: string[] = [];
  let hidden = 0;
  for (const g of groups) {
    lines.push(`  ${BUCKET_TITLES[g.bucket]} · ${g.kind}/${g.reason} (${g.entries.length})`);
    if (!listable.includes(g)) continue;
    for (const e of g.entries.slice(0, perGroup)) {
      const why = [e.detail, chainText(e)].filter(Boolean).join('; ');
      lines.push(`    ${objectLabel(e)}${why ? `  ${why}` : ''}`);
    }
    const rest = g.entries.length - Math.min(perGroup, g.entries.length);
    if (rest > 0) {
      lines.push(`    … ${rest} more`);
      hidden += rest;
    }
  }
  if (hidden > 0) lines.push(`  (${hidden} not listed: --verbose lists every object; --json and --report carry every one)`);
  return lines;
}

/** Objects listed per group when a model has more than HUMAN_LIST_LIMIT. */
const PER_GROUP_WHEN_LONG = 2;

/**
 * The name the model goes by where it was published: its push twin's, or — with no twin (a local
 * source, --no-push, a twin it may not have) — its own, as the warehouse's MODEL_NAME then says.
 */
export function publishedAs(r: NonNullable<ConvertModelResult['result']>): string {
  const push = r.outcomes.push;
  return r.twin?.name ?? (push && 'skipped' in push ? r.sourceName : r.publishedName);
}
