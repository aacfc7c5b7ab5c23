// The monitor loop (issue 6 item 3): list → detect (pure) → sync new and re-checked models with
// bounded concurrency → record each result and save the state after EACH model (a kill loses at most
// the models in flight, which the next run redoes) → mark deleted → sleep. Every effect is injected,
// so the loop is tested with a fake clock and in-memory deps; the command wires the real ones.
import type { Clock, Logger, Sleep } from '../context.js';
import { AuthError, FabricSyncError, isAuthRefusal, isOutOfSpace } from '../errors.js';
import { PUBLIC_APIS_SETTING } from '../tenant-settings.js';
import type { StateEntry, StateStore } from '../state/store.js';
import { DEFAULT_BACKOFF_CAP_MS, backoffMs } from './backoff.js';
import { detectChanges } from './detect.js';
import type { ModelListing, SyncOutcome, SyncReason } from '../sources/listing.js';
import type { ListResult } from '../sources/source.js';

export interface MonitorDeps {
  store: StateStore;
  list(signal: AbortSignal): Promise<ListResult>;
  /** Fetch the definition, compare fingerprints, publish when changed. */
  sync(listing: ModelListing, reason: SyncReason, signal: AbortSignal): Promise<SyncOutcome>;
  /** Record the deletion downstream (warehouse deleted-at; push twin removed only with prune). */
  markDeleted(entry: StateEntry, options: { prune: boolean }): Promise<void>;
  clock: Clock;
  sleep: Sleep;
  logger: Logger;
  onEvent(event: MonitorEvent): void;
  /** Optional request counter of the HTTP layer, reported per cycle. */
  requestCount?: () => number;
}

export interface MonitorOptions {
  intervalMs: number;
  once: boolean;
  maxCycles?: number;
  concurrency: number;
  budget: number;
  minRecheckAgeMs: number;
  include?: string[];
  exclude?: string[];
  suffix: string;
  prune?: boolean;
  signal: AbortSignal;
  /** After an abort, how long in-flight models may take to finish. Default 30 s. */
  shutdownTimeoutMs?: number;
  /** Try failing models now regardless of their retry time (one-shot `convert --auto`). */
  ignoreBackoff?: boolean;
  /** Longest backoff between attempts on a failing model. Default 1 h. */
  maxBackoffMs?: number;
  /** Skip the models the service creates itself (default true). */
  skipSystemModels?: boolean;
  /** Fingerprint of the run's publishing settings (null: none); models synced under others are re-checked now. */
  settings?: string | null;
}

export interface CycleCounts {
  listed: number;
  new: number;
  changed: number;
  synced: number;
  checked: number;
  unchanged: number;
  failed: number;
  deleted: number;
  skipped: number;
  backoff: number;
}

interface Base {
  cycle: number;
  /** ISO time the event was emitted. */
  at: string;
}
interface ModelRef {
  id: string;
  name: string;
  workspaceId: string | null;
}

export type MonitorEvent =
  | (Base & { type: 'cycle-start' })
  | (Base & ErrorFields & { type: 'list-failed' })
  | (Base & ErrorFields & { type: 'workspace-failed'; workspaceId: string; auth: boolean })
  | (Base & { type: 'detected'; new: number; recheck: number; deleted: number; backoff: number; excluded: number })
  | (Base & ModelRef & { type: 'model-new' })
  | (Base & ModelRef & { type: 'model-changed'; previousFingerprint: string | null; fingerprint: string })
  | (Base &
      ModelRef & {
        type: 'model-synced';
        reason: 'new' | 'changed';
        publishedName: string;
        fingerprint: string;
        pushDatasetId: string | null;
        syncCount: number;
        durationMs: number;
        detail?: string;
        /** What the push step did; `recreated` comes with the deleted twin's id (its reports must be rebound). */
        pushAction?: string;
        replacedDatasetId?: string;
        warnings?: string[];
      })
  | (Base & ModelRef & { type: 'model-skipped'; detail?: string })
  | (Base & ModelRef & ErrorFields & { type: 'model-failed'; phase: 'sync' | 'delete'; failures: number; nextRetryAt: string | null })
  | (Base & ModelRef & { type: 'model-deleted'; pruned: boolean })
  | (Base & { type: 'cycle-end'; durationMs: number; counts: CycleCounts; workspaces: { listed: number; failed: number }; requests?: number; interrupted?: true });

export interface MonitorTotals {
  cycles: number;
  new: number;
  changed: number;
  synced: number;
  failed: number;
  deleted: number;
  /** Whole-cycle listing failures plus failed workspace listings. */
  listFailures: number;
  interrupted: boolean;
}

