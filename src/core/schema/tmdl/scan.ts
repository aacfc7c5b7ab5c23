// A column's or measure's nested lines read straight from the text into the model object (issue 15).
// Nearly every column and measure holds only `key: value` lines (and annotations the model ignores);
// read through nodes, each such line cost a keyword string, a value string and four slots, then a
// lookup per property when the model was built. Here a line is classified by char codes, keywords
// are matched in place, and strings are made only of the values the model keeps.
//
// Only lines that the general reader (parse.ts, decl.ts, build.ts) accepts without a word are taken:
// anything else — a bare or `=` property, a `///` line, a deeper line, a property twice, a value
// that is not valid — and scanBlock returns undefined, having consumed nothing, so the general
// reader reads the object and reports any error exactly as it always has.
import type { Column, Measure, TomDataType } from '../model.js';
import { DATA_TYPES, SUMMARIZE_BY } from './enums.js';
import { charCodes, isOneLineAssignment, sameKeyword, trimEndAt, trimStartAt } from './lines.js';
import { ScannedObjects, type SpellingCache, type TmdlNode } from './node.js';

// Property keys, one bit each: the ones a column or a measure keeps, then ones the model ignores
// (Power BI Desktop writes them on every column), which are only checked for repeats.
const DATA_TYPE = 1 << 0;
const IS_HIDDEN = 1 << 1;
const IS_KEY = 1 << 2;
const INFERRED = 1 << 3;
const SOURCE_COLUMN = 1 << 4;
const FORMAT_STRING = 1 << 5;
const DISPLAY_FOLDER = 1 << 6;
const DATA_CATEGORY = 1 << 7;
const SUMMARIZE_BY_KEY = 1 << 8;
const SORT_BY_COLUMN = 1 << 9;
const DESCRIPTION = 1 << 10;

const KEYS: ReadonlyArray<readonly [string, number]> = [
  ['datatype', DATA_TYPE], ['ishidden', IS_HIDDEN], ['iskey', IS_KEY], ['isdatatypeinferred', INFERRED],
  ['sourcecolumn', SOURCE_COLUMN], ['formatstring', FORMAT_STRING], ['displayfolder', DISPLAY_FOLDER],
  ['datacategory', DATA_CATEGORY], ['summarizeby', SUMMARIZE_BY_KEY], ['sortbycolumn', SORT_BY_COLUMN],
  ['description', DESCRIPTION],
  ['lineagetag', 1 << 11], ['sourcelineagetag', 1 << 12], ['sourceprovidertype', 1 << 13], ['isnameinferred', 1 << 14],
  ['isavailableinmdx', 1 << 15], ['isnullable', 1 << 16], ['isunique', 1 << 17], ['isdefaultlabel', 1 << 18],
  ['isdefaultimage', 1 << 19], ['encodinghint', 1 << 20],
];
const BOOLEAN_KEYS = IS_HIDDEN | IS_KEY | INFERRED;
const MEASURE_KEEPS = IS_HIDDEN | FORMAT_STRING | DISPLAY_FOLDER | DESCRIPTION;
const COLUMN_KEEPS = (1 << 11) - 1;
/** A column's properties that are absent unless written (description aside). */
const OPTIONAL_COLUMN_KEYS = SOURCE_COLUMN | FORMAT_STRING | DISPLAY_FOLDER | DATA_CATEGORY | SUMMARIZE_BY_KEY | SORT_BY_COLUMN;

// Nested lines that decl.ts skips (designer metadata), taken with `=` and a one-line value.
const IGNORED = -1;
const WORDS: ReadonlyArray<readonly [string, number]> = [
  ...KEYS, ['annotation', IGNORED], ['changedproperty', IGNORED], ['extendedproperty', IGNORED],
];
const WORD_CODES = WORDS.map((w) => charCodes(w[0]));
const WORD_BITS = WORDS.map((w) => w[1]);
const COLUMN = charCodes('column');
const MEASURE = charCodes('measure');
/** Indexes in WORDS by first letter (any case): a line's keyword is found without finding its end first. */
const BY_FIRST: number[][] = Array.from({ length: 32 }, () => []);
WORDS.forEach((w, i) => (BY_FIRST[w[0].charCodeAt(0) & 31] as number[]).push(i));

