// Semantic views in the stand-in: CREATE [OR REPLACE | OR ALTER] SEMANTIC VIEW is checked against
// the documented grammar and rules (semantic-view.ts) and its base tables looked up in DuckDB, then
// kept in a catalogue that tests read back directly or through SHOW SEMANTIC VIEWS and DESCRIBE
// SEMANTIC VIEW, answered in the documented column shapes:
//   https://docs.snowflake.com/en/sql-reference/sql/show-semantic-views
//   https://docs.snowflake.com/en/sql-reference/sql/desc-semantic-view
// DROP SEMANTIC VIEW removes one. Queries through SEMANTIC_VIEW(…) are not executed.
// Like any DDL, a successful CREATE or DROP first commits the session's open transaction
// (https://docs.snowflake.com/en/sql-reference/transactions, "DDL").
import { SfError } from './errors.js';
import { leadingWords, tokenize, type Token } from './lexer.js';
import { column, statusRowset, type Rowset } from './rowset.js';
import type { Outcome, Session } from './session.js';
import { tokenizeSemanticView, type SvToken } from './semantic-view-lexer.js';
import { parseSemanticView, type ParsedSemanticView, type SvExpression, type SvIdent } from './semantic-view-parse.js';
import { checkSemanticView } from './semantic-view.js';

export interface StoredSemanticView {
  database: string;
  schema: string;
  name: string;
  createdOn: Date;
  comment?: string;
  /** The statement as received. */
  ddl: string;
  definition: ParsedSemanticView;
}

type Verb = 'create' | 'show' | 'describe' | 'drop';

function verbOf(tokens: Token[]): Verb | undefined {
  const w = leadingWords(tokens, 5);
  if (w[0] === 'CREATE') {
    const rest = w[1] === 'OR' ? w.slice(3) : w.slice(1);
    return rest[0] === 'SEMANTIC' && rest[1] === 'VIEW' ? 'create' : undefined;
  }
  if (w[0] === 'SHOW') return (w[1] === 'TERSE' ? w.slice(2) : w.slice(1)).join(' ').startsWith('SEMANTIC VIEWS') ? 'show' : undefined;
  if ((w[0] === 'DESC' || w[0] === 'DESCRIBE') && w[1] === 'SEMANTIC' && w[2] === 'VIEW') return 'describe';
  if (w[0] === 'DROP' && w[1] === 'SEMANTIC' && w[2] === 'VIEW') return 'drop';
  return undefined;
}

