// Which workspaces a `monitor.detection: scanner` cycle lists (issue 6 item 2, issue 13 item 16).
// The admin API `GET admin/workspaces/modified?modifiedSince=` answers the ids of workspaces changed
// since a time that "must be in the range of 30 minutes (to allow workspace changes to take effect)
// to 30 days before the current time", at most 30 calls an hour
// (https://learn.microsoft.com/rest/api/power-bi/admin/workspace-info-get-modified-workspaces).
// A change may therefore surface up to 30 minutes late, so each call looks back from 30 minutes
// BEFORE the previous call (the persisted watermark): consecutive windows overlap and a late change
// is still inside the next one. The same workspace reported by several calls, or still pending from
// a listing that failed, is listed once. Every `fullListingMs` (default a day), when the watermark
// is missing, or when the gap is longer than the API's 30-day window, every watched workspace is
// listed instead, so that nothing the admin API failed to report is missed for ever.
import type { Clock } from '../../context.js';
import type { StateStore } from '../../state/store.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** The documented lower bound of `modifiedSince` (and how late a change may surface). */
export const SCANNER_LOOKBACK_MS = 30 * MINUTE;
/** The documented upper bound: 30 days (one minute of margin for the time the request takes). */
const MAX_WINDOW_MS = 30 * DAY - MINUTE;
/** 30 `workspaces/modified` calls per hour: one every 2 minutes at most. */
export const SCANNER_MIN_GAP_MS = 2 * MINUTE;

export interface ScannerPlan {
  /** Watched workspaces to list this cycle. */
  workspaces: string[];
  /** Why: `full` (everything), `modified` (admin API call), `pending` (between two calls). */
  kind: 'full' | 'modified' | 'pending';
  /** Record the outcome: which of `workspaces` were listed successfully. */
  done(listed: readonly string[]): void;
}

export interface ScannerPlanner {
  plan(watched: readonly string[]): Promise<ScannerPlan>;
}

export function createScannerPlanner(
  getModifiedWorkspaces: (since: Date) => Promise<string[]>,
  store: StateStore,
  clock: Clock,
  options: { fullListingMs: number },
): ScannerPlanner {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    async plan(watched) {
      const now = clock.now();
      const state = store.scanner();
      const byKey = new Map(watched.map((w) => [w.toLowerCase(), w]));
      const pending = new Set(state.pending.map((w) => w.toLowerCase()).filter((w) => byKey.has(w)));
      const watermark = Date.parse(state.watermark ?? '');
      const lastFull = Date.parse(state.lastFullListing ?? '');
      // Look back from before the previous call; never later than the documented 30 minutes ago.
      const since = Math.min(watermark - SCANNER_LOOKBACK_MS, now - SCANNER_LOOKBACK_MS);
      const fullDue =
        Number.isNaN(watermark) ||
        since < now - MAX_WINDOW_MS ||
        (options.fullListingMs > 0 && (Number.isNaN(lastFull) || lastFull > now || now - lastFull >= options.fullListingMs));

      const finish = (listed: readonly string[], extra: Partial<Parameters<StateStore['updateScanner']>[0]>) => {
        const ok = new Set(listed.map((w) => w.toLowerCase()));
        store.updateScanner({ ...extra, pending: [...pending].filter((w) => !ok.has(w)) });
      };
      if (fullDue) {
        for (const w of byKey.keys()) pending.add(w);
        return {
          workspaces: [...watched],
          kind: 'full',
          // The listing itself sees every change made before it started: the next call looks back from here.
          done: (listed) => finish(listed, { watermark: iso(now), lastFullListing: iso(now) }),
        };
      }
      // Within the quota gap (a watermark from a clock that went back counts as due): only what is pending.
      if (now - watermark < SCANNER_MIN_GAP_MS && watermark <= now) {
        return { workspaces: [...pending].map((w) => byKey.get(w)!), kind: 'pending', done: (listed) => finish(listed, {}) };
      }
      const modified = await getModifiedWorkspaces(new Date(since));
      for (const id of modified) if (byKey.has(id.toLowerCase())) pending.add(id.toLowerCase());
      // Persist the call and what it reported at once: a run killed before listing redoes them.
      store.updateScanner({ watermark: iso(now), pending: [...pending] });
      return { workspaces: [...pending].map((w) => byKey.get(w)!), kind: 'modified', done: (listed) => finish(listed, {}) };
    },
  };
}
