// Power Query M parsing through Microsoft's own parser (@microsoft/powerquery-parser, MIT), so the
// lineage reads M exactly as Power Query does instead of guessing with regular expressions.
// The parser is asynchronous; `MParseCache` parses each distinct text once per run.
import { DefaultSettings, TaskUtils, type Language } from '@microsoft/powerquery-parser';

export type MNode = Language.Ast.TNode;

export type MParse = { ok: true; ast: MNode } | { ok: false; error: string };

// Partitions and shared expressions are single expressions, never `section` documents.
const SETTINGS = { ...DefaultSettings, parseBehavior: 'ParseExpression' as typeof DefaultSettings.parseBehavior };

/** Parses one M expression. Never throws: a lex or parse error comes back as a message with its line. */
export async function parseM(text: string): Promise<MParse> {
  try {
    const task = await TaskUtils.tryLexParse(SETTINGS, text);
    if (TaskUtils.isParseStageOk(task)) return { ok: true, ast: task.ast };
    if (TaskUtils.isError(task)) return { ok: false, error: describeError(task.error, text) };
    return { ok: false, error: 'the M parser returned no result' };
  } catch (err) {
    return { ok: false, error: `the M parser failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function describeError(error: unknown, text: string): string {
  const e = error as { message?: string; innerError?: Record<string, unknown> } | undefined;
  let message = (e?.message ?? 'unknown error').replace(/\s+/g, ' ').trim();
  // "Expected one of: …" lists every token kind; the first clause is the useful part.
  if (message.length > 160) message = `${message.slice(0, 157)}...`;
  let line = lineOf(e?.innerError);
  // Errors found at the end of the text carry no token: they are on its last line.
  if (line === undefined && /end-of-stream/.test(message)) line = text.split('\n').length;
  return line === undefined ? message : `line ${line}: ${message}`;
}

function lineOf(inner: Record<string, unknown> | undefined): number | undefined {
  if (!inner) return undefined;
  const found = inner.foundToken as { token?: { positionStart?: { lineNumber?: number } } } | undefined;
  const pos = (found?.token?.positionStart ?? inner.graphemePosition) as { lineNumber?: number } | undefined;
  return typeof pos?.lineNumber === 'number' ? pos.lineNumber + 1 : undefined;
}

/** Parses each distinct text once; share one cache across the models of a run. */
export class MParseCache {
  private readonly parsed = new Map<string, Promise<MParse>>();

  parse(text: string): Promise<MParse> {
    let result = this.parsed.get(text);
    if (!result) {
      result = parseM(text);
      this.parsed.set(text, result);
    }
    return result;
  }

  get size(): number {
    return this.parsed.size;
  }
}

const ESCAPES: Record<string, string> = { cr: '\r', lf: '\n', tab: '\t', '#': '#(' };

/** The value of an M text literal (`"a""b#(lf)"` → `a"b` + newline). */
export function unquoteText(literal: string): string {
  const body = literal.startsWith('"') && literal.endsWith('"') && literal.length >= 2 ? literal.slice(1, -1) : literal;
  return body.replace(/""/g, '"').replace(/#\(([^)]*)\)/g, (whole, inner: string) => {
    const parts = inner.split(',').map((p) => p.trim());
    let out = '';
    for (const part of parts) {
      const named = ESCAPES[part.toLowerCase()];
      if (named !== undefined) out += named;
      else if (/^[0-9A-Fa-f]{4}$|^[0-9A-Fa-f]{8}$/.test(part)) out += String.fromCodePoint(parseInt(part, 16));
      else return whole;
    }
    return out;
  });
}

/** An identifier as M resolves it: `#"Renamed Columns"` and `Renamed Columns` name the same step. */
export function identifierName(literal: string): string {
  return literal.startsWith('#"') ? unquoteText(literal.slice(1)) : literal;
}
