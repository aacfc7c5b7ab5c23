// One TMDL document → a tree of declaration lines (docs/tmdl.md).
// Single pass over the text with indexOf; depth = leading tabs; expression bodies (multi-line and
// ``` blocks) are consumed as opaque text before any keyword is looked at, so DAX/M lines such as
// `column x` or `measure y =` can never become objects. No recursion: an explicit stack per depth.
import { InputError } from '../../errors.js';
import { LineSyntaxError, backtickBody, isWhitespaceLine, normalizeText, readWord, skipSpaces, tabDepth, trimEndAt, trimStartAt } from './lines.js';
import { BlockScanner } from './scan.js';
import { EXPRESSION_OBJECTS, EXPRESSION_PROPERTIES, NO_CHILDREN, SCRIPT_COMMANDS, SpellingCache, TmdlNode, TmdlStrings } from './node.js';
import type { ParsedDocument, SourceDocument, TmdlRef } from './node.js';

const HINT =
  'TMDL uses one tab per nesting level; fix the line shown or re-export the model from Power BI Desktop / Tabular Editor.';

/**
 * With `onRoot`, each top-level declaration is handed over as soon as its last nested line is read
 * and `roots` stays empty, so a reader can build the object and drop its lines while the rest of
 * the document is read (a model's lines never all exist at once).
 * With `scan`, the nested lines of a table's columns and measures are read into the model object
 * where scan.ts can (TmdlNode.scanned); the caller must then handle ScanRefused (node.ts).
 */
export function parseTmdlDocument(
  file: string,
  input: string,
  strings: TmdlStrings = new TmdlStrings(),
  onRoot?: (root: TmdlNode) => void,
  scan = false,
): ParsedDocument {
  return new DocumentParser(file, normalizeText(input), strings, onRoot, scan).run();
}

class DocumentParser {
  private pos = 0;
  private lineNo = 0;
  private readonly n: number;
  private readonly doc: SourceDocument;
  /** The declaration line being read ([start, end) of `t`), for errors raised while reading its expression. */
  private currentStart = 0;
  private currentEnd = 0;
  /** End of the last name read by readNameAt. */
  private nameEnd = 0;

  private readonly keywords: SpellingCache;
  private readonly values: SpellingCache;
  private readonly scanner: BlockScanner | undefined;

  constructor(
    private readonly file: string,
    private readonly t: string,
    strings: TmdlStrings,
    private readonly onRoot: ((root: TmdlNode) => void) | undefined,
    scan: boolean,
  ) {
    this.n = t.length;
    this.doc = { file, text: t };
    this.keywords = strings.keywords;
    this.values = strings.values;
    this.scanner = scan ? new BlockScanner(t, this.values) : undefined;
  }

  private fail(message: string, line: number, text: string): never {
    throw new InputError(`TMDL format error: ${message}`, { file: this.file, line, text }, { hint: HINT });
  }

