// The Fabric side of a run: list the watched workspaces, read one model's schema, and decide
// whether it changed — the `list`/`sync`/`markDeleted` effects that `convert --auto` and `monitor`
// hand to the loop in monitor.ts. A model whose fingerprint equals the state's and whose push twin
// still exists costs one getDefinition and nothing else: no push request, no warehouse statement.
import { ApiError, AuthError, FabricSyncError } from '../errors.js';
import { planPushDataset } from '../push/plan.js';
import type { PushApi } from '../push/publish.js';
import type { CreateDatasetRequest } from '../push/request.js';
import { fingerprint } from '../schema/fingerprint.js';
import { loadModelFromParts } from '../schema/load.js';
import type { LoadedModel } from '../schema/model.js';
import { readPushTables } from '../schema/push-reader.js';
import { rejectInvalidText } from '../schema/text-check.js';
import { PUBLIC_APIS_SETTING } from '../tenant-settings.js';
import type { StateEntry, StateStore } from '../state/store.js';
import { isAuthRefusal, type ListResult } from './monitor.js';
import { createScannerPlanner } from './scanner.js';
import { twinBlockedReason, twinOwner, type TwinClaimant } from './twins.js';
import { runPipeline, type PipelineDeps, type PipelineResult, type PipelineSettings } from './pipeline.js';
import { isLocalModelId, type ModelListing, type SyncOutcome, type SyncReason } from './types.js';

/** What the Fabric client (src/core/fabric) provides to runners. */
export interface FabricApi extends PushApi {
  listWorkspaces(): Promise<Array<{ id: string; name?: string }>>;
  listModels(workspaceId: string): Promise<ModelListing[]>;
  getDefinition(workspaceId: string, modelId: string, format?: 'TMSL' | 'TMDL'): Promise<{ format: string; parts: Array<{ path: string; text: string }> }>;
  getModifiedWorkspaces(since: Date): Promise<string[]>;
}

export interface RemoteOptions {
  workspaces: string[];
  definitionFormat: 'TMSL' | 'TMDL';
  suffix: string;
  /** Re-sync even when the fingerprint is unchanged (convert --dataset-id). */
  force?: boolean;
  /**
   * `listing` lists every watched workspace each cycle; `scanner` (tenant admins) asks the admin API
   * which workspaces were modified since the persisted watermark and lists only those (scanner.ts).
   */
  detection?: 'listing' | 'scanner';
  /** Scanner detection: list every watched workspace at least this often (0: only when needed). */
  fullListingMs?: number;
  /** Reads the last published push request of a model (relationships are compared with it). */
  previousRequest?: (target: PreviousRequestTarget) => Promise<CreateDatasetRequest | undefined>;
}

export interface PreviousRequestTarget {
  modelId: string;
  workspaceId: string | null;
  modelName: string;
  /** No other known model has this name: a push file of an earlier version (named by model only) is this model's. */
  legacyOk: boolean;
}

export interface FetchedModel {
  loaded: LoadedModel;
  via: 'definition' | 'push-tables';
}

/**
 * Reads one model's schema: getDefinition, or GET tables for a push dataset. There is no read-only
 * route (issue 13 item 19): the DAX INFO functions need semantic-model admin rights, the same write
 * permission getDefinition needs (https://learn.microsoft.com/dax/info-functions-dax), and
 * executeQueries does not run them; so a refusal says plainly what permission is missing.
 */
export async function fetchModel(api: FabricApi, listing: ModelListing, options: Pick<RemoteOptions, 'definitionFormat'>): Promise<FetchedModel> {
  const location = `fabric:${listing.workspaceId}/${listing.id}`;
  if (listing.isPushDataset) {
    const tables = await api.getPushTables(listing.workspaceId, listing.id);
    const model = readPushTables(listing.name, tables);
    return { loaded: rejectInvalidText({ model, source: { format: 'PUSH', location }, warnings: [] }), via: 'push-tables' };
  }
  let def: Awaited<ReturnType<FabricApi['getDefinition']>>;
  try {
    def = await api.getDefinition(listing.workspaceId, listing.id, options.definitionFormat);
  } catch (e) {
    throw definitionRefused(e, listing) ?? e;
  }
  return { loaded: loadModelFromParts(def.parts, { modelName: listing.name, location }), via: 'definition' };
}

