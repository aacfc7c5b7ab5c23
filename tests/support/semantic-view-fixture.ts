// The project's own semantic-view fixture (tests/fixtures/semantic-view): a TMDL model whose tables
// read Snowflake through `Snowflake.Databases(…)`, plus one native-query table and one Excel table,
// and helpers to build DuckDB tables shaped like the view's logical tables (one table per logical
// table, one column per fact or dimension, named as in the view) so metric SQL can run as written.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModel } from '../../src/core/schema/load.js';
import type { SemanticModel, TomDataType } from '../../src/core/schema/model.js';
import type { PlannedColumn, SemanticViewPlan } from '../../src/core/semantic-view/plan.js';
import { fixturesDir } from './paths.js';

export const SV_FIXTURE_DIR = join(fixturesDir, 'semantic-view');
export const SV_FIXTURE_MODEL = join(SV_FIXTURE_DIR, 'Sales Analytics on Snowflake.SemanticModel');
export const SV_FIXTURE_EXPECTED = join(SV_FIXTURE_DIR, 'Sales Analytics on Snowflake.expected.sql');
/** The options the golden file was planned with. */
export const SV_FIXTURE_OPTIONS = { database: 'SALES_DW', schema: 'SEMANTIC', viewName: 'SALES_ANALYTICS' } as const;

export async function loadSvFixture(): Promise<SemanticModel> {
  return (await loadModel(SV_FIXTURE_MODEL)).model;
}

export const readExpected = (): Promise<string> => readFile(SV_FIXTURE_EXPECTED, 'utf8');

export const DUCK_TYPES: Record<TomDataType, string> = {
  int64: 'BIGINT', double: 'DOUBLE', decimal: 'DECIMAL(19,4)', string: 'VARCHAR', dateTime: 'TIMESTAMP', boolean: 'BOOLEAN',
  binary: 'BLOB', variant: 'VARCHAR', unknown: 'VARCHAR', automatic: 'VARCHAR',
};

const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** `CREATE TABLE` per included logical table, its columns the view's facts and dimensions. */
export function duckTables(plan: SemanticViewPlan): string[] {
  const byAlias = new Map<string, PlannedColumn[]>();
  for (const c of [...plan.facts, ...plan.dimensions]) byAlias.set(c.alias, [...(byAlias.get(c.alias) ?? []), c]);
  return plan.tables.filter((t) => t.included).map((t) => {
    const cols = byAlias.get(t.alias!) ?? [];
    return `CREATE TABLE ${q(t.alias!)} (${cols.map((c) => `${q(c.name)} ${DUCK_TYPES[c.dataType]}`).join(', ')})`;
  });
}

/**
 * FROM clause for a metric on `alias`: the table, LEFT JOINed to every table its relationships
 * reach (many-to-one, so rows are never multiplied; a key without a match is DAX's blank row).
 */
export function duckFrom(plan: SemanticViewPlan, alias: string): string {
  const column = (table: string, col: string): PlannedColumn =>
    [...plan.facts, ...plan.dimensions].find((c) => c.table === table && c.column === col)!;
  const aliasOf = (table: string): string => plan.tables.find((t) => t.name === table)!.alias!;
  let from = q(alias);
  const reached = new Set([alias]);
  const queue = [alias];
  while (queue.length > 0) {
    const cur = queue.shift()!;
    for (const r of plan.relationships.filter((x) => x.included && aliasOf(x.from.table) === cur)) {
      const to = aliasOf(r.to.table);
      if (reached.has(to)) continue;
      reached.add(to);
      queue.push(to);
      from += ` LEFT JOIN ${q(to)} ON ${q(cur)}.${q(column(r.from.table, r.from.column).name)} = ${q(to)}.${q(column(r.to.table, r.to.column).name)}`;
    }
  }
  return from;
}
