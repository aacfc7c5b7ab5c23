// What changed between two versions of a model (issue 14 item 7): tables, columns, measures (with a
// line diff of the DAX), relationships, and the model's other named objects — computed from two
// canonical definitions as _SEMANTIC_MODEL_VERSIONS stores them. Pure: no I/O.
import type { Column, Measure, Relationship, SemanticModel, Table } from '../schema/model.js';
import { diffLines, type DiffLine } from './text-diff.js';

export interface PropertyChange {
  property: string;
  from: unknown;
  to: unknown;
}

export interface ObjectRef {
  table?: string;
  name: string;
}

export interface Changed<R extends ObjectRef = ObjectRef> {
  ref: R;
  changes: PropertyChange[];
}

export interface Section<R extends ObjectRef = ObjectRef, C extends Changed<R> = Changed<R>> {
  added: R[];
  removed: R[];
  changed: C[];
}

export interface MeasureChange extends Changed {
  /** The DAX line diff, when the expression changed. */
  dax?: DiffLine[];
}

export interface RelationshipRef extends ObjectRef {
  /** `'From'[Col] → 'To'[Col]`: how a relationship is recognised across versions. */
  ends: string;
}

export interface ModelDiff {
  tables: Section;
  columns: Section;
  measures: Section<ObjectRef, MeasureChange>;
  relationships: Section<RelationshipRef>;
  /** Roles, perspectives, shared expressions, functions, cultures, and the model's own properties. */
  other: Section<ObjectRef & { kind: string }>;
  /** True when nothing differs. */
  same: boolean;
}

type Model = Partial<SemanticModel>;

/** Properties compared directly; nested collections are compared as their own sections. */
const TABLE_NESTED = new Set(['name', 'columns', 'measures']);

