// The semantic view's line of the checklist (issue 16): what `semanticView` will do with this
// configuration, and the grants it needs — CREATE SEMANTIC VIEW on the view's schema and SELECT on
// every base table (https://docs.snowflake.com/en/sql-reference/sql/create-semantic-view#access-control-requirements).
// The base tables come from each model's M, which validate does not read: `convert --semantic-view
// --dry-run --json` lists them per model (semanticView.grants).
import type { Config } from '../config/schema.js';
import { resolveTarget } from '../config/load.js';
import { quoteIdent } from '../warehouse/dialect.js';
import { resolveIdentifier } from '../warehouse/names.js';
import type { Check } from './check.js';

export function checkSemanticView(config: Config): Check[] {
  const sv = config.semanticView;
  if (!sv.enabled) return [];
  const database = sv.database ?? config.snowflake.database;
  const schema = sv.schema ?? config.snowflake.schema;
  const base = { id: 'semantic-view', area: 'warehouse' as const, durationMs: 0 };
  if (!database || !schema) {
    return [{ ...base, status: 'fail', failure: 'config', message: 'semanticView.enabled, but no database or schema for the view', hint: 'Set semanticView.database and semanticView.schema (or snowflake.database and snowflake.schema).' }];
  }
  const where = `${quoteIdent(resolveIdentifier(database))}.${quoteIdent(resolveIdentifier(schema))}`;
  const mapped = Object.values(sv.tables);
  const grants = [
    `GRANT CREATE SEMANTIC VIEW ON SCHEMA ${where} TO ROLE <role>;`,
    ...mapped.map((object) => `GRANT SELECT ON TABLE ${object} TO ROLE <role>;   -- mapped in semanticView.tables`),
    'GRANT SELECT ON TABLE <each base table> TO ROLE <role>;   -- listed per model by convert --semantic-view --dry-run --json (semanticView.grants)',
  ];
  if (resolveTarget(config) !== 'snowflake') {
    return [{ ...base, status: 'ok', message: `semantic view: written to {Model}_semantic_view.sql only (DuckDB has no semantic views); on Snowflake it would be created in ${where}`, details: grants }];
  }
  return [{ ...base, status: 'ok', message: `semantic view: created in ${where}; the role needs these grants (not probed)`, details: grants }];
}
