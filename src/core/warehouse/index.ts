// The warehouse publisher's public surface (docs/architecture.md#warehouse). Both drivers are imported lazily inside
// openSnowflake/openDuckDb, so importing this module loads neither.
export { applyPlan, type ApplyResult, type WarehouseBackend, type ExecuteResult } from './backend.js';
export { DIALECTS, quoteIdent, type Dialect } from './dialect.js';
export { DEFAULT_DUCKDB_PATH, openDuckDb, type DuckDbOptions } from './duckdb.js';
export { listModelVersions, readTwoVersions, type ModelVersion, type VersionDefinition } from './history.js';
export { identifierProblem, qualified, resolveIdentifier, type Namespace } from './names.js';
export { planPhysicalTables, readExistingColumns, type ExistingColumn, type PhysicalPlan, type TypeConflict } from './physical.js';
export { INSERT_CHUNK_ROWS, STAGE_BINDING_THRESHOLD, planMarkDeleted, planModelSync, planSessionDdl, type Bind, type Statement, type SyncContext, type WarehousePlan } from './plan.js';
export { probeWarehouse, type WarehouseProbe } from './probe.js';
export { readModelRows, type ModelRowsRead } from './read.js';
export { CURRENT_SCHEMA_VERSION, ensureSchema, planUpgrade, type SchemaCheck } from './schema.js';
export { openSnowflake, type SnowflakeOptions } from './snowflake.js';
export { grantsFor } from './snowflake-errors.js';
export { ALL_TABLES, type TableSpec } from './tables.js';
export { TOM_TO_WAREHOUSE, warehouseType } from './types.js';
