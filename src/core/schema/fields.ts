// Typed access to the fields of a parsed JSON model (model.bim, TMSL scripts, push dataset tables),
// with errors that name the JSON path and, when the text is known, its line (issue 9).
import { InputError } from '../errors.js';
import { jsonPathLine } from './json-lines.js';

export type Obj = Record<string, unknown>;

/** Typed field access with JSON-path error messages. */
export class Fields {
  /** `text`: the JSON the values came from, so errors can name the line (issue 9). */
  constructor(
    readonly file: string,
    private readonly text?: string,
  ) {}

  /** Where a JSON path is: the file, and its line when the source text is known. */
  at(path: string): { file: string; line?: number } {
    const line = this.text === undefined ? undefined : jsonPathLine(this.text, path);
    return line === undefined ? { file: this.file } : { file: this.file, line };
  }

  private fail(path: string, key: string, expected: string, v: unknown): never {
    const at = path ? `${path}.${key}` : key;
    throw new InputError(`Invalid model: ${at} must be ${expected}, found ${describe(v)}`, this.at(at));
  }
  private get(o: Obj, key: string): unknown {
    return Object.hasOwn(o, key) ? o[key] : undefined;
  }
  obj(v: unknown, path: string): Obj {
    if (!isObj(v)) throw new InputError(`Invalid model: ${path} must be an object, found ${describe(v)}`, this.at(path));
    return v;
  }
  arr(o: Obj, key: string, path: string): unknown[] {
    const v = this.get(o, key);
    if (v === undefined || v === null) return [];
    return Array.isArray(v) ? v : this.fail(path, key, 'an array', v);
  }
  str(o: Obj, key: string, path: string): string | undefined {
    const v = this.get(o, key);
    if (v === undefined || v === null) return undefined;
    return typeof v === 'string' ? v : this.fail(path, key, 'a string', v);
  }
  name(o: Obj, path: string): string {
    const v = this.str(o, 'name', path);
    if (v === undefined) throw new InputError(`Invalid model: ${path}.name is missing`, this.at(path));
    return v;
  }
  num(o: Obj, key: string, path: string): number | undefined {
    const v = this.get(o, key);
    if (v === undefined || v === null) return undefined;
    return typeof v === 'number' && Number.isFinite(v) ? v : this.fail(path, key, 'a number', v);
  }
  bool(o: Obj, key: string, path: string, dflt = false): boolean {
    const v = this.get(o, key);
    if (v === undefined || v === null) return dflt;
    return typeof v === 'boolean' ? v : this.fail(path, key, 'true or false', v);
  }
  oneOf<T extends string>(o: Obj, key: string, path: string, allowed: readonly T[]): T | undefined {
    const v = this.str(o, key, path);
    if (v === undefined) return undefined;
    const hit = allowed.find((a) => a.toLowerCase() === v.toLowerCase());
    return hit ?? this.fail(path, key, `one of ${allowed.join(', ')}`, v);
  }
  /** TMSL writes long expressions as an array of lines. */
  expr(o: Obj, key: string, path: string): string | undefined {
    const v = this.get(o, key);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join('\n');
    return this.fail(path, key, 'a string or an array of strings', v);
  }
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

/** Drops undefined properties: absent, not undefined, keeps canonical JSON stable (model.ts). */
export function opt<T extends object>(o: T): T {
  // A copy rather than `delete`: deleting keys turns every column and measure object into a slow
  // dictionary-mode object (a large model spent a fifth of its read time here).
  const src = o as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k in src) if (src[k] !== undefined) out[k] = src[k];
  return out as T;
}
