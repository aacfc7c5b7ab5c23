// DuckDB result → Snowflake JSON rowset (docs/snowflake.md#wire-protocol): every
// cell a string or null, rowtype names the Snowflake type the driver converts with.
import {
  DuckDBDateValue, DuckDBTimestampValue, DuckDBTimestampTZValue, DuckDBTimeValue, DuckDBTypeId,
  DuckDBTimestampNanosecondsValue, DuckDBTimestampMillisecondsValue, DuckDBTimestampSecondsValue,
  DuckDBBlobValue, DuckDBDecimalType,
  type DuckDBResultReader, type DuckDBType, type DuckDBValue,
} from '@duckdb/node-api';

export interface RowType {
  name: string; type: string; nullable: boolean; precision: number | null; scale: number | null;
  length: number | null; byteLength: number | null; database: string; schema: string; table: string; collation: null;
}

export function column(name: string, type: string, extra: Partial<RowType> = {}): RowType {
  return { name, type, nullable: true, precision: null, scale: null, length: null, byteLength: null,
    database: '', schema: '', table: '', collation: null, ...extra };
}

function rowTypeFor(name: string, t: DuckDBType): RowType {
  if (t.alias === 'JSON') return column(name, 'variant', { length: 16777216, byteLength: 16777216 });
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN: return column(name, 'boolean');
    case DuckDBTypeId.TINYINT: case DuckDBTypeId.SMALLINT: case DuckDBTypeId.INTEGER: case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT: case DuckDBTypeId.USMALLINT: case DuckDBTypeId.UINTEGER: case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT: case DuckDBTypeId.UHUGEINT: case DuckDBTypeId.BIGNUM:
      return column(name, 'fixed', { precision: 38, scale: 0 });
    case DuckDBTypeId.DECIMAL: {
      const d = t as DuckDBDecimalType;
      return column(name, 'fixed', { precision: d.width, scale: d.scale });
    }
    case DuckDBTypeId.FLOAT: case DuckDBTypeId.DOUBLE: return column(name, 'real');
    case DuckDBTypeId.DATE: return column(name, 'date');
    case DuckDBTypeId.TIME: case DuckDBTypeId.TIME_NS: return column(name, 'time', { scale: 9, precision: 0 });
    case DuckDBTypeId.TIMESTAMP: case DuckDBTypeId.TIMESTAMP_S: case DuckDBTypeId.TIMESTAMP_MS: case DuckDBTypeId.TIMESTAMP_NS:
      return column(name, 'timestamp_ntz', { scale: 9, precision: 0 });
    case DuckDBTypeId.TIMESTAMP_TZ: return column(name, 'timestamp_ltz', { scale: 9, precision: 0 });
    case DuckDBTypeId.BLOB: return column(name, 'binary', { length: 8388608, byteLength: 8388608 });
    case DuckDBTypeId.LIST: case DuckDBTypeId.ARRAY: return column(name, 'array');
    case DuckDBTypeId.STRUCT: case DuckDBTypeId.MAP: return column(name, 'object');
    default: return column(name, 'text', { length: 16777216, byteLength: 16777216 });
  }
}

/** `<seconds>.<9-digit fraction>` from a count of `unit`s per second (floor division keeps pre-1970 right). */
function epochText(value: bigint, perSecond: bigint): string {
  let secs = value / perSecond;
  let rem = value % perSecond;
  if (rem < 0n) { secs -= 1n; rem += perSecond; }
  const nanos = rem * (1_000_000_000n / perSecond);
  return `${secs}.${nanos.toString().padStart(9, '0')}`;
}

function cell(v: DuckDBValue, json: unknown, rt: RowType): string | null {
  if (v === null) return null;
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (v instanceof DuckDBTimestampValue || v instanceof DuckDBTimestampTZValue) return epochText(v.micros, 1_000_000n);
  if (v instanceof DuckDBTimestampNanosecondsValue) return epochText(v.nanos, 1_000_000_000n);
  if (v instanceof DuckDBTimestampMillisecondsValue) return epochText(v.millis, 1_000n);
  if (v instanceof DuckDBTimestampSecondsValue) return epochText(v.seconds, 1n);
  if (v instanceof DuckDBTimeValue) return epochText(v.micros, 1_000_000n);
  if (v instanceof DuckDBDateValue) return String(v.days);
  if (v instanceof DuckDBBlobValue) return Buffer.from(v.bytes).toString('hex');
  if (rt.type === 'array' || rt.type === 'object') return JSON.stringify(json);
  return String(v);
}

export interface Rowset { rowtype: RowType[]; rowset: (string | null)[][] }

export function toRowset(reader: DuckDBResultReader): Rowset {
  const names = reader.columnNames();
  const types = reader.columnTypes();
  const rowtype = names.map((n, i) => rowTypeFor(n, types[i]!));
  const rows = reader.getRows();
  const needsJson = rowtype.some((r) => r.type === 'array' || r.type === 'object');
  const jsonRows = needsJson ? reader.getRowsJson() : [];
  const rowset = rows.map((row, r) => row.map((v, c) => cell(v, jsonRows[r]?.[c], rowtype[c]!)));
  return { rowtype, rowset };
}

export function statusRowset(text = 'Statement executed successfully.'): Rowset {
  return { rowtype: [column('status', 'text', { length: 16777216, byteLength: 16777216, nullable: false })], rowset: [[text]] };
}

/** DML answer: the driver's getNumUpdatedRows() sums every column of it (result.js). */
export function countRowset(columns: Record<string, number>): Rowset {
  const entries = Object.entries(columns);
  return {
    rowtype: entries.map(([name]) => column(name, 'fixed', { precision: 19, scale: 0, nullable: false })),
    rowset: [entries.map(([, n]) => String(n))],
  };
}
