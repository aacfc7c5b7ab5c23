// Read-back of one model's rows from any backend (issue 5 item 4), for tests, `validate` and
// users' own checks. Values are normalised so the Snowflake and DuckDB targets compare equal:
// timestamps as ISO-8601 UTC strings, numbers as numbers, VARIANT/JSON as parsed values.
import type { WarehouseBackend } from '../../warehouse/backend.js';
import { quoteIdent as q } from '../../warehouse/dialect.js';
import { type Namespace, qualified } from '../../warehouse/names.js';
import { COLUMNS, MEASURES, METADATA, RELATIONSHIPS, TABLES, type TableSpec } from './tables.js';

export type Row = Record<string, unknown>;

export interface ModelRowsRead {
  metadata: Row | null;
  tables: Row[];
  columns: Row[];
  measures: Row[];
  relationships: Row[];
}

export async function readModelRows(backend: WarehouseBackend, modelId: string, ns?: Namespace): Promise<ModelRowsRead> {
  const read = async (spec: TableSpec): Promise<Row[]> => {
    const cols = spec.columns.map((c) => q(c.name)).join(', ');
    const order = spec === METADATA ? q('MODEL_ID') : `${q('ORDINAL')}, ${spec.key.map(q).join(', ')}`;
    const r = await backend.execute(`SELECT ${cols} FROM ${qualified(ns, spec.name)} WHERE ${q('MODEL_ID')} = ? ORDER BY ${order}`, [modelId]);
    return r.rows.map(normaliseRow);
  };
  // One statement at a time: a connection is a session, not a pool.
  const metadata = await read(METADATA);
  return {
    metadata: metadata[0] ?? null,
    tables: await read(TABLES),
    columns: await read(COLUMNS),
    measures: await read(MEASURES),
    relationships: await read(RELATIONSHIPS),
  };
}

export function normaliseRow(row: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) out[k.toUpperCase()] = normaliseValue(v);
  return out;
}

function normaliseValue(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'bigint') return Number(v);
  return v;
}