const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;

export async function runMonitor(deps: MonitorDeps, options: MonitorOptions): Promise<MonitorTotals> {
  const { clock, sleep, signal } = { ...deps, signal: options.signal };
  const totals: MonitorTotals = { cycles: 0, new: 0, changed: 0, synced: 0, failed: 0, deleted: 0, listFailures: 0, interrupted: false };
  for (let cycle = 1; ; cycle++) {
    if (signal.aborted) break;
    const started = clock.now();
    await runCycle(cycle, deps, options, totals);
    totals.cycles = cycle;
    if (signal.aborted || options.once || (options.maxCycles !== undefined && cycle >= options.maxCycles)) break;
    try {
      // Steady cadence: the interval runs from cycle start to cycle start.
      await sleep(Math.max(0, started + options.intervalMs - clock.now()), signal);
    } catch (e) {
      if (!signal.aborted) throw e;
    }
  }
  totals.interrupted = signal.aborted;
  await deps.store.save();
  return totals;
}

async function runCycle(cycle: number, deps: MonitorDeps, options: MonitorOptions, totals: MonitorTotals): Promise<void> {
  const { store, clock, signal } = { ...deps, signal: options.signal };
  const started = clock.now();
  const requestsBefore = deps.requestCount?.();
  const emit = (e: DistributiveOmit<MonitorEvent, 'cycle' | 'at'>) =>
    deps.onEvent({ ...e, cycle, at: new Date(clock.now()).toISOString() } as MonitorEvent);
  const counts: CycleCounts = { listed: 0, new: 0, changed: 0, synced: 0, checked: 0, unchanged: 0, failed: 0, deleted: 0, skipped: 0, backoff: 0 };
  let workspaces = { listed: 0, failed: 0 };
  const end = () => {
    const requests = requestsBefore === undefined ? undefined : (deps.requestCount?.() ?? 0) - requestsBefore;
    emit({ type: 'cycle-end', durationMs: clock.now() - started, counts, workspaces, ...(requests === undefined ? {} : { requests }), ...(signal.aborted ? { interrupted: true as const } : {}) });
  };
  emit({ type: 'cycle-start' });

  let listed: ListResult;
  try {
    listed = await deps.list(signal);
  } catch (e) {
    if (signal.aborted) return end();
    // A rejected credential on the first (or only) cycle is a configuration problem: stop with it
    // (exit code 3) instead of retrying forever. Later, it may be a passing outage: keep going.
    if (isAuthRefusal(e) && (options.once || cycle === 1)) throw e;
    // One failed listing is not fatal: report it and try again next cycle.
    totals.listFailures += 1;
    emit({ type: 'list-failed', ...errorFields(e) });
    return end();
  }
  workspaces = { listed: listed.listedWorkspaces.length, failed: listed.failedWorkspaces.length };
  totals.listFailures += listed.failedWorkspaces.length;
  for (const w of listed.failedWorkspaces) {
    emit({ type: 'workspace-failed', workspaceId: w.id, error: w.error, errorClass: w.errorClass ?? 'Error', ...(w.hint ? { hint: w.hint } : {}), auth: w.auth === true });
  }
  // Every workspace refused for authorisation reasons and none listed: on the first (or only) cycle
  // that is a credential or permission problem, exit code 3 (issue 13); one workspace refused among
  // others is reported above and the others go on.
  const refused = listed.failedWorkspaces.filter((w) => w.auth);
  if (listed.listedWorkspaces.length === 0 && refused.length > 0 && refused.length === listed.failedWorkspaces.length && (options.once || cycle === 1)) {
    throw new AuthError(`No workspace could be listed: access was refused for ${refused.length === 1 ? `workspace ${refused[0]!.id}` : `all ${refused.length} watched workspaces`} (${refused[0]!.error})`, {
      hint: refused[0]!.hint ?? `The token was refused (401) or the principal lacks access (403): check the credentials, that the principal is a member of each workspace, and ${PUBLIC_APIS_SETTING}; \`fabric-sync validate\` checks all three.`,
    });
  }

  const now = clock.now();
  const backoff = (failures: number) => backoffMs(failures, options.intervalMs, options.maxBackoffMs ?? DEFAULT_BACKOFF_CAP_MS);
  const d = detectChanges(store.snapshot(), listed.listings, now, {
    budget: options.budget,
    minRecheckAgeMs: options.minRecheckAgeMs,
    include: options.include,
    exclude: options.exclude,
    suffix: options.suffix,
    retry: backoff,
    ignoreBackoff: options.ignoreBackoff ?? false,
    skipSystemModels: options.skipSystemModels ?? true,
    maxRetryDelayMs: options.maxBackoffMs ?? DEFAULT_BACKOFF_CAP_MS,
    ...(options.settings === undefined ? {} : { settings: options.settings }),
    listedWorkspaces: listed.listedWorkspaces,
    failedWorkspaces: listed.failedWorkspaces.map((w) => w.id),
  });
  counts.listed = listed.listings.length;
  counts.new = d.new.length;
  counts.unchanged = d.unchanged.length;
  counts.skipped = d.skipped.length;
  counts.backoff = d.skipped.filter((s) => s.reason === 'backoff').length;
  emit({ type: 'detected', new: d.new.length, recheck: d.recheck.length, deleted: d.deleted.length, backoff: counts.backoff, excluded: counts.skipped - counts.backoff });
  totals.new += d.new.length;
  for (const l of d.new) emit({ type: 'model-new', ...ref(l) });

  const work: { listing: ModelListing; reason: SyncReason }[] = [
    ...d.new.map((listing) => ({ listing, reason: 'new' as const })),
    ...d.recheck.map((listing) => ({ listing, reason: 'recheck' as const })),
  ];
  let abandoned = false;
  const processOne = async ({ listing, reason }: { listing: ModelListing; reason: SyncReason }) => {
    const before = store.get(listing.id);
    const t0 = clock.now();
    let outcome: SyncOutcome;
    try {
      outcome = await deps.sync(listing, reason, signal);
    } catch (e) {
      if (abandoned) return;
      // Interrupted mid-model: not the model's fault; the next run redoes it.
      if (signal.aborted) return;
      const failures = (before?.failures ?? 0) + 1;
      // A full disk is not the model's fault either: the run after space is freed redoes it at once
      // (the error's hint promises so), not a backoff later. Only its first such failure, though: a
      // model that fails on a full disk again (one larger than the space there is) backs off as any
      // other, rather than filling the disk every cycle. Otherwise counted from the cycle's start, as
      // cycles are: one interval later is the next cycle itself, however long this one has run.
      const next = isOutOfSpace(e) && failures === 1 ? clock.now() : started + backoff(failures);
      store.recordFailure(listing.id, messageOf(e), next, seenOf(listing, before));
      counts.failed += 1;
      totals.failed += 1;
      emit({ type: 'model-failed', ...ref(listing), phase: 'sync', ...errorFields(e), failures, nextRetryAt: new Date(next).toISOString() });
      await store.save();
      return;
    }
    if (abandoned) return;
    const at = clock.now();
    if (outcome.status === 'synced') {
      const changed = reason !== 'new';
      if (changed) {
        counts.changed += 1;
        totals.changed += 1;
        emit({ type: 'model-changed', ...ref(listing), previousFingerprint: before?.fingerprint ?? null, fingerprint: outcome.fingerprint });
      }
      const publishedName = outcome.publishedName ?? outcome.pushName ?? listing.name;
      store.recordSync(listing.id, {
        name: publishedName,
        fingerprint: outcome.fingerprint,
        sourceName: listing.name,
        workspaceId: listing.workspaceId,
        pushDatasetId: outcome.pushDatasetId,
        pushName: outcome.pushName,
        ...(outcome.settings === undefined ? {} : { settings: outcome.settings }),
        at,
      });
      counts.synced += 1;
      totals.synced += 1;
      const pushDatasetId = outcome.pushDatasetId !== undefined ? outcome.pushDatasetId : (before?.push_dataset_id ?? null);
      emit({
        type: 'model-synced',
        ...ref(listing),
        reason: changed ? 'changed' : 'new',
        // With no push twin (--no-push, a twin the model may not have) the model is published under its
        // own name, as the warehouse's MODEL_NAME says; the state keeps the twin's name it compares with.
        publishedName: pushDatasetId ? publishedName : listing.name,
        fingerprint: outcome.fingerprint,
        pushDatasetId,
        syncCount: store.get(listing.id)?.sync_count ?? 1,
        durationMs: at - t0,
        ...(outcome.detail === undefined ? {} : { detail: outcome.detail }),
        ...(outcome.pushAction === undefined ? {} : { pushAction: outcome.pushAction }),
        ...(outcome.replacedDatasetId === undefined ? {} : { replacedDatasetId: outcome.replacedDatasetId }),
        ...(outcome.warnings?.length ? { warnings: outcome.warnings } : {}),
      });
    } else {
      // Unchanged (or deliberately skipped): remember the check and the fingerprint, write nothing else.
      store.recordChecked(listing.id, at, {
        ...seenOf(listing, before),
        ...(before === undefined && outcome.publishedName !== undefined ? { name: outcome.publishedName } : {}),
        fingerprint: outcome.fingerprint,
        ...(outcome.pushDatasetId === undefined ? {} : { pushDatasetId: outcome.pushDatasetId }),
        ...(outcome.pushName === undefined ? {} : { pushName: outcome.pushName }),
      });
      counts.checked += 1;
      if (outcome.status === 'skipped') {
        counts.skipped += 1;
        emit({ type: 'model-skipped', ...ref(listing), ...(outcome.detail === undefined ? {} : { detail: outcome.detail }) });
      }
    }
    await store.save();
  };

  const result = await runPool(work, options.concurrency, signal, options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS, deps.sleep, processOne);
  if (result === 'timeout') {
    abandoned = true;
    deps.logger.warn('Stopped waiting for models still in flight; the next run redoes them.');
  }

  if (!signal.aborted) {
    for (const entry of d.deleted) {
      if (signal.aborted) break;
      const model = { id: entry.id, name: entry.source_name ?? entry.name, workspaceId: entry.workspace_id };
      try {
        await deps.markDeleted(entry, { prune: options.prune ?? false });
      } catch (e) {
        if (signal.aborted) break;
        counts.failed += 1;
        totals.failed += 1;
        emit({ type: 'model-failed', ...model, phase: 'delete', ...errorFields(e), failures: entry.failures, nextRetryAt: null });
        continue;
      }
      store.recordDeleted(entry.id, clock.now());
      counts.deleted += 1;
      totals.deleted += 1;
      emit({ type: 'model-deleted', ...model, pruned: options.prune ?? false });
      await store.save();
    }
    store.setLastCheck(now);
  }
  await store.save();
  end();
}

