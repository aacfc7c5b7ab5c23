// What `validate` needs to know about a warehouse target without writing to it: which of the
// metadata tables already exist in the configured database and schema (docs/architecture.md#command-line
// validate), and which schema version they are at. Both read the configured names, never the session's context.
import type { WarehouseBackend } from './backend.js';
import { quoteIdent as q } from './dialect.js';
import { type Namespace, infoSchema, qualified } from './names.js';

/** The tables a publisher keeps in the warehouse, and the one that records their schema version. */
export interface ProbedTables {
  names: readonly string[];
  versionTable: string;
}

export interface WarehouseProbe {
  database: string;
  schema: string;
  /** The fabric-sync tables present in the schema. */
  present: string[];
  /** The tables the first sync will create (needs CREATE TABLE on the schema). */
  missing: string[];
  /** Recorded schema version (0: none recorded; an installation of release bc11fdd has none). */
  schemaVersion: number;
}

export async function probeWarehouse(backend: WarehouseBackend, ns: Namespace, tables: ProbedTables): Promise<WarehouseProbe> {
  const names = [...tables.names];
  const found = await backend.execute(
    `SELECT ${q('TABLE_NAME')} AS ${q('T')} FROM ${infoSchema(ns, 'TABLES')} ` +
      `WHERE ${q('TABLE_SCHEMA')} = ? AND ${q('TABLE_NAME')} IN (${names.map(() => '?').join(', ')})`,
    [ns.schema, ...names],
  );
  const present = new Set(found.rows.map((r) => String(r.T)));
  let schemaVersion = 0;
  if (present.has(tables.versionTable)) {
    const v = await backend.execute(`SELECT MAX(${q('SCHEMA_VERSION')}) AS ${q('V')} FROM ${qualified(ns, tables.versionTable)}`);
    schemaVersion = Number(v.rows[0]?.V ?? 0);
  }
  return { database: ns.database, schema: ns.schema, present: names.filter((n) => present.has(n)), missing: names.filter((n) => !present.has(n)), schemaVersion };
}
