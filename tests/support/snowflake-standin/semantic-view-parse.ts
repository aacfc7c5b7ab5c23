// Parser for CREATE [OR REPLACE | OR ALTER] SEMANTIC VIEW [IF NOT EXISTS], written from the grammar
// on https://docs.snowflake.com/en/sql-reference/sql/create-semantic-view (read 2026): TABLES
// (required), then optionally RELATIONSHIPS, FACTS, DIMENSIONS, METRICS, COMMENT, MAX_STALENESS,
// AI_SQL_GENERATION, AI_QUESTION_CATEGORIZATION, AI_VERIFIED_QUERIES, [WITH] TAG, COPY GRANTS, in
// that order ("The order of the clauses is important"). A clause out of order is a syntax error at
// its keyword, as Snowflake's parser reports it. Expressions are kept as their token range; the rule
// checks in semantic-view.ts look inside them.
import { SvSyntaxError, tokenizeSemanticView, type SvToken } from './semantic-view-lexer.js';

export interface SvIdent { value: string; quoted: boolean; token: SvToken }

export interface SvLogicalTable {
  /** Logical table name: the alias, or the unqualified table name when there is none. */
  name: SvIdent;
  hasAlias: boolean;
  object: SvIdent[];
  primaryKey?: SvIdent[];
  unique: SvIdent[][];
  distinctRange?: { name?: SvIdent; start: SvIdent; end: SvIdent };
  synonyms: string[];
  comment?: string;
  tags: [SvIdent[], string][];
}

export interface SvRelationship {
  name?: SvIdent;
  from: SvIdent;
  fromColumns: SvIdent[];
  to: SvIdent;
  /** Absent: the referenced table's primary key (or its only UNIQUE key). */
  toColumns?: SvIdent[];
  asofAt?: number;
  range?: { start: SvIdent; end: SvIdent };
  token: SvToken;
}

export type SvExpressionKind = 'fact' | 'dimension' | 'metric';

export interface SvExpression {
  kind: SvExpressionKind;
  access?: 'PUBLIC' | 'PRIVATE';
  /** Logical table; absent for a derived metric. */
  table?: SvIdent;
  name: SvIdent;
  labelsFilter: boolean;
  using: SvIdent[];
  nonAdditiveBy: SvIdent[][];
  /** The SQL expression's tokens and source text. */
  tokens: SvToken[];
  sql: string;
  synonyms: string[];
  tags: [SvIdent[], string][];
  comment?: string;
  cortexSearchService?: SvIdent[];
}

export interface ParsedSemanticView {
  orReplace: boolean;
  orAlter: boolean;
  ifNotExists: boolean;
  name: SvIdent[];
  tables: SvLogicalTable[];
  relationships: SvRelationship[];
  facts: SvExpression[];
  dimensions: SvExpression[];
  metrics: SvExpression[];
  comment?: string;
  maxStaleness?: number;
  aiSqlGeneration?: string;
  aiQuestionCategorization?: string;
  verifiedQueries: { name: SvIdent; question: string; sql: string }[];
  copyGrants: boolean;
  text: string;
}

/** Snowflake's reserved keywords (https://docs.snowflake.com/en/sql-reference/reserved-keywords): never an unquoted name. */
export const RESERVED = new Set(('ALL ALTER AND ANY AS BETWEEN BY CASE CAST CHECK COLUMN CONNECT CONSTRAINT CREATE CROSS CURRENT '
  + 'CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER DELETE DISTINCT DROP ELSE EXISTS FALSE FOLLOWING FOR FROM FULL '
  + 'GRANT GROUP GSCLUSTER HAVING ILIKE IN INCREMENT INNER INSERT INTERSECT INTO IS ISSUE JOIN LATERAL LEFT LIKE LOCALTIME '
  + 'LOCALTIMESTAMP MINUS NATURAL NOT NULL OF ON OR ORDER QUALIFY REGEXP REVOKE RIGHT RLIKE ROW ROWS SAMPLE SELECT SET SOME '
  + 'START TABLE TABLESAMPLE THEN TO TRIGGER TRUE TRY_CAST UNION UNIQUE UPDATE USING VALUES WHEN WHENEVER WHERE WINDOW WITH').split(' '));

class Parser {
  private i = 0;
  constructor(private readonly t: SvToken[]) {}

  peek(k = 0): SvToken { return this.t[Math.min(this.i + k, this.t.length - 1)]!; }
  next(): SvToken { return this.t[Math.min(this.i++, this.t.length - 1)]!; }
  fail(tok = this.peek()): never { throw new SvSyntaxError(tok.line, tok.position, tok.kind === 'eof' ? '<EOF>' : tok.text); }
  isWord(w: string, k = 0): boolean { const x = this.peek(k); return x.kind === 'word' && x.value === w; }
  isOp(o: string, k = 0): boolean { const x = this.peek(k); return x.kind === 'op' && x.value === o; }
  word(w: string): SvToken { if (!this.isWord(w)) this.fail(); return this.next(); }
  op(o: string): SvToken { if (!this.isOp(o)) this.fail(); return this.next(); }
  acceptWord(...ws: string[]): boolean {
    if (!ws.every((w, k) => this.isWord(w, k))) return false;
    this.i += ws.length;
    return true;
  }
  acceptOp(o: string): boolean { if (!this.isOp(o)) return false; this.i++; return true; }

