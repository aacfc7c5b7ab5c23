// The composition root (docs/architecture.md#plug-ins): builds what a run works with from the
// validated Config — token provider, Fabric client, the warehouse connections (opened lazily), the
// publishers with their settings, the Fabric source — once, and passes it down
// (docs/architecture.md#conventions-in-the-code). snowflake-sdk and DuckDB are imported only when
// the first model actually needs them.
//
// Adding a publisher is a folder under src/core/publishers/ and one entry in PUBLISHERS.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createTokenProvider, type TokenProvider } from '../auth/index.js';
import { authOptions } from '../config/auth-options.js';
import { resolveTarget, type WarehouseTarget } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { secretValues } from '../config/secret.js';
import { snowflakeNamespace, snowflakeOptions } from '../config/warehouse-options.js';
import type { Clock, Logger, Sleep } from '../context.js';
import { createFabricClient, type FabricClient } from '../fabric/index.js';
import { HostPauses } from '../http/index.js';
import type { ConfiguredPublisher, Publisher, PublishSession, RunFlags } from '../publishers/publisher.js';
import { pushDefinitionFileName, pushFileKey } from '../publishers/push/files.js';
import { pushPublisher } from '../publishers/push/publisher.js';
import { semanticViewPublisher, semanticViewSettingsKey, type SemanticViewSettings } from '../publishers/semantic-view/publisher.js';
import type { CreateDatasetRequest } from '../publishers/push/request.js';
import { warehousePublisher } from '../publishers/warehouse/publisher.js';
import { createRedactor } from '../redact.js';
import { fabricSource, type FabricSourceOptions } from '../sources/fabric/index.js';
import type { Source } from '../sources/source.js';
import type { StateStore } from '../state/store.js';
import type { PipelineDeps } from '../sync/pipeline.js';
import type { PreviousRequestTarget, RemoteOptions } from '../sync/remote.js';
import { WarehousePool } from '../warehouse/pool.js';

/** Every publisher, in the order they run for each model (a later one reads the facts of the earlier ones). */
export const PUBLISHERS: readonly Publisher[] = [pushPublisher, semanticViewPublisher, warehousePublisher];

export interface RunOptions {
  clock: Clock;
  sleep: Sleep;
  logger: Logger;
  version: string;
  verbose: boolean;
  /** Publishers turned off for this run (`--no-push` → 'push', `--no-warehouse` → 'warehouse'). */
  disabled: readonly string[];
  dryRun: boolean;
  /** Fabric is needed (convert --dataset-id/--auto, monitor, convert --source --workspace). */
  fabric: boolean;
  /** Ends throttling pauses, backoff and long-running-operation waits at once (Ctrl-C). */
  signal?: AbortSignal;
  /** Retry-After pauses per host, shared by every Fabric client of one command line (main.ts makes it). */
  pauses?: HostPauses;
}

export interface Run {
  runId: string;
  api: FabricClient | null;
  tokens: TokenProvider | null;
  target: WarehouseTarget;
  pipeline: PipelineDeps;
  remote: RemoteOptions;
  /** The watched workspaces as a source; `detection` overrides `monitor.detection` (a one-shot run lists everything). */
  fabricSource(store: StateStore, detection?: FabricSourceOptions['detection']): Source;
  close(): Promise<void>;
}

export function composeRun(config: Config, options: RunOptions): Run {
  const runId = randomUUID();
  const { clock, sleep, logger } = options;
  const tokens = options.fabric ? createTokenProvider(authOptions(config), { clock, logger }) : null;
  const api = tokens
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
        // A monitor keeps a host's Retry-After across its cycles; a command line started after this
        // one ended (in the same process) asks the host afresh.
        http: { pauses: options.pauses ?? new HostPauses() },
      })
    : null;
  const disabled = new Set(options.disabled);
  const target = disabled.has('warehouse') ? 'none' : resolveTarget(config);
  const warehouse = target === 'none' ? null : warehousePool(config, target, { ...options, runId });
  const flags: RunFlags = { dryRun: options.dryRun, disabled, target };
  const publishers: ConfiguredPublisher[] = PUBLISHERS.map((publisher) => ({ publisher, settings: publisher.settings(config, flags) }));
  const session: PublishSession = { fabric: api, warehouse, clock, logger, runId, toolVersion: options.version };
  const remote: RemoteOptions = {
    suffix: config.push.suffix,
    twins: !disabled.has('push'),
    settings: semanticViewSettingsKey(publishers.find((p) => p.publisher === semanticViewPublisher)!.settings as SemanticViewSettings),
    previousRequest: (t) => readPreviousRequest(config.push.outDir, t),
  };
  return {
    runId,
    api,
    tokens,
    target,
    pipeline: { publishers, session, clock, logger },
    remote,
    fabricSource: (store, detection) => {
      if (!api) throw new Error('a Fabric source needs the Fabric client (RunOptions.fabric)');
      return fabricSource(api, store, clock, {
        workspaces: config.fabric.workspaces,
        definitionFormat: config.fabric.definitionFormat,
        detection: detection ?? config.monitor.detection,
        fullListingMs: config.monitor.fullListingHours * 3_600_000,
      });
    },
    close: async () => {
      await warehouse?.close();
    },
  };
}

function warehousePool(config: Config, target: 'snowflake' | 'duckdb', o: RunOptions & { runId: string }): WarehousePool {
  if (target === 'duckdb') {
    return new WarehousePool({
      dialect: 'duckdb',
      maxConnections: 1,
      open: async () => (await import('../warehouse/duckdb.js')).openDuckDb({ path: config.warehouse.duckdbPath }),
    });
  }
  return new WarehousePool({
    dialect: 'snowflake',
    namespace: snowflakeNamespace(config),
    maxConnections: config.monitor.concurrency,
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
