// The conversion report: every object of a model, and whether the push dataset keeps it, changes it
// (renamed table, mapped type) or drops it — with a reason code (docs/architecture.md#push-conversion, issue 4). The
// warehouse stores it with the model, and commands print a summary of it.

export type ReportObjectKind =
  | 'table'
  | 'column'
  | 'measure'
  | 'relationship'
  | 'hierarchy'
  | 'calculationGroup'
  | 'role'
  | 'perspective'
  | 'culture'
  | 'partition'
  | 'expression'
  | 'function';

export type ReportAction = 'kept' | 'changed' | 'dropped';

export interface ReportEntry {
  kind: ReportObjectKind;
  /** Owning table for columns, measures, hierarchies, partitions. */
  table?: string;
  name: string;
  action: ReportAction;
  /** Stable machine-readable reason (e.g. `calculatedColumn`, `usesUserelationship`, `referencesDropped`). */
  reason?: string;
  /** One human sentence: what happened and why. */
  detail?: string;
  /** The name in the push dataset when it differs (sanitised table name). */
  pushName?: string;
  /**
   * A drop that loses nothing the push dataset could hold (partitions, shared M expressions: push
   * data arrives through the API, not a query). Listed for completeness; not counted as a loss.
   */
  informational?: boolean;
  /** A measure dropped because a measure it uses is dropped: those measures, nearest first, ending with the one dropped for its own reason. */
  chain?: string[];
}

export interface ConversionReport {
  /** Source model name. */
  model: string;
  /** Name of the push dataset (`{Model}_PushSync`). */
  pushName: string;
  entries: ReportEntry[];
  counts: { kept: number; changed: number; dropped: number };
  /** True when anything was changed or dropped, informational entries aside (what `--strict` refuses). */
  lossy: boolean;
  /** True when nothing can be published: no table survives (the API rejects a dataset without tables), or the name is too long. */
  empty: boolean;
  /** Why nothing is published, when `empty`. */
  skipReason?: string;
}

export interface ReportSummary {
  /** `dropped` is the real loss; `notApplicable` the informational drops (partitions, shared expressions). */
  counts: { kept: number; changed: number; dropped: number; notApplicable: number };
  /** Every changed or dropped object, in model order (kept objects are only counted). */
  entries: ReportEntry[];
  /** `kind/reason` → count, changed and dropped entries only, sorted by count then name. */
  byReason: { kind: ReportObjectKind; action: ReportAction; reason: string; informational: boolean; count: number }[];
  /**
   * One line for the command to print, e.g. `kept 120 · changed 3 (…) · dropped 14 (column/calculatedColumn 10, …)
   * · not applicable 9 (partition/partition 9)`. Informational drops (partitions, shared expressions) are
   * shown apart so the loss figure is the real loss.
   */
  text: string;
}

/** Short counts by reason for the command to print. */
export function summarizeReport(report: ConversionReport): ReportSummary {
  const tally = new Map<string, ReportSummary['byReason'][number]>();
  for (const e of report.entries) {
    if (e.action === 'kept') continue;
    const reason = e.reason ?? 'unspecified';
    const informational = e.informational === true;
    const key = `${e.action}\u0000${e.kind}\u0000${reason}\u0000${informational}`;
    const t = tally.get(key) ?? { kind: e.kind, action: e.action, reason, informational, count: 0 };
    t.count += 1;
    tally.set(key, t);
  }
  const byReason = [...tally.values()].sort(
    (a, b) => b.count - a.count || `${a.kind}/${a.reason}`.localeCompare(`${b.kind}/${b.reason}`),
  );
  const group = (pick: (r: ReportSummary['byReason'][number]) => boolean): { n: number; text: string } => {
    const rows = byReason.filter(pick);
    return { n: rows.reduce((n, r) => n + r.count, 0), text: rows.map((r) => `${r.kind}/${r.reason} ${r.count}`).join(', ') };
  };
  const changed = group((r) => r.action === 'changed');
  const dropped = group((r) => r.action === 'dropped' && !r.informational);
  const info = group((r) => r.action === 'dropped' && r.informational);
  const parts = [
    `kept ${report.counts.kept}`,
    `changed ${changed.n}${changed.n > 0 ? ` (${changed.text})` : ''}`,
    `dropped ${dropped.n}${dropped.n > 0 ? ` (${dropped.text})` : ''}`,
  ];
  if (info.n > 0) parts.push(`not applicable ${info.n} (${info.text})`);
  if (report.empty) parts.push(report.skipReason?.startsWith('the push dataset name') ? 'push dataset name too long: push dataset skipped' : 'no table can be pushed: push dataset skipped');
  const counts = { kept: report.counts.kept, changed: report.counts.changed, dropped: dropped.n, notApplicable: info.n };
  return { counts, entries: report.entries.filter((e) => e.action !== 'kept'), byReason, text: parts.join(' · ') };
}
