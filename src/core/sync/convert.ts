// The `convert` runner (issue 4 item 3): one local model, one Fabric model, or every model of the
// watched workspaces that lacks an up-to-date copy. `--auto` is one monitor cycle that re-checks
// every known model (no budget) and ignores failure backoff: a one-shot CI step must try everything.
import type { Clock, Logger, Sleep } from '../context.js';
import { FabricSyncError, UsageError, outcomesOfFailure } from '../errors.js';
import { LOCAL_ID_PREFIX, isLocalModelId, type ModelListing } from '../sources/listing.js';
import { localSource } from '../sources/local.js';
import type { Source } from '../sources/source.js';
import type { StateStore } from '../state/store.js';
import { runMonitor, type MonitorEvent } from './monitor.js';
import { publishDeletion, runPipeline, type PipelineDeps, type PipelineResult } from './pipeline.js';
import { createRemoteRunner, type RemoteOptions } from './remote.js';
import { twinBlockedReason } from './twins.js';

export type ConvertRequest =
  | { mode: 'source'; source: string; datasetName?: string; workspaceId?: string }
  | { mode: 'dataset'; datasetId: string; datasetName?: string }
  | { mode: 'auto'; concurrency: number; include?: string[]; exclude?: string[]; skipSystemModels?: boolean };

export interface ConvertDeps {
  /** The watched workspaces, listed in full (null without Fabric settings). */
  fabric: (() => Source) | null;
  store: StateStore;
  pipeline: PipelineDeps;
  remote: RemoteOptions;
  dryRun: boolean;
  clock: Clock;
  sleep: Sleep;
  logger: Logger;
  signal: AbortSignal;
  /** Progress: every monitor event of an --auto run, and model-start / model-done of the single forms. */
  onEvent(event: MonitorEvent | { type: 'model-start'; name: string }): void;
}

export interface ConvertModelResult {
  id: string;
  name: string;
  status: 'synced' | 'unchanged' | 'failed';
  result?: PipelineResult;
  error?: { message: string; hint?: string; name: string; exitCode?: number };
  /** With `failed`: what each publisher reported before the failure (the view's tables, metrics, DDL). */
  outcomes?: Record<string, object>;
}

export interface ConvertSummary {
  models: ConvertModelResult[];
  synced: number;
  unchanged: number;
  failed: number;
  deleted: number;
  interrupted: boolean;
  /** Workspaces (or whole listings) that could not be read: their models were not looked at. */
  listFailures?: number;
  /** Each workspace that could not be listed, and why (`auth`: refused, 401/403). */
  failedWorkspaces?: Array<{ id: string; error: string; auth: boolean }>;
}

export async function runConvert(request: ConvertRequest, deps: ConvertDeps): Promise<ConvertSummary> {
  if (request.mode === 'source') return convertSource(request, deps);
  if (!deps.fabric) throw new UsageError('Converting a Fabric model needs Fabric settings.', { hint: 'Set FABRIC_WORKSPACE_ID and credentials, or use --source <path> for a local model.' });
  if (request.mode === 'dataset') return convertDataset(request, deps.fabric(), deps);
  return convertAuto(request, deps.fabric(), deps);
}

