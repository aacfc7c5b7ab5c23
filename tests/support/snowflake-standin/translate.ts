// Snowflake → DuckDB rewrite of one statement (docs/snowflake.md#what-the-stand-in-implements): unquoted words
// upper-cased, `?`/`:n` → `$n`, Snowflake type names mapped in type positions only (so a column named
// TEXT stays a column), a few functions renamed, and inline `COMMENT` clauses lifted out of CREATE
// TABLE because DuckDB's parser refuses them (they are re-applied with COMMENT ON afterwards).
import { SfError } from './errors.js';
import { isSignificant, leadingWords, quoteIdent, quoteString, type Token } from './lexer.js';

export type StatementKind =
  | 'query' | 'insert' | 'update' | 'delete' | 'merge'
  | 'begin' | 'commit' | 'rollback' | 'ddl' | 'alter-session' | 'use' | 'other';

/** Snowflake statementTypeId values; DML is 0x3000-0x3FFF (driver `statement_type.js`). */
export const STATEMENT_TYPE_ID: Record<StatementKind, number> = {
  query: 0x1000, insert: 0x3100, update: 0x3200, delete: 0x3300, merge: 0x3400,
  begin: 0x5010, commit: 0x5020, rollback: 0x5030, 'alter-session': 0x4000, use: 0x4000,
  ddl: 0x6000, other: 0x1000,
};

export function classify(tokens: Token[]): StatementKind {
  const [w0 = '', w1 = ''] = leadingWords(tokens, 2);
  switch (w0) {
    case 'SELECT': case 'WITH': case 'SHOW': case 'DESCRIBE': case 'DESC': case 'EXPLAIN': case 'VALUES': case 'CALL':
      return 'query';
    case 'INSERT': return 'insert';
    case 'UPDATE': return 'update';
    case 'DELETE': return 'delete';
    case 'MERGE': return 'merge';
    case 'BEGIN': case 'START': return 'begin';
    case 'COMMIT': return 'commit';
    case 'ROLLBACK': case 'ABORT': return 'rollback';
    case 'USE': return 'use';
    case 'ALTER': return w1 === 'SESSION' ? 'alter-session' : 'ddl';
    case 'CREATE': case 'DROP': case 'TRUNCATE': case 'COMMENT': case 'GRANT': case 'REVOKE': case 'UNDROP':
      return 'ddl';
    default: return 'other';
  }
}

/** Words after CREATE, skipping modifiers, e.g. 'TABLE', 'SCHEMA', 'STAGE'. */
export function createdObject(tokens: Token[]): string | undefined {
  const words = leadingWords(tokens, 8);
  if (words[0] !== 'CREATE') return undefined;
  const skip = new Set(['OR', 'REPLACE', 'TEMPORARY', 'TEMP', 'TRANSIENT', 'VOLATILE', 'LOCAL', 'GLOBAL', 'SECURE']);
  return words.slice(1).find((w) => !skip.has(w));
}

const TYPE_MAP: Record<string, string> = {
  NUMBER: 'DECIMAL', NUMERIC: 'DECIMAL', DECIMAL: 'DECIMAL', DEC: 'DECIMAL',
  INT: 'DECIMAL(38,0)', INTEGER: 'DECIMAL(38,0)', BIGINT: 'DECIMAL(38,0)', SMALLINT: 'DECIMAL(38,0)',
  TINYINT: 'DECIMAL(38,0)', BYTEINT: 'DECIMAL(38,0)',
  FLOAT: 'DOUBLE', FLOAT4: 'DOUBLE', FLOAT8: 'DOUBLE', DOUBLE: 'DOUBLE', REAL: 'DOUBLE',
  STRING: 'VARCHAR', TEXT: 'VARCHAR', NVARCHAR: 'VARCHAR', NVARCHAR2: 'VARCHAR', NCHAR: 'VARCHAR', 'CHAR': 'VARCHAR', CHARACTER: 'VARCHAR',
  VARIANT: 'JSON', OBJECT: 'JSON', ARRAY: 'JSON',
  TIMESTAMP_NTZ: 'TIMESTAMP', DATETIME: 'TIMESTAMP', TIMESTAMP: 'TIMESTAMP',
  TIMESTAMP_LTZ: 'TIMESTAMPTZ', TIMESTAMP_TZ: 'TIMESTAMPTZ',
  BINARY: 'BLOB', VARBINARY: 'BLOB',
};
const PARAMETERIZED = new Set(['DECIMAL']);
const INFORMATION_VIEWS = new Set(['COLUMNS', 'TABLES', 'SCHEMATA']);
const TEXT_TYPES = new Set(['VARCHAR', 'STRING', 'TEXT', 'NVARCHAR', 'NVARCHAR2', 'CHARACTER', 'CHAR', 'NCHAR']);

