// TOM data type → Push API column dataType, Snowflake type and DuckDB type: one typed table, tested
// row by row (docs/architecture.md#push-conversion, docs/architecture.md#conventions-in-the-code).
// The Push API documents six types: Int64, Double, Boolean, Datetime, String, Decimal
// (docs/fabric-rest.md#push-datasets). The warehouse types are used by the metadata rows
// (SNOWFLAKE_DATA_TYPE) and by --create-tables: Power BI's fixed decimal ("currency") is a 19-digit
// number with 4 decimal places, hence NUMBER(19,4); binary stays binary, variant becomes
// VARIANT/JSON; unknown/automatic fall back to text, the one type that loses nothing.
import type { TomDataType } from './model.js';

export type PushDataType = 'Int64' | 'Double' | 'Decimal' | 'Datetime' | 'String' | 'Boolean';

/**
 * How a TOM type becomes a push column.
 * - `same`: the push type is the direct equivalent (column kept).
 * - `mapped`: no push equivalent; the column is kept as `String` and reported as changed
 *   (`typeMapped`) — variant/unknown/automatic values are texts or numbers whose type is decided at
 *   query time, and a String column can hold every one of them without losing the column.
 * - `dropped`: no push equivalent and no useful text form (binary: images/blobs the Push API cannot
 *   store, 4,000-char string limit) — the column is dropped (`unsupportedType`).
 */
export interface PushTypeRule {
  push: PushDataType | null;
  rule: 'same' | 'mapped' | 'dropped';
}

export interface WarehouseTypeRow {
  snowflake: string;
  duckdb: string;
}

export interface TomTypeRow extends PushTypeRule, WarehouseTypeRow {}

export const TOM_TYPES: Readonly<Record<TomDataType, TomTypeRow>> = {
  int64: { push: 'Int64', rule: 'same', snowflake: 'NUMBER(19,0)', duckdb: 'BIGINT' },
  double: { push: 'Double', rule: 'same', snowflake: 'FLOAT', duckdb: 'DOUBLE' },
  decimal: { push: 'Decimal', rule: 'same', snowflake: 'NUMBER(19,4)', duckdb: 'DECIMAL(19,4)' },
  dateTime: { push: 'Datetime', rule: 'same', snowflake: 'TIMESTAMP_NTZ', duckdb: 'TIMESTAMP' },
  string: { push: 'String', rule: 'same', snowflake: 'VARCHAR', duckdb: 'VARCHAR' },
  boolean: { push: 'Boolean', rule: 'same', snowflake: 'BOOLEAN', duckdb: 'BOOLEAN' },
  binary: { push: null, rule: 'dropped', snowflake: 'BINARY', duckdb: 'BLOB' },
  variant: { push: 'String', rule: 'mapped', snowflake: 'VARIANT', duckdb: 'JSON' },
  unknown: { push: 'String', rule: 'mapped', snowflake: 'VARCHAR', duckdb: 'VARCHAR' },
  automatic: { push: 'String', rule: 'mapped', snowflake: 'VARCHAR', duckdb: 'VARCHAR' },
};

function columns<T>(pick: (row: TomTypeRow) => T): Record<TomDataType, T> {
  return Object.fromEntries(Object.entries(TOM_TYPES).map(([tom, row]) => [tom, pick(row)])) as Record<TomDataType, T>;
}

/** The push columns of the table. */
export const PUSH_TYPE_MAP: Readonly<Record<TomDataType, PushTypeRule>> = columns(({ push, rule }) => ({ push, rule }));

/** The warehouse columns of the table. */
export const TOM_TO_WAREHOUSE: Readonly<Record<TomDataType, WarehouseTypeRow>> = columns(({ snowflake, duckdb }) => ({ snowflake, duckdb }));

/** The push type rule for a TOM type; an unexpected value is treated like `unknown`. */
export function pushTypeFor(tom: string): PushTypeRule {
  return (PUSH_TYPE_MAP as Record<string, PushTypeRule>)[tom] ?? PUSH_TYPE_MAP.unknown;
}

/** The column type of a TOM type in a warehouse dialect; an unexpected value is treated like `unknown`. */
export function warehouseType(tom: TomDataType, dialect: keyof WarehouseTypeRow): string {
  return (TOM_TO_WAREHOUSE[tom] ?? TOM_TO_WAREHOUSE.unknown)[dialect];
}