/**
 * A small worker pool (no dependency): at most `concurrency` models at once; after an abort no new
 * model starts, and the ones in flight get `graceMs` to finish.
 */
async function runPool<T>(items: T[], concurrency: number, signal: AbortSignal, graceMs: number, sleep: Sleep, fn: (item: T) => Promise<void>): Promise<'done' | 'timeout'> {
  if (items.length === 0) return 'done';
  let next = 0;
  // An error that ends the run (the state file cannot be saved: a full disk) stops new models from
  // starting, and is raised only once the models in flight have settled: closing the warehouse
  // while one of them is still writing crashed the process inside the database driver (issue 13 item 5).
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!signal.aborted && !failure && next < items.length) {
      try {
        await fn(items[next++] as T);
      } catch (e) {
        failure ??= { error: e };
      }
    }
  };
  const width = Math.min(Math.max(1, Math.floor(concurrency)), items.length);
  const all = Promise.all(Array.from({ length: width }, worker)).then(() => {
    if (failure) throw failure.error;
    return 'done' as const;
  });
  // If the grace period wins, a late failure of an abandoned model must not become an unhandled rejection.
  all.catch(() => undefined);
  // The grace timer is cancelled when the pool ends, so it never keeps the process alive.
  const graceTimer = new AbortController();
  let onAbort: (() => void) | undefined;
  const grace = new Promise<'timeout'>((resolve) => {
    onAbort = () => void sleep(graceMs, graceTimer.signal).then(() => resolve('timeout'), () => undefined);
  });
  if (signal.aborted) onAbort?.();
  else signal.addEventListener('abort', onAbort as () => void, { once: true });
  try {
    return await Promise.race([all, grace]);
  } finally {
    signal.removeEventListener('abort', onAbort as () => void);
    graceTimer.abort();
  }
}

function ref(l: ModelListing): ModelRef {
  return { id: l.id, name: l.name, workspaceId: l.workspaceId };
}

function seenOf(l: ModelListing, before: StateEntry | undefined) {
  return { sourceName: l.name, workspaceId: l.workspaceId, ...(before === undefined ? { name: l.name } : {}) };
}

/** What an event says about an error: its text, its class (ApiError, AuthError, …) and, when it has one, its hint. */
export interface ErrorFields {
  error: string;
  errorClass: string;
  hint?: string;
}

function errorFields(e: unknown): ErrorFields {
  return { error: messageOf(e), errorClass: e instanceof Error ? e.name : 'Error', ...(e instanceof FabricSyncError && e.hint ? { hint: e.hint } : {}) };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
