// Retry spacing for a model that keeps failing (issue 6 item 3: "a poison model never blocks the
// others or spins"). Attempts are spaced 1, 2, 4, 8 … monitor intervals apart, capped at one hour, so
// a transient failure is retried on the next cycle and a permanent one costs at most one attempt an
// hour. Deterministic (no jitter): models fail at different times already, and tests can assert it.

export const DEFAULT_BACKOFF_CAP_MS = 60 * 60 * 1000;

export function backoffMs(failures: number, intervalMs: number, capMs: number = DEFAULT_BACKOFF_CAP_MS): number {
  const exponent = Math.min(Math.max(0, failures - 1), 30);
  return Math.min(capMs, Math.max(0, intervalMs) * 2 ** exponent);
}