/** A map of enums.ts as parallel arrays of lower-cased spellings (as codes) and canonical values. */
function spellings(map: ReadonlyMap<string, string>): { lower: Uint8Array[]; canonical: string[] } {
  return { lower: [...map.keys()].map(charCodes), canonical: [...map.values()] };
}
const TYPES = spellings(DATA_TYPES);
const SUMMARIES = spellings(SUMMARIZE_BY);
const BOOLEANS = spellings(new Map([['false', 'false'], ['true', 'true']]));

export class BlockScanner {
  /** Where the scan stopped (the first line not taken) and the number of the last line taken. */
  pos = 0;
  line = 0;
  // The properties read by scanBlock, valid for the keys in `seen`.
  private seen = 0;
  private dataType: TomDataType = 'automatic';
  private isHidden = false;
  private isKey = false;
  private inferred = false;
  private sourceColumn = '';
  private formatString = '';
  private displayFolder = '';
  private dataCategory = '';
  private summarizeBy = '';
  private sortByColumn = '';
  private description = '';

  /** `values` shares the strings a model repeats (formatString, displayFolder, …), as parse.ts does. */
  constructor(
    private readonly t: string,
    private readonly values: SpellingCache,
  ) {}

  /**
   * A `column` or `measure` line t[cs, ce) of `table` (number `line`, its nested lines at `depth`
   * from `pos`) read with those lines into `table.scanned`; false, with nothing consumed, when the
   * general reader must read it. Only one-line declarations are taken: `column Name`, `measure Name = expression`.
   */
  declaration(table: TmdlNode, cs: number, ce: number, depth: number, pos: number, line: number, description: string | undefined): boolean {
    const { t } = this;
    const isColumn = ce - cs > 6 && sameKeyword(t, cs, COLUMN);
    if (!isColumn && !(ce - cs > 7 && sameKeyword(t, cs, MEASURE))) return false;
    let i = cs + (isColumn ? 6 : 7);
    if (t.charCodeAt(i) !== 32 && t.charCodeAt(i) !== 9) return false;
    while (t.charCodeAt(i) === 32 || t.charCodeAt(i) === 9) i++;
    // The name as parse.ts readNameAt reads it.
    let name: string;
    if (t.charCodeAt(i) === 39 /* ' */) {
      let escaped = false;
      let q = i + 1;
      for (;;) {
        q = t.indexOf("'", q);
        if (q === -1 || q >= ce) return false;
        if (q + 1 < ce && t.charCodeAt(q + 1) === 39) {
          escaped = true;
          q += 2;
          continue;
        }
        break;
      }
      name = escaped ? t.slice(i + 1, q).replaceAll("''", "'") : t.slice(i + 1, q);
      i = q + 1;
    } else {
      const from = i;
      while (i < ce) {
        const c = t.charCodeAt(i);
        if (c === 32 || c === 9 || c === 61 || c === 58) break;
        i++;
      }
      if (i === from) return false;
      name = t.slice(from, i);
    }
    while (i < ce && (t.charCodeAt(i) === 32 || t.charCodeAt(i) === 9)) i++;
    let value: string | undefined;
    if (i < ce) {
      if (t.charCodeAt(i) !== 61 /* = */) return false;
      // A one-line expression only: nothing after `=` opens a multi-line body, ``` a block.
      const rs = trimStartAt(t, i + 1, ce);
      if (rs === ce || (ce - rs >= 3 && t.startsWith('```', rs))) return false;
      value = t.slice(rs, ce);
    }
    const obj = this.scan(isColumn ? 'column' : 'measure', name, value === undefined ? '' : '=', value, description, depth, pos, line);
    if (obj === undefined) return false;
    const into = (table.scanned ??= new ScannedObjects());
    if (isColumn) {
      into.columns.push(obj as Column);
      into.columnLines.push(line);
    } else {
      into.measures.push(obj as Measure);
      into.measureLines.push(line);
    }
    return true;
  }

