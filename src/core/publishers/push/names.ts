// Push table and relationship names must match the Power BI swagger pattern, read as intended
// (docs/fabric-rest.md#push-datasets): ASCII letters, digits, space, tab/CR/LF and `# - @ ^ _ ~`, plus any
// non-ASCII character; 1–100 characters. Sanitising is deterministic: each forbidden character
// becomes `_`, the result is cut to 100 UTF-16 units (so it fits whether a validator counts code
// units or code points), and names that collide (case-insensitively, as Power BI compares names)
// get a stable `_2`, `_3`, … suffix in model order, names that needed no change keeping theirs.

/** The intended table/relationship name pattern, with the astral range written for JavaScript. */
export const PUSH_TABLE_NAME_PATTERN =
  // eslint-disable-next-line no-control-regex -- the documented pattern allows tab, LF and CR
  /^[\x09\x0A\x0D\x20\x23\x2D\x30-\x39\x40-\x5A\x5E-\x5F\x61-\x7A\x7E-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]{1,100}$/u;

/** Column and measure names: any character but the other control characters, at least one. */
// eslint-disable-next-line no-control-regex -- the documented pattern allows tab, LF and CR
export const PUSH_COLUMN_NAME_PATTERN = /^[\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]+$/u;

const MAX = 100;

function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  let out = s.slice(0, max);
  // Never leave half a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(out)) out = out.slice(0, -1);
  return out;
}

/** One name → the pattern, without regard to other names. */
export function sanitizePushName(name: string): string {
  let out = '';
  for (const ch of name) {
    // eslint-disable-next-line no-control-regex -- the documented pattern allows tab, LF and CR
    out += /^[\x09\x0A\x0D\x20\x23\x2D\x30-\x39\x40-\x5A\x5E-\x5F\x61-\x7A\x7E-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]$/u.test(ch)
      ? ch
      : '_';
  }
  out = cut(out, MAX);
  return out.length === 0 ? '_' : out;
}

/**
 * Sanitises a list of names into unique push names. Returns original → push name for every input,
 * in input order. Names already valid claim themselves first, so an unchanged table never moves.
 */
export function uniquePushNames(names: readonly string[]): Map<string, string> {
  const taken = new Set<string>();
  const result = new Map<string, string>();
  for (const n of names) {
    if (PUSH_TABLE_NAME_PATTERN.test(n) && !taken.has(n.toLowerCase())) {
      taken.add(n.toLowerCase());
      result.set(n, n);
    }
  }
  for (const n of names) {
    if (result.has(n)) continue;
    const base = sanitizePushName(n);
    let candidate = base;
    for (let k = 2; taken.has(candidate.toLowerCase()); k += 1) {
      const suffix = `_${k}`;
      candidate = cut(base, MAX - suffix.length) + suffix;
    }
    taken.add(candidate.toLowerCase());
    result.set(n, candidate);
  }
  // Keep input order for the caller's iteration.
  return new Map(names.map((n) => [n, result.get(n) as string]));
}
