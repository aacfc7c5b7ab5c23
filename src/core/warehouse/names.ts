// Snowflake identifier rules for the names that come from configuration (database, schema, role,
// warehouse, tablesSchema), and the fully qualified object names every statement uses.
// https://docs.snowflake.com/en/sql-reference/identifiers-syntax: an unquoted identifier is
// letters, digits, `_` and `$` (not starting with a digit or `$`) and is stored upper-case; a
// double-quoted one is kept exactly as written, `""` standing for one `"`; at most 255 characters.
// The configured text is resolved once, and the resolved name is then always sent double-quoted —
// at login, in USE, in DDL and in the grants `validate` prints — so all of them name one object.
import { quoteIdent } from './dialect.js';

/** Resolved (stored) database and schema names of the metadata tables. */
export interface Namespace {
  database: string;
  schema: string;
}

const UNQUOTED = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const QUOTED = /^"((?:[^"]|"")+)"$/;
export const MAX_IDENTIFIER_LENGTH = 255;

/** Why `text` is not a valid identifier, or undefined when it is. */
export function identifierProblem(text: string): string | undefined {
  const quoted = QUOTED.exec(text);
  const name = quoted ? quoted[1]!.replaceAll('""', '"') : text;
  if (!quoted && !UNQUOTED.test(text)) {
    return 'must be a Snowflake identifier: letters, digits, _ and $ (not starting with a digit or $; stored upper-case), or a double-quoted name kept as written, e.g. "My Schema"';
  }
  if (name.length > MAX_IDENTIFIER_LENGTH) return `must be at most ${MAX_IDENTIFIER_LENGTH} characters`;
  return undefined;
}

/** The name Snowflake stores for configured `text`: unquoted → upper-case, quoted → as written. */
export function resolveIdentifier(text: string): string {
  const quoted = QUOTED.exec(text);
  return quoted ? quoted[1]!.replaceAll('""', '"') : text.toUpperCase();
}

/** `"DB"."SCHEMA"."NAME"`; a plain `"NAME"` without a namespace (the embedded DuckDB file). */
export function qualified(ns: Namespace | undefined, name: string): string {
  return ns ? `${quoteIdent(ns.database)}.${quoteIdent(ns.schema)}.${quoteIdent(name)}` : quoteIdent(name);
}

/** `"DB"."SCHEMA"` of a namespace. */
export function schemaRef(ns: Namespace): string {
  return `${quoteIdent(ns.database)}.${quoteIdent(ns.schema)}`;
}

/**
 * An INFORMATION_SCHEMA view of the configured database (`"DB"."INFORMATION_SCHEMA"."TABLES"`),
 * never of whatever database the session happens to be in. Without a namespace (DuckDB) the
 * file's own INFORMATION_SCHEMA, filtered to its catalog by `catalogFilter`.
 */
export function infoSchema(ns: Namespace | undefined, view: string): string {
  return ns ? `${quoteIdent(ns.database)}."INFORMATION_SCHEMA".${quoteIdent(view)}` : `"INFORMATION_SCHEMA".${quoteIdent(view)}`;
}

/** ` AND "<column>" = CURRENT_DATABASE()` for DuckDB's INFORMATION_SCHEMA; nothing on Snowflake (already scoped). */
export function catalogFilter(ns: Namespace | undefined, column: string): string {
  return ns ? '' : ` AND ${quoteIdent(column)} = CURRENT_DATABASE()`;
}