  /**
   * The object declared by a `column` or `measure` line (already read, with its `=` value and ///
   * description), whose nested lines at `depth` start at `pos`; or undefined when the general reader must read them.
   */
  private scan(kw: 'column' | 'measure', name: string, sep: string, value: string | undefined, description: string | undefined, depth: number, pos: number, line: number): Column | Measure | undefined {
    if (!this.scanBlock(depth, pos, line, kw === 'column' ? COLUMN_KEEPS : MEASURE_KEEPS)) return undefined;
    const { seen } = this;
    if ((seen & DESCRIPTION) !== 0 && description !== undefined) return undefined; // two descriptions: an error
    const text = seen & DESCRIPTION ? this.description : description;
    const isHidden = (seen & IS_HIDDEN) !== 0 && this.isHidden;
    // The usual sets of properties get them all in one literal, in the order the general path adds
    // them (key order is part of the model): one object and one shape, where adding them one by
    // one costs a second allocation (the properties past the literal's) and a shape change each.
    if (kw === 'measure') {
      const expression = (sep === '=' ? value : undefined) ?? '';
      let measure: Measure;
      if ((seen & (FORMAT_STRING | DISPLAY_FOLDER)) === (FORMAT_STRING | DISPLAY_FOLDER)) {
        measure = { name, expression, isHidden, formatString: this.formatString, displayFolder: this.displayFolder };
      } else {
        measure = { name, expression, isHidden };
        if (seen & FORMAT_STRING) measure.formatString = this.formatString;
        if (seen & DISPLAY_FOLDER) measure.displayFolder = this.displayFolder;
      }
      if (text !== undefined) measure.description = text;
      return measure;
    }
    const calculated = sep === '=';
    // A column of a calculated table is `calculatedTableColumn`; build.ts sets that once the table is known.
    const kind = calculated ? 'calculated' : 'data';
    const isKey = (seen & IS_KEY) !== 0 && this.isKey;
    const inferred = (seen & DATA_TYPE) === 0 || ((seen & INFERRED) !== 0 && this.inferred);
    const { dataType } = this;
    let col: Column;
    const optional = calculated || inferred ? -1 : seen & OPTIONAL_COLUMN_KEYS;
    if (optional === (SOURCE_COLUMN | SUMMARIZE_BY_KEY)) {
      col = { name, dataType, kind, isHidden, isKey, sourceColumn: this.sourceColumn, summarizeBy: this.summarizeBy };
    } else if (optional === (SOURCE_COLUMN | FORMAT_STRING | SUMMARIZE_BY_KEY)) {
      col = { name, dataType, kind, isHidden, isKey, sourceColumn: this.sourceColumn, formatString: this.formatString, summarizeBy: this.summarizeBy };
    } else {
      col = { name, dataType, kind, isHidden, isKey };
      if (inferred) col.dataTypeInferred = true;
      if (calculated) col.expression = value ?? '';
      if (seen & SOURCE_COLUMN) col.sourceColumn = this.sourceColumn;
      if (seen & FORMAT_STRING) col.formatString = this.formatString;
      if (seen & DISPLAY_FOLDER) col.displayFolder = this.displayFolder;
      if (seen & DATA_CATEGORY) col.dataCategory = this.dataCategory;
      if (seen & SUMMARIZE_BY_KEY) col.summarizeBy = this.summarizeBy;
      if (seen & SORT_BY_COLUMN) col.sortByColumn = this.sortByColumn;
    }
    if (text !== undefined) col.description = text;
    return col;
  }

