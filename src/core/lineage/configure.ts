// A configured source (`"Targets": "DB.SCHEMA.TARGETS"`) replaces whatever the M says: the user
// states that this Snowflake object holds the table's rows as loaded, so the M's steps and filters
// no longer apply. Column names come from the configured column map, else from the traced M (the
// object was usually repointed, not reshaped), else the model's `sourceColumn` read with Snowflake's
// identifier rules (a plain word is upper-cased; anything else is kept as written).
import type { Table } from '../schema/model.js';
import { columnWithoutSource, mColumnName } from './columns.js';
import { formatSnowflakeName, parseSnowflakeIdentifier, parseSnowflakeObjectName } from './identifiers.js';
import { lookupColumn } from './m-values.js';
import { toLineage, type Traced } from './traced.js';
import type { ColumnLineage, LineageTableConfig, TableLineage } from './types.js';

export function configureTable(table: Table, traced: Traced, config: LineageTableConfig, warnings: string[]): TableLineage {
  // Configuration reaches here unvalidated when a caller skips the schema: check the shape too.
  const entry: { object?: unknown; columns?: unknown } = typeof config === 'string' ? { object: config } : config && typeof config === 'object' ? config : {};
  const parsed = parseSnowflakeObjectName(typeof entry.object === 'string' ? entry.object : '');
  if (!parsed.ok) {
    const reason = `the configured source of table "${table.name}" is not a Snowflake object name: ${parsed.error}`;
    warnings.push(reason);
    return toLineage(table, { ok: false, code: 'config-error', reason });
  }
  const configuredColumns = new Map<string, string>();
  const columnMap = entry.columns && typeof entry.columns === 'object' ? (entry.columns as Record<string, unknown>) : {};
  for (const [modelColumn, sourceText] of Object.entries(columnMap)) {
    const id = parseSnowflakeIdentifier(typeof sourceText === 'string' ? sourceText : '');
    if (!id.ok) warnings.push(`the configured source column of "${table.name}"[${modelColumn}] is not a Snowflake identifier: ${id.error}`);
    else if (!table.columns.some((c) => c.name === modelColumn)) warnings.push(`the configuration maps column "${modelColumn}" of table "${table.name}", which the table does not have`);
    else configuredColumns.set(modelColumn, id.name);
  }

  const fullName = formatSnowflakeName([parsed.database, parsed.schema, parsed.name]);
  const fromM = traced.ok ? `the M ${describeSource(traced)}` : `the M gives no source (${traced.reason})`;
  const columns = table.columns.map((column): ColumnLineage => {
    const own = columnWithoutSource(column);
    if (own) return { column: column.name, sourceColumn: null, confidence: 'none', reason: own };
    const configured = configuredColumns.get(column.name);
    if (configured !== undefined) return { column: column.name, sourceColumn: configured, confidence: 'configured', reason: 'mapped in configuration' };
    const origin = traced.ok ? lookupColumn(traced.state.columns, mColumnName(column)) : undefined;
    if (origin && 'source' in origin) return { column: column.name, sourceColumn: origin.source, confidence: 'configured', reason: 'named as in the traced M' };
    // Unquoted Snowflake identifiers are stored upper-case, so `Month` is assumed to be MONTH.
    const assumed = parseSnowflakeIdentifier(mColumnName(column));
    const name = assumed.ok ? assumed.name : mColumnName(column);
    return { column: column.name, sourceColumn: name, confidence: 'configured', reason: `assumed: the model's sourceColumn read as a Snowflake identifier (${name})` };
  });
  return {
    table: table.name,
    source: { kind: 'object', database: parsed.database, schema: parsed.schema, name: parsed.name },
    confidence: 'configured',
    reasonCode: 'configured',
    reason: `mapped in configuration to ${fullName}; ${fromM}`,
    ...(traced.ok && traced.state.connection ? { connection: traced.state.connection } : {}),
    steps: [],
    filters: [],
    columns,
  };
}

function describeSource(traced: Extract<Traced, { ok: true }>): string {
  const s = traced.state.source;
  return s.kind === 'object' ? `reads ${formatSnowflakeName([s.database, s.schema, s.name])}` : 'runs a native query';
}
