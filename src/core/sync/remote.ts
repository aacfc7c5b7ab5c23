// The runner's side of a source (docs/architecture.md#the-flow): list the source, read one model,
// and decide whether it changed — the `list`/`sync`/`markDeleted` effects that `convert --auto` and
// `monitor` hand to the loop in monitor.ts. A model whose fingerprint equals the state's and whose
// push twin still exists costs one read and nothing else: no push request, no warehouse statement.
import { planPushDataset } from '../publishers/push/plan.js';
import { fingerprint } from '../schema/fingerprint.js';
import type { StateEntry, StateStore } from '../state/store.js';
import { isLocalModelId, type ModelListing, type SyncOutcome, type SyncReason } from '../sources/listing.js';
import type { ListResult, Source } from '../sources/source.js';
import { twinBlockedReason, twinOwner, type TwinClaimant } from './twins.js';
import { publishDeletion, runPipeline, type PipelineDeps, type PipelineResult } from './pipeline.js';

export interface RemoteOptions {
  /** The push publisher's dataset suffix (twin names are `{Model}{suffix}`). */
  suffix: string;
  /** Push datasets are published this run (twins are looked for and protected only then). */
  twins: boolean;
  /** Re-sync even when the fingerprint is unchanged (convert --dataset-id). */
  force?: boolean;
  /** Fingerprint of the run's publishing settings (state `settings`; null: none): a model synced under others is published again. */
  settings?: string | null;
  /** Reads the last published push request of a model (relationships are compared with it). */
  previousRequest?: (target: PreviousRequestTarget) => Promise<object | undefined>;
}

export interface PreviousRequestTarget {
  modelId: string;
  workspaceId: string | null;
  modelName: string;
  /** No other known model has this name: a push file of an earlier version (named by model only) is this one's. */
  legacyOk: boolean;
}

export interface RemoteRunner {
  list(signal: AbortSignal): Promise<ListResult>;
  sync(listing: ModelListing, reason: SyncReason, signal: AbortSignal): Promise<SyncOutcome>;
  markDeleted(entry: StateEntry, options: { prune: boolean }): Promise<void>;
  /** Every pipeline result of the run, in completion order (for the command's summary). */
  results: Array<{ listing: ModelListing; result: PipelineResult | null; outcome: SyncOutcome }>;
}

export function createRemoteRunner(source: Source, store: StateStore, deps: PipelineDeps, options: RemoteOptions): RemoteRunner {
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

  return {
    results,
    async list(signal) {
      await deps.session.warehouse?.recycle();
      results.length = 0; // one cycle's results: a long-running monitor must not accumulate them
      const listed = await source.list(signal);
      const { listings } = listed;
      byName = new Map(listings.map((l) => [`${l.workspaceId}\u0000${l.name.toLowerCase()}`, l]));
      sources = listings.filter((l) => !l.isPushDataset);
      return listed;
    },

    async sync(listing) {
      const loaded = await source.read(listing);
      const fp = fingerprint(loaded.model);
      const known = store.get(listing.id);
      const twinName = listing.isPushDataset ? null : `${loaded.model.name}${options.suffix}`;
      const pushBlocked = twinName && options.twins ? pushBlockFor(listing, twinName) : undefined;
      const twin = twinName ? byName.get(`${listing.workspaceId}\u0000${twinName.toLowerCase()}`) : undefined;
      // A model none of whose tables a push dataset can hold never gets a twin: do not wait for one.
      const noTwinPlanned = options.twins && !listing.isPushDataset && planPushDataset(loaded.model, { suffix: options.suffix }).empty;
      const twinOk =
        !options.twins || listing.isPushDataset || noTwinPlanned || pushBlocked !== undefined || (twin !== undefined && (!known?.push_dataset_id || known.push_dataset_id === twin.id));
      // The fingerprint ignores the model's name: a renamed model keeps it, but must be republished.
      const expectedName = pushBlocked ? loaded.model.name : (twinName ?? loaded.model.name);
      // A model that may not have a twin must not keep a twin id (a prune would delete the owner's).
      const noTwin = pushBlocked ? { pushDatasetId: null, pushName: null } : {};
      const settings = options.settings ?? null;
      if (!options.force && known && known.fingerprint === fp && known.name === expectedName && twinOk && !known.deleted_at && known.settings === settings) {
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
      );
      const published = result.twin;
      const outcome: SyncOutcome = {
        status: 'synced',
        fingerprint: fp,
        settings,
        publishedName: result.publishedName,
        ...(published?.datasetId ? { pushDatasetId: published.datasetId, pushName: published.name } : noTwin),
        ...(published ? { pushAction: published.action } : {}),
        ...(published?.replacedDatasetId ? { replacedDatasetId: published.replacedDatasetId } : {}),
        ...(result.warnings.length ? { warnings: result.warnings } : {}),
        detail: result.summary,
      };
      results.push({ listing, result, outcome });
      return outcome;
    },

    async markDeleted(entry, { prune }) {
      await publishDeletion({ entry, at: new Date(deps.clock.now()), prune, others: store.list() }, deps);
    },
  };
}
