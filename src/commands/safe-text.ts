// Text from outside (model, table, workspace names; error messages; ids) reaches a terminal or a CI log.
// Any workspace contributor can name a model, so a name must never become a terminal escape (clear the
// screen, write the clipboard with OSC 52, a hidden OSC 8 link) or a CI log command (issue 13 item 7):
// - Azure Pipelines runs `##vso[…]` found ANYWHERE in a line of stdout or stderr (the agent's
//   Command.cs: `message.IndexOf("##vso[")`); a bare CR also ends a line there.
// - GitHub Actions runs `::cmd::` at the start of a line (after leading spaces) and the legacy
//   `##[cmd]` anywhere in a line (actions/runner ActionCommand.cs, TryParseV2 / TryParse).
// Human output therefore shows control characters escaped (`\n`, `\x1b`, `\u202e`) and breaks those
// command prefixes; --json stays exact JSON (the same values after JSON.parse), only spelled with
// `\uXXXX` escapes where a raw character could do harm.

/** C0 controls, DEL, C1 controls (U+009B is a one-character CSI), line/paragraph separators, bidi overrides, lone surrogates. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One value shown on one line: every control character escaped; nothing else changes. */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/** Breaks the CI command prefixes in one line of human output (the line has no control characters left). */
export function neutralizeCommands(line: string): string {
  return line
    .replace(/##(?=vso\[|\[)/g, '#\\x23')
    .replace(/^(\s*):(?=:)/, '$1\\x3a');
}

/**
 * JSON.stringify whose text is safe in a terminal and a CI log and parses to exactly the same value:
 * characters JSON leaves raw (DEL, C1, U+2028/2029, bidi overrides) and the `#` of `##vso[` / `##[`
 * are written as `\uXXXX` escapes. They can only occur inside strings, where the escape is equivalent.
 */
export function safeJsonStringify(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent)
    .replace(/[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/##(?=vso\[|\[)/g, '#\\u0023');
}
