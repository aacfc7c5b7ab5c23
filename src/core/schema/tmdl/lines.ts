// Lexical helpers for TMDL lines: names, quoted values and qualified references
// (docs/tmdl.md). Everything here scans character by character with indexOf /
// charCodeAt — no regular expressions on user text, so a 10 MB line costs one linear pass.

const TAB = 9;
const SPACE = 32;
const QUOTE = 39; // '
const DQUOTE = 34; // "
const COLON = 58;
const EQUALS = 61;
const DOT = 46;

/** Why a line could not be read; parse.ts turns it into an InputError with file and line. */
export class LineSyntaxError extends Error {}

/** Text with a leading BOM removed and CRLF / lone CR line ends turned into LF. */
export function normalizeText(text: string): string {
  let t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (t.indexOf('\r') !== -1) t = t.replace(/\r\n?/g, '\n');
  return t;
}

export function isBlankOrSpace(ch: number): boolean {
  return ch === SPACE || ch === TAB;
}

/** A keyword: characters up to whitespace, `:` or `=` (e.g. `column`, `isHidden`, `ref`), not past `end`. */
export function readWord(s: string, from: number, end = s.length): number {
  let i = from;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c === SPACE || c === TAB || c === COLON || c === EQUALS) break;
    i++;
  }
  return i;
}

export function skipSpaces(s: string, from: number, end = s.length): number {
  let i = from;
  while (i < end && isBlankOrSpace(s.charCodeAt(i))) i++;
  return i;
}

/** What String.prototype.trim removes: ECMAScript WhiteSpace and LineTerminator code points. */
export function isTrimmable(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
    c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

/** Start of `s.slice(from, end).trimStart()` within `s`. */
export function trimStartAt(s: string, from: number, end: number): number {
  let i = from;
  while (i < end && isTrimmable(s.charCodeAt(i))) i++;
  return i;
}

/** End of `s.slice(from, end).trimEnd()` within `s`. */
export function trimEndAt(s: string, from: number, end: number): number {
  let e = end;
  while (e > from && isTrimmable(s.charCodeAt(e - 1))) e--;
  return e;
}

export interface NameToken {
  name: string;
  end: number;
}

/**
 * An object name at `from`: `'quoted with '' escapes'` or a bare run up to whitespace, `=`, `:`
 * (and `.` when `stopAtDot`, for qualified references).
 */
export function readName(s: string, from: number, stopAtDot = false): NameToken {
  if (s.charCodeAt(from) === QUOTE) {
    let i = from + 1;
    let escaped = false;
    for (;;) {
      const q = s.indexOf("'", i);
      if (q === -1) throw new LineSyntaxError('quoted name is not closed with a single quote');
      if (s.charCodeAt(q + 1) === QUOTE) {
        escaped = true;
        i = q + 2;
        continue;
      }
      const raw = s.slice(from + 1, q);
      return { name: escaped ? raw.replaceAll("''", "'") : raw, end: q + 1 };
    }
  }
  let i = from;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === SPACE || c === TAB || c === EQUALS || c === COLON || (stopAtDot && c === DOT)) break;
    i++;
  }
  if (i === from) throw new LineSyntaxError('expected a name');
  return { name: s.slice(from, i), end: i };
}

/** A `:` property value: trimmed; surrounding double quotes removed with `""` → `"` (docs/tmdl.md#properties). */
export function propertyValue(raw: string): string {
  const v = raw.trim();
  if (v.length >= 2 && v.charCodeAt(0) === DQUOTE && v.charCodeAt(v.length - 1) === DQUOTE) {
    const inner = v.slice(1, -1);
    return inner.indexOf('"') === -1 ? inner : inner.replaceAll('""', '"');
  }
  return v;
}

/** A property whose value names an object (`sortByColumn: 'Day of Week'`, level `column:`): quotes removed. */
export function nameRef(value: string): string {
  const s = value.trim();
  if (s.charCodeAt(0) !== QUOTE) return s;
  const token = readName(s, 0);
  if (skipSpaces(s, token.end) !== s.length) throw new LineSyntaxError('unexpected text after the quoted name');
  return token.name;
}

/** `Sales.'Order Date'`, `'T 1'.'C 1'`, `Sales.Key` → table and column (docs/tmdl.md#relationships). */
export function qualifiedRef(value: string): { table: string; column: string } {
  const s = value.trim();
  const first = readName(s, 0, true);
  if (s.charCodeAt(first.end) !== DOT) throw new LineSyntaxError('expected Table.Column');
  const second = readName(s, first.end + 1, true);
  if (skipSpaces(s, second.end) !== s.length) throw new LineSyntaxError('unexpected text after Table.Column');
  return { table: first.name, column: second.name };
}

/** Leading tab count of the line starting at `start` (ending at `end`). */
export function tabDepth(text: string, start: number, end: number): number {
  let i = start;
  while (i < end && text.charCodeAt(i) === TAB) i++;
  return i - start;
}

