// A small DAX reference scanner (issue 4: "a real scan of the DAX references, not a substring
// guess"). It skips string literals ("…" with "" escapes) and comments (//, --, /* */), and yields
// the references a measure makes: table names ('Quoted Name' or a bare identifier before `[`),
// column/measure references ([X] and T[X]), function names (identifier before `(`) and other bare
// identifiers (a table such as COUNTROWS(Sales), a variable or a keyword — the resolver decides).
// Positions let the planner rewrite renamed tables in place. Tokens come from the DAX lexer that
// the expression parser uses (src/core/dax/lexer.ts).
import { lexDax, type Token } from '../../dax/lexer.js';

export type DaxRef =
  /** A table name token: `'Sales Fact'` (quoted) or `Sales` before `[`; `qualifies` when a `[X]` follows. */
  | { kind: 'table'; name: string; quoted: boolean; qualifies?: boolean; start: number; end: number }
  /** `[X]` alone or `T[X]`; `table` is set for the qualified form. Span covers the brackets only. */
  | { kind: 'column'; table?: string; name: string; start: number; end: number }
  /** An identifier followed by `(`. */
  | { kind: 'function'; name: string; start: number; end: number }
  /** Any other bare identifier (a table used as an argument, a variable, a keyword). */
  | { kind: 'name'; name: string; start: number; end: number };

export interface DaxScan {
  refs: DaxRef[];
  /** Names declared with `VAR x =` (lower-cased): a bare `x` is then not a table. */
  variables: Set<string>;
  /** Set when the text cannot be scanned (an unterminated string, quoted name, bracket or comment). */
  error?: string;
}

/** Scans a DAX expression for its references. Never throws; see `error`. */
export function scanDax(text: string): DaxScan {
  // The tokens come from the shared DAX lexer, so strings, comments and escapes are read exactly
  // as the expression parser reads them.
  const { tokens, error } = lexDax(text);
  const refs: DaxRef[] = [];
  const variables = new Set<string>();
  for (let i = 0; i < tokens.length; i += 1) {
    const t = tokens[i] as Token;
    const next = tokens[i + 1];
    if (t.kind === 'quotedName') {
      const tableRef: DaxRef = { kind: 'table', name: t.value, quoted: true, start: t.start, end: t.end };
      refs.push(tableRef);
      // 'T' [Col]: whitespace between a quoted table and its column is allowed.
      if (next?.kind === 'bracket') {
        tableRef.qualifies = true;
        refs.push({ kind: 'column', table: t.value, name: next.value, start: next.start, end: next.end });
        i += 1;
      }
    } else if (t.kind === 'bracket') {
      refs.push({ kind: 'column', name: t.value, start: t.start, end: t.end });
    } else if (t.kind === 'ident') {
      if (next?.kind === 'bracket' && next.start === t.end) {
        // Bare table before a column: only when adjacent (`RETURN [M]` is not a table).
        refs.push({ kind: 'table', name: t.value, quoted: false, qualifies: true, start: t.start, end: t.end });
        refs.push({ kind: 'column', table: t.value, name: next.value, start: next.start, end: next.end });
        i += 1;
      } else if (next?.kind === 'op' && next.value === '(') {
        refs.push({ kind: 'function', name: t.value, start: t.start, end: t.end });
      } else {
        const prev = tokens[i - 1];
        if (prev?.kind === 'ident' && prev.value.toUpperCase() === 'VAR') variables.add(t.value.toLowerCase());
        else refs.push({ kind: 'name', name: t.value, start: t.start, end: t.end });
      }
    }
    // Numbers, strings, operators, punctuation: not references.
  }
  return error ? { refs, variables, error: error.message } : { refs, variables };
}

/** Quotes a table name for DAX: `'Name'` with `'` doubled. */
export function quoteDaxTable(name: string): string {
  return `'${name.replace(/'/g, "''")}'`;
}

/**
 * Rewrites table references through `rename` (called with each referenced table name; returns the
 * new name or undefined to leave it). Renamed references are always written quoted, so
 * `Sales.Fact[Amount]` and `'Sales.Fact'[Amount]` both become `'Sales_Fact'[Amount]`.
 * `tableNames` (lower-cased) says which bare identifiers are tables rather than variables/keywords.
 * `unqualify(table, name)` → true removes the table from a `T[X]` reference (a measure whose
 * table is gone: `'Metrics'[Total]` → `[Total]`, valid because measure names are model-global).
 */
export function rewriteDaxTables(
  text: string,
  scan: DaxScan,
  rename: (table: string) => string | undefined,
  tableNames: ReadonlySet<string>,
  unqualify?: (table: string, name: string) => boolean,
): string {
  const edits: { start: number; end: number; value: string }[] = [];
  for (const [i, r] of scan.refs.entries()) {
    const next = scan.refs[i + 1];
    if (r.kind === 'table' && r.qualifies && next?.kind === 'column' && unqualify?.(r.name, next.name)) {
      edits.push({ start: r.start, end: r.end, value: '' });
      continue;
    }
    const isTable =
      r.kind === 'table' ||
      (r.kind === 'name' && tableNames.has(r.name.toLowerCase()) && !scan.variables.has(r.name.toLowerCase()));
    if (!isTable) continue;
    const to = rename(r.name);
    if (to !== undefined) edits.push({ start: r.start, end: r.end, value: quoteDaxTable(to) });
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.value + out.slice(e.end);
  return out;
}
