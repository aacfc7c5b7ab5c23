// A TMDL object as the model sees it: one or more partial declarations of the same (type, name)
// merged into one (docs/tmdl.md#files-and-folders "partial declaration"), with its properties indexed once.
// The same property declared twice — in one file or across files — is an error, as in TOM.
import { InputError } from '../../errors.js';
import type { TmdlNode } from './parse.js';

// Keywords that may legitimately repeat inside one object and that the model does not keep
// (designer metadata); skipped without indexing, which is most of a Desktop file's lines.
const IGNORED = new Set(['changedproperty', 'annotation', 'extendedproperty']);

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
  private readonly props = new Map<string, TmdlNode>();
  /** Child objects by keyword, then by lower-cased name, in order of first appearance. */
  private readonly objects = new Map<string, Map<string, TmdlNode[]>>();

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
      for (const c of n.children) this.index(c);
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
    const isProp = c.name === undefined && (c.sep === ':' || c.children.length === 0);
    if (isProp) {
      const prev = this.props.get(c.kw);
      if (prev) {
        tmdlError(`property '${c.kw}' of ${this.label()} is declared twice (first on line ${prev.line} of ${prev.file})`, c);
      }
      this.props.set(c.kw, c);
      return;
    }
    let byName = this.objects.get(c.kw);
    if (!byName) this.objects.set(c.kw, (byName = new Map()));
    const key = (c.name ?? '').toLowerCase();
    const list = byName.get(key);
    if (list) list.push(c);
    else byName.set(key, [c]);
  }

  node(key: string): TmdlNode | undefined {
    return this.props.get(key);
  }

  str(key: string): string | undefined {
    const n = this.props.get(key);
    if (!n) return undefined;
    if (n.sep === '') tmdlError(`property '${key}' needs a value`, n);
    return n.value;
  }

  bool(key: string): boolean | undefined {
    const n = this.props.get(key);
    if (!n) return undefined;
    if (n.sep === '') return true; // boolean shortcut: the bare name means true (docs/tmdl.md#properties)
    const v = (n.value ?? '').toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
    return tmdlError(`property '${key}' must be true or false`, n);
  }

  int(key: string): number | undefined {
    const n = this.props.get(key);
    if (!n) return undefined;
    const v = n.value ?? '';
    const x = Number(v);
    if (v === '' || !Number.isSafeInteger(x)) tmdlError(`property '${key}' must be a whole number`, n);
    return x;
  }

  /** Named child objects of one keyword, each merged from its partial declarations. */
  children(kw: string): Decl[] {
    const byName = this.objects.get(kw);
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
    const nodes = this.objects.get(kw)?.get('');
    return nodes ? new Decl(nodes) : undefined;
  }

  has(kw: string): boolean {
    return this.props.has(kw) || this.objects.has(kw);
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
