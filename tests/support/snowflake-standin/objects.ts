// Object names in a statement, resolved the way Snowflake resolves them against the session's
// current database and schema (https://docs.snowflake.com/en/sql-reference/name-resolution): a
// one-part name lives in the current schema, a two-part name in the current database. Used for
// table locks, for CREATE SCHEMA switching the current schema, and for temporary tables, which
// Snowflake keeps in a schema (so they can be named "DB"."SCHEMA"."T") but DuckDB keeps in its
// own `temp` catalog: their references are rewritten to `temp.main."DB.SCHEMA.T"`.
import { isSignificant, leadingWords, type Token } from './lexer.js';

export interface Context {
  database: string;
  schema: string;
}

/** Upper-case for unquoted words, as written for quoted identifiers. */
export function identValue(t: Token): string {
  return t.kind === 'qident' ? t.value : t.value.toUpperCase();
}

/** The name (1-3 parts) starting at significant token `i`: its parts and the index of its last token. */
export function nameAt(sig: Token[], i: number): { parts: string[]; last: number } | undefined {
  const parts: string[] = [];
  let j = i;
  for (;;) {
    const t = sig[j];
    if (!t || (t.kind !== 'word' && t.kind !== 'qident')) return undefined;
    parts.push(identValue(t));
    if (sig[j + 1]?.value !== '.' || parts.length === 4) break;
    j += 2;
  }
  return { parts, last: j };
}

/** `DB.SCHEMA.NAME` of a 1-3 part name in a context. */
export function resolveName(parts: string[], ctx: Context): string | undefined {
  if (parts.length === 1) return `${ctx.database}.${ctx.schema}.${parts[0]}`;
  if (parts.length === 2) return `${ctx.database}.${parts[0]}.${parts[1]}`;
  if (parts.length === 3) return parts.join('.');
  return undefined;
}

/** The table a DML statement writes (UPDATE t / DELETE FROM t / MERGE INTO t / INSERT INTO t), resolved. */
export function writtenTable(tokens: Token[], ctx: Context): string | undefined {
  const sig = tokens.filter(isSignificant);
  const [w0, w1] = leadingWords(tokens, 2);
  const at = w0 === 'UPDATE' ? 1 : (w0 === 'DELETE' && w1 === 'FROM') || (w0 === 'MERGE' && w1 === 'INTO') || (w0 === 'INSERT' && w1 === 'INTO') ? 2 : -1;
  if (at < 0) return undefined;
  const name = nameAt(sig, at);
  return name ? resolveName(name.parts, ctx) : undefined;
}

/** The schema a CREATE SCHEMA creates, resolved, or undefined for another statement. */
export function createdSchema(tokens: Token[], ctx: Context): Context | undefined {
  const sig = tokens.filter(isSignificant);
  const words = leadingWords(tokens, 8);
  if (words[0] !== 'CREATE') return undefined;
  let i = 1;
  while (['OR', 'REPLACE', 'TRANSIENT'].includes(words[i] ?? '')) i++;
  if (words[i] !== 'SCHEMA') return undefined;
  i++;
  while (['IF', 'NOT', 'EXISTS'].includes(sig[i]?.kind === 'word' ? sig[i]!.value.toUpperCase() : '')) i++;
  const name = nameAt(sig, i);
  if (!name) return undefined;
  if (name.parts.length === 1) return { database: ctx.database, schema: name.parts[0]! };
  if (name.parts.length === 2) return { database: name.parts[0]!, schema: name.parts[1]! };
  return undefined;
}

/**
 * Registers a CREATE TEMPORARY TABLE's name in `temps` and rewrites every reference to a known
 * temporary table into DuckDB's temp catalog. Returns the tokens unchanged when there is none.
 */
export function rewriteTemporary(tokens: Token[], ctx: Context, temps: Set<string>): Token[] {
  const words = leadingWords(tokens, 4);
  const sig = tokens.filter(isSignificant);
  let creating = -1;
  if (words[0] === 'CREATE' && ['TEMPORARY', 'TEMP', 'LOCAL', 'GLOBAL', 'VOLATILE'].includes(words[1] ?? '')) {
    creating = sig.findIndex((t) => t.kind === 'word' && t.value.toUpperCase() === 'TABLE') + 1;
    while (['IF', 'NOT', 'EXISTS'].includes(sig[creating]?.kind === 'word' ? sig[creating]!.value.toUpperCase() : '')) creating++;
  }
  if (creating < 0 && temps.size === 0) return tokens;
  const out: Token[] = [];
  let changed = false;
  for (let i = 0; i < sig.length; i++) {
    const t = sig[i]!;
    const startsName = (t.kind === 'word' || t.kind === 'qident') && sig[i - 1]?.value !== '.';
    const name = startsName ? nameAt(sig, i) : undefined;
    const key = name ? resolveName(name.parts, ctx) : undefined;
    if (key !== undefined && (i === creating || temps.has(key))) {
      if (i === creating) temps.add(key);
      const last = sig[name!.last]!;
      out.push(
        { kind: 'qident', text: '"temp"', value: 'temp', start: t.start, end: t.start },
        { kind: 'op', text: '.', value: '.', start: t.start, end: t.start },
        { kind: 'qident', text: '"main"', value: 'main', start: t.start, end: t.start },
        { kind: 'op', text: '.', value: '.', start: t.start, end: t.start },
        { kind: 'qident', text: `"${key}"`, value: key, start: t.start, end: last.end },
      );
      i = name!.last;
      changed = true;
      continue;
    }
    out.push(t);
  }
  return changed ? out : tokens;
}
