// SQL type families, so that an existing warehouse column can be compared with the type a model
// wants (schema/tom-types.ts holds the TOM → Snowflake / DuckDB table).

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
