// Builds what a run works with from the validated Config — token provider, Fabric client, the
// lazily-opened warehouse session, the pipeline settings — once, and passes it down
// (docs/architecture.md#conventions-in-the-code). snowflake-sdk and DuckDB are imported only when the first model actually needs them.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createTokenProvider, type AuthOptions, type TokenProvider } from '../auth/index.js';
import { reveal, secretValues } from '../config/secret.js';
import { createRedactor } from '../redact.js';
import { resolveAuthMode, resolveTarget, type WarehouseTarget } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Clock, Logger, Sleep } from '../context.js';
import { createFabricClient } from '../fabric/index.js';
import { pushDefinitionFileName, pushFileKey } from '../push/files.js';
import type { CreateDatasetRequest } from '../push/request.js';
import { snowflakeNamespace, snowflakeOptions } from '../warehouse/options.js';
import type { PipelineDeps, PipelineSettings } from './pipeline.js';
import type { FabricApi, PreviousRequestTarget, RemoteOptions } from './remote.js';
import { physicalTablesStep } from './physical-tables.js';
import { WarehouseSession } from './warehouse-session.js';

export interface RuntimeOptions {
  clock: Clock;
  sleep: Sleep;
  logger: Logger;
  version: string;
  verbose: boolean;
  /** Skip the push step (--no-push). */
  push: boolean;
  /** Skip the warehouse step (--no-warehouse). */
  warehouse: boolean;
  dryRun: boolean;
  /** Fabric is needed (convert --dataset-id/--auto, monitor, convert --source --workspace). */
  fabric: boolean;
  /** Ends throttling pauses, backoff and long-running-operation waits at once (Ctrl-C). */
  signal?: AbortSignal;
}

export interface Runtime {
  runId: string;
  api: FabricApi | null;
  tokens: TokenProvider | null;
  target: WarehouseTarget;
  warehouse: WarehouseSession | null;
  pipeline: PipelineDeps;
  settings: PipelineSettings;
  remote: RemoteOptions;
  close(): Promise<void>;
}

export function authOptions(config: Config): AuthOptions {
  const f = config.fabric;
  const authorityHost = f.authorityHost;
  switch (resolveAuthMode(config)) {
    case 'static':
      return { mode: 'static', fabricToken: reveal(f.accessToken), powerbiToken: reveal(f.powerbiAccessToken) };
    case 'client-secret':
      return { mode: 'client-secret', tenantId: f.tenantId!, clientId: f.clientId!, clientSecret: reveal(f.clientSecret)!, authorityHost };
    case 'certificate':
      return { mode: 'certificate', tenantId: f.tenantId!, clientId: f.clientId!, certificatePath: f.certificatePath!, certificatePassword: reveal(f.certificatePassword), authorityHost };
    default:
      return { mode: 'default', tenantId: f.tenantId, clientId: f.clientId, authorityHost };
  }
}

export function createRuntime(config: Config, options: RuntimeOptions): Runtime {
  const runId = randomUUID();
  const { clock, sleep, logger } = options;
  const tokens = options.fabric ? createTokenProvider(authOptions(config), { clock, logger }) : null;
  const api: FabricApi | null = tokens
    ? createFabricClient({
        fabricUrl: config.fabric.apiUrl,
        powerbiUrl: config.fabric.powerbiApiUrl,
        tokens,
        clock,
        sleep,
        logger,
        timeoutMs: config.fabric.timeoutSeconds * 1000,
        maxRetries: config.fabric.maxRetries,
        budgetMs: config.fabric.throttleBudgetSeconds * 1000,
        userAgent: `fabric-sync/${options.version}`,
        signal: options.signal,
        redact: createRedactor(secretValues(config)),
      })
    : null;
  const target = options.warehouse ? resolveTarget(config) : 'none';
  const warehouse = target === 'none' ? null : createWarehouseSession(config, target, { ...options, runId });
  const settings: PipelineSettings = {
    suffix: config.push.suffix,
    strict: config.push.strict,
    onIncompatible: config.push.onIncompatible,
    onIncompatibleFor: config.push.perModel,
    retention: config.push.retention,
    outDir: config.push.outDir,
    push: options.push,
    warehouse: target !== 'none',
    createTables: config.warehouse.createTables,
    tablesSchema: config.warehouse.tablesSchema,
    dryRun: options.dryRun,
  };
  const remote: RemoteOptions = {
    workspaces: config.fabric.workspaces,
    definitionFormat: config.fabric.definitionFormat,
    suffix: config.push.suffix,
    detection: config.monitor.detection,
    fullListingMs: config.monitor.fullListingHours * 3_600_000,
    previousRequest: (target) => readPreviousRequest(config.push.outDir, target),
  };
  return {
    runId,
    api,
    tokens,
    target,
    warehouse,
    pipeline: { push: api, warehouse, clock, logger, runId, toolVersion: options.version },
    settings,
    remote,
    close: async () => {
      await warehouse?.close();
    },
  };
}

function createWarehouseSession(config: Config, target: 'snowflake' | 'duckdb', o: RuntimeOptions & { runId: string }): WarehouseSession {
  if (target === 'duckdb') {
    return new WarehouseSession({
      dialect: 'duckdb',
      maxConnections: 1,
      open: async () => (await import('../warehouse/duckdb.js')).openDuckDb({ path: config.warehouse.duckdbPath }),
      physicalTables: physicalTablesStep('duckdb'),
    });
  }
  const namespace = snowflakeNamespace(config);
  return new WarehouseSession({
    dialect: 'snowflake',
    namespace,
    maxConnections: config.monitor.concurrency,
    physicalTables: physicalTablesStep('snowflake', namespace),
    open: async () =>
      (await import('../warehouse/snowflake.js')).openSnowflake(snowflakeOptions(config, { queryTag: `fabric-sync/${o.version}/${o.runId}`, verbose: o.verbose, logger: o.logger })),
  });
}

/**
 * The last published request of a push twin is the push file written with it, keyed by workspace and
 * model id. A `{Model}_push_api.json` of an earlier version is read only when the caller knows no
 * other model carries that name (it may be another model's; issue 13 item 1); it is left in place.
 */
async function readPreviousRequest(outDir: string, target: PreviousRequestTarget): Promise<CreateDatasetRequest | undefined> {
  const read = async (name: string) => {
    try {
      return JSON.parse(await readFile(path.join(outDir, name), 'utf8')) as CreateDatasetRequest;
    } catch {
      return undefined;
    }
  };
  const keyed = await read(pushDefinitionFileName(target.modelName, pushFileKey(target.workspaceId, target.modelId)));
  if (keyed !== undefined || !target.legacyOk) return keyed;
  return read(pushDefinitionFileName(target.modelName));
}
