// The values the lineage evaluator computes for M expressions. Only what lineage needs is modelled:
// constants (for names, parameters and filters), the Snowflake navigation levels, and a table whose
// origin is known. Everything else is `foreign` (a known non-Snowflake source) or `unknown` (with the
// reason), so a value never pretends to be more than the M says.
import type { MNode } from './m-parse.js';
import type { LineageConnection, LineageFilter, LineageSource, LineageStep } from './types.js';

/** Where an M output column comes from: a source column, or computed in M (with the step that did it). */
export type ColumnOrigin = { source: string } | { derived: string };

/**
 * The columns of a table value, as a map from M output name to origin. With `passthrough`, a name
 * not listed (and not hidden by a rename or removal) is a source column of the same name: the
 * source's full column list is unknown here and need not be.
 */
export interface ColumnMap {
  explicit: ReadonlyMap<string, ColumnOrigin>;
  passthrough: boolean;
  hidden: ReadonlySet<string>;
}

export interface TableState {
  source: LineageSource;
  connection?: LineageConnection;
  columns: ColumnMap;
  steps: readonly LineageStep[];
  filters: readonly LineageFilter[];
  /** Names of the steps that made the lineage approximate, in order. */
  approximate: readonly string[];
}

export type MValue =
  | { t: 'text'; v: string }
  | { t: 'number'; v: number }
  | { t: 'logical'; v: boolean }
  | { t: 'null' }
  /** `#date` / `#datetime`: kept as the Snowflake literal a filter would use. */
  | { t: 'datetime'; sql: string; m: string }
  | { t: 'record'; fields: ReadonlyMap<string, MValue> }
  | { t: 'list'; items: readonly MValue[] }
  /** `Snowflake.Databases(…)` and its database / schema navigation tables. */
  | { t: 'nav'; level: 'account' | 'database' | 'schema'; connection: LineageConnection; database?: string; schema?: string }
  /** One row of a navigation table (`Source{[Name="X",Kind="Database"]}`); `[Data]` is `target`. */
  | { t: 'navrow'; target: MValue }
  | { t: 'table'; state: TableState }
  /** A library function not yet invoked (`Text.Proper` passed as an argument). */
  | { t: 'function'; name: string }
  /** `each …` or `(r) => …`, kept unevaluated for the step that receives it. */
  | { t: 'lambda'; node: MNode; text: string }
  /** A known source that is not Snowflake (Excel, SQL Server, a Lakehouse, entered data, …). */
  | { t: 'foreign'; reason: string }
  /** `parseError`: the value depends on a shared query whose M does not parse. */
  | { t: 'unknown'; reason: string; parseError?: boolean };

export const unknown = (reason: string): MValue => ({ t: 'unknown', reason });

export function lookupColumn(columns: ColumnMap, name: string): ColumnOrigin | undefined {
  const explicit = columns.explicit.get(name);
  if (explicit) return explicit;
  if (columns.passthrough && !columns.hidden.has(name)) return { source: name };
  return undefined;
}

/** The columns of a freshly navigated object or query: every column passes through. */
export const ALL_COLUMNS: ColumnMap = { explicit: new Map(), passthrough: true, hidden: new Set() };

/** A short, readable rendering of a value for reasons and details. */
export function describeValue(value: MValue): string {
  switch (value.t) {
    case 'text':
      return `"${value.v}"`;
    case 'number':
      return String(value.v);
    case 'logical':
      return String(value.v);
    case 'null':
      return 'null';
    case 'datetime':
      return value.m;
    case 'unknown':
      return `an unknown value (${value.reason})`;
    case 'foreign':
      return `a non-Snowflake value (${value.reason})`;
    default:
      return `a ${value.t}`;
  }
}