/** A 403 on getDefinition, restated as the permission it lacks. */
function definitionRefused(e: unknown, listing: ModelListing): ApiError | undefined {
  if (!(e instanceof ApiError) || e.status !== 403) return undefined;
  return new ApiError(
    `${e.message.replace(/\.$/, '')}. Reading the definition of '${listing.name}' needs write permission on the semantic model (the Contributor role or higher on workspace ${listing.workspaceId}); fabric-sync has no read-only way to get a model's schema.`,
    { status: e.status, url: e.url, method: e.method, ...(e.errorCode ? { errorCode: e.errorCode } : {}), ...(e.requestId ? { requestId: e.requestId } : {}) },
    { hint: `Give the service principal the Contributor role (or higher) on workspace ${listing.workspaceId}, or Write permission on the model; also check ${PUBLIC_APIS_SETTING}.`, cause: e },
  );
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
  /** The last listing's source models (not push datasets): other models of the same name. */
  let sources: ModelListing[] = [];

  /** Why `listing` must leave the twin of its name alone (another model owns it), or undefined. */
  function pushBlockFor(listing: ModelListing, twinName: string): string | undefined {
    const rivals = sources.filter((l) => l.id !== listing.id && l.workspaceId === listing.workspaceId && l.name === listing.name);
    const locals = store
      .list()
      .filter((e) => isLocalModelId(e.id) && e.workspace_id === listing.workspaceId && e.push_name === twinName && e.push_dataset_id && !e.deleted_at);
    if (rivals.length === 0 && locals.length === 0) return undefined;
    const live = byName.get(`${listing.workspaceId}\u0000${twinName.toLowerCase()}`);
    const liveId = live && live.isPushDataset && live.name === twinName ? live.id : undefined;
    const claimants: TwinClaimant[] = [
      ...[listing, ...rivals].map((l) => ({ id: l.id, ...(l.createdDate ? { createdDate: l.createdDate } : {}), pushDatasetId: store.get(l.id)?.push_dataset_id ?? null })),
      ...locals.map((e) => ({ id: e.id, pushDatasetId: e.push_dataset_id, local: true })),
    ];
    const owner = twinOwner(claimants, liveId);
    return owner === undefined || owner.id === listing.id ? undefined : twinBlockedReason(owner, listing.name, twinName);
  }

  /** No other source model (listed, or known to the state) has this name: an un-keyed push file of an earlier version is this one's. */
  function nameIsUnique(listing: ModelListing): boolean {
    if (sources.some((l) => l.id !== listing.id && l.name === listing.name)) return false;
    return !store.list().some((e) => e.id !== listing.id && (e.source_name ?? e.name) === listing.name);
  }
  const results: RemoteRunner['results'] = [];

  const scanner = createScannerPlanner((since) => api.getModifiedWorkspaces(since), store, deps.clock, { fullListingMs: options.fullListingMs ?? DEFAULT_FULL_LISTING_MS });

  return {
    results,
    async list() {
      await deps.warehouse?.recycle();
      results.length = 0; // one cycle's results: a long-running monitor must not accumulate them
      const watched = options.workspaces.length ? options.workspaces : (await api.listWorkspaces()).map((w) => w.id);
      const plan = options.detection === 'scanner' ? await scanner.plan(watched) : undefined;
      const workspaces = plan ? plan.workspaces : watched;
      const listings: ModelListing[] = [];
      const listedWorkspaces: string[] = [];
      const failedWorkspaces: ListResult['failedWorkspaces'] = [];
      await Promise.all(
        workspaces.map(async (ws) => {
          try {
            listings.push(...(await api.listModels(ws)));
            listedWorkspaces.push(ws);
          } catch (e) {
            // No token at all fails every workspace alike: stop the run (exit code 3). A 401 or 403
            // answered for one workspace (after one retry with a fresh token) is that workspace's
            // failure: the others are still listed, and the monitor decides the exit code.
            if (e instanceof AuthError) throw e;
            failedWorkspaces.push({ id: ws, error: e instanceof Error ? e.message : String(e), auth: isAuthRefusal(e), ...(e instanceof FabricSyncError && e.hint ? { hint: e.hint } : {}) });
          }
        }),
      );
      plan?.done(listedWorkspaces);
      byName = new Map(listings.map((l) => [`${l.workspaceId}\u0000${l.name.toLowerCase()}`, l]));
      sources = listings.filter((l) => !l.isPushDataset);
      return { listings, listedWorkspaces, failedWorkspaces };
    },

    async sync(listing) {
      const { loaded } = await fetchModel(api, listing, options);
      const fp = fingerprint(loaded.model);
      const known = store.get(listing.id);
      const twinName = listing.isPushDataset ? null : `${loaded.model.name}${options.suffix}`;
      const pushBlocked = twinName && settings.push ? pushBlockFor(listing, twinName) : undefined;
      const twin = twinName ? byName.get(`${listing.workspaceId}\u0000${twinName.toLowerCase()}`) : undefined;
      // A model none of whose tables a push dataset can hold never gets a twin: do not wait for one.
      const noTwinPlanned = settings.push && !listing.isPushDataset && planPushDataset(loaded.model, { suffix: options.suffix }).empty;
      const twinOk =
        !settings.push || listing.isPushDataset || noTwinPlanned || pushBlocked !== undefined || (twin !== undefined && (!known?.push_dataset_id || known.push_dataset_id === twin.id));
      // The fingerprint ignores the model's name: a renamed model keeps it, but must be republished.
      const expectedName = pushBlocked ? loaded.model.name : (twinName ?? loaded.model.name);
      // A model that may not have a twin must not keep a twin id (a prune would delete the owner's).
      const noTwin = pushBlocked ? { pushDatasetId: null, pushName: null } : {};
      if (!options.force && known && known.fingerprint === fp && known.name === expectedName && twinOk && !known.deleted_at) {
        const outcome: SyncOutcome = { status: 'unchanged', fingerprint: fp, publishedName: known.name, ...noTwin };
        results.push({ listing, result: null, outcome });
        return outcome;
      }
      const previousRequest =
        twinName && !pushBlocked && options.previousRequest
          ? await options.previousRequest({ modelId: listing.id, workspaceId: listing.workspaceId, modelName: loaded.model.name, legacyOk: nameIsUnique(listing) })
          : undefined;
      const result = await runPipeline(
        loaded,
        { modelId: listing.id, workspaceId: listing.workspaceId, isPushDataset: listing.isPushDataset, previousRequest, ...(pushBlocked ? { pushBlocked } : {}) },
        deps,
        settings,
      );
      const push = 'datasetId' in result.push ? result.push : null;
      const outcome: SyncOutcome = {
        status: 'synced',
        fingerprint: fp,
        publishedName: result.publishedName,
        ...(push?.datasetId ? { pushDatasetId: push.datasetId, pushName: push.name } : noTwin),
        ...(push ? { pushAction: push.action } : {}),
        ...(push?.replaced ? { replacedDatasetId: push.replaced.datasetId } : {}),
        ...(result.warnings.length ? { warnings: result.warnings } : {}),
        detail: describeOutcome(result),
      };
      results.push({ listing, result, outcome });
      return outcome;
    },

    async markDeleted(entry, { prune }) {
      if (deps.warehouse && settings.warehouse && !settings.dryRun) await deps.warehouse.markDeleted(entry.id, new Date(deps.clock.now()));
      // Never prune a twin another live model records as its own (state written before twins were keyed).
      const shared = store.list().some((e) => e.id !== entry.id && !e.deleted_at && e.push_dataset_id === entry.push_dataset_id);
      if (prune && entry.push_dataset_id && entry.workspace_id && !shared && !settings.dryRun) {
        await api.deleteDataset(entry.workspace_id, entry.push_dataset_id).catch((e) => {
          if (!(e instanceof ApiError && e.status === 404)) throw e;
        });
      }
    },
  };
}

/** Scanner detection lists every watched workspace at least this often (`monitor.fullListingHours`). */
const DEFAULT_FULL_LISTING_MS = 24 * 3_600_000;

/** One line: what happened to the push twin and the warehouse. */
export function describeOutcome(r: PipelineResult): string {
  const push = 'skipped' in r.push ? `push skipped` : `push ${r.push.action}${r.push.tablesUpdated.length ? ` (${r.push.tablesUpdated.length} table${r.push.tablesUpdated.length === 1 ? '' : 's'})` : ''}`;
  const wh = 'skipped' in r.warehouse ? 'warehouse skipped' : `warehouse ${r.warehouse.statements} statements`;
  const n = r.report?.counts.dropped ?? 0;
  const dropped = n ? `, ${n} object${n === 1 ? '' : 's'} dropped` : '';
  return `${push}, ${wh}${dropped}`;
}
