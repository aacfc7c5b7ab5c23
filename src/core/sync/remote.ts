// The Fabric side of a run: list the watched workspaces, read one model's schema, and decide
// whether it changed — the `list`/`sync`/`markDeleted` effects that `convert --auto` and `monitor`
// hand to the loop in monitor.ts. A model whose fingerprint equals the state's and whose push twin
// still exists costs one getDefinition and nothing else: no push request, no warehouse statement.
import type { Logger } from '../context.js';
import { ApiError, AuthError } from '../errors.js';
import { planPushDataset } from '../push/plan.js';
import type { PushApi } from '../push/publish.js';
import type { CreateDatasetRequest } from '../push/request.js';
import { fingerprint } from '../schema/fingerprint.js';
import { readInfoView } from '../schema/info-view.js';
import { loadModelFromParts } from '../schema/load.js';
import type { LoadedModel } from '../schema/model.js';
import { readPushTables } from '../schema/push-reader.js';
import type { StateEntry, StateStore } from '../state/store.js';
import type { ListResult } from './monitor.js';
import { isPermissionDenied, runPipeline, type PipelineDeps, type PipelineResult, type PipelineSettings } from './pipeline.js';
import type { ModelListing, SyncOutcome, SyncReason } from './types.js';

/** What the Fabric client (src/core/fabric) provides to runners. */
export interface FabricApi extends PushApi {
  listWorkspaces(): Promise<Array<{ id: string; name?: string }>>;
  listModels(workspaceId: string): Promise<ModelListing[]>;
  getDefinition(workspaceId: string, modelId: string, format?: 'TMSL' | 'TMDL'): Promise<{ format: string; parts: Array<{ path: string; text: string }> }>;
  getModifiedWorkspaces(since: Date): Promise<string[]>;
  executeQuery(workspaceId: string, datasetId: string, dax: string): Promise<Array<Record<string, unknown>>>;
}

export interface RemoteOptions {
  workspaces: string[];
  definitionFormat: 'TMSL' | 'TMDL';
  infoFallback: boolean;
  suffix: string;
  /** Re-sync even when the fingerprint is unchanged (convert --dataset-id). */
  force?: boolean;
  /**
   * `listing` lists every watched workspace each cycle; `scanner` (tenant admins) asks the admin API
   * which workspaces were modified since the persisted watermark and lists only those.
   */
  detection?: 'listing' | 'scanner';
  /** Reads the last published push request of a model (relationships are compared with it). */
  previousRequest?: (modelName: string) => Promise<CreateDatasetRequest | undefined>;
}

export interface FetchedModel {
  loaded: LoadedModel;
  via: 'definition' | 'info-view' | 'push-tables';
}

/** Reads one model's schema: getDefinition, or the INFO.VIEW fallback when that is denied, or GET tables for a push dataset. */
export async function fetchModel(api: FabricApi, listing: ModelListing, options: Pick<RemoteOptions, 'definitionFormat' | 'infoFallback'>, logger: Logger): Promise<FetchedModel> {
  const location = `fabric:${listing.workspaceId}/${listing.id}`;
  if (listing.isPushDataset) {
    const tables = await api.getPushTables(listing.workspaceId, listing.id);
    const model = readPushTables(listing.name, tables);
    return { loaded: { model, source: { format: 'PUSH', location }, warnings: [] }, via: 'push-tables' };
  }
  try {
    const def = await api.getDefinition(listing.workspaceId, listing.id, options.definitionFormat);
    const loaded = loadModelFromParts(def.parts, { modelName: listing.name, location });
    return { loaded, via: 'definition' };
  } catch (e) {
    if (!(options.infoFallback && isPermissionDenied(e))) throw e;
    logger.warn(`getDefinition was denied for '${listing.name}'; reading its schema through executeQueries INFO.VIEW functions`, {
      requestId: (e as ApiError).requestId,
    });
    const q = (fn: string) => api.executeQuery(listing.workspaceId, listing.id, `EVALUATE INFO.VIEW.${fn}()`);
    const [tables, columns, measures, relationships] = await Promise.all([q('TABLES'), q('COLUMNS'), q('MEASURES'), q('RELATIONSHIPS')]);
    const model = readInfoView(listing.name, { tables, columns, measures, relationships });
    const warning = 'schema read through INFO.VIEW (getDefinition denied): partitions, roles, hierarchies and calculated-table details are not visible';
    return { loaded: { model, source: { format: 'INFO', location }, warnings: [warning] }, via: 'info-view' };
  }
}

export interface RemoteRunner {
  list(signal: AbortSignal): Promise<ListResult>;
  sync(listing: ModelListing, reason: SyncReason, signal: AbortSignal): Promise<SyncOutcome>;
  markDeleted(entry: StateEntry, options: { prune: boolean }): Promise<void>;
  /** Every pipeline result of the run, in completion order (for the command's summary). */
  results: Array<{ listing: ModelListing; result: PipelineResult | null; outcome: SyncOutcome }>;
}

