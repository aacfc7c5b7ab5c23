// Which measures survive the push conversion, by a scan of their DAX references (dax-refs.ts):
// a measure is dropped when it has no expression, when it uses USERELATIONSHIP (push relationships are all active, so the
// function has nothing to activate), when its table is dropped, or when it references a dropped
// table, column, DAX function or — transitively — a dropped measure (docs/architecture.md#push-conversion, issue 4).
// Unqualified `[X]` resolves to a measure of the model (measure names are model-global) or else a
// column of the measure's own table; names are compared case-insensitively, as DAX does.
import type { SemanticModel } from '../../schema/model.js';
import { scanDax, rewriteDaxTables, type DaxScan } from './dax-refs.js';
import { allMeasures } from '../../schema/walk.js';

export interface MeasureDecision {
  table: string;
  name: string;
  /** The expression to publish (table references renamed), when kept. */
  expression?: string;
  rewritten: boolean;
  /** Source name of the kept table that hosts the measure when its own table is dropped. */
  movedTo?: string;
  dropReason?: 'noExpression' | 'tableDropped' | 'usesUserelationship' | 'referencesDropped' | 'unparsableExpression' | 'nameConflict';
  detail?: string;
  /** A transitive drop: the dropped measures it depends on, nearest first, down to the one dropped for its own reason. */
  chain?: string[];
}

export interface MeasureContext {
  /** Lower-cased table name → push name, for kept tables. */
  keptTables: ReadonlyMap<string, string>;
  /** Lower-cased `table\u0000column` of kept columns. */
  keptColumns: ReadonlySet<string>;
  /**
   * Source name of the kept table that hosts measures whose own table is dropped (a calculated
   * "measure table" is common: measures are model-global, so they keep working from any table).
   */
  host?: string;
}

const key = (t: string, c: string): string => `${t.toLowerCase()}\u0000${c.toLowerCase()}`;

interface Node {
  table: string;
  name: string;
  scan: DaxScan;
  direct?: { reason: NonNullable<MeasureDecision['dropReason']>; detail: string };
  deps: string[];
}

