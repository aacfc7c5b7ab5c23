// The line of a JSON path inside a JSON text, for reader errors found after parsing ("model.tables[3]
// .dataType is not a TOM data type"): every reader error names its file and line (issue 9, bad
// input). A flat scanner with an explicit stack, so deeply nested input cannot overflow the call
// stack; it runs only when an error is being reported.

type Segment = string | number;

interface Frame {
  array: boolean;
  key: string | null;
  /** Values seen so far (arrays): the current value's index is count - 1. */
  count: number;
}

/**
 * 1-based line where the value at `path` (e.g. `model.tables[0].columns[2].dataType`) starts; when
 * that value is absent, the line of its nearest present parent. The path may be a suffix of the full
 * path (a TMSL script wraps the database one level down). `undefined` when nothing matches.
 */
export function jsonPathLine(text: string, path: string): number | undefined {
  const target: Segment[] = [];
  for (const m of path.matchAll(/\[(\d+)\]|([^.[\]]+)/g)) target.push(m[1] !== undefined ? Number(m[1]) : m[2]!);
  for (let k = target.length; k > 0; k--) {
    const line = find(text, target.slice(0, k));
    if (line !== undefined) return line;
  }
  return undefined;
}

function find(text: string, target: Segment[]): number | undefined {
  const stack: Frame[] = [];
  const n = text.length;
  let line = 1;
  let expectKey = false;
  const matches = (): boolean => {
    if (stack.length < target.length) return false;
    for (let j = 0; j < target.length; j++) {
      const f = stack[stack.length - target.length + j]!;
      const seg = f.array ? f.count - 1 : f.key;
      if (seg !== target[j]) return false;
    }
    return true;
  };
  for (let i = 0; i < n; ) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      i++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 0xfeff || c === 58 /* : */) {
      i++;
      continue;
    }
    const top = stack[stack.length - 1];
    if (c === 44 /* , */) {
      expectKey = top !== undefined && !top.array;
      i++;
      continue;
    }
    if (c === 125 /* } */ || c === 93 /* ] */) {
      stack.pop();
      expectKey = false;
      i++;
      continue;
    }
    if (c === 34 /* " */ && top && !top.array && expectKey) {
      const end = stringEnd(text, i);
      try {
        top.key = JSON.parse(text.slice(i, end)) as string;
      } catch {
        top.key = text.slice(i + 1, end - 1);
      }
      expectKey = false;
      i = end;
      continue;
    }
    // A value starts here.
    if (top?.array) top.count++;
    if (matches()) return line;
    if (c === 123 /* { */ || c === 91 /* [ */) {
      stack.push({ array: c === 91, key: null, count: 0 });
      expectKey = c === 123;
      i++;
      continue;
    }
    if (c === 34) {
      i = stringEnd(text, i);
      continue;
    }
    while (i < n && !/[\s,}\]]/.test(text[i]!)) i++;
  }
  return undefined;
}

/** Index just past the closing quote of the string starting at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) i += 2;
    else if (c === 34) return i + 1;
    else i++;
  }
  return text.length;
}
