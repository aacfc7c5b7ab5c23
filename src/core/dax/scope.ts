// Internal state of one translation: the evaluation context DAX would have at a point of the
// expression (the CALCULATE filters in force, the row context of an iterator, the variables in
// scope) and the one way translation stops, `Untranslatable`, which translate.ts turns into an
// `untranslated` result. Nothing here leaves the module.
import type { DaxNode, Span } from './ast.js';
import type { UntranslatedCause } from './context.js';
import type { SqlExpr } from './sql.js';

/** A row filter that a CALCULATE or FILTER adds, applied inside every aggregate it reaches. */
export interface RowFilter {
  /** Model table whose columns the predicate reads. */
  table: string;
  /** Lower-cased columns the predicate reads. */
  columns: readonly string[];
  /** Two-valued SQL predicate over one row. */
  predicate: string;
  /**
   * A plain CALCULATE filter: it replaces the query's (and outer CALCULATEs') filters on its
   * columns. KEEPFILTERS and FILTER(T, …) filters intersect instead.
   */
  replaces: boolean;
  /** From FILTER(T, …): exact only for aggregations over T itself (see docs/dax-to-sql.md). */
  sameTableOnly: boolean;
  /** `'Product'[Color]`, for messages. */
  label: string;
}

/** A VAR binding, translated on first use in the scope where it was declared. */
export interface VarBinding {
  node: DaxNode;
  scope: Scope;
  value?: SqlExpr;
}

export interface Scope {
  /** The measure's home table, which unqualified `[Column]` references name. */
  home: string;
  filters: readonly RowFilter[];
  vars: ReadonlyMap<string, VarBinding>;
  /** Row context of an iterator (SUMX, FILTER, …): the table whose current row columns read. */
  row?: string;
  /** Measures being translated, outermost first (cycle detection and messages). */
  stack: readonly string[];
}

export class Untranslatable extends Error {
  constructor(
    readonly code: UntranslatedCause,
    message: string,
    readonly at?: Span,
    /** False when the message quotes another measure's failure, whose own position it already names. */
    readonly located = true,
  ) {
    super(message);
  }
}

/** `'Table'[Column]` as DAX writes it. */
export const columnLabel = (table: string, column: string): string => `'${table.replace(/'/g, "''")}'[${column.replace(/]/g, ']]')}]`;

/** A stable key for the filters applied to an aggregation over `table`. */
export const filterKey = (table: string, predicates: readonly string[]): string =>
  `${table.toLowerCase()}\u0000${[...predicates].sort().join('\u0001')}`;

/** The documented differences behind an `approximate` grade (docs/dax-to-sql.md). */
export const APPROX = {
  division:
    'the / operator returns Infinity or NaN in DAX when the divisor is 0 or BLANK; the SQL returns NULL there (Snowflake would raise division by zero otherwise) — DIVIDE() translates exactly',
  currency:
    'Fixed Decimal (currency) products and quotients are rounded to 4 decimal places by DAX; the SQL keeps full precision',
  collation: 'text ordering follows the model collation (case-insensitive) in DAX and binary order in SQL',
  blankLogic: 'a logical operation over BLANK operands can return BLANK in DAX; the SQL returns FALSE',
  negation: 'whether unary minus keeps a BLANK operand BLANK or makes it 0 is not modelled; the SQL keeps NULL',
  power: 'a non-integer or negative exponent can give NaN or Infinity in DAX where SQL differs',
  switchBlank: 'SWITCH compares a BLANK value with a 0, "" or FALSE case value; whether DAX matches them is not modelled',
  concat: 'BLANK & BLANK is BLANK in DAX; the SQL gives an empty string',
} as const;
