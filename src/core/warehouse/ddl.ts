// CREATE TABLE text for a table spec in a dialect. Snowflake gets the comments inline (applied once,
// when the table is created; IF NOT EXISTS leaves an existing table and its comments alone); DuckDB
// has no inline COMMENT, so it gets COMMENT ON statements in the same request.
import { DIALECTS, type Dialect, quoteIdent as q, sqlLiteral } from './dialect.js';
import type { Statement } from './plan.js';
import type { TableSpec } from './tables.js';

export function createTableSql(spec: TableSpec, dialect: Dialect, temporary: boolean): Statement {
  const d = DIALECTS[dialect];
  const cols = spec.columns.map((c) => {
    const notNull = c.notNull ? ' NOT NULL' : '';
    const comment = d.inlineComments && !temporary ? ` COMMENT ${sqlLiteral(c.comment)}` : '';
    return `${q(c.name)} ${d.types[c.type]}${notNull}${comment}`;
  });
  const tableComment = d.inlineComments && !temporary ? ` COMMENT = ${sqlLiteral(spec.comment)}` : '';
  const create: Statement = {
    sql: `CREATE ${temporary ? 'TEMPORARY ' : ''}TABLE IF NOT EXISTS ${q(spec.name)} (${cols.join(', ')})${tableComment}`,
    purpose: `create ${temporary ? 'session load table' : spec.name} if missing`,
  };
  if (d.inlineComments || temporary) return create;
  // DuckDB runs a multi-statement text, so its COMMENT ONs ride in the same request and the DDL
  // keeps Snowflake's statement count. (Snowflake itself refuses multi-statement requests by
  // default, and needs none: its comments are inline.)
  const comments = [
    `COMMENT ON TABLE ${q(spec.name)} IS ${sqlLiteral(spec.comment)}`,
    ...spec.columns.map((c) => `COMMENT ON COLUMN ${q(spec.name)}.${q(c.name)} IS ${sqlLiteral(c.comment)}`),
  ];
  return { ...create, sql: [create.sql, ...comments].join('; ') };
}
