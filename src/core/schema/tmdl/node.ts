// The lines of a parsed TMDL document (docs/tmdl.md): declaration nodes with their `key: value`
// slots, and the string caches one read shares between its documents. The parser is parse.ts.
import type { Column, Measure } from '../model.js';
import { trimEndAt } from './lines.js';

// Shared by every line without nested lines (most of them) to spare an allocation each; replaced
// by a fresh array on the first child.
export const NO_CHILDREN: TmdlNode[] = [];
export const NO_PROPS: unknown[] = [];
/** Slots per entry of TmdlNode.props: keyword, value, line, start offset. */
export const PROP_SLOTS = 4;

/**
 * One declaration line and what is nested under it. A model has one line per property and object
 * (80,000 for 400 tables), all alive until the model is built, so memory per line decides the
 * reader's speed (issue 15): a node keeps an offset into its document rather than a copy of its
 * line (the text is sliced only when an error shows it), and its `key: value` property lines are
 * not nodes but four slots each in `props` (propertyNode() makes one when needed).
 */
export class TmdlNode {
  /** Keyword lower-cased: the reader is case-insensitive (docs/tmdl.md#lines-and-indentation). */
  declare kw: string;
  declare name: string | undefined;
  /** `:` property, `=` default property / expression, or '' (bare keyword or named object). */
  declare sep: '' | ':' | '=';
  declare value: string | undefined;
  declare description: string | undefined;
  /** Nested lines other than `key: value` properties, in order. */
  declare children: TmdlNode[];
  /** Nested `key: value` lines in order, PROP_SLOTS slots each: keyword, value, line, start offset. */
  declare props: unknown[];
  declare readonly line: number;
  /** A table's columns and measures that scan.ts read straight into model objects (they are not in `children`). */
  declare scanned: ScannedObjects | undefined;
  // Fields are assigned in the constructor only (`declare`), in one order, so every node has the same shape.
  private declare readonly doc: SourceDocument;
  /** Offset of the line's first character after its indentation. */
  private declare readonly start: number;

  constructor(kw: string, doc: SourceDocument, line: number, start: number) {
    this.kw = kw;
    this.name = undefined;
    this.sep = '';
    this.value = undefined;
    this.description = undefined;
    this.children = NO_CHILDREN;
    this.props = NO_PROPS;
    this.scanned = undefined;
    this.doc = doc;
    this.line = line;
    this.start = start;
  }

  get file(): string {
    return this.doc.file;
  }

  /** The line without its indentation and trailing whitespace. */
  get text(): string {
    const t = this.doc.text;
    let e = t.indexOf('\n', this.start);
    if (e === -1) e = t.length;
    return t.slice(this.start, trimEndAt(t, this.start, e));
  }

  /** Records a nested `key: value` line (see props). */
  addProperty(kw: string, value: string, line: number, start: number): void {
    if (this.props === NO_PROPS) this.props = [kw, value, line, start];
    else this.props.push(kw, value, line, start);
  }

  /** The `key: value` line at slot `j` of props as a node of its own (for lookups that need one, and errors). */
  propertyNode(j: number): TmdlNode {
    const n = new TmdlNode(this.props[j] as string, this.doc, this.props[j + 2] as number, this.props[j + 3] as number);
    n.sep = ':';
    n.value = this.props[j + 1] as string;
    return n;
  }
}

export interface SourceDocument {
  file: string;
  text: string;
}

export interface TmdlRef {
  type: string;
  name: string;
}

export interface ParsedDocument {
  roots: TmdlNode[];
  /** `ref <type> <name>` lines at depth 0, in order (used for collection order only, docs/tmdl.md#ordering-with-ref). */
  refs: TmdlRef[];
  /** Set when the document is a TMDL script (`createOrReplace` …), which a folder reader ignores. */
  scriptCommand?: string;
}

/**
 * Strings a model repeats on line after line — keywords (`dataType`), short values (`int64`, `none`)
 * and names (`Key`) — found again by length and a few characters, so that each occurrence shares
 * one string: 400 tables hold 80,000 lines but a few hundred distinct short strings, and every copy
 * would stay alive until the model is built.
 */
export class SpellingCache {
  private readonly raw: string[];
  private readonly out: string[];

  constructor(
    private readonly slots: number,
    private readonly maxLength: number,
    private readonly lower: boolean,
  ) {
    this.raw = new Array<string>(slots).fill('');
    this.out = new Array<string>(slots).fill('');
  }

  /** t[from, to), lower-cased when the cache is, from the cache when it was seen before. */
  get(t: string, from: number, to: number): string {
    const len = to - from;
    if (len > this.maxLength || len === 0) return this.lower ? t.slice(from, to).toLowerCase() : t.slice(from, to);
    const h = len * 31 + t.charCodeAt(from) * 7 + t.charCodeAt(to - 1) * 3 + t.charCodeAt(from + (len >> 1)) + t.charCodeAt(from + ((len * 3) >> 2)) * 5;
    const slot = h & (this.slots - 1);
    // The slice is garbage when the spelling is known, and young garbage costs the collector
    // nothing; comparing it with === is a native compare, faster than charCodeAt in a loop and
    // than startsWith (which leaves its fast path on a two-byte document).
    const spelled = t.slice(from, to);
    if (this.raw[slot] === spelled) return this.out[slot] as string;
    const value = this.lower ? spelled.toLowerCase() : spelled;
    this.raw[slot] = spelled;
    this.out[slot] = value;
    return value;
  }
}

/**
 * The caches of one read, shared by its documents (a name like `Key` recurs in every table file).
 * Not module-wide: a cached slice can keep its whole document alive.
 */
export class TmdlStrings {
  readonly keywords = new SpellingCache(256, 40, true);
  readonly values = new SpellingCache(1024, 24, false);
}

/** Columns and measures of one table declaration read by scan.ts, each with the line it is declared on. */
export class ScannedObjects {
  readonly columns: Column[] = [];
  readonly columnLines: number[] = [];
  readonly measures: Measure[] = [];
  readonly measureLines: number[] = [];
}

/**
 * A table holding scanned objects (TmdlNode.scanned) declared in parts, or one of them declared
 * twice, whose lines would have to be merged: the documents are read again without scanning.
 */
export class ScanRefused extends Error {}

// Objects whose `=` value is a DAX or M expression, and expression properties: when one of them ends
// in `=` and what follows is not indented deep enough, the expression was misplaced, not left empty.
export const EXPRESSION_OBJECTS = new Set(['measure', 'column', 'calculationitem', 'tablepermission', 'expression', 'function']);
export const EXPRESSION_PROPERTIES = new Set([
  'source', 'query', 'expression', 'formatstringdefinition', 'detailrowsdefinition', 'filterexpression',
  'statusexpression', 'targetexpression', 'trendexpression', 'sourceexpression', 'pollingexpression',
]);

// TMDL script commands (docs/tmdl.md#scripts): a document starting with one of these is a script, not model files.
export const SCRIPT_COMMANDS = new Set(['createorreplace', 'create', 'alter', 'delete', 'refresh']);
