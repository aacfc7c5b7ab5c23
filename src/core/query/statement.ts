// Which SQL `fabric-sync query` runs without --write (issue 14 item 6): one statement that reads —
// SELECT, WITH … SELECT, SHOW, DESCRIBE/DESC, EXPLAIN. Judged on the text with strings, quoted
// names and comments blanked out, so a value such as 'DROP' does not count and a `;` inside a
// string does not split. The DuckDB file is also opened read-only; Snowflake relies on this check
// (and on the role's grants).

export type StatementKind = 'read' | 'write';

export interface StatementCheck {
  kind: StatementKind;
  /** The first keyword, upper-case (e.g. SELECT, INSERT). */
  keyword: string;
  /** Why it is not a read, when `kind` is write. */
  reason?: string;
}

const READ_FIRST = new Set(['SELECT', 'WITH', 'SHOW', 'DESCRIBE', 'DESC', 'EXPLAIN', 'FROM', 'VALUES', 'TABLE', 'SUMMARIZE']);
/** Keywords that make a WITH or EXPLAIN statement write (`WITH x AS (…) DELETE …`, `EXPLAIN ANALYZE INSERT …`). */
const WRITE_WORDS = /\b(INSERT|UPDATE|DELETE|MERGE|CREATE|DROP|ALTER|TRUNCATE|COPY|GRANT|REVOKE|ATTACH|DETACH|INSTALL|LOAD|CALL|PUT|REMOVE|UNDROP|EXPORT|IMPORT|CHECKPOINT|VACUUM|SET|RESET|USE|BEGIN|COMMIT|ROLLBACK)\b/i;

/** The SQL with comments, string literals and quoted identifiers replaced by blanks of the same kind. */
export function blankLiterals(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
      out += ' ';
    } else if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
      out += ' ';
    } else if (ch === "'" || ch === '"' || ch === '`') {
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) break;
        if (sql[j] === ch) {
          if (sql[j + 1] === ch) j += 2; // a doubled quote inside the literal
          else break;
        } else if (ch === "'" && sql[j] === '\\') j += 2; // Snowflake's backslash escape
        else j += 1;
      }
      out += ch === "'" ? "''" : '"x"';
      i = j + 1;
    } else if (ch === '$' && next === '$') {
      const end = sql.indexOf('$$', i + 2);
      i = end === -1 ? sql.length : end + 2;
      out += "''";
    } else {
      out += ch;
      i += 1;
    }
  }
  return out;
}

export function checkStatement(sql: string): StatementCheck {
  const bare = blankLiterals(sql).trim().replace(/;\s*$/, '');
  if (bare === '') return { kind: 'write', keyword: '', reason: 'the statement is empty' };
  if (bare.includes(';')) return { kind: 'write', keyword: firstWord(bare), reason: 'it holds more than one statement' };
  const keyword = firstWord(bare);
  if (!READ_FIRST.has(keyword)) return { kind: 'write', keyword, reason: `${keyword || 'it'} is not a read (SELECT, WITH, SHOW, DESCRIBE)` };
  const word = WRITE_WORDS.exec(bare)?.[1];
  if (word && keyword !== 'SHOW' && keyword !== 'DESCRIBE' && keyword !== 'DESC') return { kind: 'write', keyword, reason: `it contains ${word.toUpperCase()}` };
  return { kind: 'read', keyword };
}

function firstWord(text: string): string {
  return /^[\s(]*([A-Za-z_]+)/.exec(text)?.[1]?.toUpperCase() ?? '';
}