async function convertSource(request: Extract<ConvertRequest, { mode: 'source' }>, deps: ConvertDeps): Promise<ConvertSummary> {
  const source = localSource(request.source, { ...(request.datasetName ? { datasetName: request.datasetName } : {}) });
  const [listing] = (await source.list(deps.signal)).listings;
  const loaded = await source.read(listing!);
  const name = loaded.model.name;
  const modelId = listing!.id;
  const legacyId = `${LOCAL_ID_PREFIX}${name}`;
  const dryRun = deps.dryRun;
  // An entry of an earlier version (`local:<name>`) becomes this model's once it is synced: its history is kept.
  const adoptable = !dryRun && legacyId !== modelId && deps.store.get(modelId) === undefined && deps.store.get(legacyId) !== undefined;
  const workspaceId = request.workspaceId ?? null;
  deps.onEvent({ type: 'model-start', name });
  const twinName = `${name}${deps.remote.suffix}`;
  const owner = workspaceId
    ? deps.store.list().find((e) => e.id !== modelId && !(adoptable && e.id === legacyId) && e.workspace_id === workspaceId && e.push_name === twinName && e.push_dataset_id && !e.deleted_at)
    : undefined;
  const pushBlocked = owner ? twinBlockedReason({ id: owner.id, pushDatasetId: owner.push_dataset_id, local: isLocalModelId(owner.id) }, name, twinName) : undefined;
  const legacyOk = !deps.store.list().some((e) => e.id !== modelId && !(adoptable && e.id === legacyId) && (e.source_name ?? e.name) === name);
  const previousRequest =
    deps.remote.previousRequest && !pushBlocked ? await deps.remote.previousRequest({ modelId, workspaceId, modelName: name, legacyOk }) : undefined;
  const result = await runPipeline(
    loaded,
    { modelId, workspaceId, isPushDataset: false, previousRequest, ...(pushBlocked ? { pushBlocked } : {}) },
    { ...deps.pipeline, session: { ...deps.pipeline.session, fabric: request.workspaceId ? deps.pipeline.session.fabric : null } },
  );
  // The rows an earlier version wrote under the name-based id now live under the path-based one:
  // the old row is marked deleted (kept, not removed), so the model is not counted twice.
  const legacy = adoptable ? deps.store.get(legacyId) : undefined;
  if (legacy && deps.store.rekey(legacyId, modelId)) {
    await publishDeletion({ entry: legacy, at: new Date(deps.clock.now()), prune: false, others: deps.store.list() }, deps.pipeline);
  }
  // The pipeline always runs for a local source (its writes are idempotent: an unchanged model
  // changes no row), but the state counts a sync only when the fingerprint moved.
  const known = deps.store.get(modelId);
  const unchanged = known?.fingerprint === result.fingerprint && known.name === result.publishedName && known.settings === (deps.remote.settings ?? null);
  if (unchanged) {
    if (!dryRun) deps.store.recordChecked(modelId, deps.clock.now());
  } else recordSynced(deps, modelId, result, request.workspaceId);
  await deps.store.save();
  return summary([{ id: modelId, name: result.sourceName, status: unchanged ? 'unchanged' : 'synced', result }], false);
}

async function convertDataset(request: Extract<ConvertRequest, { mode: 'dataset' }>, source: Source, deps: ConvertDeps): Promise<ConvertSummary> {
  const runner = createRemoteRunner(source, deps.store, deps.pipeline, { ...deps.remote, force: true });
  const listed = await runner.list(deps.signal);
  const listing = listed.listings.find((l) => l.id.toLowerCase() === request.datasetId.toLowerCase());
  if (!listing) {
    const where = listed.listedWorkspaces.length ? `workspace${listed.listedWorkspaces.length > 1 ? 's' : ''} ${listed.listedWorkspaces.join(', ')}` : 'no workspace';
    throw new UsageError(`Semantic model ${request.datasetId} was not found in ${where}.`, {
      hint: 'Check the id (the GUID in the model URL) and --workspace / FABRIC_WORKSPACE_ID; the principal needs at least Viewer on the workspace.',
    });
  }
  const target: ModelListing = request.datasetName ? { ...listing, name: request.datasetName } : listing;
  deps.onEvent({ type: 'model-start', name: target.name });
  try {
    const outcome = await runner.sync(target, 'changed', deps.signal);
    const result = runner.results.at(-1)?.result ?? undefined;
    if (result) recordSynced(deps, listing.id, result, listing.workspaceId);
    await deps.store.save();
    return summary([{ id: listing.id, name: target.name, status: outcome.status === 'synced' ? 'synced' : 'unchanged', ...(result ? { result } : {}) }], false);
  } catch (e) {
    deps.store.recordFailure(listing.id, e instanceof Error ? e.message : String(e), deps.clock.now(), { name: target.name, workspaceId: listing.workspaceId });
    await deps.store.save();
    throw e;
  }
}

