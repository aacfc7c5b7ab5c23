// One Snowflake session = one DuckDB connection, so transactions and temporary tables are per session
// while every session shares the same database (docs/snowflake.md#what-the-stand-in-implements). Implements the
// Snowflake rules DuckDB lacks: DDL commits an open transaction, a second BEGIN is ignored, COMMIT
// without a transaction is a no-op, array binds run as one atomic statement; the session's current
// database and schema come from the login and change with USE and CREATE SCHEMA ("creating a
// schema automatically sets it as the active/current schema for the current session":
// https://docs.snowflake.com/en/sql-reference/sql/create-schema); writes wait for other
// transactions' table locks (locks.ts); temporary tables may be schema-qualified (objects.ts).
import { LIST, VARCHAR, listValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { SfError, fromDuckDb, sfErrors } from './errors.js';
import { isSignificant, quoteIdent, type Token } from './lexer.js';
import { countRowset, statusRowset, toRowset, type Rowset } from './rowset.js';
import { INFORMATION_SCHEMA_MACROS } from './information-schema.js';
import type { LockHolder, LockManager } from './locks.js';
import { duplicateMatchQuery } from './merge-check.js';
import { createdSchema, rewriteTemporary, writtenTable } from './objects.js';
import { classify, createdObject, findFunctionInValues, translate, type StatementKind, type Translation } from './translate.js';

export type PrivilegeKind = 'CREATE TABLE' | 'MERGE' | 'INSERT' | 'CREATE SCHEMA' | 'USAGE';

export interface Bind { type: string; value: string | null | (string | null)[] }

export interface Outcome extends Rowset { kind: StatementKind; rows: number }

/** Per-session macros for Snowflake functions DuckDB lacks (temp: they live with the connection). */
const MACROS = [
  'CREATE OR REPLACE TEMP MACRO PARSE_JSON(x) AS CAST(x AS JSON)',
  'CREATE OR REPLACE TEMP MACRO TRY_PARSE_JSON(x) AS TRY_CAST(x AS JSON)',
  'CREATE OR REPLACE TEMP MACRO IFF(c, a, b) AS CASE WHEN c THEN a ELSE b END',
  'CREATE OR REPLACE TEMP MACRO TO_VARCHAR(x) AS CAST(x AS VARCHAR)',
  'CREATE OR REPLACE TEMP MACRO ZEROIFNULL(x) AS COALESCE(x, 0)',
  ...INFORMATION_SCHEMA_MACROS,
];

function bindValue(type: string, v: string | null): DuckDBValue {
  if (v === null) return null;
  switch (type) {
    case 'FIXED': return /^-?\d+$/.test(v) ? BigInt(v) : Number(v);
    case 'REAL': return Number(v);
    case 'BOOLEAN': return /^(true|1|t|yes|on)$/i.test(v);
    default: return v;
  }
}

function isAddConstraint(tokens: Token[]): boolean {
  const sig = tokens.filter(isSignificant).map((t) => (t.kind === 'word' ? t.value.toUpperCase() : t.value));
  return sig[0] === 'ALTER' && sig[1] === 'TABLE' && sig.some((w, i) => w === 'ADD' && sig[i + 1] === 'CONSTRAINT');
}

/** Bindings map → one row of values (scalar binds) or many (array bind). */
export function bindRows(bindings: Record<string, Bind> | undefined): { rows: DuckDBValue[][]; array: boolean } {
  if (bindings === undefined || Object.keys(bindings).length === 0) return { rows: [[]], array: false };
  const positions = Object.keys(bindings).map(Number).sort((a, b) => a - b);
  const first = bindings[String(positions[0])]!;
  if (!Array.isArray(first.value)) {
    return { rows: [positions.map((p) => { const b = bindings[String(p)]!; return bindValue(b.type, b.value as string | null); })], array: false };
  }
  const n = first.value.length;
  const rows: DuckDBValue[][] = [];
  for (let r = 0; r < n; r++) {
    rows.push(positions.map((p) => { const b = bindings[String(p)]!; return bindValue(b.type, (b.value as (string | null)[])[r] ?? null); }));
  }
  return { rows, array: true };
}

/** Snowflake's defaults for the timeouts a session may set (https://docs.snowflake.com/en/sql-reference/parameters). */
const DEFAULT_LOCK_TIMEOUT_S = 43_200;
const DEFAULT_STATEMENT_TIMEOUT_S = 172_800;

export class Session implements LockHolder {
  inTransaction = false;
  /** DuckDB discarded the open transaction after a failed statement. */
  private aborted = false;
  /** Snowflake aborted this session's transaction for blocking others while idle. */
  private systemAborted: string | undefined;
  readonly params: Record<string, string> = { MULTI_STATEMENT_COUNT: '1' };
  private queue: Promise<unknown> = Promise.resolve();
  running = false;
  lastActivity = Date.now();
  /** Logged out, or the stand-in is closing: its connection must not be used again. */
  closed = false;
  /** `DB.SCHEMA.NAME` of this session's temporary tables. */
  readonly temps = new Set<string>();

  constructor(
    readonly id: string,
    public token: string,
    readonly conn: DuckDBConnection,
    readonly user: string,
    public database: string,
    public schema: string,
    private readonly locks: LockManager,
    /** Constraint names per table, shared by the sessions of one stand-in (its tables are its own). */
    private readonly constraintNames: Set<string>,
  ) {}

  /**
   * A session in the login's database and schema. Snowflake logs in even when they do not exist
   * (the session then has no current schema, and unqualified names fail); so does the stand-in.
   */
  static async open(id: string, token: string, conn: DuckDBConnection, user: string, database: string, schema: string, locks: LockManager, constraintNames: Set<string>): Promise<Session> {
    await conn.run("SET TimeZone = 'UTC'");
    for (const m of MACROS) await conn.run(m);
    const s = new Session(id, token, conn, user, database, schema, locks, constraintNames);
    try {
      await conn.run(`USE ${quoteIdent(database)}.${quoteIdent(schema)}`);
    } catch {
      try { await conn.run(`USE ${quoteIdent(database)}`); } catch { /* no current database either */ }
    }
    await s.refreshContext();
    return s;
  }

  /** Snowflake aborts a transaction that blocks another while idle (locks.ts): roll it back, free its locks. */
  async abortIdleTransaction(reason: string): Promise<void> {
    if (this.running || !this.inTransaction || this.closed) return;
    await this.serialize(async () => {
      if (!this.inTransaction || this.closed) return;
      this.inTransaction = false;
      this.aborted = false;
      this.systemAborted = reason;
      await this.conn.run('ROLLBACK').catch(() => undefined);
      this.locks.releaseAll(this);
    });
  }

  /** Ends the session (logout, or the stand-in closing): its open transaction is rolled back and its locks freed. */
  async end(): Promise<void> {
    await this.serialize(async () => {
      if (this.closed) return;
      this.closed = true;
      if (this.inTransaction) await this.conn.run('ROLLBACK').catch(() => undefined);
      this.inTransaction = false;
      this.locks.releaseAll(this);
      this.conn.closeSync();
    });
  }

  private timeouts(): { lockTimeoutS: number; statementTimeoutS: number } {
    const num = (v: string | undefined, d: number): number => (v !== undefined && /^\d+$/.test(v) ? Number(v) : d);
    return { lockTimeoutS: num(this.params.LOCK_TIMEOUT, DEFAULT_LOCK_TIMEOUT_S), statementTimeoutS: num(this.params.STATEMENT_TIMEOUT_IN_SECONDS, DEFAULT_STATEMENT_TIMEOUT_S) };
  }

  /** Run `fn` after everything queued on this session: one DuckDB connection runs one statement at a time. */
  serialize<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn, fn);
    this.queue = p.catch(() => undefined);
    return p;
  }

  async refreshContext(): Promise<void> {
    const r = await this.conn.runAndReadAll('SELECT current_database(), current_schema()');
    const [db, schema] = r.getRows()[0] ?? [];
    this.database = String(db);
    this.schema = String(schema);
  }

  /** Privilege check for denyPrivilege(): which kinds this statement needs. */
  static needs(tokens: Token[]): PrivilegeKind[] {
    const kind = classify(tokens);
    const needs: PrivilegeKind[] = [];
    if (!['begin', 'commit', 'rollback', 'alter-session'].includes(kind)) needs.push('USAGE');
    const obj = createdObject(tokens);
    if (obj === 'TABLE') needs.push('CREATE TABLE');
    if (obj === 'SCHEMA') needs.push('CREATE SCHEMA');
    if (kind === 'merge') needs.push('MERGE');
    if (kind === 'insert') needs.push('INSERT');
    return needs;
  }

  async execute(original: Token[], sqlText: string, bindings: Record<string, Bind> | undefined): Promise<Outcome> {
    this.running = true;
    try {
      return await this.executeLocked(original, sqlText, bindings);
    } finally {
      // An autocommit statement holds its locks only while it runs.
      if (!this.inTransaction) this.locks.releaseAll(this);
      this.running = false;
      this.lastActivity = Date.now();
    }
  }

  private async executeLocked(original: Token[], sqlText: string, bindings: Record<string, Bind> | undefined): Promise<Outcome> {
    if (this.closed) throw new SfError('390104', '08001', 'User must login again to access the service.');
    const kind = classify(original);
    if (this.systemAborted !== undefined && ['commit', 'rollback', 'begin'].includes(kind)) {
      const reason = this.systemAborted;
      this.systemAborted = undefined;
      if (kind === 'commit') throw new SfError('000603', 'XX000', `Transaction was aborted by the system: ${reason}. Nothing of it was committed.`);
    }
    const table = ['update', 'delete', 'merge'].includes(kind) ? writtenTable(original, this) : undefined;
    const tokens = rewriteTemporary(original, this, this.temps);
    if (table !== undefined && !this.temps.has(table)) {
      await this.locks.acquire(this, table, this.timeouts());
      if (this.closed) throw new SfError('390104', '08001', 'User must login again to access the service.');
    }
    const badValues = findFunctionInValues(tokens, sqlText);
    if (badValues !== undefined) throw sfErrors.invalidInValues(badValues);
    const obj = createdObject(tokens);
    if (obj === 'STAGE') throw sfErrors.unsupported('CREATE STAGE');
    if (obj === 'DATABASE' || obj === 'SEMANTIC' || obj === 'WAREHOUSE') throw sfErrors.unsupported(`CREATE ${obj}`);

    switch (kind) {
      case 'begin':
        if (!this.inTransaction) { await this.conn.run('BEGIN TRANSACTION'); this.inTransaction = true; }
        return { kind, rows: 0, ...statusRowset() };
      case 'commit': case 'rollback':
        if (this.inTransaction && this.aborted && kind === 'commit') await this.abandonAborted();
        this.aborted = false;
        if (this.inTransaction) {
          this.inTransaction = false;
          try {
            await this.conn.run(kind === 'commit' ? 'COMMIT' : 'ROLLBACK');
          } finally {
            this.locks.releaseAll(this);
          }
        }
        return { kind, rows: 0, ...statusRowset() };
      case 'alter-session': return { kind, rows: 0, ...this.alterSession(tokens) };
      case 'use': return { kind, rows: 0, ...(await this.use(tokens)) };
      default: break;
    }

    if (kind === 'ddl' && this.inTransaction && this.aborted) await this.abandonAborted();
    if (kind === 'ddl' && this.inTransaction) {
      // Snowflake: "a DDL statement implicitly commits any open transaction"
      // (https://docs.snowflake.com/en/sql-reference/transactions#ddl).
      this.inTransaction = false;
      await this.conn.run('COMMIT');
      this.locks.releaseAll(this);
    }
    if (kind === 'ddl' && isAddConstraint(tokens)) {
      // Informational constraints are recorded, not enforced (https://docs.snowflake.com/en/sql-reference/constraints-overview);
      // DuckDB would enforce them, so they are kept in the stand-in's own record.
      this.recordConstraint(tokens);
      return { kind, rows: 0, ...statusRowset() };
    }
    const tr = translate(tokens);
    let sql = tr.sql;
    const mergeDeletes = kind === 'merge' && /\bTHEN\s+DELETE\b/i.test(sql);
    if (kind === 'merge') sql += ' RETURNING merge_action';
    const { rows: bindSets, array } = bindRows(bindings);
    const wrap = array && bindSets.length > 1 && !this.inTransaction;
    if (wrap) await this.conn.run('BEGIN TRANSACTION');
    try {
      let changed = 0;
      const actions = { INSERT: 0, UPDATE: 0, DELETE: 0 };
      let last: Rowset = statusRowset();
      let selected = 0;
      const unnested = kind === 'insert' && array && tr.valuesTupleAt !== undefined
        ? await this.unnestInsert(sql, tr.valuesTupleAt, bindings!) : undefined;
      if (unnested !== undefined) {
        changed = unnested;
        bindSets.length = 0;
      } else if (kind === 'insert' && array && tr.valuesTupleAt !== undefined && tr.paramCount > 0 && !sql.slice(tr.valuesTupleAt).includes("'")) {
        changed = await this.multiRowInsert(sql, tr.valuesTupleAt, tr.paramCount, bindSets);
        bindSets.length = 0;
      }
      const prepared = bindSets.length > 0 && (bindSets.length > 1 || tr.paramCount > 0) ? await this.conn.prepare(sql) : undefined;
      try {
        for (const values of bindSets) {
          if (values.length < tr.paramCount) throw new SfError('002049', '42601', `SQL compilation error: error line 1 at position 0\nBind variable ? not set.`);
          if (kind === 'merge') await this.refuseNondeterministicMerge(tokens, tr, values);
          let reader;
          if (prepared !== undefined) {
            prepared.bind(values.slice(0, tr.paramCount));
            reader = await prepared.runAndReadAll();
          } else {
            reader = await this.conn.runAndReadAll(sql);
          }
          if (kind === 'merge') {
            for (const [a] of reader.getRows()) actions[String(a) as keyof typeof actions]++;
          } else if (kind === 'query' || kind === 'other') {
            const rs = toRowset(reader);
            last = selected === 0 ? rs : { rowtype: rs.rowtype, rowset: [...last.rowset, ...rs.rowset] };
            selected += rs.rowset.length;
          } else {
            changed += reader.rowsChanged;
          }
        }
      } finally {
        prepared?.destroySync();
      }
      if (wrap) await this.conn.run('COMMIT');
      for (const f of tr.followUps) {
        try { await this.conn.run(f); } catch { /* COMMENT ON a temporary table is not supported by DuckDB */ }
      }
      if (kind === 'ddl') {
        const created = createdSchema(tokens, this);
        if (created) await this.conn.run(`USE ${quoteIdent(created.database)}.${quoteIdent(created.schema)}`);
        await this.refreshContext();
        for (const c of tr.constraints) this.constraintsDeclared.push(c);
      }
      switch (kind) {
        case 'insert': return { kind, rows: changed, ...countRowset({ 'number of rows inserted': changed }) };
        case 'update': return { kind, rows: changed, ...countRowset({ 'number of rows updated': changed, 'number of multi-joined rows updated': 0 }) };
        case 'delete': return { kind, rows: changed, ...countRowset({ 'number of rows deleted': changed }) };
        case 'merge': {
          const cols: Record<string, number> = { 'number of rows inserted': actions.INSERT, 'number of rows updated': actions.UPDATE };
          if (mergeDeletes) cols['number of rows deleted'] = actions.DELETE;
          return { kind, rows: actions.INSERT + actions.UPDATE + actions.DELETE, ...countRowset(cols) };
        }
        case 'query': case 'other': return { kind, rows: selected, ...last };
        default: return { kind, rows: 0, ...statusRowset() };
      }
    } catch (err) {
      if (wrap) await this.conn.run('ROLLBACK').catch(() => undefined);
      if (this.inTransaction && !this.aborted) {
        // DuckDB aborts the whole transaction on an execution error (Snowflake rolls back only the statement).
        this.aborted = await this.conn.run('SELECT 1').then(() => false, () => true);
      }
      throw fromDuckDb(err);
    }
  }

  /** Constraints this session declared (CREATE TABLE … CONSTRAINT, ALTER TABLE … ADD CONSTRAINT), for tests. */
  readonly constraintsDeclared: string[] = [];

  private recordConstraint(tokens: Token[]): void {
    const text = tokens.filter(isSignificant).map((t) => t.text).join(' ');
    const name = /ADD\s+CONSTRAINT\s+("(?:[^"]|"")+"|\w+)/i.exec(text)?.[1];
    const table = /ALTER\s+TABLE\s+(\S+)/i.exec(text)?.[1] ?? '';
    if (name && this.constraintNames.has(`${table} ${name}`)) {
      throw new SfError('002002', '42710', `SQL compilation error:\nObject '${name}' already exists.`);
    }
    if (name) this.constraintNames.add(`${table} ${name}`);
    this.constraintsDeclared.push(text);
  }

  /**
   * A COMMIT (or a DDL's implicit commit) after a failed statement: Snowflake would commit the other
   * statements, DuckDB has already discarded them. Fail loudly instead of committing nothing silently.
   */
  private async abandonAborted(): Promise<never> {
    this.inTransaction = false;
    this.aborted = false;
    await this.conn.run('ROLLBACK').catch(() => undefined);
    throw new SfError('000603', 'XX000', 'SQL execution internal error: stand-in limitation: a statement failed inside this transaction, '
      + 'DuckDB discarded the transaction, so it cannot be committed (Snowflake would commit the other statements). It was rolled back.');
  }

  /** 100090 before DuckDB would silently apply several source rows to one target row. */
  private async refuseNondeterministicMerge(tokens: Token[], tr: Translation, values: DuckDBValue[]): Promise<void> {
    const q = duplicateMatchQuery(tokens, tr);
    if (q === undefined) return;
    const used = new Set(q.match(/\$\d+/g) ?? []);
    if (used.size !== 0 && used.size !== tr.paramCount) return;
    const r = await this.conn.runAndReadAll(q, used.size === 0 ? undefined : values.slice(0, tr.paramCount));
    if (r.getRows().length > 0) {
      throw new SfError('100090', '42P18', 'Duplicate row detected during DML action\nRow Values: (the stand-in does not show them)');
    }
  }

  /**
   * An array-bound `INSERT … VALUES (?, ?, …)` whose tuple is only placeholders: one DuckDB statement
   * over `unnest` of one VARCHAR list per position (the driver sends every value as a string, and the
   * target columns cast them as Snowflake does). Returns undefined when the tuple has expressions.
   */
  private async unnestInsert(sql: string, tupleAt: number, bindings: Record<string, Bind>): Promise<number | undefined> {
    const tuple = sql.slice(tupleAt).trim();
    if (!/^\(\s*\$\d+(\s*,\s*\$\d+)*\s*\)$/.test(tuple)) return undefined;
    const order = [...tuple.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
    const positions = Object.keys(bindings).map(Number).sort((a, b) => a - b);
    if (positions.some((p, i) => p !== i + 1) || order.some((n) => n > positions.length)) return undefined;
    const lists = positions.map((p) => listValue((bindings[String(p)]!.value as (string | null)[]).map((v) => v ?? null)));
    const head = sql.slice(0, tupleAt).replace(/\bVALUES\s*$/i, '');
    const source = positions.map((p) => `unnest($${p}) AS "C${p}"`).join(', ');
    const r = await this.conn.run(`${head.trimEnd()} SELECT ${order.map((n) => `"C${n}"`).join(', ')} FROM (SELECT ${source})`,
      lists, lists.map(() => LIST(VARCHAR)));
    return r.rowsChanged;
  }

  /**
   * An array-bound `INSERT … VALUES (?, …)` as multi-row VALUES in chunks: same rows, same atomicity,
   * two orders of magnitude faster than one DuckDB execution per row.
   */
  private async multiRowInsert(sql: string, tupleAt: number, width: number, rows: DuckDBValue[][]): Promise<number> {
    const prefix = sql.slice(0, tupleAt);
    const tuple = sql.slice(tupleAt).trim();
    const chunk = Math.max(1, Math.floor(2000 / width));
    let changed = 0;
    for (let start = 0; start < rows.length; start += chunk) {
      const part = rows.slice(start, start + chunk);
      const tuples = part.map((_, k) => tuple.replace(/\$(\d+)/g, (_m, n: string) => `$${Number(n) + k * width}`));
      const values = part.flatMap((r) => r.slice(0, width));
      if (values.length < part.length * width) throw new SfError('002049', '42601', 'SQL compilation error:\nBind variable ? not set.');
      const r = await this.conn.run(`${prefix} ${tuples.join(', ')}`, values);
      changed += r.rowsChanged;
    }
    return changed;
  }

  private alterSession(tokens: Token[]): Rowset {
    const sig = tokens.filter(isSignificant);
    const verb = sig[2]?.value.toUpperCase();
    for (let i = 3; i < sig.length; i++) {
      const t = sig[i]!;
      if (t.kind !== 'word') continue;
      const name = t.value.toUpperCase();
      if (verb === 'UNSET') { delete this.params[name]; continue; }
      if (sig[i + 1]?.value === '=' && sig[i + 2] !== undefined) {
        this.params[name] = sig[i + 2]!.kind === 'word' ? sig[i + 2]!.value.toUpperCase() : sig[i + 2]!.value;
        i += 2;
      }
    }
    if (verb === 'UNSET' && this.params.MULTI_STATEMENT_COUNT === undefined) this.params.MULTI_STATEMENT_COUNT = '1';
    return statusRowset();
  }

  private async use(tokens: Token[]): Promise<Rowset> {
    const sig = tokens.filter(isSignificant).slice(1);
    const what = sig[0]?.kind === 'word' ? sig[0].value.toUpperCase() : '';
    if (['WAREHOUSE', 'ROLE', 'SECONDARY'].includes(what)) return statusRowset();
    const nameTokens = ['DATABASE', 'SCHEMA'].includes(what) ? sig.slice(1) : sig;
    const parts = nameTokens.filter((t) => t.value !== '.').map((t) => (t.kind === 'qident' ? t.value : t.value.toUpperCase()));
    const target = what === 'DATABASE' || (what !== 'SCHEMA' && parts.length === 1)
      ? [parts[0]!, 'PUBLIC']
      : parts.length === 1 ? [this.database, parts[0]!] : [parts[0]!, parts[1]!];
    try {
      await this.conn.run(`USE ${target.map(quoteIdent).join('.')}`);
    } catch {
      try {
        if (target[1] !== 'PUBLIC') throw new Error('no schema');
        await this.conn.run(`USE ${quoteIdent(target[0]!)}`);
      } catch {
        throw new SfError('002043', '02000', 'SQL compilation error:\nObject does not exist, or operation cannot be performed.');
      }
    }
    await this.refreshContext();
    return statusRowset();
  }
}
