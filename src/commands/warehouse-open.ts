// Opens the configured warehouse for the commands that read it (`query`, `diff`): the DuckDB file
// (read-only unless asked to write, and never created by a read) or a Snowflake session.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Config } from '../core/config/schema.js';
import { WarehouseError } from '../core/errors.js';
import type { WarehouseBackend } from '../core/warehouse/backend.js';
import type { Namespace } from '../core/warehouse/names.js';
import { snowflakeNamespace, snowflakeOptions } from '../core/config/warehouse-options.js';
import type { CommandContext } from './context.js';
import { describeWarehouse, warehouseLocation, type WarehouseLocation } from './locations.js';

export interface OpenedWarehouse {
  backend: WarehouseBackend;
  location: WarehouseLocation;
  /** Database and schema of the metadata tables on Snowflake (statements name them in full). */
  namespace?: Namespace;
}

export async function openConfiguredWarehouse(ctx: CommandContext, config: Config, o: { write: boolean; command: string }): Promise<OpenedWarehouse> {
  const location = warehouseLocation(config);
  if (location.target === 'duckdb') {
    if (!existsSync(location.path)) {
      throw new WarehouseError(`No warehouse yet: ${describeWarehouse(location)} does not exist.`, {}, {
        hint: 'Run `fabric-sync convert --source <model>` (or --auto) first; set warehouse.duckdbPath or FABRIC_SYNC_DUCKDB_PATH if it lives elsewhere.',
      });
    }
    const { openDuckDb } = await import('../core/warehouse/duckdb.js');
    return { backend: await openDuckDb({ path: location.path, readOnly: !o.write }), location };
  }
  const { openSnowflake } = await import('../core/warehouse/snowflake.js');
  const options = snowflakeOptions(config, { queryTag: `fabric-sync/${ctx.version}/${o.command}/${randomUUID()}`, verbose: ctx.globals.verbose, logger: ctx.ui.logger() });
  return { backend: await openSnowflake(options), location, namespace: snowflakeNamespace(config) };
}
