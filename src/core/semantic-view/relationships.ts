// Which Power BI relationships a semantic view can express (pure). A semantic-view relationship is
// a foreign key: `many_table (fk) REFERENCES one_table (key)`, many-to-one or one-to-one, with no
// self-reference, no cycle and one join path per pair of tables
// (https://docs.snowflake.com/en/user-guide/views-semantic/validation-rules). Every other Power BI
// relationship is reported with the reason it was left out.
import type { Relationship, SemanticModel } from '../schema/model.js';
import { uniqueLogicalNames } from './names.js';

export interface PlannedRelationship {
  source: Relationship;
  /** Logical relationship name, unique among the planned ones. */
  name: string;
  cardinality: 'many-to-one' | 'one-to-one';
  /** The referencing side (many, or the `from` side of a one-to-one). */
  fromTable: string;
  fromColumn: string;
  /** The referenced side: its column becomes a primary key or UNIQUE key. */
  toTable: string;
  toColumn: string;
  /** What Power BI behaviour the view does not keep, if any. */
  note?: string;
}

export interface SkippedRelationship {
  source: Relationship;
  reason: string;
}

export interface RelationshipPlan {
  relationships: PlannedRelationship[];
  skipped: SkippedRelationship[];
}

export interface RelationshipOptions {
  /** Tables that will be in the view (those with a Snowflake source); default every table. */
  tables?: ReadonlySet<string>;
}

type Oriented = Omit<PlannedRelationship, 'name'>;

function orient(r: Relationship): Oriented | string {
  const from = { table: r.fromTable, column: r.fromColumn };
  const to = { table: r.toTable, column: r.toColumn };
  const make = (cardinality: Oriented['cardinality'], a: typeof from, b: typeof to): Oriented => ({
    source: r, cardinality, fromTable: a.table, fromColumn: a.column, toTable: b.table, toColumn: b.column,
    ...(r.crossFilteringBehavior === 'bothDirections'
      ? { note: 'bidirectional cross-filtering is not kept: the view joins along the relationship only' } : {}),
  });
  const c = `${r.fromCardinality}-${r.toCardinality}`;
  if (c === 'many-one') return make('many-to-one', from, to);
  if (c === 'one-many') return make('many-to-one', to, from);
  if (c === 'one-one') return make('one-to-one', from, to);
  if (c === 'many-many') return 'many-to-many: a semantic-view relationship must reference a primary or unique key';
  return `cardinality ${r.fromCardinality}-to-${r.toCardinality} has no key side`;
}

function reaches(edges: ReadonlyMap<string, readonly string[]>, start: string, goal: string): boolean {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node === goal) return true;
    if (seen.has(node)) continue;
    seen.add(node);
    stack.push(...(edges.get(node) ?? []));
  }
  return false;
}

/** The relationships of `model` a semantic view can carry, in model order, and the others with reasons. */
export function planRelationships(model: SemanticModel, options: RelationshipOptions = {}): RelationshipPlan {
  const kept: Oriented[] = [];
  const skipped: SkippedRelationship[] = [];
  const pairs = new Map<string, string>();
  const edges = new Map<string, string[]>();
  for (const r of model.relationships) {
    const skip = (reason: string): void => { skipped.push({ source: r, reason }); };
    if (!r.isActive) { skip('inactive: only USERELATIONSHIP uses it, and a semantic view has no equivalent'); continue; }
    const missing = [r.fromTable, r.toTable].find((t) => options.tables !== undefined && !options.tables.has(t));
    if (missing !== undefined) { skip(`table '${missing}' is not in the view (no Snowflake source)`); continue; }
    if (r.fromTable === r.toTable) { skip('self-referencing: a semantic-view table cannot reference itself'); continue; }
    const o = orient(r);
    if (typeof o === 'string') { skip(o); continue; }
    const pair = [o.fromTable, o.toTable].sort().join('\u0000');
    const first = pairs.get(pair);
    if (first !== undefined) { skip(`second path between '${o.fromTable}' and '${o.toTable}' (relationship '${first}' is kept)`); continue; }
    if (reaches(edges, o.toTable, o.fromTable)) {
      skip(`would close a circular path back to '${o.fromTable}': semantic views refuse cycles`);
      continue;
    }
    pairs.set(pair, r.name);
    edges.set(o.fromTable, [...(edges.get(o.fromTable) ?? []), o.toTable]);
    kept.push(o);
  }
  const names = uniqueLogicalNames(kept.map((o) => `${o.fromTable} to ${o.toTable}`));
  return {
    relationships: kept.map((o) => ({ ...o, name: names.get(`${o.fromTable} to ${o.toTable}`)! })),
    skipped,
  };
}
