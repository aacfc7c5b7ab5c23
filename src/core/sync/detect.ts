// Change detection as a pure diff of (state, listing, now) — docs/architecture.md#reading-models-from-fabric and issue 6 item 2.
// A listing tells us which models exist but not whether their definition changed, and fetching a
// definition costs a request (often a long-running operation). So known models are re-checked on a
// per-cycle budget, oldest check first: a quiet workspace costs one list call per cycle plus at most
// `budget` definition fetches, and every model is still re-checked within ceil(models / budget) cycles.
import { globToRegExp } from '../glob.js';
import type { StateEntry, StateSnapshot } from '../state/store.js';
import { isSystemModel } from '../fabric/system-models.js';
import { isLocalModelId, type ModelListing } from '../sources/listing.js';

export type { ModelListing } from '../sources/listing.js';

export const DEFAULT_BUDGET = 20;
export const DEFAULT_SUFFIX = '_PushSync';

export interface DetectOptions {
  /** Most definitions to re-fetch this cycle (new models are not counted: each must be read once). */
  budget: number;
  /** A model is re-checked only when its last check is at least this old. */
  minRecheckAgeMs: number;
  /** Name (or id) patterns with `*` and `?`, case-insensitive. Empty/absent include = everything. */
  include?: string[];
  exclude?: string[];
  /** Our own outputs end with this (`_PushSync`); they are never treated as sources. */
  suffix: string;
  /** Backoff for failing models whose next retry time is unknown (files from older versions). */
  retry?: (failures: number) => number;
  /**
   * Workspaces whose listing succeeded this cycle. Only their models can be declared deleted: a
   * workspace that failed to list (throttled, permission lost) must not look empty. Default: the
   * workspaces present in `listings`.
   */
  listedWorkspaces?: string[];
  /** One-shot runs (`convert --auto`) try every failing model now instead of waiting for its retry time. */
  ignoreBackoff?: boolean;
  /** Workspaces whose listing failed; models with no recorded workspace are only judged when this is empty. */
  failedWorkspaces?: string[];
  /** Skip models the service creates by itself (Usage Metrics Report …; see system-models.ts). Default true. */
  skipSystemModels?: boolean;
  /**
   * Longest wait a failing model can have been given (the backoff cap). A retry time further ahead
   * than this was written by a clock that has since gone back; it is not waited for.
   */
  maxRetryDelayMs?: number;
  /**
   * Fingerprint of the run's publishing settings (null: none). A known model recorded under other
   * settings (the semantic view turned on, moved, remapped) is re-checked this cycle whatever its
   * age and the budget: its output must follow the settings.
   */
  settings?: string | null;
}

export type SkipReason = 'own-output' | 'system' | 'excluded' | 'backoff';

export interface Detection {
  /** Never synced (or deleted and now back): read and publish. */
  new: ModelListing[];
  /** Known models whose definition is re-fetched this cycle to compare fingerprints. */
  recheck: ModelListing[];
  /** Known, not yet marked deleted, and missing from a workspace that was listed successfully. */
  deleted: StateEntry[];
  /** Known models left alone this cycle (checked recently, or beyond the budget). */
  unchanged: ModelListing[];
  skipped: { listing: ModelListing; reason: SkipReason }[];
}