  /** Reads the lines at `depth` from `pos`; true when every one was taken (pos and line then past them). */
  private scanBlock(depth: number, pos: number, line: number, keeps: number): boolean {
    const { t } = this;
    const n = t.length;
    let p = pos;
    this.seen = 0;
    this.dataType = 'automatic';
    while (p <= n) {
      let cs = p;
      while (t.charCodeAt(cs) === 9) cs++;
      if (cs - p === depth && t.charCodeAt(cs) > 32) {
        // A line of the block (nearly every one): read in one walk, which finds its end.
        const e = this.property(cs, keeps);
        if (e < 0) return false;
        p = e + 1;
      } else {
        const c = t.charCodeAt(cs);
        if (c === 10 || c !== c /* NaN: the end of the text */) {
          p = cs + 1; // a blank line (tabs only): its end is in hand
          line++;
          continue;
        }
        if (c > 32 && cs - p < depth) break; // the next declaration: the block is complete
        let e = t.indexOf('\n', cs);
        if (e === -1) e = n;
        let k = cs;
        while (k < e && (t.charCodeAt(k) === 32 || t.charCodeAt(k) === 9)) k++;
        if (k < e) {
          if (cs - p < depth) break; // the next declaration: the block is complete
          return false; // deeper lines, space indentation and control characters are the general reader's to report
        }
        p = e + 1;
      }
      line++;
    }
    this.pos = p;
    this.line = line;
    return true;
  }

  /**
   * One nested line from `cs`: a `key: value` property with a known key seen once, or an ignored
   * `=` line. Returns the offset of the line's end, or -1 when the general reader must read it.
   */
  private property(cs: number, keeps: number): number {
    const { t } = this;
    const w = wordAt(t, cs);
    if (w < 0) return -1; // unknown (it might repeat, or be anything): the general reader's
    const bit = WORD_BITS[w] as number;
    let vs = cs + (WORD_CODES[w] as Uint8Array).length;
    let c = t.charCodeAt(vs);
    while (c === 32 || c === 9) c = t.charCodeAt(++vs);
    if (c !== 58 /* : */) {
      // A bare keyword (the line ends after it), or an `=` line. Other trailing white space
      // (which trimEnd would drop) is left to the general reader.
      const bare = c !== c /* NaN: the end of the text */ || c === 10;
      if (bit === IGNORED) return bare ? -1 : this.ignoredLine(vs);
      if (!bare || (this.seen & bit) !== 0) return -1; // `key = …`, `key name`, or a property twice
      this.seen |= bit;
      // A bare keyword is a boolean set to true (docs/tmdl.md#properties); any other kept property needs a value.
      if ((keeps & bit) !== 0 && !((bit & BOOLEAN_KEYS) !== 0 && this.setFlag(bit, true))) return -1;
      return vs;
    }
    if (bit === IGNORED || (this.seen & bit) !== 0) return -1; // `annotation: …`, or a property twice: an error
    this.seen |= bit;
    let e = t.indexOf('\n', vs);
    if (e === -1) e = t.length;
    if ((keeps & bit) !== 0 && !this.keep(bit, vs + 1, trimEndAt(t, vs + 1, e))) return -1;
    return e;
  }