/** Function renames; zero-argument Snowflake forms drop their `()` where DuckDB wants a keyword. */
const FUNCTION_RENAME: Record<string, string> = {
  OBJECT_CONSTRUCT: 'JSON_OBJECT', OBJECT_CONSTRUCT_KEEP_NULL: 'JSON_OBJECT', ARRAY_CONSTRUCT: 'JSON_ARRAY',
  NVL: 'COALESCE', TO_VARIANT: 'TO_JSON', LEN: 'LENGTH',
};
const NILADIC: Record<string, string> = {
  CURRENT_TIMESTAMP: 'CURRENT_TIMESTAMP', LOCALTIMESTAMP: 'LOCALTIMESTAMP', CURRENT_DATE: 'CURRENT_DATE',
  CURRENT_TIME: 'CURRENT_TIME', SYSDATE: "(NOW() AT TIME ZONE 'UTC')", GETDATE: 'CURRENT_TIMESTAMP',
};

/** Semi-structured constructors Snowflake refuses inside INSERT … VALUES (error 002014). */
const NOT_IN_VALUES = new Set(['PARSE_JSON', 'TRY_PARSE_JSON', 'PARSE_XML', 'TO_VARIANT', 'TO_OBJECT', 'TO_ARRAY',
  'OBJECT_CONSTRUCT', 'OBJECT_CONSTRUCT_KEEP_NULL', 'ARRAY_CONSTRUCT', 'ARRAY_CONSTRUCT_COMPACT']);

export interface Translation {
  sql: string;
  /** Highest `$n` used. */
  paramCount: number;
  /** COMMENT ON statements to run after a CREATE TABLE / ALTER TABLE ADD COLUMN whose inline COMMENTs were lifted. */
  followUps: string[];
  /** Recorded inline comments: '' key = table comment. */
  comments: Record<string, string>;
  /** For `INSERT … VALUES (<one tuple>)`: offset of that last tuple in `sql`, so array binds can batch rows. */
  valuesTupleAt?: number;
  /** Offset in `sql` where each significant token's text starts (index = significant-token index). */
  positions: number[];
  /** Out-of-line constraints lifted from CREATE TABLE (DuckDB would enforce them; Snowflake only records them). */
  constraints: string[];
}

/**
 * Snowflake datetime format → strptime format, for TO_TIMESTAMP_NTZ(text, '<format>')
 * (https://docs.snowflake.com/en/sql-reference/functions-conversion#date-and-time-formats-in-conversion-functions).
 * Only the elements listed are known here; any other element is refused rather than guessed.
 */
const FORMAT_ELEMENTS: [RegExp, string][] = [
  [/^YYYY/, '%Y'], [/^MM/, '%m'], [/^DD/, '%d'], [/^HH24/, '%H'], [/^MI/, '%M'], [/^SS/, '%S'],
  [/^FF3/, '%g'], [/^FF6/, '%f'], [/^FF9/, '%n'], [/^[-:. T/]/, ''],
];

export function strptimeFormat(format: string): string {
  let out = '';
  let rest = format;
  while (rest.length > 0) {
    const hit = FORMAT_ELEMENTS.find(([re]) => re.test(rest));
    if (!hit) throw new SfError('100096', '22007', `Can't parse format '${format}': element at '${rest}' is not known to the stand-in`);
    const m = hit[0].exec(rest)![0];
    out += hit[1] === '' ? m : hit[1];
    rest = rest.slice(m.length);
  }
  return out;
}

/** The source text of an invalid `PARSE_JSON(...)` inside INSERT … VALUES, or undefined. */
export function findFunctionInValues(tokens: Token[], sql: string): string | undefined {
  if (classify(tokens) !== 'insert') return undefined;
  const sig = tokens.filter(isSignificant);
  let depth = 0;
  let inValues = false;
  for (let i = 0; i < sig.length; i++) {
    const t = sig[i]!;
    if (t.kind === 'op' && t.value === '(') depth++;
    else if (t.kind === 'op' && t.value === ')') depth--;
    else if (t.kind === 'word' && depth === 0 && t.value.toUpperCase() === 'VALUES') inValues = true;
    else if (inValues && t.kind === 'word' && NOT_IN_VALUES.has(t.value.toUpperCase()) && sig[i + 1]?.value === '(') {
      let d = 0;
      for (let j = i + 1; j < sig.length; j++) {
        if (sig[j]!.value === '(') d++;
        if (sig[j]!.value === ')' && --d === 0) {
          return `${t.value.toUpperCase()}${sql.slice(sig[i + 1]!.start, sig[j]!.end).replace(/\s+/g, ' ')}`;
        }
      }
    }
  }
  return undefined;
}

