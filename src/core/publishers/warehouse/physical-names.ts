// Names of the --create-tables mirror tables (issue 12 item 5). Two models often have a table of
// the same name — most often the dev and prod copies of one model, which share every name — so a
// mirror table is named after its model as well: `<model key>__<table name>` in the one configured
// schema (warehouse.tablesSchema). The model key is the first 8 hex digits of the SHA-256 of the
// model id: stable when the model is renamed, unique in practice, and one schema keeps the grants
// to a single CREATE TABLE (a schema per model would need CREATE SCHEMA on the database).
// _SEMANTIC_TABLES.PHYSICAL_TABLE records the name of each table's mirror.
import { createHash } from 'node:crypto';
import type { Table } from '../../schema/model.js';
import { quoteIdent } from '../../warehouse/dialect.js';
import { MAX_IDENTIFIER_LENGTH } from '../../warehouse/names.js';

/** Where the mirror tables go: the configured database (Snowflake) and schema. */
export interface PhysicalTarget {
  database?: string;
  schema: string;
}

/** 8 hex digits of SHA-256(model id). */
export function modelKey(modelId: string): string {
  return createHash('sha256').update(modelId).digest('hex').slice(0, 8);
}

/** The mirror table's own name (unqualified): `<model key>__<table name>`. */
export function physicalName(modelId: string, tableName: string): string {
  return `${modelKey(modelId)}__${tableName}`;
}

/** Why a model table gets no mirror table, or undefined when it gets one. */
export function physicalSkipReason(modelId: string, table: Table): string | undefined {
  if (table.kind === 'calculationGroup') return 'calculation group (no rows to hold)';
  if (physicalName(modelId, table.name).length > MAX_IDENTIFIER_LENGTH) {
    return `name longer than ${MAX_IDENTIFIER_LENGTH} characters with its model key (Snowflake identifier limit)`;
  }
  if (table.columns.length === 0) return 'no columns';
  return undefined;
}

/** `"DB"."SCHEMA"."<key>__<table>"` (or `"SCHEMA"."…"`), or null when the table gets no mirror. */
export function physicalTableName(target: PhysicalTarget, modelId: string, table: Table): string | null {
  if (physicalSkipReason(modelId, table) !== undefined) return null;
  return qualifiedPhysical(target, physicalName(modelId, table.name));
}

export function qualifiedPhysical(target: PhysicalTarget, name: string): string {
  return [...(target.database !== undefined ? [target.database] : []), target.schema, name].map(quoteIdent).join('.');
}
