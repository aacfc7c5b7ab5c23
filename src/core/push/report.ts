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
}

export interface ConversionReport {
  /** Source model name. */
  model: string;
  /** Name of the push dataset (`{Model}_PushSync`). */
  pushName: string;
  entries: ReportEntry[];
  counts: { kept: number; changed: number; dropped: number };
  /** True when anything was changed or dropped (what `--strict` refuses). */
  lossy: boolean;
}