  run(): ParsedDocument {
    const { t } = this;
    const roots: TmdlNode[] = [];
    const refs: TmdlRef[] = [];
    // stack[d] = the open node at depth d (valid below `open`); `null` = a line that cannot hold
    // children. A separate counter avoids resizing the array on every line.
    const stack: (TmdlNode | null)[] = [];
    let open = 0;
    let desc: string[] | null = null;
    let descDepth = -1;
    // The latest depth-0 declaration; complete once the next one starts (handed to onRoot then).
    let lastRoot: TmdlNode | undefined;
    while (this.pos <= this.n) {
      const start = this.pos;
      if (t.charCodeAt(start) === 10) {
        // An empty line (one between every two objects): nothing to find.
        this.pos++;
        this.lineNo++;
        continue;
      }
      let end = t.indexOf('\n', start);
      if (end === -1) end = this.n;
      this.pos = end + 1;
      const lineNo = ++this.lineNo;
      const depth = tabDepth(t, start, end);
      const cs = start + depth;
      if (isWhitespaceLine(t, cs, end)) continue;
      // The line's content is t[cs, ce): indentation and trailing whitespace (as trimEnd sees it) left out.
      const ce = trimEndAt(t, cs, end);
      if (t.charCodeAt(cs) === 32) {
        this.fail('indentation must use tabs, not spaces (one tab per level)', lineNo, t.slice(start, end));
      }
      if (ce > cs && t.charCodeAt(cs) < 32) this.fail('unexpected control character (is this a text file?)', lineNo, t.slice(cs, ce));
      if (depth > open) {
        this.fail(
          `line is indented ${depth} tab(s) but its parent allows at most ${open}; a child must be exactly one level deeper than its parent`,
          lineNo,
          t.slice(start, end),
        );
      }
      open = depth + 1;
      const parent = depth > 0 ? stack[depth - 1] : undefined;
      if (parent === null) {
        this.fail('a property line cannot have nested lines (check the indentation of this line)', lineNo, t.slice(start, end));
      }
      if (ce - cs >= 3 && t.startsWith('///', cs)) {
        const d = ce - cs > 3 && t.charCodeAt(cs + 3) === 32 ? t.slice(cs + 4, ce) : t.slice(cs + 3, ce);
        if (desc === null || descDepth !== depth) desc = [];
        desc.push(d);
        descDepth = depth;
        stack[depth] = null;
        continue;
      }
      const { scanner } = this;
      if (scanner !== undefined && parent?.kw === 'table') {
        const description = desc !== null && descDepth === depth ? (desc.length === 1 ? desc[0] : desc.join('\n')) : undefined;
        if (scanner.declaration(parent, cs, ce, depth + 1, this.pos, lineNo, description)) {
          this.pos = scanner.pos;
          this.lineNo = scanner.line;
          desc = null;
          stack[depth] = null;
          continue;
        }
      }
      const node = this.parseLine(cs, ce, depth, lineNo, parent ?? undefined);
      if (node === undefined) {
        desc = null; // /// above a property: TOM keeps no description there
        stack[depth] = null;
        continue;
      }
      if (desc !== null && descDepth === depth) node.description = desc.join('\n');
      desc = null;
      if (node.kw === 'ref') {
        if (depth === 0 && node.name !== undefined) refs.push({ type: node.value ?? '', name: node.name });
        stack[depth] = node; // children of a ref scope (script style) are read and ignored
        continue;
      }
      if (depth === 0 && lastRoot === undefined && SCRIPT_COMMANDS.has(node.kw) && node.name === undefined && node.sep === '') {
        return { roots: [], refs: [], scriptCommand: t.slice(cs, ce) };
      }
      if (!parent) {
        if (this.onRoot === undefined) roots.push(node);
        else if (lastRoot !== undefined) this.onRoot(lastRoot);
        lastRoot = node;
      } else if (parent.children === NO_CHILDREN) parent.children = [node];
      else parent.children.push(node);
      stack[depth] = node.sep === ':' ? null : node;
    }
    if (this.onRoot !== undefined && lastRoot !== undefined) this.onRoot(lastRoot);
    return { roots, refs };
  }

  /** readName (lines.ts) on t[from, end) without a result object: returns the name, sets nameEnd. */
  private readNameAt(from: number, end: number): string {
    const { t } = this;
    if (t.charCodeAt(from) === 39 /* ' */) {
      let i = from + 1;
      let escaped = false;
      for (;;) {
        const q = t.indexOf("'", i);
        if (q === -1 || q >= end) throw new LineSyntaxError('quoted name is not closed with a single quote');
        if (q + 1 < end && t.charCodeAt(q + 1) === 39) {
          escaped = true;
          i = q + 2;
          continue;
        }
        this.nameEnd = q + 1;
        return escaped ? t.slice(from + 1, q).replaceAll("''", "'") : this.values.get(t, from + 1, q);
      }
    }
    let i = from;
    while (i < end) {
      const c = t.charCodeAt(i);
      if (c === 32 || c === 9 || c === 61 /* = */ || c === 58 /* : */) break;
      i++;
    }
    if (i === from) throw new LineSyntaxError('expected a name');
    this.nameEnd = i;
    return this.values.get(t, from, i);
  }

  /** propertyValue (lines.ts) of t[from, end), slicing once. */
  private propertyValueAt(from: number, end: number): string {
    const { t } = this;
    const s = trimStartAt(t, from, end);
    const e = trimEndAt(t, s, end);
    if (e - s >= 2 && t.charCodeAt(s) === 34 /* " */ && t.charCodeAt(e - 1) === 34) {
      const q = t.indexOf('"', s + 1);
      return q === e - 1 ? this.values.get(t, s + 1, e - 1) : t.slice(s + 1, e - 1).replaceAll('""', '"');
    }
    return this.values.get(t, s, e);
  }