/** True when the line [start, end) holds only spaces and tabs. */
export function isWhitespaceLine(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isBlankOrSpace(text.charCodeAt(i))) return false;
  return true;
}

/**
 * The lines t[from, to) of a ``` block, each without the closing line's indentation `margin` (as
 * far as it matches), after the text on the opening line (docs/tmdl.md#expressions).
 */
export function backtickBody(t: string, sameLine: string, from: number, to: number, margin: string): string {
  const parts: string[] = sameLine.length > 0 ? [sameLine] : [];
  let p = from;
  while (p < to) {
    let e = t.indexOf('\n', p);
    if (e === -1 || e > to) e = to;
    let k = 0;
    while (k < margin.length && p + k < e && t.charCodeAt(p + k) === margin.charCodeAt(k)) k++;
    parts.push(t.slice(p + k, e));
    p = e + 1;
  }
  return parts.join('\n');
}

/**
 * A hash under which names equal ignoring case (as toLowerCase compares them) are equal, without
 * making the lower-cased string for an ASCII name. `c | 32` folds A–Z onto a–z without a branch
 * (and a few other pairs, such as @ and `, which only make a rare collision: a second read).
 */
export function nameHash(name: string): number {
  let h = 0;
  let chars = 0; // every code or-ed: >= 128 when the name is not ASCII
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    chars |= c;
    h = (Math.imul(h, 31) + (c | 32)) | 0;
  }
  return chars < 128 ? h : lowerHash(name.toLowerCase());
}

function lowerHash(lower: string): number {
  let h = 0;
  for (let i = 0; i < lower.length; i++) h = (Math.imul(h, 31) + (lower.charCodeAt(i) | 32)) | 0;
  return h;
}

// Scratch tables of DistinctHashes, reused by every check: one per table's columns and measures
// would be a few hundred bytes of garbage each (a generation stamp marks the slots in use).
const SLOTS = 1024;
const slotHash = new Int32Array(SLOTS);
const slotStamp = new Int32Array(SLOTS);
let generation = 0;

/** A set of 32-bit hashes that reports a repeat; backed by the scratch tables while `count` fits them. */
export class DistinctHashes {
  private readonly stamp: number;
  private readonly overflow: Set<number> | undefined;

  constructor(count: number) {
    this.overflow = count * 2 > SLOTS ? new Set() : undefined;
    if (generation === 0x7fffffff) {
      slotStamp.fill(0);
      generation = 0;
    }
    this.stamp = ++generation;
  }

  /** False when `h` was added before. */
  add(h: number): boolean {
    if (this.overflow !== undefined) {
      if (this.overflow.has(h)) return false;
      this.overflow.add(h);
      return true;
    }
    let i = h & (SLOTS - 1);
    while (slotStamp[i] === this.stamp) {
      if (slotHash[i] === h) return false;
      i = (i + 1) & (SLOTS - 1);
    }
    slotStamp[i] = this.stamp;
    slotHash[i] = h;
    return true;
  }
}

/**
 * t[vs, ce) is what follows `annotation` (or another designer keyword) on a line parse.ts reads as
 * a named or nameless `=` assignment with a one-line value: `Name = value`, `= value`.
 */
export function isOneLineAssignment(t: string, vs: number, ce: number): boolean {
  let i = vs;
  if (i < ce && t.charCodeAt(i) !== 61 /* = */) {
    if (t.charCodeAt(i) === 39 /* ' */) {
      i++;
      for (;;) {
        const q = t.indexOf("'", i);
        if (q === -1 || q >= ce) return false;
        if (q + 1 < ce && t.charCodeAt(q + 1) === 39) {
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
    } else {
      while (i < ce) {
        const c = t.charCodeAt(i);
        if (c === 32 || c === 9 || c === 61 || c === 58) break;
        i++;
      }
    }
    while (i < ce && (t.charCodeAt(i) === 32 || t.charCodeAt(i) === 9)) i++;
  }
  if (i >= ce || t.charCodeAt(i) !== 61) return false;
  // A one-line value only: an empty one opens a multi-line body, ``` a block.
  const rs = trimStartAt(t, i + 1, ce);
  return rs < ce && !t.startsWith('```', rs);
}

/**
 * Lower-cased char codes of a keyword. Compared through a typed array (sameKeyword), a keyword
 * costs less than through a second string's charCodeAt.
 */
export function charCodes(lower: string): Uint8Array {
  return Uint8Array.from(lower, (c) => c.charCodeAt(0));
}

/**
 * t[at, at + lower.length) equals the lower-cased codes `lower` ignoring ASCII case. Other
 * characters must match exactly: toLowerCase maps a few (the Kelvin sign to `k`), and such a line
 * is left to the general reader.
 */
export function sameKeyword(t: string, at: number, lower: Uint8Array): boolean {
  for (let j = 0; j < lower.length; j++) {
    const c = t.charCodeAt(at + j);
    const w = lower[j] as number;
    // c | 32 folds A–Z onto a–z; below 65 it would also fold control characters onto digits.
    if (c !== w && ((c | 32) !== w || c < 65)) return false;
  }
  return true;
}
