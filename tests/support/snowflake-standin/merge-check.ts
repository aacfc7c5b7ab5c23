// Snowflake's ERROR_ON_NONDETERMINISTIC_MERGE (default TRUE, docs/snowflake.md#sql-facts "MERGE"): a MERGE
// whose source has several rows joining one target row fails with 100090 when a MATCHED clause would
// update or delete it. DuckDB applies all of them silently (last one wins), so the stand-in checks first.
import { isSignificant, quoteIdent, type Token } from './lexer.js';
import type { Translation } from './translate.js';

/** `SELECT 1 … GROUP BY target.rowid HAVING count(*) > 1` for a MERGE with a MATCHED clause, else undefined. */
export function duplicateMatchQuery(tokens: Token[], tr: Translation): string | undefined {
  const sig = tokens.filter(isSignificant);
  const word = (i: number): string => (sig[i]?.kind === 'word' ? sig[i]!.value.toUpperCase() : '');
  if (word(0) !== 'MERGE' || word(1) !== 'INTO') return undefined;
  let depth = 0;
  let using = -1; let on = -1; let when = -1; let matched = false;
  for (let i = 2; i < sig.length; i++) {
    const v = sig[i]!.value;
    if (v === '(') { depth++; continue; }
    if (v === ')') { depth--; continue; }
    if (depth !== 0) continue;
    const w = word(i);
    if (w === 'USING' && using < 0) using = i;
    else if (w === 'ON' && using > 0 && on < 0) on = i;
    else if (w === 'WHEN' && on > 0) {
      if (when < 0) when = i;
      if (word(i + 1) === 'MATCHED') matched = true;
    }
  }
  if (using < 0 || on < 0 || when < 0 || !matched) return undefined;
  const text = (a: number, b: number): string => tr.sql.slice(tr.positions[a], tr.positions[b]).trim();
  const last = sig[using - 1]!;
  const alias = last.kind === 'qident' ? quoteIdent(last.value) : last.value.toUpperCase();
  return `SELECT 1 FROM ${text(2, using)} JOIN ${text(using + 1, on)} ON ${text(on + 1, when)} GROUP BY ${alias}.rowid HAVING count(*) > 1 LIMIT 1`;
}