export function diffModels(fromDef: unknown, toDef: unknown): ModelDiff {
  const a = asModel(fromDef);
  const b = asModel(toDef);
  const tablesA = byName(a.tables ?? []);
  const tablesB = byName(b.tables ?? []);

  const tables = sectionOf(tablesA, tablesB, (t) => ({ name: t.name }), (x, y) => propertyChanges(x, y, TABLE_NESTED));

  const columns: Section = { added: [], removed: [], changed: [] };
  // Columns of a table that exists in both versions; an added or removed table speaks for its columns.
  for (const [key, ta] of tablesA) {
    const tb = tablesB.get(key);
    if (!tb) continue;
    const s = sectionOf(byName<Column>(ta.columns ?? []), byName<Column>(tb.columns ?? []), (c) => ({ table: tb.name, name: c.name }), (x, y) => propertyChanges(x, y, new Set(['name'])));
    columns.added.push(...s.added);
    columns.removed.push(...s.removed);
    columns.changed.push(...s.changed);
  }

  // Measure names are model-wide in DAX: a measure that moved to another table is a change, not a removal and an addition.
  const measuresOf = (m: Model) => new Map((m.tables ?? []).flatMap((t: Table) => (t.measures ?? []).map((x: Measure) => [x.name, { table: t.name, measure: x }] as const)));
  const ma = measuresOf(a);
  const mb = measuresOf(b);
  const measures: Section<ObjectRef, MeasureChange> = { added: [], removed: [], changed: [] };
  for (const [name, x] of mb) if (!ma.has(name)) measures.added.push({ table: x.table, name });
  for (const [name, x] of ma) if (!mb.has(name)) measures.removed.push({ table: x.table, name });
  for (const [name, x] of ma) {
    const y = mb.get(name);
    if (!y) continue;
    const changes = propertyChanges({ ...x.measure, table: x.table }, { ...y.measure, table: y.table }, new Set(['name']));
    if (changes.length === 0) continue;
    const expr = changes.find((c) => c.property === 'expression');
    const change: MeasureChange = { ref: { table: y.table, name }, changes };
    if (expr) change.dax = diffLines(String(x.measure.expression ?? ''), String(y.measure.expression ?? ''));
    measures.changed.push(change);
  }

  const ends = (r: Relationship) => `'${r.fromTable}'[${r.fromColumn}] → '${r.toTable}'[${r.toColumn}]`;
  const relMap = (m: Model) => {
    const out = new Map<string, Relationship>();
    for (const r of m.relationships ?? []) {
      // Two relationships between the same columns (rare) are told apart by name.
      const k = out.has(ends(r)) ? `${ends(r)} (${r.name})` : ends(r);
      out.set(k, r);
    }
    return out;
  };
  const relationships = sectionOf(relMap(a), relMap(b), (r): RelationshipRef => ({ name: r.name, ends: ends(r) }), (x, y) => propertyChanges(x, y, new Set(['name', 'fromTable', 'fromColumn', 'toTable', 'toColumn'])));

  const other: ModelDiff['other'] = { added: [], removed: [], changed: [] };
  const named = (kind: string, xs: Array<{ name: string }> | undefined, ys: Array<{ name: string }> | undefined) => {
    const s = sectionOf(byName(xs ?? []), byName(ys ?? []), (o) => ({ kind, name: o.name }), (x, y) => propertyChanges(x, y, new Set(['name'])));
    other.added.push(...s.added);
    other.removed.push(...s.removed);
    other.changed.push(...s.changed);
  };
  named('role', a.roles, b.roles);
  named('perspective', a.perspectives, b.perspectives);
  named('expression', a.expressions, b.expressions);
  named('function', a.functions, b.functions);
  const cultures = (m: Model) => (m.cultures ?? []).map((c) => ({ name: typeof c === 'string' ? c : String((c as { name?: unknown }).name) }));
  named('culture', cultures(a), cultures(b));
  const modelChanges = propertyChanges(a, b, new Set(['tables', 'relationships', 'roles', 'perspectives', 'expressions', 'functions', 'cultures']));
  if (modelChanges.length > 0) other.changed.push({ ref: { kind: 'model', name: String(b.name ?? a.name ?? '') }, changes: modelChanges });

  const sections = [tables, columns, measures, relationships, other];
  return { tables, columns, measures, relationships, other, same: sections.every((s) => s.added.length + s.removed.length + s.changed.length === 0) };
}

function asModel(def: unknown): Model {
  return def !== null && typeof def === 'object' && !Array.isArray(def) ? (def as Model) : {};
}

function byName<T extends { name: string }>(xs: readonly T[]): Map<string, T> {
  return new Map(xs.map((x) => [x.name, x]));
}

function sectionOf<T, R extends ObjectRef>(a: Map<string, T>, b: Map<string, T>, ref: (x: T) => R, compare: (x: T, y: T) => PropertyChange[]): Section<R> {
  const out: Section<R> = { added: [], removed: [], changed: [] };
  for (const [k, y] of b) if (!a.has(k)) out.added.push(ref(y));
  for (const [k, x] of a) if (!b.has(k)) out.removed.push(ref(x));
  for (const [k, x] of a) {
    const y = b.get(k);
    if (y === undefined) continue;
    const changes = compare(x, y);
    if (changes.length > 0) out.changed.push({ ref: ref(y), changes });
  }
  return out;
}

/** Top-level properties that differ (nested values compared as JSON; `skip` left out). */
export function propertyChanges(x: object, y: object, skip: ReadonlySet<string>): PropertyChange[] {
  const xr = x as Record<string, unknown>;
  const yr = y as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(xr), ...Object.keys(yr)])].filter((k) => !skip.has(k)).sort();
  const out: PropertyChange[] = [];
  for (const k of keys) {
    if (stableJson(xr[k]) !== stableJson(yr[k])) out.push({ property: k, from: xr[k], to: yr[k] });
  }
  return out;
}

/** JSON with object keys sorted: a warehouse may hand back a stored definition with its keys reordered. */
function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : value,
  ) ?? 'undefined';
}