  ident(): SvIdent {
    const tok = this.peek();
    if (tok.kind === 'qident') { this.i++; return { value: tok.value, quoted: true, token: tok }; }
    if (tok.kind === 'word' && !RESERVED.has(tok.value)) { this.i++; return { value: tok.value, quoted: false, token: tok }; }
    return this.fail();
  }
  dotted(): SvIdent[] {
    const parts = [this.ident()];
    while (this.isOp('.') && parts.length < 3) { this.i++; parts.push(this.ident()); }
    return parts;
  }
  string(): string { const tok = this.peek(); if (tok.kind !== 'string') this.fail(); this.i++; return tok.value; }
  list<T>(item: () => T): T[] {
    this.op('(');
    const out = [item()];
    while (this.acceptOp(',')) out.push(item());
    this.op(')');
    return out;
  }
  columns(): SvIdent[] { return this.list(() => this.ident()); }

  synonyms(): string[] {
    if (!(this.isWord('WITH') && this.isWord('SYNONYMS', 1))) return [];
    this.i += 2;
    this.acceptOp('=');
    return this.list(() => this.string());
  }
  tags(): [SvIdent[], string][] {
    if (!(this.isWord('TAG') || (this.isWord('WITH') && this.isWord('TAG', 1)))) return [];
    this.acceptWord('WITH');
    this.word('TAG');
    return this.list(() => { const n = this.dotted(); this.op('='); return [n, this.string()] as [SvIdent[], string]; });
  }
  comment(): string | undefined {
    if (!this.isWord('COMMENT')) return undefined;
    this.i++;
    this.op('=');
    return this.string();
  }

  logicalTable(): SvLogicalTable {
    let alias: SvIdent | undefined;
    if (this.isWord('AS', 1)) { alias = this.ident(); this.word('AS'); }
    const object = this.dotted();
    const t: SvLogicalTable = { name: alias ?? object.at(-1)!, hasAlias: alias !== undefined, object, unique: [], synonyms: [], tags: [] };
    if (this.acceptWord('PRIMARY', 'KEY')) t.primaryKey = this.columns();
    while (this.acceptWord('UNIQUE')) t.unique.push(this.columns());
    if (this.acceptWord('CONSTRAINT')) {
      const name = this.isWord('DISTINCT') ? undefined : this.ident();
      this.word('DISTINCT'); this.word('RANGE'); this.word('BETWEEN');
      const start = this.ident(); this.word('AND'); const end = this.ident(); this.word('EXCLUSIVE');
      t.distinctRange = { ...(name ? { name } : {}), start, end };
    }
    t.synonyms = this.synonyms();
    const c = this.comment();
    if (c !== undefined) t.comment = c;
    t.tags = this.tags();
    return t;
  }

  relationship(): SvRelationship {
    const token = this.peek();
    let name: SvIdent | undefined;
    if (this.isWord('AS', 1)) { name = this.ident(); this.word('AS'); }
    const from = this.ident();
    const fromColumns = this.columns();
    this.word('REFERENCES');
    const to = this.ident();
    const r: SvRelationship = { ...(name ? { name } : {}), from, fromColumns, to, token };
    if (this.isOp('(')) {
      this.op('(');
      if (this.acceptWord('BETWEEN')) {
        const start = this.ident(); this.word('AND'); const end = this.ident(); this.word('EXCLUSIVE');
        r.range = { start, end };
      } else {
        r.toColumns = [];
        do {
          if (this.isWord('ASOF')) { if (r.asofAt !== undefined) this.fail(); this.i++; r.asofAt = r.toColumns.length; }
          r.toColumns.push(this.ident());
        } while (this.acceptOp(','));
      }
      this.op(')');
    }
    return r;
  }

  /** The SQL expression after AS: up to a top-level `,` `)` or the start of the item's next sub-clause. */
  sqlExpression(): SvToken[] {
    const out: SvToken[] = [];
    let depth = 0;
    for (;;) {
      const tok = this.peek();
      if (tok.kind === 'eof') this.fail();
      if (depth === 0) {
        if (tok.kind === 'op' && (tok.value === ',' || tok.value === ')')) break;
        if (this.isWord('WITH') && (this.isWord('SYNONYMS', 1) || this.isWord('TAG', 1) || this.isWord('CORTEX', 1))) break;
        if ((this.isWord('COMMENT') && this.isOp('=', 1)) || (this.isWord('TAG') && this.isOp('(', 1))) break;
      }
      if (tok.kind === 'op' && tok.value === '(') depth++;
      if (tok.kind === 'op' && tok.value === ')') depth--;
      out.push(this.next());
    }
    if (out.length === 0) this.fail();
    return out;
  }

