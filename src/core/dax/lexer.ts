// The DAX tokenizer shared by the expression parser (parser.ts) and the push conversion's
// reference scanner (src/core/publishers/push/dax-refs.ts). It follows the lexical rules of the DAX syntax
// reference (https://learn.microsoft.com/dax/dax-syntax-reference): strings in "…" with "" as the
// escape, table names in '…' with '' as the escape, column and measure names in […] with ]] as the
// escape, comments `//`, `--` and `/* */`. It never throws: an unterminated token ends the stream
// with an error that carries its position.

export type TokenKind =
  /** `12`, `1.5`, `.5`, `1E-3`. */
  | 'number'
  /** `"text"`; `value` has the `""` escapes undone. */
  | 'string'
  /** `'Sales Fact'`; `value` has the `''` escapes undone. */
  | 'quotedName'
  /** `[Amount]`; `value` has the `]]` escapes undone. */
  | 'bracket'
  /** A bare name: a function, table, variable or keyword (VAR, RETURN, NOT, IN, TRUE, FALSE). */
  | 'ident'
  /** An operator or punctuation: `( ) { } , + - * / ^ & = == <> < <= > >= && ||`. */
  | 'op'
  /** A character DAX does not use; the parser rejects it, the reference scanner skips it. */
  | 'other';

export interface Token {
  kind: TokenKind;
  /** Decoded value (escapes undone); for `op`/`other`/`number`/`ident` the text itself. */
  value: string;
  /** Offsets into the source: `text.slice(start, end)` is the raw token. */
  start: number;
  end: number;
}

export interface LexError {
  message: string;
  start: number;
  end: number;
}

export interface LexResult {
  /** The tokens read, up to the error when there is one. */
  tokens: Token[];
  error?: LexError;
}

const IDENT_START = /[A-Za-z_\u00C0-\uFFFF]/;
// Dots are part of a name: function names such as PERCENTILE.INC, and unquoted table names.
const IDENT_PART = /[A-Za-z0-9_.\u00C0-\uFFFF]/;
const WHITESPACE = /\s/;
const DIGIT = /[0-9]/;
const TWO_CHAR_OPS = new Set(['==', '<>', '<=', '>=', '&&', '||']);
const ONE_CHAR_OPS = new Set(['(', ')', '{', '}', ',', '+', '-', '*', '/', '^', '&', '=', '<', '>']);

/** Splits DAX text into tokens, skipping whitespace and comments. Never throws; see `error`. */
export function lexDax(text: string): LexResult {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;

  // Reads a token delimited by `quote` where a doubled quote stands for one.
  const readDelimited = (open: number, quote: string): { value: string; end: number } | null => {
    let j = open + 1;
    let value = '';
    while (j < n) {
      const c = text[j] as string;
      if (c === quote) {
        if (text[j + 1] === quote) {
          value += quote;
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
    if (WHITESPACE.test(c)) {
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
      if (close < 0) return { tokens, error: { message: 'unterminated /* comment', start: i, end: n } };
      i = close + 2;
      continue;
    }
    if (c === '"' || c === "'" || c === '[') {
      const close = c === '[' ? ']' : c;
      const t = readDelimited(i, close);
      if (!t) {
        const what = c === '"' ? 'unterminated string literal' : c === "'" ? 'unterminated quoted table name' : 'unterminated [ reference';
        return { tokens, error: { message: what, start: i, end: n } };
      }
      const kind: TokenKind = c === '"' ? 'string' : c === "'" ? 'quotedName' : 'bracket';
      tokens.push({ kind, value: t.value, start: i, end: t.end });
      i = t.end;
      continue;
    }
    if (DIGIT.test(c) || (c === '.' && next !== undefined && DIGIT.test(next))) {
      let j = i;
      while (j < n && DIGIT.test(text[j] as string)) j += 1;
      if (text[j] === '.') {
        j += 1;
        while (j < n && DIGIT.test(text[j] as string)) j += 1;
      }
      if (text[j] === 'e' || text[j] === 'E') {
        let k = j + 1;
        if (text[k] === '+' || text[k] === '-') k += 1;
        if (k < n && DIGIT.test(text[k] as string)) {
          while (k < n && DIGIT.test(text[k] as string)) k += 1;
          j = k;
        }
      }
      tokens.push({ kind: 'number', value: text.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < n && IDENT_PART.test(text[j] as string)) j += 1;
      tokens.push({ kind: 'ident', value: text.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (TWO_CHAR_OPS.has(two)) {
      tokens.push({ kind: 'op', value: two, start: i, end: i + 2 });
      i += 2;
      continue;
    }
    // Code points outside the BMP take two UTF-16 units; keep them whole in one token.
    const width = (c.codePointAt(0) ?? 0) > 0xffff ? 2 : 1;
    tokens.push({ kind: ONE_CHAR_OPS.has(c) ? 'op' : 'other', value: text.slice(i, i + width), start: i, end: i + width });
    i += width;
  }
  return { tokens };
}

/** 1-based line and column of an offset, for error messages. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.max(0, Math.min(offset, text.length));
  for (let i = 0; i < end; i += 1) {
    if (text[i] === '\n') {
      line += 1;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}
