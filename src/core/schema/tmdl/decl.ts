// A TMDL object as the model sees it: one or more partial declarations of the same (type, name)
// merged into one (docs/tmdl.md#files-and-folders "partial declaration"), with its properties indexed once.
// The same property declared twice — in one file or across files — is an error, as in TOM.
import { InputError } from '../../errors.js';
import { PROP_SLOTS, ScanRefused, type ScannedObjects, type TmdlNode } from './node.js';

// Keywords that may legitimately repeat inside one object and that the model does not keep
// (designer metadata); skipped without indexing, which is most of a Desktop file's lines.
const IGNORED = new Set(['changedproperty', 'annotation', 'extendedproperty']);

const NO_PROPS: unknown[] = [];
const PROP_ENTRY = 3;
const MAX_SCANNED_PROPS = 16;

export function tmdlError(message: string, node: TmdlNode): never {
  throw new InputError(`TMDL error: ${message}`, { file: node.file, line: node.line, text: node.text });
}

export class Decl {
  readonly kw: string;
  readonly name: string;
  readonly first: TmdlNode;
  /** Default property / expression after `=` on the declaration line (or its body). */
  readonly value: string | undefined;
  readonly description: string | undefined;
  /** Was the object written with `=` (e.g. `column X =` → calculated column)? */
  readonly hasEquals: boolean;
  /**
   * Properties, PROP_ENTRY slots each: keyword, the node holding it, and its slot in that node's
   * `props` (a `key: value` line), or -1 when the node is the property (`isHidden`, `source = …`).
   * Found by a linear search: an object has a handful, and a Map per object (one per column and
   * measure) cost more to build than all the lookups (issue 15).
   */
  private props: unknown[] = NO_PROPS;
  /**
   * PROP_ENTRY, or PROP_SLOTS when props is the `props` of `first` itself (keyword, value, line,
   * start: all `key: value` lines).
   */
  private stride = PROP_ENTRY;
  /** Keyword → index in props, built once an object has more than MAX_SCANNED_PROPS (generated or hostile input). */
  private propIndex: Map<string, number> | undefined = undefined;
  /** Child objects by keyword, then by lower-cased name, in order of first appearance; created on the first one. */
  private objects: Map<string, Map<string, TmdlNode[]>> | undefined = undefined;

  constructor(nodes: readonly TmdlNode[]) {
    const first = nodes[0];
    if (!first) throw new InputError('TMDL error: empty declaration');
    this.first = first;
    this.kw = first.kw;
    this.name = first.name ?? '';
    if (nodes.length === 1 && first.children.length === 0 && plainProps(first.props)) {
      // One declaration holding only `key: value` lines, each once (a column, a measure): its
      // props are read where they are, with no index of its own.
      this.props = first.props;
      this.stride = PROP_SLOTS;
      this.value = first.sep === '=' ? first.value : undefined;
      this.hasEquals = first.sep === '=';
      this.description = first.description;
      return;
    }
    let value: TmdlNode | undefined;
    let description: string | undefined;
    for (const n of nodes) {
      // Scanned objects are not in children, so they cannot be merged here.
      if (n.scanned !== undefined && nodes.length > 1) throw new ScanRefused(`${this.label()} is declared in parts`);
      if (n.sep === '=') {
        if (value) tmdlError(`${this.label()} has its expression declared twice (first on line ${value.line} of ${value.file})`, n);
        value = n;
      }
      if (n.description !== undefined) description = description === undefined ? n.description : `${description}\n${n.description}`;
      // Nested lines in file order (a repeated property is reported where it repeats): the node's
      // children and its `key: value` lines are each in order, so merge them by line number.
      const { children, props } = n;
      let i = 0;
      let j = 0;
      while (i < children.length || j < props.length) {
        const c = children[i];
        if (j < props.length && (c === undefined || (props[j + 2] as number) < c.line)) {
          this.addProp(props[j] as string, n, j);
          j += PROP_SLOTS;
        } else {
          this.index(c as TmdlNode);
          i++;
        }
      }
    }
    this.value = value?.value;
    this.hasEquals = value !== undefined;
    this.description = description;
  }

  /** Columns and measures scan.ts read (a table declared once). */
  get scanned(): ScannedObjects | undefined {
    return this.first.scanned;
  }

  label(): string {
    return this.name ? `${this.kw} '${this.name}'` : this.kw;
  }

  private index(c: TmdlNode): void {
    if (IGNORED.has(c.kw)) return;
    // A property: `key: value`, a bare boolean `key`, or a nameless `key = text` without children.
    const isProp = c.name === undefined && (c.sep === ':' || (c.children.length === 0 && c.props.length === 0));
    if (isProp) {
      this.addProp(c.kw, c, -1);
      return;
    }
    const objects = (this.objects ??= new Map());
    let byName = objects.get(c.kw);
    if (!byName) objects.set(c.kw, (byName = new Map()));
    const key = (c.name ?? '').toLowerCase();
    const list = byName.get(key);
    if (list) list.push(c);
    else byName.set(key, [c]);
  }

