// What `validate` needs to know about a warehouse target without writing to it: where the session
// points and which of the five metadata tables already exist (docs/architecture.md#command-line validate).
import type { WarehouseBackend } from './backend.js';
import { quoteIdent as q } from './dialect.js';
import { ALL_TABLES } from './tables.js';

export interface WarehouseProbe {
  database: string;
  schema: string;
  /** The metadata tables present in the current schema. */
  present: string[];
  /** The metadata tables the first sync will create (needs CREATE TABLE on the schema). */
  missing: string[];
}

export async function probeWarehouse(backend: WarehouseBackend): Promise<WarehouseProbe> {
  const where = await backend.execute(`SELECT CURRENT_DATABASE() AS ${q('DB')}, CURRENT_SCHEMA() AS ${q('SC')}`);
  const database = String(where.rows[0]?.DB ?? '');
  const schema = String(where.rows[0]?.SC ?? '');
  const names = ALL_TABLES.map((t) => t.name);
  const found = await backend.execute(
    `SELECT ${q('TABLE_NAME')} AS ${q('T')} FROM ${q('INFORMATION_SCHEMA')}.${q('TABLES')} ` +
      `WHERE ${q('TABLE_SCHEMA')} = ? AND ${q('TABLE_CATALOG')} = ? AND ${q('TABLE_NAME')} IN (${names.map(() => '?').join(', ')})`,
    [schema, database, ...names],
  );
  const present = new Set(found.rows.map((r) => String(r.T)));
  return { database, schema, present: names.filter((n) => present.has(n)), missing: names.filter((n) => !present.has(n)) };
}
