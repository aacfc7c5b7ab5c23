// SemanticModel → Push API CreateDatasetRequest + conversion report: pure, total, deterministic
// (docs/architecture.md#push-conversion, issue 4). Decisions, each reported, never silent:
// - types: PUSH_TYPE_MAP (types.ts) — binary dropped, variant/unknown/automatic kept as String;
// - limits (docs/fabric-rest.md#push-datasets): the first 75 tables / 75 columns per table / 75 relationships in
//   model order are kept, the rest dropped with `tableLimit` / `columnLimit` / `relationshipLimit`;
// - names: tables and relationships sanitised to the documented pattern (names.ts), the map kept,
//   measure DAX rewritten to the new names (measures.ts);
// - a plan with no table is `empty`: the API rejects it, so the caller skips publishing (the
//   warehouse step still runs);
// - the planner never throws: `assertStrict(plan)` is the one place `--strict` turns a loss into a
//   ConversionError, so callers can still show or save the plan they refused.
import type { Column, Relationship, SemanticModel, Table } from '../schema/model.js';
import { ConversionError } from '../errors.js';
import type { ConversionReport, ReportEntry } from './report.js';
import { summarizeReport } from './report.js';
import { PUSH_LIMITS, type CreateDatasetRequest, type PushColumn, type PushRelationship, type PushTable } from './request.js';
import { pushTypeFor } from './types.js';
import { PUSH_COLUMN_NAME_PATTERN, uniquePushNames } from './names.js';
import { decideMeasures } from './measures.js';

export const DEFAULT_PUSH_SUFFIX = '_PushSync';

export interface PlanPushOptions {
  /** Appended to the model name: `{Model}{suffix}`. Default `_PushSync`. */
  suffix?: string;
}

export interface PushPlan {
  request: CreateDatasetRequest;
  /** Source table name → push table name, for every kept table. */
  nameMap: Record<string, string>;
  report: ConversionReport;
  /** No table survives: do not publish (the report says why). */
  empty: boolean;
}

/** Documented `summarizeBy` values (docs/fabric-rest.md#push-datasets), in their documented spelling. */
const SUMMARIZE_BY = ['default', 'none', 'sum', 'min', 'max', 'count', 'average', 'distinctCount'];
/** Documented `dataCategory` values ([DS-PROPS]). */
const DATA_CATEGORIES = [
  'Address', 'City', 'Continent', 'Country', 'Image', 'ImageUrl', 'Latitude', 'Longitude',
  'Organization', 'Place', 'PostalCode', 'StateOrProvince', 'WebUrl',
];
const CROSS_FILTER = { oneDirection: 'OneDirection', bothDirections: 'BothDirections', automatic: 'Automatic' } as const;

const ckey = (t: string, c: string): string => `${t.toLowerCase()}\u0000${c.toLowerCase()}`;