  /** One line → a node, or undefined when it is a `key: value` line kept in `parent` (TmdlNode.props). */
  private parseLine(cs: number, ce: number, depth: number, lineNo: number, parent: TmdlNode | undefined): TmdlNode | undefined {
    const { t } = this;
    const kwEnd = readWord(t, cs, ce);
    if (kwEnd === cs) this.fail('expected a keyword at the start of the line', lineNo, t.slice(cs, ce));
    const kw = this.keywords.get(t, cs, kwEnd);
    const vs = skipSpaces(t, kwEnd, ce);
    if (parent !== undefined && vs < ce && t.charCodeAt(vs) === 58 /* : */ && kw !== 'ref') {
      parent.addProperty(kw, this.propertyValueAt(vs + 1, ce), lineNo, cs);
      return undefined;
    }
    const node = new TmdlNode(kw, this.doc, lineNo, cs);
    try {
      let i = vs;
      if (node.kw === 'ref') {
        const typeEnd = readWord(t, i, ce);
        if (typeEnd === i) throw new LineSyntaxError('expected `ref <objectType> <name>`');
        node.value = t.slice(i, typeEnd).toLowerCase();
        i = skipSpaces(t, typeEnd, ce);
        if (i < ce) node.name = this.readNameAt(i, ce);
        return node;
      }
      if (i >= ce) return node;
      const c = t.charCodeAt(i);
      if (c === 58 /* : */) {
        node.sep = ':';
        node.value = this.propertyValueAt(i + 1, ce);
        return node;
      }
      if (c !== 61 /* = */) {
        node.name = this.readNameAt(i, ce);
        i = skipSpaces(t, this.nameEnd, ce);
        if (i >= ce) return node;
        if (t.charCodeAt(i) !== 61) {
          throw new LineSyntaxError('unexpected text after the name (names with spaces or . = : must be in single quotes)');
        }
      }
      node.sep = '=';
      this.currentStart = cs;
      this.currentEnd = ce;
      const isProperty = node.name === undefined;
      const rs = trimStartAt(t, i + 1, ce);
      const re = trimEndAt(t, rs, ce);
      node.value = this.readAssignment(rs, re, depth, lineNo, isProperty, node.kw === 'linguisticmetadata');
      if (rs === re && node.value === '') this.checkMisplacedExpression(node, depth);
      return node;
    } catch (e) {
      if (e instanceof LineSyntaxError) this.fail(e.message, lineNo, t.slice(cs, ce));
      throw e;
    }
  }

  /**
   * The text after `=` (t[rs, re), trimmed): one line, a ``` block, or a multi-line body. An object's body sits one level
   * below its properties (declaration depth + 2, docs/tmdl.md#expressions). For a property expression
   * (`source =`, a nameless line) the docs indent the body one level below the property while the
   * serializer writes two (seen in real models: `source =` at 2 tabs, M at 4); both are accepted, decided by the
   * depth of the first non-blank line.
   */
  private readAssignment(rs: number, re: number, depth: number, lineNo: number, isProperty: boolean, skip: boolean): string {
    const { t } = this;
    if (re - rs >= 3 && t.startsWith('```', rs)) {
      const ss = trimStartAt(t, rs + 3, re);
      return this.readBacktickBlock(t.slice(ss, trimEndAt(t, ss, re)), lineNo, skip);
    }
    if (re > rs) return t.slice(rs, re);
    const minDepth = isProperty && this.nextContentDepth() === depth + 1 ? depth + 1 : depth + 2;
    return this.readIndentedBody(minDepth, skip);
  }

  /** Tab depth of the next line that is not blank, without consuming anything (-1 at the end). */
  private nextContentDepth(): number {
    return this.peekContent()?.depth ?? -1;
  }

  /** The next line that is not blank — depth and line number — without consuming anything. */
  private peekContent(): { depth: number; line: number } | undefined {
    const { t } = this;
    let p = this.pos;
    let line = this.lineNo;
    while (p <= this.n) {
      let e = t.indexOf('\n', p);
      if (e === -1) e = this.n;
      line++;
      const d = tabDepth(t, p, e);
      if (!isWhitespaceLine(t, p + d, e)) return { depth: d, line };
      p = e + 1;
    }
    return undefined;
  }

