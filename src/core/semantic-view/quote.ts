// Snowflake identifier and string-literal quoting for semantic-view DDL.
//
// Identifiers (https://docs.snowflake.com/en/sql-reference/identifiers-syntax): an unquoted
// identifier starts with a letter or `_`, holds only letters, digits, `_` and `$`, and resolves to
// upper case; a double-quoted one keeps its case and may hold any character, a `"` written as `""`;
// either kind is at most 255 characters. We leave a name unquoted only when quoting would change
// nothing (it is already upper case and not a keyword), so every name resolves to exactly itself.
//
// String literals (https://docs.snowflake.com/en/sql-reference/data-types-text, "Escape sequences
// in single-quoted string constants"): a backslash starts an escape sequence (\\ \' \n \r \t \0
// \ooo \xhh \uhhhh …) and an unknown one drops the backslash, so every backslash in text must be
// doubled; a quote is written `''`. NUL is written \u0000, never \0, which a following digit would
// turn into an octal escape.
import { InternalError } from '../errors.js';

export const MAX_IDENTIFIER_LENGTH = 255;

/**
 * Words never left unquoted: Snowflake's reserved and limited keywords
 * (https://docs.snowflake.com/en/sql-reference/reserved-keywords) plus the words of the CREATE
 * SEMANTIC VIEW grammar, so that a name like COMMENT or METRICS can never be read as a clause.
 * Quoting an upper-case name is free: `"COMMENT"` and `COMMENT` name the same object.
 */
const KEYWORDS = new Set([
  'ACCOUNT', 'ALL', 'ALTER', 'AND', 'ANY', 'AS', 'BETWEEN', 'BY', 'CASE', 'CAST', 'CHECK', 'COLUMN',
  'CONNECT', 'CONNECTION', 'CONSTRAINT', 'CREATE', 'CROSS', 'CURRENT', 'CURRENT_DATE', 'CURRENT_TIME',
  'CURRENT_TIMESTAMP', 'CURRENT_USER', 'DATABASE', 'DELETE', 'DISTINCT', 'DROP', 'ELSE', 'EXISTS',
  'FALSE', 'FOLLOWING', 'FOR', 'FROM', 'FULL', 'GRANT', 'GROUP', 'GSCLUSTER', 'HAVING', 'ILIKE', 'IN',
  'INCREMENT', 'INNER', 'INSERT', 'INTERSECT', 'INTO', 'IS', 'ISSUE', 'JOIN', 'LATERAL', 'LEFT', 'LIKE',
  'LOCALTIME', 'LOCALTIMESTAMP', 'MINUS', 'NATURAL', 'NOT', 'NULL', 'OF', 'ON', 'OR', 'ORDER',
  'ORGANIZATION', 'QUALIFY', 'REGEXP', 'REVOKE', 'RIGHT', 'RLIKE', 'ROW', 'ROWS', 'SAMPLE', 'SCHEMA',
  'SELECT', 'SET', 'SOME', 'START', 'TABLE', 'TABLESAMPLE', 'THEN', 'TO', 'TRIGGER', 'TRUE', 'TRY_CAST',
  'UNION', 'UNIQUE', 'UPDATE', 'USING', 'VALUES', 'VIEW', 'WHEN', 'WHENEVER', 'WHERE', 'WINDOW', 'WITH',
  // CREATE SEMANTIC VIEW grammar (https://docs.snowflake.com/en/sql-reference/sql/create-semantic-view)
  'TABLES', 'RELATIONSHIPS', 'FACTS', 'DIMENSIONS', 'METRICS', 'COMMENT', 'PRIMARY', 'KEY', 'REFERENCES',
  'SYNONYMS', 'PUBLIC', 'PRIVATE', 'ASOF', 'COPY', 'GRANTS', 'TAG', 'LABELS', 'FILTER', 'NON', 'ADDITIVE',
  'EXCLUSIVE', 'RANGE', 'OVER', 'PARTITION', 'EXCLUDING', 'NULLS', 'FIRST', 'LAST', 'ASC', 'DESC',
  'CORTEX', 'SEARCH', 'SERVICE', 'SEMANTIC', 'REPLACE', 'IF', 'MAX_STALENESS', 'AI_SQL_GENERATION',
  'AI_QUESTION_CATEGORIZATION', 'AI_VERIFIED_QUERIES',
]);

const PLAIN = /^[A-Z_][A-Z0-9_$]*$/;
// In `u` mode a valid surrogate pair is one code point, so this matches only lone halves.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Why `name` cannot be a Snowflake identifier, or undefined when it can. */
export function identifierProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > MAX_IDENTIFIER_LENGTH) return `is ${name.length} characters long (Snowflake allows ${MAX_IDENTIFIER_LENGTH})`;
  if (name.includes('\0')) return 'contains a NUL character';
  if (LONE_SURROGATE.test(name)) return 'contains a lone UTF-16 surrogate (not valid Unicode text)';
  return undefined;
}

/** One identifier, unquoted when that resolves to the same name, else double-quoted with `""`. */
export function quoteIdentifier(name: string): string {
  const problem = identifierProblem(name);
  if (problem !== undefined) throw new InternalError(`identifier ${JSON.stringify(name.slice(0, 80))} ${problem}`);
  if (PLAIN.test(name) && !KEYWORDS.has(name)) return name;
  return `"${name.replaceAll('"', '""')}"`;
}

/** `db.schema.object`, each part quoted as needed. */
export function qualifiedName(parts: { database: string; schema: string; name: string }): string {
  return [parts.database, parts.schema, parts.name].map(quoteIdentifier).join('.');
}

/** A column of a logical table inside a semantic expression: `alias.column`. */
export function columnRef(alias: string, column: string): string {
  return `${quoteIdentifier(alias)}.${quoteIdentifier(column)}`;
}

/**
 * A single-quoted string literal that Snowflake decodes back to exactly `text`. Line breaks, tabs
 * and other control characters are written as escapes so each literal stays on one line of the
 * DDL; text that is not valid Unicode (a lone surrogate) is made valid first (U+FFFD).
 */
export function quoteStringLiteral(text: string): string {
  let out = "'";
  for (const ch of text.replace(new RegExp(LONE_SURROGATE.source, 'gu'), '\uFFFD')) {
    switch (ch) {
      case '\\': out += '\\\\'; break;
      case "'": out += "''"; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += '\\t'; break;
      default: {
        const code = ch.codePointAt(0)!;
        out += code < 0x20 || code === 0x7f ? `\\u${code.toString(16).padStart(4, '0')}` : ch;
      }
    }
  }
  return `${out}'`;
}