export function planPushDataset(model: SemanticModel, options: PlanPushOptions = {}): PushPlan {
  const suffix = options.suffix ?? DEFAULT_PUSH_SUFFIX;
  const entries: ReportEntry[] = [];
  const add = (e: ReportEntry): void => {
    entries.push(e);
  };

  // 1. Tables and their data columns.
  interface Candidate { table: Table; columns: Column[] }
  const candidates: Candidate[] = [];
  const tableDrops = new Map<string, { reason: string; detail: string }>();
  for (const t of model.tables) {
    if (t.kind === 'calculatedTable') {
      tableDrops.set(t.name, { reason: 'calculatedTable', detail: 'calculated tables have no push equivalent (rows come only through the API)' });
      continue;
    }
    if (t.kind === 'calculationGroup') {
      tableDrops.set(t.name, { reason: 'calculationGroup', detail: 'calculation groups have no push equivalent' });
      continue;
    }
    const columns = t.columns.filter((c) => c.kind === 'data' && pushTypeFor(c.dataType).push !== null && PUSH_COLUMN_NAME_PATTERN.test(c.name));
    if (columns.length === 0) {
      tableDrops.set(t.name, { reason: 'noColumns', detail: 'no column can be pushed (a push table needs at least one)' });
      continue;
    }
    if (candidates.length >= PUSH_LIMITS.tables) {
      tableDrops.set(t.name, { reason: 'tableLimit', detail: `over the push limit of ${PUSH_LIMITS.tables} tables (the first ${PUSH_LIMITS.tables} in model order are kept)` });
      continue;
    }
    candidates.push({ table: t, columns: columns.slice(0, PUSH_LIMITS.columnsPerTable) });
  }
  const pushNames = uniquePushNames(candidates.map((c) => c.table.name));
  const keptTables = new Map<string, string>();
  const nameMap: Record<string, string> = {};
  for (const c of candidates) {
    const p = pushNames.get(c.table.name) as string;
    keptTables.set(c.table.name.toLowerCase(), p);
    nameMap[c.table.name] = p;
  }
  const keptColumns = new Set<string>();
  for (const c of candidates) for (const col of c.columns) keptColumns.add(ckey(c.table.name, col.name));

  // 2. Measures (need the kept tables and columns).
  const host = candidates[0]?.table.name;
  const measures = decideMeasures(model, host === undefined ? { keptTables, keptColumns } : { keptTables, keptColumns, host });
  const measuresOf = new Map<string, typeof measures>();
  for (const m of measures) measuresOf.set(m.table, [...(measuresOf.get(m.table) ?? []), m]);
  // Push measures by the table that holds them in the request (own table, or the host).
  const sourceMeasure = new Map(model.tables.flatMap((t) => t.measures.map((m) => [m.name, m] as const)));
  const pushedOf = new Map<string, typeof measures>();
  for (const m of measures) {
    if (m.expression === undefined) continue;
    const at = m.movedTo ?? m.table;
    pushedOf.set(at, [...(pushedOf.get(at) ?? []), m]);
  }

  // 3. Report and request, table by table in model order.
  const tables: PushTable[] = [];
  for (const t of model.tables) {
    const drop = tableDrops.get(t.name);
    const push = keptTables.get(t.name.toLowerCase());
    if (drop || push === undefined) {
      const why = drop ?? { reason: 'noColumns', detail: 'not kept' };
      add({ kind: 'table', name: t.name, action: 'dropped', reason: why.reason, detail: why.detail });
      for (const c of t.columns) add({ kind: 'column', table: t.name, name: c.name, action: 'dropped', reason: 'tableDropped', detail: `its table is dropped (${why.reason})` });
    } else {
      add(push === t.name
        ? { kind: 'table', name: t.name, action: 'kept' }
        : { kind: 'table', name: t.name, action: 'changed', reason: 'renamed', pushName: push, detail: `renamed to '${push}' to fit the push table-name pattern` });
      const columns: PushColumn[] = [];

      for (const c of t.columns) {
        const entry = columnEntry(t, c, keptColumns);
        add(entry.report);
        if (entry.column) columns.push(entry.column);
      }
      const pt: PushTable = { name: push, columns };
      if (t.isHidden) pt.isHidden = true;
      if (t.description !== undefined) pt.description = t.description;
      const ms = pushedOf.get(t.name) ?? [];
      if (ms.length > 0) {
        pt.measures = ms.map((d) => {
          const src = sourceMeasure.get(d.name);
          const pm: NonNullable<PushTable['measures']>[number] = { name: d.name, expression: d.expression as string };
          if (src?.formatString !== undefined) pm.formatString = src.formatString;
          if (src?.description !== undefined) pm.description = src.description;
          if (src?.isHidden) pm.isHidden = true;
          return pm;
        });
      }
      tables.push(pt);
    }
    for (const d of measuresOf.get(t.name) ?? []) {
      const src = t.measures.find((m) => m.name === d.name);
      if (d.dropReason) add({ kind: 'measure', table: t.name, name: d.name, action: 'dropped', reason: d.dropReason, detail: d.detail });
      else if (!PUSH_COLUMN_NAME_PATTERN.test(d.name)) add({ kind: 'measure', table: t.name, name: d.name, action: 'dropped', reason: 'invalidName', detail: 'its name holds control characters the push API refuses' });
      else if (d.movedTo !== undefined) add({ kind: 'measure', table: t.name, name: d.name, action: 'changed', reason: 'movedTable', pushName: keptTables.get(d.movedTo.toLowerCase()) as string, detail: `its table '${t.name}' is not pushed; the measure moves to '${keptTables.get(d.movedTo.toLowerCase()) as string}' (measures are model-global in DAX)${d.rewritten ? '; table references rewritten' : ''}` });
      else if (d.rewritten) add({ kind: 'measure', table: t.name, name: d.name, action: 'changed', reason: 'rewritten', detail: 'table references rewritten to the sanitised table names' });
      else if (src?.displayFolder !== undefined) add({ kind: 'measure', table: t.name, name: d.name, action: 'changed', reason: 'attributeDropped', detail: 'display folder not kept (push measures have none)' });
      else add({ kind: 'measure', table: t.name, name: d.name, action: 'kept' });
    }
    for (const h of t.hierarchies) add({ kind: 'hierarchy', table: t.name, name: h.name, action: 'dropped', reason: 'hierarchy', detail: 'push datasets have no hierarchies' });
    for (const p of t.partitions) add({ kind: 'partition', table: t.name, name: p.name, action: 'dropped', reason: 'partition', informational: true, detail: 'push tables are filled through the API, not by a partition query' });
  }
  // Measures with control characters in their name were reported dropped above: remove them.
  for (const pt of tables) if (pt.measures) pt.measures = pt.measures.filter((m) => PUSH_COLUMN_NAME_PATTERN.test(m.name));

  // 4. Relationships.
  const relationships = planRelationships(model.relationships, keptTables, keptColumns, add);

  for (const r of model.roles) add({ kind: 'role', name: r.name, action: 'dropped', reason: 'role', detail: 'push datasets have no row-level security roles' });
  for (const p of model.perspectives) add({ kind: 'perspective', name: p.name, action: 'dropped', reason: 'perspective', detail: 'push datasets have no perspectives' });
  for (const c of model.cultures) add({ kind: 'culture', name: c, action: 'dropped', reason: 'culture', detail: 'push datasets have no translations' });
  for (const e of model.expressions) add({ kind: 'expression', name: e.name, action: 'dropped', reason: 'sharedExpression', informational: true, detail: 'shared M/DAX expressions only feed partitions' });
  for (const f of model.functions) add({ kind: 'function', name: f.name, action: 'dropped', reason: 'daxFunction', detail: 'push datasets have no user-defined DAX functions' });

  const request: CreateDatasetRequest = { name: `${model.name}${suffix}`, defaultMode: 'Push', tables };
  if (relationships.length > 0) request.relationships = relationships;
  const counts = { kept: 0, changed: 0, dropped: 0 };
  for (const e of entries) counts[e.action] += 1;
  const empty = tables.length === 0;
  const report: ConversionReport = {
    model: model.name,
    pushName: request.name,
    entries,
    counts,
    lossy: entries.some((e) => e.action !== 'kept' && !e.informational),
    empty,
  };
  return { request, nameMap, report, empty };
}

