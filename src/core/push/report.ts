// The conversion report: every object of a model, and whether the push dataset keeps it, changes it
// (renamed table, mapped type) or drops it — with a reason code (DESIGN.md §6, issue 4). The
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
  /** True when no table survives: the API rejects a dataset without tables, so nothing is published. */
  empty: boolean;
}

export interface ReportSummary {
  counts: ConversionReport['counts'];
  /** `kind/reason` → count, changed and dropped entries only, sorted by count then name. */
  byReason: { kind: ReportObjectKind; action: ReportAction; reason: string; count: number }[];
  /** One line for the command to print, e.g. `kept 120 · changed 3 · dropped 14 (column/calculatedColumn 10, …)`. */
  text: string;
}

/** Short counts by reason for the command to print. */
export function summarizeReport(report: ConversionReport): ReportSummary {
  const tally = new Map<string, { kind: ReportObjectKind; action: ReportAction; reason: string; count: number }>();
  for (const e of report.entries) {
    if (e.action === 'kept') continue;
    const reason = e.reason ?? 'unspecified';
    const key = `${e.action}\u0000${e.kind}\u0000${reason}`;
    const t = tally.get(key) ?? { kind: e.kind, action: e.action, reason, count: 0 };
    t.count += 1;
    tally.set(key, t);
  }
  const byReason = [...tally.values()].sort(
    (a, b) => b.count - a.count || `${a.kind}/${a.reason}`.localeCompare(`${b.kind}/${b.reason}`),
  );
  const part = (action: ReportAction): string =>
    byReason
      .filter((r) => r.action === action)
      .map((r) => `${r.kind}/${r.reason} ${r.count}`)
      .join(', ');
  const { kept, changed, dropped } = report.counts;
  const changedText = changed > 0 ? ` (${part('changed')})` : '';
  const droppedText = dropped > 0 ? ` (${part('dropped')})` : '';
  const emptyText = report.empty ? ' · no table can be pushed: push dataset skipped' : '';
  return {
    counts: report.counts,
    byReason,
    text: `kept ${kept} · changed ${changed}${changedText} · dropped ${dropped}${droppedText}${emptyText}`,
  };
}
