// Snowflake identifier rules for names written in configuration (`"Targets": "DB.SCHEMA.TARGETS"`):
// an unquoted identifier (`[A-Za-z_][A-Za-z0-9_$]*`) is stored and resolved upper-case; a
// double-quoted one keeps its case and may hold any character, `""` standing for one `"`.
// https://docs.snowflake.com/en/sql-reference/identifiers-syntax

export type ParsedName = { ok: true; parts: string[] } | { ok: false; error: string };

const UNQUOTED = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const MAX_LENGTH = 255;

/** Splits a dotted name into resolved identifiers. Never throws. */
export function parseSnowflakeName(text: string): ParsedName {
  const parts: string[] = [];
  let i = 0;
  const n = text.length;
  for (;;) {
    while (i < n && text[i] === ' ') i++;
    if (text[i] === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= n) return { ok: false, error: `unterminated quoted identifier in '${text}'` };
        if (text[j] === '"') {
          if (text[j + 1] === '"') {
            value += '"';
            j += 2;
            continue;
          }
          break;
        }
        value += text[j];
        j++;
      }
      if (value === '') return { ok: false, error: `empty quoted identifier in '${text}'` };
      parts.push(value);
      i = j + 1;
    } else {
      let j = i;
      while (j < n && text[j] !== '.' && text[j] !== ' ') j++;
      const word = text.slice(i, j);
      if (!UNQUOTED.test(word)) {
        return {
          ok: false,
          error: word === ''
            ? `empty name part in '${text}'`
            : `'${word}' is not a valid unquoted identifier (letters, digits, _ and $, not starting with a digit); double-quote it to keep it as written`,
        };
      }
      parts.push(word.toUpperCase());
      i = j;
    }
    if (parts[parts.length - 1]!.length > MAX_LENGTH) return { ok: false, error: `identifier longer than ${MAX_LENGTH} characters in '${text}'` };
    while (i < n && text[i] === ' ') i++;
    if (i >= n) return { ok: true, parts };
    if (text[i] !== '.') return { ok: false, error: `unexpected '${text[i]}' in '${text}'` };
    i++;
  }
}

export type ParsedObjectName = { ok: true; database: string; schema: string; name: string } | { ok: false; error: string };

/** A fully qualified `DATABASE.SCHEMA.OBJECT` name, as the semantic view needs one. */
export function parseSnowflakeObjectName(text: string): ParsedObjectName {
  const parsed = parseSnowflakeName(text);
  if (!parsed.ok) return parsed;
  if (parsed.parts.length !== 3) {
    return { ok: false, error: `'${text}' must be fully qualified as DATABASE.SCHEMA.OBJECT (${parsed.parts.length} part${parsed.parts.length === 1 ? '' : 's'} given)` };
  }
  const [database, schema, name] = parsed.parts as [string, string, string];
  return { ok: true, database, schema, name };
}

/** One identifier (a configured column name). */
export function parseSnowflakeIdentifier(text: string): { ok: true; name: string } | { ok: false; error: string } {
  const parsed = parseSnowflakeName(text);
  if (!parsed.ok) return parsed;
  if (parsed.parts.length !== 1) return { ok: false, error: `'${text}' must be a single identifier` };
  return { ok: true, name: parsed.parts[0]! };
}

/** A dotted name for messages: each part bare when Snowflake would read it back unchanged, else quoted. */
export function formatSnowflakeName(parts: readonly string[]): string {
  return parts.map((p) => (/^[A-Z_][A-Z0-9_$]*$/.test(p) ? p : `"${p.replace(/"/g, '""')}"`)).join('.');
}
