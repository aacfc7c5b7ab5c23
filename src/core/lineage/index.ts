// Lineage from Power Query M to Snowflake (issue 16, item 1). docs/lineage.md
export { traceModel } from './trace.js';
export { resolveColumn, findTable, type ResolvedColumn } from './resolve.js';
export { lineageRows, type LineageRow } from './rows.js';
export { MParseCache } from './m-parse.js';
export { parseSnowflakeName, parseSnowflakeObjectName, parseSnowflakeIdentifier, formatSnowflakeName } from './identifiers.js';
export type * from './types.js';