interface Frame { opener: string }

/** Translate one statement's tokens into DuckDB SQL. */
export function translate(tokens: Token[]): Translation {
  const sig = tokens.filter(isSignificant);
  const kind = classify(tokens);
  const words = leadingWords(tokens, 8);
  const isCreateTable = kind === 'ddl' && createdObject(tokens) === 'TABLE';
  const isAlterAdd = words[0] === 'ALTER' && words[1] === 'TABLE';
  const typePos = new Set<number>();
  /** Type position → its column, for the VARCHAR(n) length check below. */
  const columnAt = new Map<number, string>();
  const checkAfter = new Map<number, string>();
  const drop = new Set<number>();
  const comments: Record<string, string> = {};
  const constraints: string[] = [];
  let tableNameEnd = -1;
  let tableNameStart = -1;

  // Pass 1: find type positions, inline COMMENT clauses and table-name span.
  const stack: Frame[] = [];
  let lastColumn: string | undefined;
  let expectColumn = false;
  for (let i = 0; i < sig.length; i++) {
    const t = sig[i]!;
    const up = t.kind === 'word' ? t.value.toUpperCase() : t.value;
    const prev = sig[i - 1];
    if (t.kind === 'op' && t.value === '::') { typePos.add(i + 1); continue; }
    if (t.kind === 'word' && up === 'AS' && stack.at(-1)?.opener.match(/^(TRY_)?CAST$/)) typePos.add(i + 1);
    if (isCreateTable || isAlterAdd) {
      if (tableNameStart < 0 && up === 'TABLE') {
        let j = i + 1;
        while (sig[j]?.kind === 'word' && ['IF', 'NOT', 'EXISTS'].includes(sig[j]!.value.toUpperCase())) j++;
        tableNameStart = j;
        while (sig[j + 1]?.value === '.' && sig[j + 2]) j += 2;
        tableNameEnd = j;
      }
      const depth = stack.length;
      const columnDepth = isCreateTable ? 1 : 0;
      if (isCreateTable && depth === 0 && t.value === '(' && i === tableNameEnd + 1) {
        expectColumn = true;
      } else if (isAlterAdd && depth === 0 && up === 'ADD') {
        let j = i + 1;
        while (sig[j]?.kind === 'word' && ['COLUMN', 'IF', 'NOT', 'EXISTS'].includes(sig[j]!.value.toUpperCase())) j++;
        lastColumn = sig[j]?.kind === 'qident' ? sig[j]!.value : sig[j]?.value.toUpperCase();
        typePos.add(j + 1);
      } else if (expectColumn && depth === columnDepth && (t.kind === 'word' || t.kind === 'qident')) {
        expectColumn = false;
        if (isCreateTable && t.kind === 'word' && ['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'FOREIGN'].includes(up)) {
          // Lift the whole out-of-line constraint, with the comma before it.
          let j = i;
          let d = 0;
          for (; j < sig.length; j++) {
            if (sig[j]!.value === '(') d++;
            else if (sig[j]!.value === ')') { if (d === 0) break; d--; }
            else if (sig[j]!.value === ',' && d === 0) break;
          }
          constraints.push(sig.slice(i, j).map((x) => x.text).join(' '));
          if (sig[i - 1]?.value === ',') drop.add(i - 1);
          for (let k = i; k < j; k++) drop.add(k);
          i = j - 1;
          continue;
        }
        if (!['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'FOREIGN', 'CHECK'].includes(up)) {
          lastColumn = t.kind === 'qident' ? t.value : up;
          typePos.add(i + 1);
          columnAt.set(i + 1, lastColumn);
        }
      } else if (isCreateTable && depth === columnDepth && t.value === ',') {
        expectColumn = true;
      }
      if (t.kind === 'word' && up === 'COMMENT' && i > 0 && prev?.value.toUpperCase() !== 'ON') {
        let j = i + 1;
        if (sig[j]?.value === '=') j++;
        if (sig[j]?.kind === 'string') {
          const key = depth === columnDepth && lastColumn !== undefined && !(isCreateTable && depth === 0) ? lastColumn : '';
          comments[key] = sig[j]!.value;
          for (let k = i; k <= j; k++) drop.add(k);
          i = j;
          continue;
        }
      }
      if (isCreateTable && t.kind === 'word' && ['COPY'].includes(up) && sig[i + 1]?.value.toUpperCase() === 'GRANTS' && depth === 0) {
        drop.add(i); drop.add(i + 1);
      }
    }
    if (t.value === '(') stack.push({ opener: prev?.kind === 'word' ? prev.value.toUpperCase() : '' });
    else if (t.value === ')') stack.pop();
  }

  // An INSERT whose statement ends in a single VALUES tuple can run an array bind as multi-row VALUES.
  let tupleIdx = -1;
  if (kind === 'insert') {
    let depth = 0;
    for (let i = 0; i < sig.length; i++) {
      const v = sig[i]!.value;
      if (v === '(') depth++;
      else if (v === ')') depth--;
      else if (depth === 0 && sig[i]!.kind === 'word' && v.toUpperCase() === 'VALUES' && sig[i + 1]?.value === '(') {
        let d = 0;
        for (let j = i + 1; j < sig.length; j++) {
          if (sig[j]!.value === '(') d++;
          if (sig[j]!.value === ')' && --d === 0) { if (j === sig.length - 1) tupleIdx = i + 1; break; }
        }
      }
    }
  }

  // [db.]INFORMATION_SCHEMA.COLUMNS/TABLES/SCHEMATA → table macros with Snowflake's columns and type names.
  const replaceAt = new Map<number, string>();
  for (let i = 0; i + 2 < sig.length; i++) {
    const t = sig[i]!;
    const name = (x: Token): string => (x.kind === 'qident' ? x.value : x.value.toUpperCase());
    if (!(t.kind === 'word' || t.kind === 'qident') || name(t) !== 'INFORMATION_SCHEMA' || sig[i + 1]!.value !== '.') continue;
    const view = name(sig[i + 2]!);
    if (!INFORMATION_VIEWS.has(view)) continue;
    let db = 'current_database()';
    if (sig[i - 1]?.value === '.' && sig[i - 2] !== undefined) {
      db = quoteString(name(sig[i - 2]!));
      drop.add(i - 1); drop.add(i - 2);
    }
    replaceAt.set(i, `SF_IS_${view}(${db})`);
    drop.add(i + 1); drop.add(i + 2);
  }

  // CREATE VIEW … [COPY GRANTS] [COMMENT = '…'] AS: DuckDB takes neither clause; the comment
  // follows as COMMENT ON VIEW.
  let viewComment: { name: string; text: string } | undefined;
  if (kind === 'ddl' && createdObject(tokens) === 'VIEW') {
    const asAt = sig.findIndex((t) => t.kind === 'word' && t.value.toUpperCase() === 'AS');
    const viewAt = sig.findIndex((t) => t.kind === 'word' && t.value.toUpperCase() === 'VIEW');
    let nameStart = viewAt + 1;
    while (sig[nameStart]?.kind === 'word' && ['IF', 'NOT', 'EXISTS'].includes(sig[nameStart]!.value.toUpperCase())) nameStart++;
    let nameEnd = nameStart;
    while (sig[nameEnd + 1]?.value === '.' && sig[nameEnd + 2]) nameEnd += 2;
    for (let i = nameEnd + 1; i < asAt; i++) {
      const up = sig[i]!.kind === 'word' ? sig[i]!.value.toUpperCase() : '';
      if (up === 'COPY' && sig[i + 1]?.value.toUpperCase() === 'GRANTS') { drop.add(i); drop.add(i + 1); i++; }
      else if (up === 'COMMENT' && sig[i + 1]?.value === '=' && sig[i + 2]?.kind === 'string') {
        const name = sig.slice(nameStart, nameEnd + 1).map((t) => (t.kind === 'qident' ? quoteIdent(t.value) : t.kind === 'word' ? t.value.toUpperCase() : t.value)).join('');
        viewComment = { name, text: sig[i + 2]!.value };
        drop.add(i); drop.add(i + 1); drop.add(i + 2); i += 2;
      }
    }
  }

  // TO_TIMESTAMP_NTZ(expr, '<format>') → STRPTIME(expr, '<strptime format>'): the explicit format is
  // honoured, never a session TIMESTAMP_INPUT_FORMAT.
  for (let i = 0; i + 1 < sig.length; i++) {
    const t = sig[i]!;
    if (t.kind !== 'word' || t.value.toUpperCase() !== 'TO_TIMESTAMP_NTZ' || sig[i + 1]!.value !== '(') continue;
    let d = 0;
    let comma = -1;
    let close = -1;
    for (let j = i + 1; j < sig.length; j++) {
      const v = sig[j]!.value;
      if (v === '(') d++;
      else if (v === ')') { if (--d === 0) { close = j; break; } }
      else if (v === ',' && d === 1 && comma < 0) comma = j;
    }
    if (comma > 0 && close === comma + 2 && sig[comma + 1]!.kind === 'string') {
      replaceAt.set(i, 'STRPTIME');
      replaceAt.set(comma + 1, quoteString(strptimeFormat(sig[comma + 1]!.value)));
    }
  }

  // Pass 2: emit.
  let tupleAt: number | undefined;
  let lastEnd = -1;
  const out: string[] = [];
  let auto = 0;
  let maxParam = 0;
  let len = 0;
  const positions: number[] = [];
  const push = (piece: string): void => { out.push(piece); len += piece.length; };
  for (let i = 0; i < sig.length; i++) {
    if (checkAfter.has(i - 1)) push(checkAfter.get(i - 1)!);
    positions[i] = len;
    if (drop.has(i)) continue;
    const t = sig[i]!;
    const next = sig[i + 1];
    const prev = sig[i - 1];
    let text: string;
    switch (replaceAt.has(i) ? 'replaced' : t.kind) {
      case 'replaced': text = replaceAt.get(i)!; break;
      case 'string': text = quoteString(t.value); break;
      case 'qident': text = quoteIdent(t.value); break;
      case 'number': text = t.text; break;
      case 'param': {
        const n = t.value === '' ? ++auto : Number(t.value);
        maxParam = Math.max(maxParam, n);
        text = `$${n}`;
        break;
      }
      case 'word': {
        const up = t.value.toUpperCase();
        // Snowflake refuses a string longer than VARCHAR(n) (100078); DuckDB ignores the length, so check it.
        const col = columnAt.get(i);
        if (col !== undefined && TEXT_TYPES.has(up) && next?.value === '(' && sig[i + 2]?.kind === 'number' && sig[i + 3]?.value === ')') {
          checkAfter.set(i + 3, ` CHECK (length(${quoteIdent(col)}) <= ${sig[i + 2]!.value})`);
        }
        const qualified = prev?.value === '.' || next?.value === '.';
        if (typePos.has(i) && !qualified && TYPE_MAP[up] !== undefined) {
          const mapped = TYPE_MAP[up]!;
          text = PARAMETERIZED.has(mapped) && next?.value !== '(' ? 'DECIMAL(38,0)' : mapped;
          // NUMBER(p,s) keeps its arguments; other mapped types drop theirs (VARCHAR(n) is fine either way).
          if (next?.value === '(' && !PARAMETERIZED.has(mapped) && mapped !== 'VARCHAR') {
            let d = 0;
            for (let j = i + 1; j < sig.length; j++) {
              drop.add(j);
              if (sig[j]!.value === '(') d++;
              if (sig[j]!.value === ')' && --d === 0) break;
            }
          }
        } else if (!qualified && next?.value === '(' && FUNCTION_RENAME[up] !== undefined) {
          text = FUNCTION_RENAME[up]!;
        } else if (!qualified && next?.value === '(' && sig[i + 2]?.value === ')' && NILADIC[up] !== undefined) {
          text = NILADIC[up]!;
          drop.add(i + 1); drop.add(i + 2);
        } else if (up === 'TRANSIENT' && isCreateTable) {
          text = '';
        } else if (up === 'VOLATILE' && isCreateTable) {
          text = 'TEMPORARY';
        } else {
          text = up;
        }
        break;
      }
      default: text = t.value;
    }
    // Keep the original spacing: `a.b`, `x::INT` and `->` stay glued, as written.
    if (i === tupleIdx) tupleAt = len;
    if (text !== '') {
      push(out.length > 0 && t.start > lastEnd ? ` ${text}` : text);
      lastEnd = t.end;
    }
  }
  positions[sig.length] = len;

  const followUps: string[] = [];
  if (Object.keys(comments).length > 0 && tableNameStart >= 0) {
    const name = sig.slice(tableNameStart, tableNameEnd + 1)
      .map((t) => (t.kind === 'qident' ? quoteIdent(t.value) : t.kind === 'word' ? t.value.toUpperCase() : t.value)).join('');
    for (const [col, text] of Object.entries(comments)) {
      followUps.push(col === '' ? `COMMENT ON TABLE ${name} IS ${quoteString(text)}`
        : `COMMENT ON COLUMN ${name}.${quoteIdent(col)} IS ${quoteString(text)}`);
    }
  }
  if (viewComment) followUps.push(`COMMENT ON VIEW ${viewComment.name} IS ${quoteString(viewComment.text)}`);
  if (checkAfter.has(sig.length - 1)) push(checkAfter.get(sig.length - 1)!);
  return { sql: out.join(''), paramCount: maxParam, followUps, comments, positions, constraints, ...(tupleAt !== undefined ? { valuesTupleAt: tupleAt } : {}) };
}