  /** Records the value t[from, end) of a kept property; false when it is not valid (the general reader reports it). */
  private keep(bit: number, from: number, end: number): boolean {
    switch (bit) {
      case DATA_TYPE: {
        const i = this.enumValue(from, end, TYPES.lower);
        if (i < 0) return false;
        this.dataType = TYPES.canonical[i] as TomDataType;
        return true;
      }
      case IS_HIDDEN:
      case IS_KEY:
      case INFERRED: {
        const i = this.enumValue(from, end, BOOLEANS.lower);
        return i >= 0 && this.setFlag(bit, i === 1);
      }
      case SUMMARIZE_BY_KEY: {
        const i = this.enumValue(from, end, SUMMARIES.lower);
        // An unknown value is kept as written (enums.ts canonical).
        this.summarizeBy = i < 0 ? this.valueAt(from, end) : (SUMMARIES.canonical[i] as string);
        return true;
      }
      case SORT_BY_COLUMN: {
        const v = this.valueAt(from, end);
        if (v.charCodeAt(0) === 39 /* ' */) return false; // quoted: build.ts nameRef unquotes it or reports it
        this.sortByColumn = v;
        return true;
      }
      case SOURCE_COLUMN: this.sourceColumn = this.valueAt(from, end, true); return true;
      case FORMAT_STRING: this.formatString = this.valueAt(from, end); return true;
      case DISPLAY_FOLDER: this.displayFolder = this.valueAt(from, end); return true;
      case DATA_CATEGORY: this.dataCategory = this.valueAt(from, end); return true;
      default: this.description = this.valueAt(from, end); return true;
    }
  }

  private setFlag(bit: number, value: boolean): true {
    if (bit === IS_HIDDEN) this.isHidden = value;
    else if (bit === IS_KEY) this.isKey = value;
    else this.inferred = value;
    return true;
  }

  /**
   * `annotation Name = value`, `changedProperty = X` from `vs` (after the keyword): checked as
   * parse.ts reads them, then dropped. Returns the offset of the line's end, or -1.
   */
  private ignoredLine(vs: number): number {
    const { t } = this;
    let e = t.indexOf('\n', vs);
    if (e === -1) e = t.length;
    return isOneLineAssignment(t, vs, trimEndAt(t, vs, e)) ? e : -1;
  }

  /**
   * Index in `lower` of the value t[from, end) compared as propertyValue (lines.ts) and
   * toLowerCase would leave it, without making a string; -1 when it is none of them.
   */
  private enumValue(from: number, end: number, lower: readonly Uint8Array[]): number {
    const { t } = this;
    let s = trimStartAt(t, from, end);
    let e = trimEndAt(t, s, end);
    if (e - s >= 2 && t.charCodeAt(s) === 34 /* " */ && t.charCodeAt(e - 1) === 34) {
      s++;
      e--;
    }
    for (let i = 0; i < lower.length; i++) {
      const w = lower[i] as Uint8Array;
      if (w.length === e - s && sameKeyword(t, s, w)) return i;
    }
    return -1;
  }

  /**
   * propertyValue (lines.ts) of t[from, end): trimmed, surrounding double quotes removed with
   * `""` → `"`. From the cache unless the value is `unique` to its object (a sourceColumn), which
   * would only push repeated values out of it.
   */
  private valueAt(from: number, end: number, unique = false): string {
    const { t } = this;
    const s = trimStartAt(t, from, end);
    const e = trimEndAt(t, s, end);
    if (e - s >= 2 && t.charCodeAt(s) === 34 /* " */ && t.charCodeAt(e - 1) === 34) {
      const q = t.indexOf('"', s + 1);
      return q === e - 1 ? this.values.get(t, s + 1, e - 1) : t.slice(s + 1, e - 1).replaceAll('""', '"');
    }
    return unique ? t.slice(s, e) : this.values.get(t, s, e);
  }
}

/**
 * Index in WORDS of the keyword the line starting at `cs` starts with — a whole word, ended by the
 * line, a space, a tab, `:` or `=` as parse.ts readWord ends it — or -1.
 */
function wordAt(t: string, cs: number): number {
  const candidates = BY_FIRST[t.charCodeAt(cs) & 31] as number[];
  for (let i = 0; i < candidates.length; i++) {
    const w = candidates[i] as number;
    const spelling = WORD_CODES[w] as Uint8Array;
    if (!sameKeyword(t, cs, spelling)) continue;
    const c = t.charCodeAt(cs + spelling.length);
    if (c === 32 || c === 9 || c === 58 || c === 61 || c === 10 || c !== c /* NaN: the end of the text */) return w;
  }
  return -1;
}