const key = (db: string, schema: string, name: string): string => [db, schema, name].join('\u0000');
const json = (values: readonly string[]): string => JSON.stringify(values);
/** Code-unit order: SHOW lists "lexicographically", independent of the machine's locale. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const syntax = (t: SvToken): SfError => new SfError('001003', '42000',
  `SQL compilation error:\nsyntax error line ${t.line} at position ${t.position} unexpected '${t.kind === 'eof' ? '<EOF>' : t.text}'.`);

export class SemanticViewCatalog {
  private readonly views = new Map<string, StoredSemanticView>();

  /** Every semantic view, ordered by database, schema and name (as SHOW lists them). */
  list(): StoredSemanticView[] {
    return [...this.views.values()].sort((a, b) => compare(key(a.database, a.schema, a.name), key(b.database, b.schema, b.name)));
  }

  get(database: string, schema: string, name: string): StoredSemanticView | undefined {
    return this.views.get(key(database, schema, name));
  }

  /** Whether the stand-in should hand this statement to the catalogue. */
  owns(tokens: Token[]): boolean {
    return verbOf(tokens) !== undefined;
  }

  async execute(session: Session, tokens: Token[], text: string): Promise<Outcome> {
    switch (verbOf(tokens)) {
      case 'create': return this.create(session, text);
      case 'drop': return this.drop(session, text);
      case 'describe': { const r = this.describe(session, text); return { kind: 'query', rows: r.rowset.length, ...r }; }
      default: { const r = this.show(session, text); return { kind: 'query', rows: r.rowset.length, ...r }; }
    }
  }

  private resolve(session: Session, parts: readonly { value: string }[]): [string, string, string] {
    const [name, schema, database] = [...parts].reverse().map((p) => p.value);
    return [database ?? session.database, schema ?? session.schema, name!];
  }

  /** DDL commits the open transaction: through the session's own COMMIT, so its rules apply. */
  private async commitOpen(session: Session): Promise<void> {
    if (session.inTransaction) await session.execute(tokenize('COMMIT'), 'COMMIT', undefined);
  }

  private async create(session: Session, text: string): Promise<Outcome> {
    let columns: Map<string, string[]> | undefined;
    let parsed: ParsedSemanticView | undefined;
    try { parsed = parseSemanticView(text); } catch { /* the check below reports the syntax error */ }
    if (parsed) {
      const [db, schema] = this.resolve(session, parsed.name);
      const s = await session.conn.runAndReadAll('SELECT 1 FROM duckdb_schemas() WHERE database_name = $1 AND schema_name = $2', [db, schema]);
      if (s.getRows().length === 0) throw new SfError('002003', '02000', `SQL compilation error:\nSchema '${db}.${schema}' does not exist or not authorized.`);
      columns = new Map();
      for (const t of parsed.tables) {
        const [tdb, tschema, tname] = this.resolve(session, t.object);
        const r = await session.conn.runAndReadAll(
          'SELECT column_name FROM duckdb_columns() WHERE database_name = $1 AND schema_name = $2 AND table_name = $3 ORDER BY column_index',
          [tdb, tschema, tname]);
        const cols = r.getRows().map(([c]) => String(c));
        if (cols.length > 0) columns.set(key(tdb, tschema, tname), cols);
      }
    }
    const found = columns;
    const result = checkSemanticView(text, {
      database: session.database, schema: session.schema,
      ...(found ? { columnsOf: (d: string, s: string, n: string) => found.get(key(d, s, n)) } : {}),
    });
    const first = result.problems[0];
    if (first) throw new SfError(first.code, first.sqlState, first.message);
    const view = result.view!;
    const [database, schema, name] = this.resolve(session, view.name);
    const existing = this.get(database, schema, name);
    if (existing && view.ifNotExists) return { kind: 'ddl', rows: 0, ...statusRowset(`${name} already exists, statement succeeded.`) };
    if (existing && !view.orReplace && !view.orAlter) {
      throw new SfError('002002', '42710', `SQL compilation error:\nObject '${name}' already exists.`);
    }
    await this.commitOpen(session);
    this.views.set(key(database, schema, name), {
      database, schema, name, createdOn: new Date(), ddl: text, definition: view,
      ...(view.comment !== undefined ? { comment: view.comment } : {}),
    });
    return { kind: 'ddl', rows: 0, ...statusRowset(`Semantic view ${name} successfully created.`) };
  }

  /** `<keywords…> [IF EXISTS] name` → the name's parts, after the given leading words. */
  private target(text: string, lead: number): { parts: SvIdent[]; ifExists: boolean } {
    const t = tokenizeSemanticView(text).filter((x) => !(x.kind === 'op' && x.value === ';'));
    let i = lead;
    const ifExists = t[i]?.value === 'IF' && t[i + 1]?.value === 'EXISTS';
    if (ifExists) i += 2;
    const parts: SvIdent[] = [];
    for (;;) {
      const tok = t[i]!;
      if (tok.kind !== 'word' && tok.kind !== 'qident') throw syntax(tok);
      parts.push({ value: tok.value, quoted: tok.kind === 'qident', token: tok });
      i++;
      if (t[i]?.kind === 'op' && t[i]!.value === '.' && parts.length < 3) { i++; continue; }
      break;
    }
    if (t[i]!.kind !== 'eof') throw syntax(t[i]!);
    return { parts, ifExists };
  }

  private async drop(session: Session, text: string): Promise<Outcome> {
    const { parts, ifExists } = this.target(text, 3);
    const [database, schema, name] = this.resolve(session, parts);
    if (!this.get(database, schema, name)) {
      if (ifExists) return { kind: 'ddl', rows: 0, ...statusRowset(`Drop statement executed successfully (${name} already dropped).`) };
      throw new SfError('002003', '02000', `SQL compilation error:\nSemantic view '${database}.${schema}.${name}' does not exist or not authorized.`);
    }
    await this.commitOpen(session);
    this.views.delete(key(database, schema, name));
    return { kind: 'ddl', rows: 0, ...statusRowset(`${name} successfully dropped.`) };
  }

  private describe(session: Session, text: string): Rowset {
    const { parts } = this.target(text, 3);
    const [database, schema, name] = this.resolve(session, parts);
    const stored = this.get(database, schema, name);
    if (!stored) throw new SfError('002003', '02000', `SQL compilation error:\nSemantic view '${database}.${schema}.${name}' does not exist or not authorized.`);
    const rows: (string | null)[][] = [];
    const add = (kind: string | null, object: string | null, parent: string | null, property: string, value: string | undefined): void => {
      if (value !== undefined) rows.push([kind, object, parent, property, value]);
    };
    const v = stored.definition;
    add(null, null, null, 'COMMENT', v.comment);
    // Documented order: each logical table by name, then its relationships and its facts,
    // dimensions and metrics by name; DATA_TYPE is left out (the stand-in does not type expressions).
    const byName = <T>(list: T[], n: (x: T) => string): T[] => [...list].sort((a, b) => compare(n(a), n(b)));
    const expr = (e: SvExpression, kind: string, parent: string | null): void => {
      const o = e.name.value;
      if (parent !== null) add(kind, o, parent, 'TABLE', parent);
      add(kind, o, parent, 'EXPRESSION', e.sql);
      add(kind, o, parent, 'SYNONYMS', e.synonyms.length > 0 ? json(e.synonyms) : undefined);
      add(kind, o, parent, 'COMMENT', e.comment);
      add(kind, o, parent, 'ACCESS_MODIFIER', e.access === 'PRIVATE' ? 'PRIVATE' : 'PUBLIC');
    };
    for (const t of byName(v.tables, (x) => x.name.value)) {
      const tn = t.name.value;
      const [tdb, tschema, tname] = this.resolve(session, t.object);
      add('TABLE', tn, null, 'BASE_TABLE_DATABASE_NAME', tdb);
      add('TABLE', tn, null, 'BASE_TABLE_SCHEMA_NAME', tschema);
      add('TABLE', tn, null, 'BASE_TABLE_NAME', tname);
      add('TABLE', tn, null, 'SYNONYMS', t.synonyms.length > 0 ? json(t.synonyms) : undefined);
      add('TABLE', tn, null, 'PRIMARY_KEY', t.primaryKey ? json(t.primaryKey.map((c) => c.value)) : undefined);
      add('TABLE', tn, null, 'COMMENT', t.comment);
      for (const r of byName(v.relationships.filter((x) => x.from.value === tn), (x) => x.name?.value ?? '')) {
        const rn = r.name?.value ?? `${tn}_TO_${r.to.value}`;
        const ref = v.tables.find((x) => x.name.value === r.to.value);
        const refKey = r.toColumns?.map((c) => c.value) ?? (ref?.primaryKey ?? ref?.unique[0] ?? []).map((c) => c.value);
        add('RELATIONSHIP', rn, tn, 'TABLE', tn);
        add('RELATIONSHIP', rn, tn, 'REF_TABLE', r.to.value);
        add('RELATIONSHIP', rn, tn, 'FOREIGN_KEY', json(r.fromColumns.map((c) => c.value)));
        add('RELATIONSHIP', rn, tn, 'REF_KEY', json(refKey));
      }
      const own = [...v.facts, ...v.dimensions, ...v.metrics].filter((e) => e.table?.value === tn);
      for (const e of byName(own, (x) => x.name.value)) expr(e, e.kind.toUpperCase(), tn);
    }
    for (const m of byName(v.metrics.filter((x) => x.table === undefined), (x) => x.name.value)) expr(m, 'DERIVED_METRIC', null);
    const text16 = { length: 16777216, byteLength: 16777216 };
    return {
      rowtype: ['object_kind', 'object_name', 'parent_entity', 'property', 'property_value'].map((c) => column(c, 'text', text16)),
      rowset: rows,
    };
  }

  /** SHOW [TERSE] SEMANTIC VIEWS [LIKE '…'] [IN ACCOUNT | DATABASE [d] | SCHEMA [s] | s] [STARTS WITH '…'] [LIMIT n [FROM '…']]. */
  private show(session: Session, text: string): Rowset {
    const t = tokenizeSemanticView(text).filter((x) => !(x.kind === 'op' && x.value === ';'));
    let i = 1;
    const terse = t[i]!.value === 'TERSE';
    if (terse) i++;
    i += 2; // SEMANTIC VIEWS
    const word = (w: string): boolean => { if (t[i]?.kind === 'word' && t[i]!.value === w) { i++; return true; } return false; };
    const str = (): string => { const x = t[i]!; if (x.kind !== 'string') throw syntax(x); i++; return x.value; };
    const ident = (): string => { const x = t[i]!; if (x.kind !== 'word' && x.kind !== 'qident') throw syntax(x); i++; return x.value; };
    let like: RegExp | undefined;
    if (word('LIKE')) {
      const p = str().replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
      like = new RegExp(`^${p}$`, 'is');
    }
    let scope: (v: StoredSemanticView) => boolean = (v) => v.database === session.database;
    if (word('IN')) {
      if (word('ACCOUNT')) scope = () => true;
      else if (word('DATABASE')) {
        const db = t[i]?.kind === 'word' || t[i]?.kind === 'qident' ? ident() : session.database;
        scope = (v) => v.database === db;
      } else {
        word('SCHEMA');
        let [db, schema] = [session.database, session.schema];
        if (t[i]?.kind === 'word' || t[i]?.kind === 'qident') {
          const first = ident();
          if (t[i]?.value === '.') { i++; [db, schema] = [first, ident()]; } else schema = first;
        }
        scope = (v) => v.database === db && v.schema === schema;
      }
    }
    const startsWith = word('STARTS') ? (word('WITH'), str()) : undefined;
    let limit = Infinity;
    let from: string | undefined;
    if (word('LIMIT')) {
      const n = t[i]!;
      if (n.kind !== 'number') throw syntax(n);
      i++;
      limit = Number(n.value);
      if (word('FROM')) from = str();
    }
    if (t[i]!.kind !== 'eof') throw syntax(t[i]!);
    let views = this.list().filter((v) => scope(v) && (!like || like.test(v.name)) && (startsWith === undefined || v.name.startsWith(startsWith)));
    if (from !== undefined) views = views.filter((v) => v.name > from!);
    views = views.slice(0, limit);
    const ts = (d: Date): string => `${Math.floor(d.getTime() / 1000)}.${String(d.getTime() % 1000).padStart(3, '0')}000000`;
    const text16 = { length: 16777216, byteLength: 16777216 };
    const created = column('created_on', 'timestamp_ltz', { scale: 3, precision: 0 });
    if (terse) {
      return {
        rowtype: [created, ...['name', 'kind', 'database_name', 'schema_name'].map((c) => column(c, 'text', text16))],
        rowset: views.map((v) => [ts(v.createdOn), v.name, 'SEMANTIC_VIEW', v.database, v.schema]),
      };
    }
    return {
      rowtype: [created, ...['name', 'database_name', 'schema_name', 'comment', 'owner', 'owner_role_type', 'extension'].map((c) => column(c, 'text', text16))],
      rowset: views.map((v) => [ts(v.createdOn), v.name, v.database, v.schema, v.comment ?? '', 'PUBLIC', 'ROLE', null]),
    };
  }
}
