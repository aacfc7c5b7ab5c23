// TOM data type → Push API column dataType: one typed table, tested row by row (docs/architecture.md#push-conversion,
// docs/architecture.md#conventions-in-the-code). The Push API documents six types: Int64, Double, Boolean, Datetime, String, Decimal
// (docs/fabric-rest.md#push-datasets).
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

export const PUSH_TYPE_MAP: Readonly<Record<TomDataType, PushTypeRule>> = {
  int64: { push: 'Int64', rule: 'same' },
  double: { push: 'Double', rule: 'same' },
  decimal: { push: 'Decimal', rule: 'same' },
  dateTime: { push: 'Datetime', rule: 'same' },
  string: { push: 'String', rule: 'same' },
  boolean: { push: 'Boolean', rule: 'same' },
  binary: { push: null, rule: 'dropped' },
  variant: { push: 'String', rule: 'mapped' },
  unknown: { push: 'String', rule: 'mapped' },
  automatic: { push: 'String', rule: 'mapped' },
};

/** The push type rule for a TOM type; an unexpected value is treated like `unknown`. */
export function pushTypeFor(tom: string): PushTypeRule {
  return (PUSH_TYPE_MAP as Record<string, PushTypeRule>)[tom] ?? PUSH_TYPE_MAP.unknown;
}
