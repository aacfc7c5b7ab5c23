// Where a run put things (issue 14 item 6): the push definition files, the warehouse (the DuckDB file
// or the Snowflake schema), the state file — and the command to look at them next.
import path from 'node:path';
import { resolveTarget } from '../core/config/load.js';
import type { Config } from '../core/config/schema.js';
import { snowflakeNamespace } from '../core/config/warehouse-options.js';

export type WarehouseLocation = { target: 'duckdb'; path: string } | { target: 'snowflake'; database: string; schema: string };

export interface RunLocations {
  /** The folder of the push definition files (written with --no-push too: the file is the plan, the push is the publish). */
  pushDir: string;
  /** Null with --no-warehouse. */
  warehouse: WarehouseLocation | null;
  statePath: string;
}

export function runLocations(config: Config, o: { warehouse: boolean }): RunLocations {
  return {
    pushDir: path.resolve(config.push.outDir),
    warehouse: o.warehouse ? warehouseLocation(config) : null,
    statePath: path.resolve(config.state.path),
  };
}

export function warehouseLocation(config: Config): WarehouseLocation {
  if (resolveTarget(config) === 'snowflake') {
    const ns = snowflakeNamespace(config);
    return { target: 'snowflake', database: ns.database, schema: ns.schema };
  }
  return { target: 'duckdb', path: path.resolve(config.warehouse.duckdbPath) };
}

export function describeWarehouse(w: WarehouseLocation): string {
  return w.target === 'duckdb' ? `DuckDB file ${w.path}` : `Snowflake ${w.database}.${w.schema} (_SEMANTIC_* tables)`;
}

/**
 * The lines printed after a run. A dry run names where things would go and says that nothing was
 * written; a real run names the files written (`definitionFiles`) and the place of the rest.
 */
export function locationLines(loc: RunLocations, definitionFiles: readonly string[], dryRun: boolean, firstModel?: string): string[] {
  const lines: string[] = [];
  const rel = (p: string) => {
    const r = path.relative(process.cwd(), p);
    return r && !r.startsWith('..') && !path.isAbsolute(r) ? r : p;
  };
  if (dryRun) {
    lines.push(`push definitions: would go to ${rel(loc.pushDir)} (not written)`);
    if (loc.warehouse) lines.push(`warehouse:        ${describeWarehouse(loc.warehouse.target === 'duckdb' ? { ...loc.warehouse, path: rel(loc.warehouse.path) } : loc.warehouse)} (nothing sent)`);
    lines.push(`state:            ${rel(loc.statePath)} (not changed)`);
    return lines;
  }
  if (definitionFiles.length === 1) lines.push(`push definition:  ${rel(definitionFiles[0]!)}`);
  else if (definitionFiles.length > 1) lines.push(`push definitions: ${definitionFiles.length} files in ${rel(loc.pushDir)}`);
  if (loc.warehouse) lines.push(`warehouse:        ${describeWarehouse(loc.warehouse.target === 'duckdb' ? { ...loc.warehouse, path: rel(loc.warehouse.path) } : loc.warehouse)}`);
  lines.push(`state:            ${rel(loc.statePath)}`);
  if (loc.warehouse) {
    lines.push(`next:             fabric-sync query "SELECT MODEL_NAME, TABLE_COUNT, MEASURE_COUNT FROM _SEMANTIC_CURRENT_MODELS"`);
    if (firstModel !== undefined) lines.push(`                  fabric-sync diff ${shellWord(firstModel)}   (what changed since the previous version)`);
  } else {
    lines.push('next:             fabric-sync state');
  }
  return lines;
}

function shellWord(s: string): string {
  return /^[\w.@%+=:,/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
