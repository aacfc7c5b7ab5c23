// TOM enum values as TMDL writes them (camelCase). The reader is case-insensitive (docs/tmdl.md#lines-and-indentation), so a
// value is looked up lower-cased and returned in its canonical spelling.
import { TOM_DATA_TYPES } from '../model.js';

function table<T extends string>(values: readonly T[]): ReadonlyMap<string, T> {
  return new Map(values.map((v) => [v.toLowerCase(), v]));
}

export const DATA_TYPES = table(TOM_DATA_TYPES);
export const CARDINALITIES = table(['one', 'many', 'none'] as const);
export const CROSS_FILTERING = table(['oneDirection', 'bothDirections', 'automatic'] as const);
// Open-ended in practice (new Fabric modes appear): unknown values are kept as written.
export const MODES = table(['import', 'directQuery', 'dual', 'directLake', 'default', 'push']);
export const SOURCE_TYPES = table(['m', 'query', 'calculated', 'entity', 'calculationGroup', 'policyRange', 'inferred', 'parquet', 'none']);
export const SUMMARIZE_BY = table(['default', 'none', 'sum', 'min', 'max', 'count', 'average', 'distinctCount']);
export const MODEL_PERMISSIONS = table(['none', 'read', 'readRefresh', 'refresh', 'administrator']);
export const EXPRESSION_KINDS = table(['m', 'dax']);
export const SECURITY_FILTERING = table(['oneDirection', 'bothDirections', 'none']);

/** Canonical spelling when known, else the value as written. */
export function canonical(map: ReadonlyMap<string, string>, value: string): string {
  return map.get(value.toLowerCase()) ?? value;
}
