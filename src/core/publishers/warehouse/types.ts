// TOM data type → warehouse column type, one typed row per TOM type (docs/architecture.md#conventions-in-the-code), used by the
// metadata rows (SNOWFLAKE_DATA_TYPE) and by --create-tables; the push type comes from the push
// converter's own table (src/core/push/types.ts). Power BI's fixed decimal ("currency") is a
// 19-digit number with 4 decimal places, hence NUMBER(19,4). binary stays binary, variant becomes
// VARIANT/JSON; unknown/automatic fall back to text, the one type that loses nothing.
import type { TomDataType } from '../../schema/model.js';
import type { Dialect } from '../../warehouse/dialect.js';

export interface WarehouseTypeRow {
  snowflake: string;
  duckdb: string;
}

export const TOM_TO_WAREHOUSE: Record<TomDataType, WarehouseTypeRow> = {
  string: { snowflake: 'VARCHAR', duckdb: 'VARCHAR' },
  int64: { snowflake: 'NUMBER(19,0)', duckdb: 'BIGINT' },
  double: { snowflake: 'FLOAT', duckdb: 'DOUBLE' },
  decimal: { snowflake: 'NUMBER(19,4)', duckdb: 'DECIMAL(19,4)' },
  dateTime: { snowflake: 'TIMESTAMP_NTZ', duckdb: 'TIMESTAMP' },
  boolean: { snowflake: 'BOOLEAN', duckdb: 'BOOLEAN' },
  binary: { snowflake: 'BINARY', duckdb: 'BLOB' },
  variant: { snowflake: 'VARIANT', duckdb: 'JSON' },
  unknown: { snowflake: 'VARCHAR', duckdb: 'VARCHAR' },
  automatic: { snowflake: 'VARCHAR', duckdb: 'VARCHAR' },
};

export function warehouseType(tom: TomDataType, dialect: Dialect): string {
  return (TOM_TO_WAREHOUSE[tom] ?? TOM_TO_WAREHOUSE.unknown)[dialect];
}

/**
 * Coarse type families, so an existing column can be compared with the wanted type whatever way
 * the engine spells it (Snowflake INFORMATION_SCHEMA says NUMBER/TEXT/TIMESTAMP_NTZ, DuckDB says
 * BIGINT/VARCHAR/TIMESTAMP). Same family = compatible; a different family is a conflict.
 */
export type TypeFamily = 'text' | 'integer' | 'number' | 'float' | 'boolean' | 'timestamp' | 'binary' | 'json' | 'other';

export function typeFamily(sqlType: string): TypeFamily {
  const t = sqlType.trim().toUpperCase();
  const m = /^(NUMBER|DECIMAL|NUMERIC)\s*\(\s*\d+\s*,\s*(\d+)\s*\)/.exec(t);
  if (m) return m[2] === '0' ? 'integer' : 'number';
  if (/^(NUMBER|DECIMAL|NUMERIC)\b/.test(t)) return 'integer';
  if (/^(BIGINT|INTEGER|INT|SMALLINT|TINYINT|BYTEINT|HUGEINT|INT\d|UBIGINT|UINTEGER)\b/.test(t)) return 'integer';
  if (/^(FLOAT|DOUBLE|REAL|FLOAT4|FLOAT8)\b/.test(t)) return 'float';
  if (/^(VARCHAR|TEXT|STRING|CHAR|CHARACTER|NVARCHAR|NCHAR)\b/.test(t)) return 'text';
  if (/^BOOL/.test(t)) return 'boolean';
  if (/^(TIMESTAMP|DATETIME)/.test(t)) return 'timestamp';
  if (/^(BINARY|VARBINARY|BLOB|BYTEA)\b/.test(t)) return 'binary';
  if (/^(VARIANT|JSON|OBJECT)\b/.test(t)) return 'json';
  return 'other';
}