async function convertAuto(request: Extract<ConvertRequest, { mode: 'auto' }>, source: Source, deps: ConvertDeps): Promise<ConvertSummary> {
  const runner = createRemoteRunner(source, deps.store, deps.pipeline, deps.remote);
  const failures = new Map<string, { name: string; message: string }>();
  // The typed error of each failed model: its class, hint and exit code reach the summary (an
  // authentication failure must exit 3, not 1; issue 9, faults).
  const errors = new Map<string, unknown>();
  // A listing refused as a whole (a rejected token: 401) ends a one-shot run with its typed error
  // (exit 3 and the hint), where the monitor would report it and try again next cycle.
  let listError: unknown;
  const failedWorkspaces: NonNullable<ConvertSummary['failedWorkspaces']> = [];
  const totals = await runMonitor(
    {
      store: deps.store,
      list: async (signal) => {
        try {
          const listed = await runner.list(signal);
          for (const w of listed.failedWorkspaces) failedWorkspaces.push({ id: w.id, error: w.error, auth: w.auth === true });
          return listed;
        } catch (e) {
          listError = e;
          throw e;
        }
      },
      sync: async (listing, reason, signal) => {
        try {
          return await runner.sync(listing, reason, signal);
        } catch (e) {
          errors.set(listing.id, e);
          throw e;
        }
      },
      markDeleted: runner.markDeleted,
      clock: deps.clock,
      sleep: deps.sleep,
      logger: deps.logger,
      onEvent: (e) => {
        if (e.type === 'model-failed') failures.set(e.id, { name: e.name, message: e.error });
        deps.onEvent(e);
      },
    },
    {
      intervalMs: 0,
      once: true,
      concurrency: request.concurrency,
      budget: Number.MAX_SAFE_INTEGER,
      minRecheckAgeMs: 0,
      include: request.include,
      exclude: request.exclude,
      suffix: deps.remote.suffix,
      ignoreBackoff: true,
      settings: deps.remote.settings ?? null,
      ...(request.skipSystemModels === undefined ? {} : { skipSystemModels: request.skipSystemModels }),
      signal: deps.signal,
    },
  );
  if (listError !== undefined && !totals.interrupted) throw listError;
  const models: ConvertModelResult[] = runner.results.map(({ listing, result, outcome }) => ({
    id: listing.id,
    name: listing.name,
    status: outcome.status === 'synced' ? 'synced' : 'unchanged',
    ...(result ? { result } : {}),
  }));
  for (const [id, f] of failures) {
    const e = errors.get(id);
    const facts = e instanceof FabricSyncError ? { ...errorFacts(e), exitCode: e.exitCode } : { name: 'Error', message: f.message };
    const outcomes = outcomesOfFailure(e);
    models.push({ id, name: f.name, status: 'failed', error: facts, ...(outcomes ? { outcomes } : {}) });
  }
  const s = summary(models, totals.interrupted);
  s.deleted = totals.deleted;
  s.listFailures = totals.listFailures;
  if (failedWorkspaces.length) s.failedWorkspaces = failedWorkspaces;
  return s;
}

function recordSynced(deps: ConvertDeps, id: string, result: PipelineResult, workspaceId: string | undefined | null): void {
  if (deps.dryRun) return;
  const push = result.twin?.datasetId ? result.twin : null;
  deps.store.recordSync(id, {
    name: result.publishedName,
    fingerprint: result.fingerprint,
    sourceName: result.sourceName,
    ...(workspaceId ? { workspaceId } : {}),
    pushDatasetId: push?.datasetId ?? null,
    pushName: push?.name ?? null,
    settings: deps.remote.settings ?? null,
  });
}

function summary(models: ConvertModelResult[], interrupted: boolean): ConvertSummary {
  return {
    models,
    synced: models.filter((m) => m.status === 'synced').length,
    unchanged: models.filter((m) => m.status === 'unchanged').length,
    failed: models.filter((m) => m.status === 'failed').length,
    deleted: 0,
    interrupted,
  };
}

/** Error facts safe to print and store (messages are built from safe parts; no secrets). */
export function errorFacts(e: unknown): { message: string; hint?: string; name: string } {
  if (e instanceof FabricSyncError) return { message: e.message, ...(e.hint ? { hint: e.hint } : {}), name: e.name };
  return { message: e instanceof Error ? e.message : String(e), name: 'Error' };
}