export function decideMeasures(model: SemanticModel, ctx: MeasureContext): MeasureDecision[] {
  const tableNames = new Set(model.tables.map((t) => t.name.toLowerCase()));
  const columnsOf = new Map<string, Set<string>>();
  for (const t of model.tables) columnsOf.set(t.name.toLowerCase(), new Set(t.columns.map((c) => c.name.toLowerCase())));
  const measureNames = new Set(allMeasures(model).map((m) => m.name.toLowerCase()));
  const functionNames = new Set(model.functions.map((f) => f.name.toLowerCase()));

  const nodes = new Map<string, Node>();
  for (const t of model.tables) {
    for (const m of t.measures) {
      const scan = scanDax(m.expression);
      const node: Node = { table: t.name, name: m.name, scan, deps: [] };
      const missing: string[] = [];
      const tableGone = (name: string): void => {
        if (!ctx.keptTables.has(name.toLowerCase())) missing.push(`table '${name}'`);
      };
      for (const r of scan.refs) {
        if (r.kind === 'function') {
          if (r.name.toUpperCase() === 'USERELATIONSHIP') {
            node.direct ??= { reason: 'usesUserelationship', detail: 'uses USERELATIONSHIP, which needs an inactive relationship (push relationships are all active)' };
          } else if (functionNames.has(r.name.toLowerCase())) {
            missing.push(`function ${r.name}`);
          }
        } else if (r.kind === 'table') {
          // `T[X]` is judged at its column reference (X may be a measure, which needs no table).
          if (!r.qualifies && tableNames.has(r.name.toLowerCase())) tableGone(r.name);
        } else if (r.kind === 'name') {
          const lower = r.name.toLowerCase();
          if (tableNames.has(lower) && !scan.variables.has(lower)) tableGone(r.name);
        } else if (r.table !== undefined) {
          const t2 = r.table.toLowerCase();
          if (!tableNames.has(t2)) continue; // a variable table or a table built in the expression
          if (columnsOf.get(t2)?.has(r.name.toLowerCase())) {
            if (!ctx.keptColumns.has(key(t2, r.name))) missing.push(`column '${r.table}'[${r.name}]`);
          } else if (measureNames.has(r.name.toLowerCase())) {
            node.deps.push(r.name.toLowerCase());
          } else {
            tableGone(r.table);
          }
        } else {
          const lower = r.name.toLowerCase();
          if (measureNames.has(lower)) node.deps.push(lower);
          else if (columnsOf.get(t.name.toLowerCase())?.has(lower) && !ctx.keptColumns.has(key(t.name, r.name))) {
            missing.push(`column [${r.name}]`);
          }
          // Anything else is a column of a table built inside the expression (ADDCOLUMNS …).
        }
      }
      // The Push API requires a measure expression; an empty one is no measure at all (issue 13).
      if (m.expression.trim() === '') node.direct = { reason: 'noExpression', detail: 'it has no DAX expression (a push measure needs one)' };
      else if (scan.error) node.direct = { reason: 'unparsableExpression', detail: `its DAX cannot be scanned (${scan.error})` };
      else if (!ctx.keptTables.has(t.name.toLowerCase()) && ctx.host === undefined)
        node.direct = { reason: 'tableDropped', detail: `its table '${t.name}' is not in the push dataset` };
      else if (!node.direct && missing.length > 0) {
        const uniq = [...new Set(missing)];
        node.direct = { reason: 'referencesDropped', detail: `references ${uniq.join(', ')}, not in the push dataset` };
      }
      if (!node.direct && !ctx.keptTables.has(t.name.toLowerCase()) && ctx.host !== undefined) {
        const hostCols = columnsOf.get(ctx.host.toLowerCase());
        if (hostCols?.has(m.name.toLowerCase()))
          node.direct = { reason: 'nameConflict', detail: `its table '${t.name}' is not pushed and its name clashes with a column of '${ctx.host}', where it would move` };
      }
      nodes.set(m.name.toLowerCase(), node);
    }
  }

  // Transitive closure: drop measures whose dependencies are dropped, until nothing changes.
  const dropped = new Map<string, { reason: NonNullable<MeasureDecision['dropReason']>; detail: string; via?: string }>();
  for (const [k, n] of nodes) if (n.direct) dropped.set(k, n.direct);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [k, n] of nodes) {
      if (dropped.has(k)) continue;
      const bad = n.deps.find((d) => dropped.has(d));
      if (bad !== undefined) {
        const by = nodes.get(bad);
        dropped.set(k, { reason: 'referencesDropped', detail: `references measure [${by?.name ?? bad}], which is dropped`, via: bad });
        changed = true;
      }
    }
  }

  const renamed = new Map<string, string>();
  for (const t of model.tables) {
    // DAX resolves a name to the first table that bears it in any letter case (plan.ts keptTables).
    if (renamed.has(t.name.toLowerCase()) || model.tables.find((x) => x.name.toLowerCase() === t.name.toLowerCase()) !== t) continue;
    const to = ctx.keptTables.get(t.name.toLowerCase());
    if (to !== undefined && to !== t.name) renamed.set(t.name.toLowerCase(), to);
  }
  const rename = (name: string): string | undefined => renamed.get(name.toLowerCase());
  // A measure referenced through a table that is not pushed: drop the qualifier.
  const unqualify = (table: string, name: string): boolean =>
    !ctx.keptTables.has(table.toLowerCase()) &&
    measureNames.has(name.toLowerCase()) &&
    !columnsOf.get(table.toLowerCase())?.has(name.toLowerCase());
  const out: MeasureDecision[] = [];
  for (const t of model.tables) {
    for (const m of t.measures) {
      const n = nodes.get(m.name.toLowerCase()) as Node;
      const d = dropped.get(m.name.toLowerCase());
      if (d) {
        const decision: MeasureDecision = { table: t.name, name: m.name, rewritten: false, dropReason: d.reason, detail: d.detail };
        if (d.via !== undefined) decision.chain = chainOf(d.via, dropped, nodes);
        out.push(decision);
        continue;
      }
      const expression = rewriteDaxTables(m.expression, n.scan, rename, tableNames, unqualify);
      const decision: MeasureDecision = { table: t.name, name: m.name, expression, rewritten: expression !== m.expression };
      if (!ctx.keptTables.has(t.name.toLowerCase()) && ctx.host !== undefined) decision.movedTo = ctx.host;
      out.push(decision);
    }
  }
  return out;
}

/** The measures a transitive drop goes through: `via`, then what dropped it, down to a measure dropped for its own reason. */
function chainOf(via: string, dropped: ReadonlyMap<string, { via?: string }>, nodes: ReadonlyMap<string, Node>): string[] {
  const chain: string[] = [];
  const seen = new Set<string>();
  for (let k: string | undefined = via; k !== undefined && !seen.has(k); k = dropped.get(k)?.via) {
    seen.add(k);
    chain.push(nodes.get(k)?.name ?? k);
  }
  return chain;
}