function columnEntry(t: Table, c: Column, kept: ReadonlySet<string>): { report: ReportEntry; column?: PushColumn } {
  const base = { kind: 'column' as const, table: t.name, name: c.name };
  if (c.kind === 'calculated') return { report: { ...base, action: 'dropped', reason: 'calculatedColumn', detail: 'calculated columns have no push equivalent (a push column has no expression)' } };
  if (c.kind === 'calculatedTableColumn') return { report: { ...base, action: 'dropped', reason: 'calculatedColumn', detail: 'column of a calculated table' } };
  const type = pushTypeFor(c.dataType);
  if (type.push === null) return { report: { ...base, action: 'dropped', reason: 'unsupportedType', detail: `TOM type ${c.dataType} has no push type` } };
  if (!PUSH_COLUMN_NAME_PATTERN.test(c.name)) return { report: { ...base, action: 'dropped', reason: 'invalidName', detail: 'its name holds control characters the push API refuses' } };
  if (!kept.has(ckey(t.name, c.name))) return { report: { ...base, action: 'dropped', reason: 'columnLimit', detail: `over the push limit of ${PUSH_LIMITS.columnsPerTable} columns per table (the first ${PUSH_LIMITS.columnsPerTable} are kept)` } };

  const column: PushColumn = { name: c.name, dataType: type.push };
  const changes: { reason: string; text: string }[] = [];
  if (type.rule === 'mapped') changes.push({ reason: 'typeMapped', text: `TOM type ${c.dataType} pushed as String` });
  if (c.formatString !== undefined) column.formatString = c.formatString;
  if (c.sortByColumn !== undefined) {
    if (kept.has(ckey(t.name, c.sortByColumn))) column.sortByColumn = c.sortByColumn;
    else changes.push({ reason: 'attributeDropped', text: `sort-by column [${c.sortByColumn}] is not in the push table` });
  }
  if (c.dataCategory !== undefined) {
    const cat = DATA_CATEGORIES.find((d) => d.toLowerCase() === c.dataCategory?.toLowerCase());
    if (cat !== undefined) column.dataCategory = cat;
    else changes.push({ reason: 'attributeDropped', text: `data category ${c.dataCategory} is not a documented push category` });
  }
  if (c.isHidden) column.isHidden = true;
  if (c.summarizeBy !== undefined) {
    const s = SUMMARIZE_BY.find((d) => d.toLowerCase() === c.summarizeBy?.toLowerCase());
    if (s !== undefined) column.summarizeBy = s;
    else changes.push({ reason: 'attributeDropped', text: `summarizeBy ${c.summarizeBy} is not a documented push value` });
  }
  if (c.displayFolder !== undefined) changes.push({ reason: 'attributeDropped', text: 'display folder not kept' });
  if (c.description !== undefined) changes.push({ reason: 'attributeDropped', text: 'description not kept (push columns have none)' });
  if (c.isKey) changes.push({ reason: 'attributeDropped', text: 'key flag not kept' });
  const first = changes[0];
  if (!first) return { report: { ...base, action: 'kept' }, column };
  return { report: { ...base, action: 'changed', reason: first.reason, detail: changes.map((x) => x.text).join('; ') }, column };
}

