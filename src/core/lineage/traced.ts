// A table's traced M (a source state, or why there is none) and its conversion into the
// table's lineage record, shared by the tracer and the configuration override.
import type { Table } from '../schema/model.js';
import { columnLineage } from './columns.js';
import { formatSnowflakeName } from './identifiers.js';
import type { TableState } from './m-values.js';
import type { LineageReasonCode, TableLineage } from './types.js';

/** A table's traced M, before columns and configuration. */
export type Traced =
  | { ok: true; state: TableState; note?: { code: LineageReasonCode; reason: string } }
  | { ok: false; code: LineageReasonCode; reason: string };

export function none(code: LineageReasonCode, reason: string): Traced {
  return { ok: false, code, reason };
}

/** The lineage of a table from its traced M alone. */
export function toLineage(table: Table, traced: Traced): TableLineage {
  if (!traced.ok) {
    return { table: table.name, source: null, confidence: 'none', reasonCode: traced.code, reason: traced.reason, steps: [], filters: [], columns: columnLineage(table, undefined, 'none', 'the table has no Snowflake source') };
  }
  const { state } = traced;
  const confidence = state.approximate.length > 0 ? 'approximate' : 'exact';
  return {
    table: table.name,
    source: state.source,
    confidence,
    reasonCode: traced.note?.code ?? (confidence === 'exact' ? 'traced' : 'unsupported-step'),
    reason: describeTrace(state),
    ...(state.connection ? { connection: state.connection } : {}),
    steps: [...state.steps],
    filters: [...state.filters],
    columns: columnLineage(table, state.columns, confidence),
  };
}

function describeTrace(state: TableState): string {
  const s = state.source;
  let text = s.kind === 'object'
    ? `reads the Snowflake ${s.objectKind ?? 'table or view'} ${formatSnowflakeName([s.database, s.schema, s.name])}`
    : `runs a native Snowflake query${s.database === undefined ? '' : ` in database ${formatSnowflakeName([s.database])}`}`;
  const traced = state.steps.filter((st) => st.effect !== 'unsupported').length;
  if (traced > 0) text += ` through ${traced} traced step${traced === 1 ? '' : 's'}`;
  const filtered = state.filters.filter((f) => f.sql !== undefined).length;
  if (filtered > 0) text += `, keeping the rows where ${state.filters.filter((f) => f.sql !== undefined).map((f) => f.sql).join(' AND ')}`;
  if (state.approximate.length > 0) text += `; approximate because of ${state.approximate.join(', ')}`;
  return text;
}
