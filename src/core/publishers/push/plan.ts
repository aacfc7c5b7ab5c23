// SemanticModel → Push API CreateDatasetRequest + conversion report: pure, total, deterministic
// (docs/architecture.md#push-conversion, issue 4). Decisions, each reported, never silent:
// - types: PUSH_TYPE_MAP (types.ts) — binary dropped, variant/unknown/automatic kept as String;
// - limits (docs/fabric-rest.md#push-datasets): the first 75 tables / 75 columns per table / 75 relationships in
//   model order are kept, the rest dropped with `tableLimit` / `columnLimit` / `relationshipLimit`;
// - names: tables and relationships sanitised to the documented pattern (names.ts), the map kept,
//   measure DAX rewritten to the new names (measures.ts);
// - a plan with no table is `empty`: the API rejects it, so the caller skips publishing (the
//   warehouse step still runs); so is a plan whose dataset name is over the 100-character limit;
// - names differing only in letter case (Power BI compares names case-insensitively): a later table
//   is renamed `_2`, `_3`…; a later column of a table or a later measure of the model is dropped —
//   each reported as `duplicateName` (issue 13 item 15);
// - the planner never throws: `assertStrict(plan)` is the one place `--strict` turns a loss into a
//   ConversionError, so callers can still show or save the plan they refused.
import type { Column, Relationship, SemanticModel, Table } from '../../schema/model.js';
import { ConversionError } from '../../errors.js';
import type { ConversionReport, ReportEntry } from '../report.js';
import { summarizeReport } from '../report.js';
import { PUSH_LIMITS, type CreateDatasetRequest, type PushColumn, type PushRelationship, type PushTable } from './request.js';
import { pushTypeFor } from '../../schema/tom-types.js';
import { PUSH_COLUMN_NAME_PATTERN, PUSH_TABLE_NAME_PATTERN, uniquePushNames } from './names.js';
import { decideMeasures } from './measures.js';
import { MAX_PUSH_NAME_LENGTH } from '../../limits.js';
import { allMeasures } from '../../schema/walk.js';

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
  /** Nothing can be published — no table survives, or the dataset name is too long: `report.skipReason` says why. */
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
/** A column of one exact table (two tables may differ only in letter case). */
const xkey = (t: string, c: string): string => `${t}\u0000${c.toLowerCase()}`;
const CASE_NOTE = 'Power BI compares names case-insensitively';

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
  /** A later column of a table whose name differs from an earlier one's only in letter case. */
  const isDuplicateColumn = (t: Table, c: Column): boolean => {
    const first = t.columns.find((x) => x.name.toLowerCase() === c.name.toLowerCase());
    return first !== undefined && first !== c;
  };
  for (const t of model.tables) {
    if (t.kind === 'calculatedTable') {
      tableDrops.set(t.name, { reason: 'calculatedTable', detail: 'calculated tables have no push equivalent (rows come only through the API)' });
      continue;
    }
    if (t.kind === 'calculationGroup') {
      tableDrops.set(t.name, { reason: 'calculationGroup', detail: 'calculation groups have no push equivalent' });
      continue;
    }
    const columns = t.columns.filter((c) => c.kind === 'data' && pushTypeFor(c.dataType).push !== null && PUSH_COLUMN_NAME_PATTERN.test(c.name) && !isDuplicateColumn(t, c));
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
  /** Exact source table name → push name. */
  const pushOf = new Map<string, string>();
  /**
   * Lower-cased name → push name of the FIRST table with that name in model order: how DAX (and
   * Power BI, comparing names case-insensitively) resolves a reference when two names differ only in case.
   */
  const keptTables = new Map<string, string>();
  const nameMap: Record<string, string> = {};
  for (const c of candidates) {
    const p = pushNames.get(c.table.name) as string;
    pushOf.set(c.table.name, p);
    if (!keptTables.has(c.table.name.toLowerCase())) keptTables.set(c.table.name.toLowerCase(), p);
    nameMap[c.table.name] = p;
  }
  /** Kept columns per exact table, and per lower-cased table as DAX resolves it (the first table of a name). */
  const keptExact = new Set<string>();
  const keptColumns = new Set<string>();
  const daxTable = new Map<string, string>();
  for (const c of candidates) if (!daxTable.has(c.table.name.toLowerCase())) daxTable.set(c.table.name.toLowerCase(), c.table.name);
  for (const c of candidates) {
    for (const col of c.columns) {
      keptExact.add(xkey(c.table.name, col.name));
      if (daxTable.get(c.table.name.toLowerCase()) === c.table.name) keptColumns.add(ckey(c.table.name, col.name));
    }
  }
  /** The table a relationship end names: the exact one, else the first whose name differs only in case. */
  const tableOf = (name: string): string | undefined =>
    pushOf.has(name) ? name : candidates.find((c) => c.table.name.toLowerCase() === name.toLowerCase())?.table.name;
  // Measure names are model-global: a later measure whose name differs from an earlier one only in case is dropped.
  const firstMeasure = new Map<string, string>();
  const duplicateMeasures = new Map<object, string>();
  for (const t of model.tables) {
    for (const m of t.measures) {
      const first = firstMeasure.get(m.name.toLowerCase());
      if (first === undefined) firstMeasure.set(m.name.toLowerCase(), m.name);
      else duplicateMeasures.set(m, first);
    }
  }
  const measureModel: SemanticModel = duplicateMeasures.size === 0 ? model : { ...model, tables: model.tables.map((t) => ({ ...t, measures: t.measures.filter((m) => !duplicateMeasures.has(m)) })) };

  // 2. Measures (need the kept tables and columns).
  const host = candidates[0]?.table.name;
  const measures = decideMeasures(measureModel, host === undefined ? { keptTables, keptColumns } : { keptTables, keptColumns, host });
  const measuresOf = new Map<string, typeof measures>();
  for (const m of measures) measuresOf.set(m.table, [...(measuresOf.get(m.table) ?? []), m]);
  // Push measures by the table that holds them in the request (own table, or the host).
  const sourceMeasure = new Map(allMeasures(model).map((m) => [m.name, m] as const));
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
    const push = pushOf.get(t.name);
    if (drop || push === undefined) {
      const why = drop ?? { reason: 'noColumns', detail: 'not kept' };
      add({ kind: 'table', name: t.name, action: 'dropped', reason: why.reason, detail: why.detail });
      for (const c of t.columns) add({ kind: 'column', table: t.name, name: c.name, action: 'dropped', reason: 'tableDropped', detail: `its table is dropped (${why.reason})` });
    } else {
      const earlier = model.tables.find((x) => x !== t && x.name.toLowerCase() === t.name.toLowerCase() && pushOf.get(x.name) === x.name);
      add(push === t.name
        ? { kind: 'table', name: t.name, action: 'kept' }
        : PUSH_TABLE_NAME_PATTERN.test(t.name) && earlier
          ? { kind: 'table', name: t.name, action: 'changed', reason: 'duplicateName', pushName: push, detail: `renamed to '${push}': its name differs from table '${earlier.name}' only in letter case (${CASE_NOTE})` }
          : { kind: 'table', name: t.name, action: 'changed', reason: 'renamed', pushName: push, detail: `renamed to '${push}' to fit the push table-name pattern` });
      const columns: PushColumn[] = [];

      for (const c of t.columns) {
        const entry = isDuplicateColumn(t, c)
          ? { report: { kind: 'column' as const, table: t.name, name: c.name, action: 'dropped' as const, reason: 'duplicateName', detail: `its name differs from column '${t.columns.find((x) => x.name.toLowerCase() === c.name.toLowerCase())?.name}' only in letter case (${CASE_NOTE})` } }
          : columnEntry(t, c, keptExact);
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
    for (const m of t.measures) {
      const first = duplicateMeasures.get(m);
      if (first !== undefined) add({ kind: 'measure', table: t.name, name: m.name, action: 'dropped', reason: 'duplicateName', detail: `its name differs from measure '${first}' only in letter case (${CASE_NOTE}; measure names are model-wide)` });
    }
    for (const d of measuresOf.get(t.name) ?? []) {
      const src = t.measures.find((m) => m.name === d.name);
      if (d.dropReason) add({ kind: 'measure', table: t.name, name: d.name, action: 'dropped', reason: d.dropReason, detail: d.detail, ...(d.chain ? { chain: d.chain } : {}) });
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
  const relationships = planRelationships(model.relationships, pushOf, tableOf, keptExact, add);

  for (const r of model.roles) add({ kind: 'role', name: r.name, action: 'dropped', reason: 'role', detail: 'push datasets have no row-level security roles' });
  for (const p of model.perspectives) add({ kind: 'perspective', name: p.name, action: 'dropped', reason: 'perspective', detail: 'push datasets have no perspectives' });
  for (const c of model.cultures) add({ kind: 'culture', name: c, action: 'dropped', reason: 'culture', detail: 'push datasets have no translations' });
  for (const e of model.expressions) add({ kind: 'expression', name: e.name, action: 'dropped', reason: 'sharedExpression', informational: true, detail: 'shared M/DAX expressions only feed partitions' });
  for (const f of model.functions) add({ kind: 'function', name: f.name, action: 'dropped', reason: 'daxFunction', detail: 'push datasets have no user-defined DAX functions' });

  const request: CreateDatasetRequest = { name: `${model.name}${suffix}`, defaultMode: 'Push', tables };
  if (relationships.length > 0) request.relationships = relationships;
  const counts = { kept: 0, changed: 0, dropped: 0 };
  for (const e of entries) counts[e.action] += 1;
  // Power BI limits object names, the dataset's included, to 100 characters (limits.ts): a longer
  // name gets no push dataset rather than a request the service refuses; the warehouse still runs.
  const tooLong = [...request.name].length > MAX_PUSH_NAME_LENGTH;
  const empty = tables.length === 0 || tooLong;
  const skipReason = tables.length === 0
    ? noTableReason(model.name, entries)
    : tooLong
      ? `the push dataset name would be ${[...request.name].length} characters, over Power BI's limit of ${MAX_PUSH_NAME_LENGTH}`
      : undefined;
  const report: ConversionReport = {
    model: model.name,
    pushName: request.name,
    entries,
    counts,
    lossy: entries.some((e) => e.action !== 'kept' && !e.informational) || tooLong,
    empty,
    ...(skipReason ? { skipReason } : {}),
  };
  return { request, nameMap, report, empty };
}

/** Why no table of a model can be pushed: each dropped table's reason, counted. */
function noTableReason(model: string, entries: ReportEntry[]): string {
  const tables = entries.filter((e) => e.kind === 'table');
  if (tables.length === 0) return `'${model}' has no table`;
  const counts = new Map<string, number>();
  for (const t of tables) counts.set(t.reason ?? 'dropped', (counts.get(t.reason ?? 'dropped') ?? 0) + 1);
  const why = [...counts].map(([r, n]) => `${n} ${r}`).join(', ');
  return `no table of '${model}' can be held by a push dataset (${why})`;
}

function columnEntry(t: Table, c: Column, kept: ReadonlySet<string>): { report: ReportEntry; column?: PushColumn } {
  const base = { kind: 'column' as const, table: t.name, name: c.name };
  if (c.kind === 'calculated') return { report: { ...base, action: 'dropped', reason: 'calculatedColumn', detail: 'calculated columns have no push equivalent (a push column has no expression)' } };
  if (c.kind === 'calculatedTableColumn') return { report: { ...base, action: 'dropped', reason: 'calculatedColumn', detail: 'column of a calculated table' } };
  const type = pushTypeFor(c.dataType);
  if (type.push === null) return { report: { ...base, action: 'dropped', reason: 'unsupportedType', detail: `TOM type ${c.dataType} has no push type` } };
  if (!PUSH_COLUMN_NAME_PATTERN.test(c.name)) return { report: { ...base, action: 'dropped', reason: 'invalidName', detail: 'its name holds control characters the push API refuses' } };
  if (!kept.has(xkey(t.name, c.name))) return { report: { ...base, action: 'dropped', reason: 'columnLimit', detail: `over the push limit of ${PUSH_LIMITS.columnsPerTable} columns per table (the first ${PUSH_LIMITS.columnsPerTable} are kept)` } };

  const column: PushColumn = { name: c.name, dataType: type.push };
  const changes: { reason: string; text: string }[] = [];
  if (type.rule === 'mapped') changes.push({ reason: 'typeMapped', text: `TOM type ${c.dataType} pushed as String` });
  if (c.formatString !== undefined) column.formatString = c.formatString;
  if (c.sortByColumn !== undefined) {
    if (kept.has(xkey(t.name, c.sortByColumn))) column.sortByColumn = c.sortByColumn;
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
  pushOf: ReadonlyMap<string, string>,
  tableOf: (name: string) => string | undefined,
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
    const from = tableOf(r.fromTable);
    const to = tableOf(r.toTable);
    if (from === undefined || to === undefined || !keptColumns.has(xkey(from, r.fromColumn)) || !keptColumns.has(xkey(to, r.toColumn))) {
      drop(r, 'endDropped', `${ends}: an end of the relationship is not in the push dataset`);
      continue;
    }
    if (from === to) {
      drop(r, 'selfRelationship', `${ends}: both ends are the same table${r.fromTable !== r.toTable ? ` (the names differ only in letter case; ${CASE_NOTE})` : ''}, which a relationship cannot join`);
      continue;
    }
    if (survivors.length >= PUSH_LIMITS.relationships) {
      drop(r, 'relationshipLimit', `over the push limit of ${PUSH_LIMITS.relationships} relationships (the first ${PUSH_LIMITS.relationships} in model order are kept)`);
      continue;
    }
    survivors.push({ r: { ...r, fromTable: from, toTable: to }, swapped: card === 'one-many' });
  }
  const names = uniquePushNames(survivors.map((s) => s.r.name));
  return survivors.map(({ r, swapped }) => {
    // Push: from = the many (foreign-key) side, to = the one side (docs/fabric-rest.md#push-datasets).
    const [ft, fc, tt, tc] = swapped ? [r.toTable, r.toColumn, r.fromTable, r.fromColumn] : [r.fromTable, r.fromColumn, r.toTable, r.toColumn];
    const name = names.get(r.name) as string;
    const changes: string[] = [];
    if (name !== r.name) changes.push(`renamed to '${name}'`);
    if (swapped) changes.push('ends swapped so that from is the many side');
    if (pushOf.get(ft) !== ft || pushOf.get(tt) !== tt) changes.push('table names sanitised or made unique');
    add(changes.length > 0
      ? { kind: 'relationship', name: r.name, action: 'changed', reason: name !== r.name ? 'renamed' : swapped ? 'reversed' : 'tableRenamed', detail: changes.join('; '), ...(name !== r.name ? { pushName: name } : {}) }
      : { kind: 'relationship', name: r.name, action: 'kept' });
    return {
      name,
      fromTable: pushOf.get(ft) as string,
      fromColumn: fc,
      toTable: pushOf.get(tt) as string,
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