function planRelationships(
  rels: readonly Relationship[],
  keptTables: ReadonlyMap<string, string>,
  keptColumns: ReadonlySet<string>,
  add: (e: ReportEntry) => void,
): PushRelationship[] {
  const drop = (r: Relationship, reason: string, detail: string): void => add({ kind: 'relationship', name: r.name, action: 'dropped', reason, detail });
  const survivors: { r: Relationship; swapped: boolean }[] = [];
  for (const r of rels) {
    const ends = `${r.fromTable}[${r.fromColumn}] → ${r.toTable}[${r.toColumn}]`;
    if (!r.isActive) { drop(r, 'inactiveRelationship', `${ends}: inactive relationships cannot exist in a push dataset`); continue; }
    const card = `${r.fromCardinality}-${r.toCardinality}`;
    if (card === 'many-many') { drop(r, 'manyToMany', `${ends}: many-to-many has no push equivalent`); continue; }
    if (card === 'one-one') { drop(r, 'oneToOne', `${ends}: one-to-one has no push equivalent`); continue; }
    if (card !== 'many-one' && card !== 'one-many') { drop(r, 'unsupportedCardinality', `${ends}: cardinality ${card} has no push equivalent`); continue; }
    if (!keptColumns.has(ckey(r.fromTable, r.fromColumn)) || !keptColumns.has(ckey(r.toTable, r.toColumn))) {
      drop(r, 'endDropped', `${ends}: an end of the relationship is not in the push dataset`);
      continue;
    }
    if (survivors.length >= PUSH_LIMITS.relationships) {
      drop(r, 'relationshipLimit', `over the push limit of ${PUSH_LIMITS.relationships} relationships (the first ${PUSH_LIMITS.relationships} in model order are kept)`);
      continue;
    }
    survivors.push({ r, swapped: card === 'one-many' });
  }
  const names = uniquePushNames(survivors.map((s) => s.r.name));
  return survivors.map(({ r, swapped }) => {
    // Push: from = the many (foreign-key) side, to = the one side (docs/fabric-rest.md#push-datasets).
    const [ft, fc, tt, tc] = swapped ? [r.toTable, r.toColumn, r.fromTable, r.fromColumn] : [r.fromTable, r.fromColumn, r.toTable, r.toColumn];
    const name = names.get(r.name) as string;
    const changes: string[] = [];
    if (name !== r.name) changes.push(`renamed to '${name}'`);
    if (swapped) changes.push('ends swapped so that from is the many side');
    if (keptTables.get(ft.toLowerCase()) !== ft || keptTables.get(tt.toLowerCase()) !== tt) changes.push('table names sanitised');
    add(changes.length > 0
      ? { kind: 'relationship', name: r.name, action: 'changed', reason: name !== r.name ? 'renamed' : swapped ? 'reversed' : 'tableRenamed', detail: changes.join('; '), ...(name !== r.name ? { pushName: name } : {}) }
      : { kind: 'relationship', name: r.name, action: 'kept' });
    return {
      name,
      fromTable: keptTables.get(ft.toLowerCase()) as string,
      fromColumn: fc,
      toTable: keptTables.get(tt.toLowerCase()) as string,
      toColumn: tc,
      crossFilteringBehavior: CROSS_FILTER[r.crossFilteringBehavior],
    };
  });
}

/** `--strict`: refuses a plan that loses anything (informational drops aside). */
export function assertStrict(plan: PushPlan): void {
  if (!plan.report.lossy && !plan.empty) return;
  throw new ConversionError(
    `The push conversion of '${plan.report.model}' is lossy (${summarizeReport(plan.report).text}), and --strict refuses any loss.`,
    { hint: 'Run without --strict to publish what the Push API can hold; the conversion report lists each loss and its reason.' },
  );
}
