// The canonical form of a SemanticModel: what the fingerprint hashes and what the warehouse stores as
// the model's DEFINITION (docs/architecture.md#warehouse). Issue 2 item 4: the fingerprint must ignore formatting, the
// order of files and objects, and line-ending / trailing-whitespace noise in expressions, but change
// with any schema change. So: every named collection is sorted by name (code-unit order, never
// locale-dependent), expressions are normalised, absent properties stay absent. Hierarchy levels keep
// their order (it is meaningful) unless ordinals say otherwise.
import type {
  CalculationItem,
  Column,
  Hierarchy,
  HierarchyLevel,
  Measure,
  Partition,
  Relationship,
  Role,
  SemanticModel,
  Table,
} from './model.js';

/**
 * CRLF/CR → LF, trailing whitespace of every line and blank lines before and after the text dropped.
 * Leading blank lines matter to neither DAX nor M; TMSL keeps the line break a user typed after `=`
 * (`["", "DIVIDE(", …]`) where TMDL cannot, since a multi-line TMDL expression starts on the next line.
 */
export function normalizeExpression(s: string): string {
  return s
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.replace(/[ \t]+$/, ''))
    .join('\n')
    .replace(/^\n+/, '')
    .replace(/\n+$/, '');
}

function byKey<T>(key: (x: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
}
const byName = byKey<{ name: string }>((x) => x.name);

function clean<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) {
    const v = (o as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = v;
  }
  return out as T;
}

function ex(s: string | undefined): string | undefined {
  return s === undefined ? undefined : normalizeExpression(s);
}

function column(c: Column): Column {
  return clean({ ...c, expression: ex(c.expression) });
}

function measure(m: Measure): Measure {
  return clean({ ...m, expression: ex(m.expression)! });
}

function level(l: HierarchyLevel): HierarchyLevel {
  return clean({ ...l });
}

function hierarchy(h: Hierarchy): Hierarchy {
  const levels = h.levels.map(level);
  if (levels.every((l) => l.ordinal !== undefined)) levels.sort((a, b) => a.ordinal! - b.ordinal!);
  return clean({ ...h, levels });
}

function item(i: CalculationItem): CalculationItem {
  return clean({ ...i, expression: ex(i.expression)!, formatStringExpression: ex(i.formatStringExpression) });
}

function partition(p: Partition): Partition {
  return clean({ ...p, expression: ex(p.expression) });
}

function table(t: Table): Table {
  return clean({
    ...t,
    partitions: t.partitions.map(partition).sort(byName),
    columns: t.columns.map(column).sort(byName),
    measures: t.measures.map(measure).sort(byName),
    hierarchies: t.hierarchies.map(hierarchy).sort(byName),
    calculationGroup: t.calculationGroup
      ? clean({ ...t.calculationGroup, items: t.calculationGroup.items.map(item).sort(byName) })
      : undefined,
  });
}

const relKey = (r: Relationship) => `${r.name}\u0000${r.fromTable}\u0000${r.fromColumn}\u0000${r.toTable}\u0000${r.toColumn}`;

function role(r: Role): Role {
  return clean({
    ...r,
    tablePermissions: r.tablePermissions
      .map((p) => clean({ ...p, filterExpression: ex(p.filterExpression) }))
      .sort(byKey((p) => p.table)),
  });
}

/**
 * The sorted, normalised plain copy of a model. Idempotent: canonicalModel(canonicalModel(m)) deep-equals
 * canonicalModel(m), so a stored definition re-fingerprints to the same value.
 */
export function canonicalModel(model: SemanticModel): SemanticModel {
  return clean({
    ...model,
    tables: model.tables.map(table).sort(byName),
    relationships: model.relationships.map((r) => clean({ ...r })).sort(byKey(relKey)),
    roles: model.roles.map(role).sort(byName),
    perspectives: model.perspectives.map((p) => clean({ ...p, tables: [...p.tables].sort() })).sort(byName),
    cultures: [...model.cultures].sort(),
    expressions: model.expressions.map((e) => clean({ ...e, expression: ex(e.expression)! })).sort(byName),
    functions: model.functions.map((f) => clean({ ...f, expression: ex(f.expression)! })).sort(byName),
  });
}
