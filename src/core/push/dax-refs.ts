// A small DAX reference scanner (issue 4: "a real scan of the DAX references, not a substring
// guess"). It skips string literals ("…" with "" escapes) and comments (//, --, /* */), and yields
// the references a measure makes: table names ('Quoted Name' or a bare identifier before `[`),
// column/measure references ([X] and T[X]), function names (identifier before `(`) and other bare
// identifiers (a table such as COUNTROWS(Sales), a variable or a keyword — the resolver decides).
// Positions let the planner rewrite renamed tables in place.

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

const IDENT_START = /[A-Za-z_\u00C0-\uFFFF]/;
const IDENT_PART = /[A-Za-z0-9_.\u00C0-\uFFFF]/;

/** Scans a DAX expression for its references. Never throws; see `error`. */
export function scanDax(text: string): DaxScan {
  const refs: DaxRef[] = [];
  const variables = new Set<string>();
  let i = 0;
  let lastIdent = '';
  const n = text.length;

  // Reads a delimited token (`'…'` or `[…]`) where the closing delimiter is escaped by doubling.
  const readDelimited = (open: number, close: string): { value: string; end: number } | null => {
    let j = open + 1;
    let value = '';
    while (j < n) {
      const c = text[j] as string;
      if (c === close) {
        if (text[j + 1] === close) {
          value += close;
          j += 2;
          continue;
        }
        return { value, end: j + 1 };
      }
      value += c;
      j += 1;
    }
    return null;
  };

  while (i < n) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if ((c === '/' && next === '/') || (c === '-' && next === '-')) {
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? n : eol + 1;
      continue;
    }
    if (c === '/' && next === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) return { refs, variables, error: 'unterminated /* comment' };
      i = close + 2;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      for (;;) {
        if (j >= n) return { refs, variables, error: 'unterminated string literal' };
        if (text[j] === '"') {
          if (text[j + 1] === '"') {
            j += 2;
            continue;
          }
          break;
        }
        j += 1;
      }
      i = j + 1;
      lastIdent = '';
      continue;
    }
    if (c === "'") {
      const t = readDelimited(i, "'");
      if (!t) return { refs, variables, error: 'unterminated quoted table name' };
      const tableRef: DaxRef = { kind: 'table', name: t.value, quoted: true, start: i, end: t.end };
      refs.push(tableRef);
      i = t.end;
      // 'T' [Col]: whitespace between a quoted table and its column is allowed.
      let k = i;
      while (k < n && /\s/.test(text[k] as string)) k += 1;
      if (text[k] === '[') {
        const col = readDelimited(k, ']');
        if (!col) return { refs, variables, error: 'unterminated [ reference' };
        tableRef.qualifies = true;
        refs.push({ kind: 'column', table: t.value, name: col.value, start: k, end: col.end });
        i = col.end;
      }
      lastIdent = '';
      continue;
    }
    if (c === '[') {
      const col = readDelimited(i, ']');
      if (!col) return { refs, variables, error: 'unterminated [ reference' };
      refs.push({ kind: 'column', name: col.value, start: i, end: col.end });
      i = col.end;
      lastIdent = '';
      continue;
    }
    if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < n && IDENT_PART.test(text[j] as string)) j += 1;
      const name = text.slice(i, j);
      if (text[j] === '[') {
        // Bare table before a column: only when adjacent (`RETURN [M]` is not a table).
        const col = readDelimited(j, ']');
        if (!col) return { refs, variables, error: 'unterminated [ reference' };
        refs.push({ kind: 'table', name, quoted: false, qualifies: true, start: i, end: j });
        refs.push({ kind: 'column', table: name, name: col.value, start: j, end: col.end });
        i = col.end;
        lastIdent = '';
        continue;
      }
      let k = j;
      while (k < n && /\s/.test(text[k] as string)) k += 1;
      if (text[k] === '(') {
        refs.push({ kind: 'function', name, start: i, end: j });
      } else {
        if (lastIdent.toUpperCase() === 'VAR') variables.add(name.toLowerCase());
        else refs.push({ kind: 'name', name, start: i, end: j });
      }
      lastIdent = name;
      i = j;
      continue;
    }
    // Numbers, operators, punctuation: not references.
    lastIdent = '';
    i += 1;
  }
  return { refs, variables };
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