  expression(kind: SvExpressionKind, text: string): SvExpression {
    let access: SvExpression['access'];
    // PUBLIC/PRIVATE unless it is itself the table name (`public.x AS …`); dimensions are always public.
    if (!this.isOp('.', 1) && (this.isWord('PUBLIC') || (kind !== 'dimension' && this.isWord('PRIVATE')))) {
      access = this.next().value as 'PUBLIC' | 'PRIVATE';
    }
    const first = this.ident();
    let table: SvIdent | undefined;
    let name = first;
    if (this.acceptOp('.')) { table = first; name = this.ident(); } else if (kind !== 'metric') this.fail();
    const e: SvExpression = { kind, ...(access ? { access } : {}), ...(table ? { table } : {}), name, labelsFilter: false, using: [], nonAdditiveBy: [], tokens: [], sql: '', synonyms: [], tags: [] };
    if (kind !== 'metric' && this.acceptWord('LABELS')) {
      this.op('='); this.op('('); this.word('FILTER'); this.op(')');
      e.labelsFilter = true;
    }
    if (kind === 'metric' && this.acceptWord('USING')) e.using = this.columns();
    if (kind === 'metric' && this.acceptWord('NON', 'ADDITIVE', 'BY')) {
      e.nonAdditiveBy = this.list(() => {
        const d = this.dotted();
        if (!this.acceptWord('ASC')) this.acceptWord('DESC');
        if (this.acceptWord('NULLS') && !this.acceptWord('FIRST')) this.word('LAST');
        return d;
      });
    }
    this.word('AS');
    e.tokens = this.sqlExpression();
    e.sql = text.slice(e.tokens[0]!.start, e.tokens.at(-1)!.end);
    e.synonyms = this.synonyms();
    e.tags = this.tags();
    const c = this.comment();
    if (c !== undefined) e.comment = c;
    if (kind === 'dimension' && this.acceptWord('WITH', 'CORTEX', 'SEARCH', 'SERVICE')) {
      e.cortexSearchService = this.dotted();
      if (this.acceptWord('USING')) this.ident();
    }
    return e;
  }

  verifiedQuery(): ParsedSemanticView['verifiedQueries'][number] {
    const name = this.ident();
    this.word('AS');
    this.op('(');
    this.word('QUESTION');
    const question = this.string();
    if (this.acceptWord('VERIFIED_AT')) { if (this.peek().kind !== 'number') this.fail(); this.i++; }
    if (this.acceptWord('ONBOARDING_QUESTION')) { if (!this.acceptWord('TRUE')) this.word('FALSE'); }
    if (this.acceptWord('VERIFIED_BY')) this.string();
    this.word('SQL');
    const sql = this.string();
    this.op(')');
    return { name, question, sql };
  }

  statement(text: string): ParsedSemanticView {
    this.word('CREATE');
    const orReplace = this.acceptWord('OR', 'REPLACE');
    const orAlter = !orReplace && this.acceptWord('OR', 'ALTER');
    this.word('SEMANTIC');
    this.word('VIEW');
    const ifNotExists = this.acceptWord('IF', 'NOT', 'EXISTS');
    const v: ParsedSemanticView = {
      orReplace, orAlter, ifNotExists, name: this.dotted(), tables: [], relationships: [], facts: [], dimensions: [], metrics: [],
      verifiedQueries: [], copyGrants: false, text,
    };
    this.word('TABLES');
    v.tables = this.list(() => this.logicalTable());
    if (this.acceptWord('RELATIONSHIPS')) v.relationships = this.list(() => this.relationship());
    if (this.acceptWord('FACTS')) v.facts = this.list(() => this.expression('fact', text));
    if (this.acceptWord('DIMENSIONS')) v.dimensions = this.list(() => this.expression('dimension', text));
    if (this.acceptWord('METRICS')) v.metrics = this.list(() => this.expression('metric', text));
    const c = this.comment();
    if (c !== undefined) v.comment = c;
    if (this.acceptWord('MAX_STALENESS')) {
      this.op('=');
      const n = this.next();
      if (n.kind !== 'number' || !/^\d+$/.test(n.value)) this.fail(n);
      v.maxStaleness = Number(n.value);
    }
    if (this.acceptWord('AI_SQL_GENERATION')) v.aiSqlGeneration = this.string();
    if (this.acceptWord('AI_QUESTION_CATEGORIZATION')) v.aiQuestionCategorization = this.string();
    if (this.acceptWord('AI_VERIFIED_QUERIES')) v.verifiedQueries = this.list(() => this.verifiedQuery());
    this.tags();
    if (this.acceptWord('COPY')) { this.word('GRANTS'); v.copyGrants = true; }
    this.acceptOp(';');
    if (this.peek().kind !== 'eof') this.fail();
    return v;
  }
}

/** Parses one statement; throws SvSyntaxError with Snowflake's line/position wording. */
export function parseSemanticView(text: string): ParsedSemanticView {
  return new Parser(tokenizeSemanticView(text)).statement(text);
}