  private addProp(kw: string, holder: TmdlNode, slot: number): void {
    if (IGNORED.has(kw)) return;
    const prev = this.find(kw);
    if (prev >= 0) {
      const first = this.nodeAt(prev);
      const { line, file } = first;
      tmdlError(`property '${kw}' of ${this.label()} is declared twice (first on line ${line} of ${file})`, slot < 0 ? holder : holder.propertyNode(slot));
    }
    if (this.props === NO_PROPS) this.props = [kw, holder, slot];
    else this.props.push(kw, holder, slot);
    if (this.propIndex) this.propIndex.set(kw, this.props.length - PROP_ENTRY);
    else if (this.props.length > MAX_SCANNED_PROPS * PROP_ENTRY) {
      this.propIndex = new Map();
      for (let k = 0; k < this.props.length; k += PROP_ENTRY) this.propIndex.set(this.props[k] as string, k);
    }
  }

  /** Index in props of the property `key`, or -1. */
  private find(key: string): number {
    if (this.propIndex) return this.propIndex.get(key) ?? -1;
    const { props, stride } = this;
    for (let k = 0; k < props.length; k += stride) if (props[k] === key) return k;
    return -1;
  }

  private nodeAt(k: number): TmdlNode {
    if (this.stride === PROP_SLOTS) return this.first.propertyNode(k);
    const holder = this.props[k + 1] as TmdlNode;
    const slot = this.props[k + 2] as number;
    return slot < 0 ? holder : holder.propertyNode(slot);
  }

  /** The line of property `key` (for lookups that need more than its value, and errors). */
  node(key: string): TmdlNode | undefined {
    const k = this.find(key);
    return k < 0 ? undefined : this.nodeAt(k);
  }

  /** Separator and value of property `key` without making a node: undefined when absent. */
  private sepOf(k: number): '' | ':' | '=' {
    if (this.stride === PROP_SLOTS) return ':';
    const slot = this.props[k + 2] as number;
    return slot < 0 ? (this.props[k + 1] as TmdlNode).sep : ':';
  }

  private valueOf(k: number): string | undefined {
    if (this.stride === PROP_SLOTS) return this.props[k + 1] as string;
    const holder = this.props[k + 1] as TmdlNode;
    const slot = this.props[k + 2] as number;
    return slot < 0 ? holder.value : (holder.props[slot + 1] as string);
  }

  str(key: string): string | undefined {
    const k = this.find(key);
    if (k < 0) return undefined;
    if (this.sepOf(k) === '') tmdlError(`property '${key}' needs a value`, this.nodeAt(k));
    return this.valueOf(k);
  }

  bool(key: string): boolean | undefined {
    const k = this.find(key);
    if (k < 0) return undefined;
    if (this.sepOf(k) === '') return true; // boolean shortcut: the bare name means true (docs/tmdl.md#properties)
    const v = (this.valueOf(k) ?? '').toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
    return tmdlError(`property '${key}' must be true or false`, this.nodeAt(k));
  }

  int(key: string): number | undefined {
    const k = this.find(key);
    if (k < 0) return undefined;
    const v = this.valueOf(k) ?? '';
    const x = Number(v);
    if (v === '' || !Number.isSafeInteger(x)) tmdlError(`property '${key}' must be a whole number`, this.nodeAt(k));
    return x;
  }

  /** Named child objects of one keyword, each merged from its partial declarations. */
  children(kw: string): Decl[] {
    const byName = this.objects?.get(kw);
    if (!byName) return [];
    const out: Decl[] = [];
    for (const [key, nodes] of byName) {
      if (key === '') tmdlError(`${kw} needs a name`, nodes[0] as TmdlNode);
      out.push(new Decl(nodes));
    }
    return out;
  }

  /** A nameless child object (`calculationGroup`, a partition's `source` block). */
  child(kw: string): Decl | undefined {
    const nodes = this.objects?.get(kw)?.get('');
    return nodes ? new Decl(nodes) : undefined;
  }

  has(kw: string): boolean {
    return this.find(kw) >= 0 || this.objects?.has(kw) === true;
  }
}

/** `key: value` slots (PROP_SLOTS each) that the general path would index as they are: few, none ignored, none repeated. */
function plainProps(props: readonly unknown[]): boolean {
  if (props.length > MAX_SCANNED_PROPS * PROP_SLOTS) return false;
  for (let j = 0; j < props.length; j += PROP_SLOTS) {
    const kw = props[j];
    if (IGNORED.has(kw as string)) return false;
    for (let k = 0; k < j; k += PROP_SLOTS) if (props[k] === kw) return false;
  }
  return true;
}

/**
 * Group top-level nodes by (keyword, name) keeping first-appearance order, mapping `culture` to
 * `cultureinfo` (older serialisers write `culture`, docs/tmdl.md#declarations-and-names).
 */
export function groupTopLevel(roots: readonly TmdlNode[]): Map<string, Map<string, TmdlNode[]>> {
  const out = new Map<string, Map<string, TmdlNode[]>>();
  for (const r of roots) {
    const kw = r.kw === 'culture' ? 'cultureinfo' : r.kw;
    let byName = out.get(kw);
    if (!byName) out.set(kw, (byName = new Map()));
    const key = (r.name ?? '').toLowerCase();
    const list = byName.get(key);
    if (list) list.push(r);
    else byName.set(key, [r]);
  }
  return out;
}