export function createRemoteRunner(
  api: FabricApi,
  store: StateStore,
  deps: PipelineDeps,
  settings: PipelineSettings,
  options: RemoteOptions,
): RemoteRunner {
  /** Every dataset seen in the last listing, by workspace and lower-case name: finds push twins without a request. */
  let byName = new Map<string, ModelListing>();
  const results: RemoteRunner['results'] = [];

  let lastScannerCall = Number.NEGATIVE_INFINITY;
  /**
   * The watched workspaces the admin API reports as modified since the watermark (docs/fabric-rest.md#listing-models:
   * `workspaces/modified`, 30 requests/hour, `modifiedSince` between 30 minutes and 30 days ago).
   * The first cycle has no watermark: it lists everything and sets one. Between two scanner calls
   * (at most one per 2 minutes, to stay inside the hourly quota) nothing is listed; unlisted
   * workspaces are neither re-checked nor judged deleted.
   */
  async function modifiedOnly(watched: string[]): Promise<string[]> {
    const now = deps.clock.now();
    const watermark = store.snapshot().scannerWatermark;
    if (!watermark || Number.isNaN(Date.parse(watermark))) {
      store.setScannerWatermark(new Date(now).toISOString());
      return watched;
    }
    if (now - lastScannerCall < SCANNER_MIN_GAP_MS) return [];
    lastScannerCall = now;
    const since = Math.max(Math.min(Date.parse(watermark), now - 30 * MINUTE), now - 30 * DAY + MINUTE);
    const modified = new Set((await api.getModifiedWorkspaces(new Date(since))).map((id) => id.toLowerCase()));
    store.setScannerWatermark(new Date(now).toISOString());
    return watched.filter((w) => modified.has(w.toLowerCase()));
  }

  return {
    results,
    async list() {
      await deps.warehouse?.recycle();
      results.length = 0; // one cycle's results: a long-running monitor must not accumulate them
      const watched = options.workspaces.length ? options.workspaces : (await api.listWorkspaces()).map((w) => w.id);
      const workspaces = options.detection === 'scanner' ? await modifiedOnly(watched) : watched;
      const listings: ModelListing[] = [];
      const listedWorkspaces: string[] = [];
      const failedWorkspaces: ListResult['failedWorkspaces'] = [];
      await Promise.all(
        workspaces.map(async (ws) => {
          try {
            listings.push(...(await api.listModels(ws)));
            listedWorkspaces.push(ws);
          } catch (e) {
            // A bad credential fails every workspace alike: stop the run (exit code 3) rather than report each.
            if (e instanceof AuthError || (e instanceof ApiError && e.status === 401)) throw e;
            failedWorkspaces.push({ id: ws, error: e instanceof Error ? e.message : String(e) });
          }
        }),
      );
      byName = new Map(listings.map((l) => [`${l.workspaceId}\u0000${l.name.toLowerCase()}`, l]));
      return { listings, listedWorkspaces, failedWorkspaces };
    },

    async sync(listing) {
      const { loaded } = await fetchModel(api, listing, options, deps.logger);
      const fp = fingerprint(loaded.model);
      const known = store.get(listing.id);
      const twinName = listing.isPushDataset ? null : `${loaded.model.name}${options.suffix}`;
      const twin = twinName ? byName.get(`${listing.workspaceId}\u0000${twinName.toLowerCase()}`) : undefined;
      // A model none of whose tables a push dataset can hold never gets a twin: do not wait for one.
      const noTwinPlanned = settings.push && !listing.isPushDataset && planPushDataset(loaded.model, { suffix: options.suffix }).empty;
      const twinOk =
        !settings.push || listing.isPushDataset || noTwinPlanned || (twin !== undefined && (!known?.push_dataset_id || known.push_dataset_id === twin.id));
      // The fingerprint ignores the model's name: a renamed model keeps it, but must be republished.
      const expectedName = twinName ?? loaded.model.name;
      if (!options.force && known && known.fingerprint === fp && known.name === expectedName && twinOk && !known.deleted_at) {
        const outcome: SyncOutcome = { status: 'unchanged', fingerprint: fp, publishedName: known.name };
        results.push({ listing, result: null, outcome });
        return outcome;
      }
      const previousRequest = twinName && options.previousRequest ? await options.previousRequest(loaded.model.name) : undefined;
      const result = await runPipeline(
        loaded,
        { modelId: listing.id, workspaceId: listing.workspaceId, isPushDataset: listing.isPushDataset, previousRequest },
        deps,
        settings,
      );
      const push = 'datasetId' in result.push ? result.push : null;
      const outcome: SyncOutcome = {
        status: 'synced',
        fingerprint: fp,
        publishedName: result.publishedName,
        ...(push?.datasetId ? { pushDatasetId: push.datasetId, pushName: push.name } : {}),
        detail: describeOutcome(result),
      };
      results.push({ listing, result, outcome });
      return outcome;
    },

    async markDeleted(entry, { prune }) {
      if (deps.warehouse && settings.warehouse && !settings.dryRun) await deps.warehouse.markDeleted(entry.id, new Date(deps.clock.now()));
      if (prune && entry.push_dataset_id && entry.workspace_id && !settings.dryRun) {
        await api.deleteDataset(entry.workspace_id, entry.push_dataset_id).catch((e) => {
          if (!(e instanceof ApiError && e.status === 404)) throw e;
        });
      }
    },
  };
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** 30 `workspaces/modified` calls per hour: one every 2 minutes at most. */
const SCANNER_MIN_GAP_MS = 2 * MINUTE;

/** One line: what happened to the push twin and the warehouse. */
export function describeOutcome(r: PipelineResult): string {
  const push = 'skipped' in r.push ? `push skipped` : `push ${r.push.action}${r.push.tablesUpdated.length ? ` (${r.push.tablesUpdated.length} table${r.push.tablesUpdated.length === 1 ? '' : 's'})` : ''}`;
  const wh = 'skipped' in r.warehouse ? 'warehouse skipped' : `warehouse ${r.warehouse.statements} statements`;
  const n = r.report?.counts.dropped ?? 0;
  const dropped = n ? `, ${n} object${n === 1 ? '' : 's'} dropped` : '';
  return `${push}, ${wh}${dropped}`;
}