export function detectChanges(state: StateSnapshot, listings: readonly ModelListing[], now: number, options: DetectOptions): Detection {
  const out: Detection = { new: [], recheck: [], deleted: [], unchanged: [], skipped: [] };
  const include = (options.include ?? []).map(globToRegExp);
  const exclude = (options.exclude ?? []).map(globToRegExp);
  const suffix = options.suffix.toLowerCase();
  const present = new Set(listings.map((l) => l.id));
  const seen = new Set<string>();
  const candidates: { listing: ModelListing; checkedAt: number }[] = [];

  for (const listing of listings) {
    if (seen.has(listing.id)) continue; // the same model listed twice (e.g. two API surfaces)
    seen.add(listing.id);
    if (suffix !== '' && listing.name.toLowerCase().endsWith(suffix)) {
      out.skipped.push({ listing, reason: 'own-output' });
      continue;
    }
    if ((options.skipSystemModels ?? true) && isSystemModel(listing)) {
      out.skipped.push({ listing, reason: 'system' });
      continue;
    }
    const matches = (re: RegExp) => re.test(listing.name) || re.test(listing.id);
    if ((include.length > 0 && !include.some(matches)) || exclude.some(matches)) {
      out.skipped.push({ listing, reason: 'excluded' });
      continue;
    }
    // Ids are data, never property names of a plain object (`constructor`, `__proto__`; issue 13).
    const entry = Object.hasOwn(state.models, listing.id) ? state.models[listing.id] : undefined;
    const inBackoff = entry !== undefined && entry.failures > 0 && !options.ignoreBackoff && !isDue(entry, now, options.retry, options.maxRetryDelayMs);
    if (entry === undefined || entry.deleted_at !== null || neverRead(entry)) {
      if (inBackoff && entry.deleted_at === null) out.skipped.push({ listing, reason: 'backoff' });
      else out.new.push(listing);
      continue;
    }
    if (inBackoff) {
      out.skipped.push({ listing, reason: 'backoff' });
      continue;
    }
    if (options.settings !== undefined && entry.settings !== options.settings) {
      out.recheck.push(listing);
      continue;
    }
    const checkedAt = lastChecked(entry, now);
    // A failing model that is due bypasses the minimum age: its backoff already spaced the attempts.
    if (entry.failures > 0 || now - checkedAt >= options.minRecheckAgeMs) {
      candidates.push({ listing, checkedAt });
    } else {
      out.unchanged.push(listing);
    }
  }

  candidates.sort((a, b) => a.checkedAt - b.checkedAt || (a.listing.id < b.listing.id ? -1 : a.listing.id > b.listing.id ? 1 : 0));
  const budget = Math.max(0, Math.floor(options.budget));
  for (const [i, c] of candidates.entries()) (i < budget ? out.recheck : out.unchanged).push(c.listing);

  const listed = new Set(options.listedWorkspaces ?? listings.map((l) => l.workspaceId));
  const everythingListed = options.listedWorkspaces !== undefined && (options.failedWorkspaces ?? []).length === 0;
  for (const [id, entry] of Object.entries(state.models)) {
    // A local model (convert --source) is never in a Fabric listing: it is never "no longer in Fabric".
    if (entry.deleted_at !== null || present.has(id) || isLocalModelId(id)) continue;
    const judged = entry.workspace_id !== null ? listed.has(entry.workspace_id) : everythingListed;
    if (judged) out.deleted.push(entry);
  }
  return out;
}

/** Known but no definition ever read and never synced (e.g. its first attempt failed). */
function neverRead(entry: StateEntry): boolean {
  return entry.fingerprint === null && entry.sync_count === 0;
}

/**
 * Epoch ms of the last check; never checked sorts first. A time in the future was written before
 * the clock went back (NTP step, a restored VM): it counts as "now", or the model would look
 * freshly checked, and be skipped, until the clock caught up (issue 13).
 */
function lastChecked(entry: StateEntry, now: number): number {
  const t = Date.parse(entry.last_checked_at ?? entry.last_sync_time ?? '');
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : Math.min(t, now);
}

function isDue(entry: StateEntry, now: number, retry: DetectOptions['retry'], maxDelayMs: number | undefined): boolean {
  if (entry.next_retry_at !== null) {
    const t = Date.parse(entry.next_retry_at);
    // Further ahead than any backoff we give: written by a clock that has since gone back.
    if (maxDelayMs !== undefined && t - now > maxDelayMs) return true;
    return Number.isNaN(t) || t <= now;
  }
  if (retry === undefined) return true;
  const since = lastChecked(entry, now);
  return !Number.isFinite(since) || since + retry(entry.failures) <= now;
}
