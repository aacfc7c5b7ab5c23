// CREATE TABLE text for a table spec in a dialect. Snowflake gets the comments inline (applied once,
// when the table is created; IF NOT EXISTS leaves an existing table and its comments alone) and
// its informational constraints; DuckDB has no inline COMMENT, so it gets COMMENT ON statements in
// the same request. Every name is fully qualified from the configuration (names.ts).
import { DIALECTS, type Dialect, quoteIdent as q, sqlLiteral } from '../../warehouse/dialect.js';
import { type Namespace, qualified } from '../../warehouse/names.js';
import type { Statement } from '../../warehouse/statement.js';
import type { TableSpec } from './tables.js';

export interface Constraint {
  name: string;
  /** `PRIMARY KEY (…) RELY` or `FOREIGN KEY (…) REFERENCES … RELY`. */
  clause: string;
}

/**
 * The informational constraints of a table (https://docs.snowflake.com/en/sql-reference/constraints-properties):
 * Snowflake records PRIMARY KEY and FOREIGN KEY but enforces neither; RELY tells the optimizer (and
 * tools reading the catalog) that the data does hold them, which the MERGE on the key guarantees.
 */
export function constraintsOf(spec: TableSpec, ns: Namespace | undefined): Constraint[] {
  const out: Constraint[] = [];
  if (spec.primaryKey) out.push({ name: `PK${spec.name}`, clause: `PRIMARY KEY (${spec.key.map(q).join(', ')}) RELY` });
  if (spec.modelOf) {
    out.push({ name: `FK${spec.name}_MODEL`, clause: `FOREIGN KEY (${q('MODEL_ID')}) REFERENCES ${qualified(ns, spec.modelOf)} (${q('MODEL_ID')}) RELY` });
  }
  return out;
}

export function createTableSql(spec: TableSpec, dialect: Dialect, temporary: boolean, ns?: Namespace): Statement {
  const d = DIALECTS[dialect];
  const name = qualified(ns, spec.name);
  const cols = spec.columns.map((c) => {
    const notNull = c.notNull ? ' NOT NULL' : '';
    const comment = d.inlineComments && !temporary ? ` COMMENT ${sqlLiteral(c.comment)}` : '';
    return `${q(c.name)} ${d.types[c.type]}${notNull}${comment}`;
  });
  const constraints = d.informationalConstraints && !temporary ? constraintsOf(spec, ns).map((c) => `CONSTRAINT ${q(c.name)} ${c.clause}`) : [];
  const tableComment = d.inlineComments && !temporary ? ` COMMENT = ${sqlLiteral(spec.comment)}` : '';
  // DuckDB keeps a temporary table in its own catalog, so it cannot be schema-qualified there.
  const target = temporary && dialect === 'duckdb' ? q(spec.name) : name;
  const create: Statement = {
    sql: `CREATE ${temporary ? 'TEMPORARY ' : ''}TABLE IF NOT EXISTS ${target} (${[...cols, ...constraints].join(', ')})${tableComment}`,
    purpose: `create ${temporary ? 'session load table' : spec.name} if missing`,
  };
  if (d.inlineComments || temporary) return create;
  // DuckDB runs a multi-statement text, so its COMMENT ONs ride in the same request and the DDL
  // keeps Snowflake's statement count. (Snowflake itself refuses multi-statement requests by
  // default, and needs none: its comments are inline.)
  const comments = [
    `COMMENT ON TABLE ${name} IS ${sqlLiteral(spec.comment)}`,
    ...spec.columns.map((c) => `COMMENT ON COLUMN ${name}.${q(c.name)} IS ${sqlLiteral(c.comment)}`),
  ];
  return { ...create, sql: [create.sql, ...comments].join('; ') };
}
