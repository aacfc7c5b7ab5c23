// SemanticViewSpec → one CREATE SEMANTIC VIEW statement (pure). Clauses follow the documented order
// (https://docs.snowflake.com/en/sql-reference/sql/create-semantic-view): TABLES, RELATIONSHIPS,
// FACTS, DIMENSIONS, METRICS, COMMENT, COPY GRANTS. TABLES is required, an empty optional clause is
// left out (`FACTS ()` is a syntax error), and inside each item the sub-clauses keep the grammar's
// order (PRIMARY KEY, UNIQUE, WITH SYNONYMS, COMMENT). Items keep the spec's order, so the same
// spec always gives the same text.
import { ConversionError } from '../errors.js';
import { qualifiedName, quoteIdentifier, quoteStringLiteral } from './quote.js';
import { specProblems, type ExpressionSpec, type LogicalTableSpec, type MetricSpec, type RelationshipSpec, type SemanticViewSpec } from './spec.js';

export type { SemanticViewSpec } from './spec.js';

export interface DdlOptions {
  /**
   * `replace` (default): CREATE OR REPLACE, atomic in Snowflake, so a republished model never
   * leaves a moment without a view. `create`: fails when the view exists. `ifNotExists`: keeps an
   * existing view untouched.
   */
  mode?: 'replace' | 'create' | 'ifNotExists';
  /**
   * With `replace`: keep the privileges granted on the view being replaced (COPY GRANTS), so
   * republishing a changed model does not take the view away from its readers. Default true.
   */
  copyGrants?: boolean;
}

const INDENT = '  ';

const columnList = (cols: readonly string[]): string => `(${cols.map(quoteIdentifier).join(', ')})`;

function extras(item: { synonyms?: string[]; comment?: string }, indent: string): string {
  let out = '';
  if (item.synonyms !== undefined && item.synonyms.length > 0) {
    out += `\n${indent}WITH SYNONYMS = (${item.synonyms.map(quoteStringLiteral).join(', ')})`;
  }
  if (item.comment !== undefined) out += `\n${indent}COMMENT = ${quoteStringLiteral(item.comment)}`;
  return out;
}

function table(t: LogicalTableSpec): string {
  const inner = INDENT.repeat(3);
  let out = `${quoteIdentifier(t.alias)} AS ${qualifiedName(t.object)}`;
  if (t.primaryKey !== undefined) out += `\n${inner}PRIMARY KEY ${columnList(t.primaryKey)}`;
  for (const u of t.unique ?? []) out += `\n${inner}UNIQUE ${columnList(u)}`;
  return out + extras(t, inner);
}

function relationship(r: RelationshipSpec): string {
  return `${quoteIdentifier(r.name)} AS ${quoteIdentifier(r.fromAlias)} ${columnList(r.fromColumns)}`
    + ` REFERENCES ${quoteIdentifier(r.toAlias)} ${columnList(r.toColumns)}`;
}

function expression(e: ExpressionSpec | MetricSpec, access: string): string {
  const name = e.alias === undefined ? quoteIdentifier(e.name) : `${quoteIdentifier(e.alias)}.${quoteIdentifier(e.name)}`;
  const sql = e.sql.trim();
  const inner = INDENT.repeat(3);
  // A long or multi-line expression (a translated DAX measure) goes on its own lines after AS. When
  // it holds a line comment (`--` or `//`), a line break follows it, so the comment can never
  // swallow the `,` or COMMENT that comes next.
  // The SQL text itself is never re-indented: a line break may sit inside one of its string literals.
  const body = sql.includes('\n') || sql.length > 60 ? `\n${inner}${sql}` : ` ${sql}`;
  const more = extras(e, inner);
  const guard = more === '' && /--|\/\//.test(sql) ? `\n${INDENT.repeat(2)}` : '';
  return `${access}${name} AS${body}${more}${guard}`;
}

function clause(keyword: string, items: readonly string[]): string[] {
  if (items.length === 0) return [];
  return [`${INDENT}${keyword} (\n${items.map((i) => `${INDENT.repeat(2)}${i}`).join(',\n')}\n${INDENT})`];
}

/** The CREATE SEMANTIC VIEW statement for `spec`; throws ConversionError listing every problem. */
export function buildSemanticViewDdl(spec: SemanticViewSpec, options: DdlOptions = {}): string {
  const problems = specProblems(spec);
  if (problems.length > 0) {
    throw new ConversionError(`semantic view ${spec.view.name}: ${problems.length} problem(s) in its definition: ${problems.join('; ')}`, {
      hint: 'this is a bug in the semantic-view planner; report it with the model that caused it',
    });
  }
  const mode = options.mode ?? 'replace';
  const head = mode === 'replace' ? 'CREATE OR REPLACE SEMANTIC VIEW' : mode === 'create' ? 'CREATE SEMANTIC VIEW' : 'CREATE SEMANTIC VIEW IF NOT EXISTS';
  const parts = [
    `${head} ${qualifiedName(spec.view)}`,
    ...clause('TABLES', spec.tables.map(table)),
    ...clause('RELATIONSHIPS', spec.relationships.map(relationship)),
    ...clause('FACTS', spec.facts.map((f) => expression(f, f.private ? 'PRIVATE ' : ''))),
    ...clause('DIMENSIONS', spec.dimensions.map((d) => expression(d, ''))),
    ...clause('METRICS', spec.metrics.map((m) => expression(m, m.private ? 'PRIVATE ' : ''))),
  ];
  if (spec.comment !== undefined) parts.push(`${INDENT}COMMENT = ${quoteStringLiteral(spec.comment)}`);
  if (mode === 'replace' && (options.copyGrants ?? true)) parts.push(`${INDENT}COPY GRANTS`);
  return parts.join('\n');
}
