// Power BI names → semantic-view names. Users query a semantic view by name
// (`SEMANTIC_VIEW(v DIMENSIONS customer.customer_name METRICS sales.total_sales)`), so a name that
// can be written unquoted is friendlier than "Customer Name": Latin names become upper snake case
// (`Customer Name` → CUSTOMER_NAME, `ProductID` → PRODUCT_ID, `Größe` → GROSSE). A name written
// in another script keeps its text and is quoted by the builder, because dropping its letters
// would leave nothing meaningful. The original name is reported next to the logical one (name
// map), so nothing is lost.
//
// Deterministic: the same names give the same result whatever their order, collisions (compared
// case-insensitively) get `_2`, `_3`, … in the order of the original names, and names longer than
// Snowflake's 255 characters are cut and given a short hash of the original so that two long names
// sharing a prefix stay distinct.
import { createHash } from 'node:crypto';
import { MAX_IDENTIFIER_LENGTH } from './quote.js';

/** Latin letters that have no decomposition into an ASCII letter plus marks. */
const LATIN_FOLD: Record<string, string> = {
  ß: 'ss', ẞ: 'SS', æ: 'ae', Æ: 'AE', œ: 'oe', Œ: 'OE', ø: 'o', Ø: 'O', đ: 'd', Đ: 'D', ð: 'd', Ð: 'D',
  þ: 'th', Þ: 'TH', ł: 'l', Ł: 'L', ı: 'i', ŋ: 'ng', Ŋ: 'NG', ħ: 'h', Ħ: 'H',
};

function hash6(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 6);
}

/** Cut to `max` UTF-16 units without splitting a surrogate pair. */
function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  const out = s.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(out) ? out.slice(0, -1) : out;
}

function fit(name: string, original: string): string {
  return name.length <= MAX_IDENTIFIER_LENGTH ? name : `${cut(name, MAX_IDENTIFIER_LENGTH - 7)}_${hash6(original)}`;
}

/** The logical name for one Power BI name, without regard to other names. */
export function logicalName(original: string): string {
  const folded = original.normalize('NFKD').replace(/\p{M}/gu, '').replace(/[\u0080-\uFFFF]/g, (c) => LATIN_FOLD[c] ?? c);
  if (/[\u0080-\uFFFF]/.test(folded) && /\p{L}/u.test(folded.replace(/[ -~\t\n\r]/g, ''))) {
    // Another script: keep the text (quoted later), only tidy whitespace and control characters.
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
    const kept = original.normalize('NFC').replace(/[\x00-\x1F\x7F]+/g, ' ').replace(/\s+/g, ' ').trim();
    return fit(kept.replace(/[\uD800-\uDFFF]/gu, '\uFFFD'), original);
  }
  let snake = folded
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
  if (snake === '') snake = `N_${hash6(original)}`;
  else if (/^[0-9]/.test(snake)) snake = `_${snake}`;
  return fit(snake, original);
}

function withSuffix(base: string, n: number): string {
  const suffix = `_${n}`;
  return cut(base, MAX_IDENTIFIER_LENGTH - suffix.length) + suffix;
}

/**
 * Unique logical names for the names of one scope (the tables of a model; the columns and measures
 * of one table). Returns original → logical name for every input. `reserved` names (compared
 * case-insensitively) are never handed out.
 */
export function uniqueLogicalNames(originals: readonly string[], reserved: Iterable<string> = []): Map<string, string> {
  const taken = new Set([...reserved].map((r) => r.toUpperCase()));
  const bases = [...new Set(originals)].map((o) => ({ original: o, base: logicalName(o) }));
  // Order-independent: a name whose logical form it already is claims it first, then by base, then by original.
  bases.sort((a, b) => Number(b.base === b.original) - Number(a.base === a.original)
    || (a.base < b.base ? -1 : a.base > b.base ? 1 : 0)
    || (a.original < b.original ? -1 : a.original > b.original ? 1 : 0));
  const out = new Map<string, string>();
  for (const { original, base } of bases) {
    let candidate = base;
    for (let n = 2; taken.has(candidate.toUpperCase()); n++) candidate = withSuffix(base, n);
    taken.add(candidate.toUpperCase());
    out.set(original, candidate);
  }
  return new Map(originals.map((o) => [o, out.get(o)!]));
}
