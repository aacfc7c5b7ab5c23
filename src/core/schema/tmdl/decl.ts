// A TMDL object as the model sees it: one or more partial declarations of the same (type, name)
// merged into one (docs/tmdl.md#files-and-folders "partial declaration"), with its properties indexed once.
// The same property declared twice — in one file or across files — is an error, as in TOM.
import { InputError } from '../../errors.js';
import type { TmdlNode } from './parse.js';

// Keywords that may legitimately repeat inside one object and that the model does not keep
// (designer metadata); skipped without indexing, which is most of a Desktop file's lines.
const IGNORED = new Set(['changedproperty', 'annotation', 'extendedproperty']);

const NO_NODES: TmdlNode[] = [];
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
   * Property lines, found by a linear search: an object has a handful, and a Map per object (one per
   * column and measure) cost more to build than all the lookups (issue 15).
   */
  private props: TmdlNode[] = NO_NODES;
  /** The same by keyword, built once an object has more than MAX_SCANNED_PROPS (generated or hostile input). */
  private propIndex: Map<string, TmdlNode> | undefined = undefined;
  /** Child objects by keyword, then by lower-cased name, in order of first appearance; created on the first one. */
  private objects: Map<string, Map<string, TmdlNode[]>> | undefined = undefined;

  constructor(nodes: readonly TmdlNode[]) {
    const first = nodes[0];
    if (!first) throw new InputError('TMDL error: empty declaration');
    this.first = first;
    this.kw = first.kw;
    this.name = first.name ?? '';
    let value: TmdlNode | undefined;
    let description: string | undefined;
    for (const n of nodes) {
      if (n.sep === '=') {
        if (value) tmdlError(`${this.label()} has its expression declared twice (first on line ${value.line} of ${value.file})`, n);
        value = n;
      }
      if (n.description !== undefined) description = description === undefined ? n.description : `${description}\n${n.description}`;
      for (const c of n.lines(IGNORED)) this.index(c);
    }
    this.value = value?.value;
    this.hasEquals = value !== undefined;
    this.description = description;
  }

  label(): string {
    return this.name ? `${this.kw} '${this.name}'` : this.kw;
  }

  private index(c: TmdlNode): void {
    if (IGNORED.has(c.kw)) return;
    // A property: `key: value`, a bare boolean `key`, or a nameless `key = text` without children.
    const isProp = c.name === undefined && (c.sep === ':' || (c.children.length === 0 && c.props.length === 0));
    if (isProp) {
      const prev = this.props === NO_NODES ? undefined : this.node(c.kw);
      if (prev) {
        tmdlError(`property '${c.kw}' of ${this.label()} is declared twice (first on line ${prev.line} of ${prev.file})`, c);
      }
      if (this.props === NO_NODES) this.props = [c];
      else this.props.push(c);
      if (this.propIndex) this.propIndex.set(c.kw, c);
      else if (this.props.length > MAX_SCANNED_PROPS) this.propIndex = new Map(this.props.map((n) => [n.kw, n]));
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

  node(key: string): TmdlNode | undefined {
    if (this.propIndex) return this.propIndex.get(key);
    const { props } = this;
    for (let i = 0; i < props.length; i++) {
      const n = props[i] as TmdlNode;
      if (n.kw === key) return n;
    }
    return undefined;
  }

  str(key: string): string | undefined {
    const n = this.node(key);
    if (!n) return undefined;
    if (n.sep === '') tmdlError(`property '${key}' needs a value`, n);
    return n.value;
  }

  bool(key: string): boolean | undefined {
    const n = this.node(key);
    if (!n) return undefined;
    if (n.sep === '') return true; // boolean shortcut: the bare name means true (docs/tmdl.md#properties)
    const v = (n.value ?? '').toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
    return tmdlError(`property '${key}' must be true or false`, n);
  }

  int(key: string): number | undefined {
    const n = this.node(key);
    if (!n) return undefined;
    const v = n.value ?? '';
    const x = Number(v);
    if (v === '' || !Number.isSafeInteger(x)) tmdlError(`property '${key}' must be a whole number`, n);
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
    return this.node(kw) !== undefined || this.objects?.has(kw) === true;
  }
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
