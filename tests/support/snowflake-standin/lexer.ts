// Snowflake SQL lexer for the stand-in (docs/snowflake.md#what-the-stand-in-implements). It knows just enough
// to tell words from string literals, quoted identifiers, comments, placeholders and `::` casts, so
// the translator can upper-case unquoted identifiers and rewrite `?`/`:n` without touching data.

export type TokenKind = 'ws' | 'comment' | 'string' | 'qident' | 'word' | 'number' | 'param' | 'op';

export interface Token {
  kind: TokenKind;
  /** Source text as written. */
  text: string;
  /** Decoded value: the string contents, the identifier, the placeholder position (`:3` → '3', `?` → ''). */
  value: string;
  start: number;
  end: number;
}

const WORD_START = /[A-Za-z_]/;
const WORD_PART = /[A-Za-z0-9_$]/;
const DIGIT = /[0-9]/;

const BACKSLASH_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0' };

/** Tokenize one request's SQL text. Throws SyntaxError on an unterminated literal or comment. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, start: number, value: string): void => {
    tokens.push({ kind, text: sql.slice(start, i), value, start, end: i });
  };
  while (i < sql.length) {
    const start = i;
    const c = sql[i]!;
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      while (i < sql.length && /\s/.test(sql[i]!)) i++;
      push('ws', start, '');
    } else if ((c === '-' && next === '-') || (c === '/' && next === '/')) {
      while (i < sql.length && sql[i] !== '\n') i++;
      push('comment', start, '');
    } else if (c === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      if (close < 0) throw new SyntaxError('unterminated comment');
      i = close + 2;
      push('comment', start, '');
    } else if (c === "'") {
      // Snowflake strings accept both '' and backslash escapes.
      let value = '';
      i++;
      for (;;) {
        if (i >= sql.length) throw new SyntaxError('unterminated string literal');
        const ch = sql[i]!;
        if (ch === "'" && sql[i + 1] === "'") { value += "'"; i += 2; continue; }
        if (ch === "'") { i++; break; }
        if (ch === '\\' && i + 1 < sql.length) {
          const e = sql[i + 1]!;
          value += BACKSLASH_ESCAPES[e] ?? e;
          i += 2;
          continue;
        }
        value += ch;
        i++;
      }
      push('string', start, value);
    } else if (c === '$' && next === '$') {
      const close = sql.indexOf('$$', i + 2);
      if (close < 0) throw new SyntaxError('unterminated $$ string');
      const value = sql.slice(i + 2, close);
      i = close + 2;
      push('string', start, value);
    } else if (c === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= sql.length) throw new SyntaxError('unterminated quoted identifier');
        const ch = sql[i]!;
        if (ch === '"' && sql[i + 1] === '"') { value += '"'; i += 2; continue; }
        if (ch === '"') { i++; break; }
        value += ch;
        i++;
      }
      push('qident', start, value);
    } else if (WORD_START.test(c)) {
      while (i < sql.length && WORD_PART.test(sql[i]!)) i++;
      push('word', start, sql.slice(start, i));
    } else if (DIGIT.test(c) || (c === '.' && next !== undefined && DIGIT.test(next))) {
      while (i < sql.length && /[0-9.]/.test(sql[i]!)) i++;
      if (i < sql.length && /[eE]/.test(sql[i]!)) {
        i++;
        if (sql[i] === '+' || sql[i] === '-') i++;
        while (i < sql.length && DIGIT.test(sql[i]!)) i++;
      }
      push('number', start, sql.slice(start, i));
    } else if (c === '?') {
      i++;
      push('param', start, '');
    } else if (c === ':' && next === ':') {
      i += 2;
      push('op', start, '::');
    } else if (c === ':' && next !== undefined && DIGIT.test(next)) {
      i++;
      while (i < sql.length && DIGIT.test(sql[i]!)) i++;
      push('param', start, sql.slice(start + 1, i));
    } else {
      const two = sql.slice(i, i + 2);
      i += ['<=', '>=', '<>', '!=', '||', '->', '=>'].includes(two) ? 2 : 1;
      push('op', start, sql.slice(start, i));
    }
  }
  return tokens;
}

export function isSignificant(t: Token): boolean {
  return t.kind !== 'ws' && t.kind !== 'comment';
}

/** Split on top-level `;`, dropping empty statements (a trailing `;` is not a second statement). */
export function splitStatements(tokens: Token[]): Token[][] {
  const out: Token[][] = [];
  let cur: Token[] = [];
  for (const t of tokens) {
    if (t.kind === 'op' && t.value === ';') {
      if (cur.some(isSignificant)) out.push(cur);
      cur = [];
    } else {
      cur.push(t);
    }
  }
  if (cur.some(isSignificant)) out.push(cur);
  return out;
}

/** Upper-cased significant words at the start of a statement, for classification. */
export function leadingWords(tokens: Token[], count = 6): string[] {
  const words: string[] = [];
  for (const t of tokens) {
    if (!isSignificant(t)) continue;
    if (t.kind === 'op' && t.value === '(' && words.length === 0) continue;
    if (t.kind !== 'word') break;
    words.push(t.value.toUpperCase());
    if (words.length >= count) break;
  }
  return words;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
