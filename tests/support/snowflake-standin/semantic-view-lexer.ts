// Tokens of a CREATE SEMANTIC VIEW statement, written from Snowflake's lexical rules and kept apart
// from the stand-in's general lexer and from src/core, so that the checker built on it judges the
// DDL builder independently:
// - identifiers https://docs.snowflake.com/en/sql-reference/identifiers-syntax : unquoted = an
//   ASCII letter or `_`, then letters, digits, `_`, `$`, resolved upper case; quoted = `"…"` with
//   `""` for a quote, case kept; either at most 255 characters.
// - string constants https://docs.snowflake.com/en/sql-reference/data-types-text ("Escape
//   sequences in single-quoted string constants"): `''`, and backslash escapes \' \" \\ \b \f \n
//   \r \t \0, \ooo (octal), \xhh, \uhhhh; a backslash before any other character is dropped.
//   `$$…$$` is a string with no escapes.

export type SvTokenKind = 'word' | 'qident' | 'string' | 'number' | 'op' | 'eof';

export interface SvToken {
  kind: SvTokenKind;
  /** Source text. */
  text: string;
  /** Decoded value: the identifier as Snowflake resolves it (upper case unless quoted), the string contents. */
  value: string;
  start: number;
  end: number;
  /** 1-based line and 0-based position in it, as Snowflake reports syntax errors. */
  line: number;
  position: number;
}

export class SvSyntaxError extends Error {
  constructor(readonly line: number, readonly position: number, readonly near: string, detail?: string) {
    super(`syntax error line ${line} at position ${position} ${detail ?? `unexpected '${near}'`}.`);
    this.name = 'SvSyntaxError';
  }
}

const ESCAPES: Record<string, string> = { "'": "'", '"': '"', '\\': '\\', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', '0': '\0' };
const OPS = ['::', '<=', '>=', '<>', '!=', '||', '=>', '->>', '->'];

export function tokenizeSemanticView(sql: string): SvToken[] {
  const tokens: SvToken[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const advanceTo = (to: number): void => {
    for (; i < to; i++) if (sql[i] === '\n') { line++; lineStart = i + 1; }
  };
  const fail = (at: number, detail?: string): never => {
    const before = sql.slice(0, at);
    const l = before.split('\n').length;
    const p = at - (before.lastIndexOf('\n') + 1);
    throw new SvSyntaxError(l, p, sql.slice(at, at + 1) || '<EOF>', detail);
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const start = i;
    const startLine = line;
    const pos = i - lineStart;
    const push = (kind: SvTokenKind, value: string): void => {
      tokens.push({ kind, text: sql.slice(start, i), value, start, end: i, line: startLine, position: pos });
    };
    if (/\s/.test(c)) { advanceTo(i + 1); continue; }
    if ((c === '-' && sql[i + 1] === '-') || (c === '/' && sql[i + 1] === '/')) {
      const nl = sql.indexOf('\n', i);
      advanceTo(nl < 0 ? sql.length : nl);
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      if (close < 0) fail(i, 'unterminated comment');
      advanceTo(close + 2);
      continue;
    }
    if (c === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) fail(start, 'unterminated string literal');
        const ch = sql[j]!;
        if (ch === "'" && sql[j + 1] === "'") { value += "'"; j += 2; continue; }
        if (ch === "'") { j++; break; }
        if (ch === '\\' && j + 1 < sql.length) {
          const e = sql[j + 1]!;
          const oct = /^[0-7]{3}/.exec(sql.slice(j + 1, j + 4));
          const hex = e === 'x' ? /^[0-9A-Fa-f]{2}/.exec(sql.slice(j + 2, j + 4)) : null;
          const uni = e === 'u' ? /^[0-9A-Fa-f]{4}/.exec(sql.slice(j + 2, j + 6)) : null;
          if (oct) { value += String.fromCodePoint(parseInt(oct[0], 8)); j += 4; continue; }
          if (hex) { value += String.fromCodePoint(parseInt(hex[0], 16)); j += 4; continue; }
          if (uni) { value += String.fromCharCode(parseInt(uni[0], 16)); j += 6; continue; }
          if (e === 'x' || e === 'u') fail(j, `invalid escape sequence '\\${e}'`);
          value += ESCAPES[e] ?? e;
          j += 2;
          continue;
        }
        value += ch;
        j++;
      }
      advanceTo(j);
      push('string', value);
      continue;
    }
    if (c === '$' && sql[i + 1] === '$') {
      const close = sql.indexOf('$$', i + 2);
      if (close < 0) fail(i, 'unterminated $$ string');
      const value = sql.slice(i + 2, close);
      advanceTo(close + 2);
      push('string', value);
      continue;
    }
    if (c === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) fail(start, 'unterminated quoted identifier');
        if (sql[j] === '"' && sql[j + 1] === '"') { value += '"'; j += 2; continue; }
        if (sql[j] === '"') { j++; break; }
        value += sql[j];
        j++;
      }
      if (value.length === 0) fail(start, 'empty quoted identifier');
      if (value.length > 255) fail(start, `identifier of ${value.length} characters exceeds the limit of 255`);
      advanceTo(j);
      push('qident', value);
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /[A-Za-z0-9_$]/.test(sql[j]!)) j++;
      if (j - i > 255) fail(start, `identifier of ${j - i} characters exceeds the limit of 255`);
      advanceTo(j);
      push('word', sql.slice(start, j).toUpperCase());
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(sql.slice(i))!;
      advanceTo(i + m[0].length);
      push('number', m[0]);
      continue;
    }
    const op = OPS.find((o) => sql.startsWith(o, i));
    if (op) { advanceTo(i + op.length); push('op', op); continue; }
    if ('(),.;=+-*/%<>:?[]{}|!^&~'.includes(c)) { advanceTo(i + 1); push('op', c); continue; }
    fail(i);
  }
  tokens.push({ kind: 'eof', text: '', value: '<EOF>', start: sql.length, end: sql.length, line, position: sql.length - lineStart });
  return tokens;
}