  /**
   * `measure X =` (or `source =`) followed by nothing deep enough to be its expression. When the
   * next line sits inside the object at property depth, it is the expression indented one tab too
   * little; read on, it would become a bogus property (silently, or with a confusing name error on a
   * later line). Name the declaration, the line holding the text and the indentation expected.
   */
  private checkMisplacedExpression(node: TmdlNode, depth: number): void {
    const next = this.peekContent();
    const label = node.name === undefined ? `'${node.kw} ='` : `${node.kw} '${node.name}'`;
    if (node.name !== undefined && EXPRESSION_OBJECTS.has(node.kw)) {
      if (!next || next.depth !== depth + 1) return;
      this.failAt(
        `the expression of ${label} is missing: its text must start on the next line indented ${depth + 2} tab(s), ` +
          `one level deeper than the object's properties, but line ${next.line} is indented ${next.depth}`,
        node.line,
        node.text,
        `Indent the expression lines (from line ${next.line}) one more tab, or write a one-line expression after '=' on line ${node.line}.`,
      );
    }
    if (node.name === undefined && EXPRESSION_PROPERTIES.has(node.kw)) {
      const where = next && next.depth === depth ? `, but line ${next.line} is indented ${next.depth} like the property itself` : '';
      this.failAt(
        `the expression of ${label} is missing: its text must start on the next line indented ${depth + 1} or ${depth + 2} tab(s)${where}`,
        node.line,
        node.text,
        'Indent the expression lines below the property, or write a one-line expression after \'=\'.',
      );
    }
  }

  private failAt(message: string, line: number, text: string, hint: string): never {
    throw new InputError(`TMDL format error: ${message}`, { file: this.file, line, text }, { hint });
  }

  /**
   * Multi-line expression (docs/tmdl.md#expressions): following lines that are blank or at least `minDepth` tabs
   * deep. The common indentation is stripped, blank lines inside are kept, trailing ones dropped;
   * trailing spaces of a line are not significant in this form (the serializer switches to ```
   * when they are).
   */
  private readIndentedBody(minDepth: number, skip: boolean): string {
    if (skip) {
      this.skipIndentedBody(minDepth);
      return '';
    }
    const { t } = this;
    const starts: number[] = [];
    const ends: number[] = [];
    let minTabs = Number.MAX_SAFE_INTEGER;
    let last = -1;
    while (this.pos <= this.n) {
      let e = t.indexOf('\n', this.pos);
      if (e === -1) e = this.n;
      const d = tabDepth(t, this.pos, e);
      if (isWhitespaceLine(t, this.pos + d, e)) {
        starts.push(-1);
        ends.push(-1);
      } else if (d >= minDepth) {
        if (d < minTabs) minTabs = d;
        starts.push(this.pos);
        ends.push(e);
        last = starts.length - 1;
      } else break;
      this.pos = e + 1;
      this.lineNo++;
    }
    if (last < 0) return '';
    const parts = new Array<string>(last + 1);
    for (let k = 0; k <= last; k++) {
      const s = starts[k] as number;
      parts[k] = s < 0 ? '' : t.slice(s + minTabs, ends[k] as number).trimEnd();
    }
    return parts.join('\n');
  }

  /**
   * The same extent as readIndentedBody, keeping nothing: culture files carry up to 2.4 MB of
   * linguistic-metadata JSON the model does not need (docs/tmdl.md#culture-files), so only the first `minDepth`
   * characters of each line are looked at.
   */
  private skipIndentedBody(minDepth: number): void {
    const { t } = this;
    while (this.pos <= this.n) {
      let e = t.indexOf('\n', this.pos);
      if (e === -1) e = this.n;
      let k = 0;
      while (k < minDepth && t.charCodeAt(this.pos + k) === 9) k++;
      if (k < minDepth && !isWhitespaceLine(t, this.pos + k, e)) return;
      this.pos = e + 1;
      this.lineNo++;
    }
  }

  /** ``` block (docs/tmdl.md#expressions): verbatim up to a line holding only ```; that line's indentation is the margin. */
  private readBacktickBlock(sameLine: string, openLine: number, skip: boolean): string {
    const { t } = this;
    const bodyStart = this.pos;
    while (this.pos <= this.n) {
      let e = t.indexOf('\n', this.pos);
      if (e === -1) e = this.n;
      const ls = this.pos;
      this.pos = e + 1;
      this.lineNo++;
      let f = ls;
      while (f < e && (t.charCodeAt(f) === 9 || t.charCodeAt(f) === 32)) f++;
      if (t.startsWith('```', f)) {
        if (!isWhitespaceLine(t, f + 3, e)) this.fail('nothing may follow the closing ```', this.lineNo, t.slice(ls, e));
        return skip ? '' : backtickBody(t, sameLine, bodyStart, ls, t.slice(ls, f));
      }
    }
    return this.fail('the ``` block opened on this line is never closed', openLine, t.slice(this.currentStart, this.currentEnd));
  }
}
