// One pause per host (docs/architecture.md#reading-models-from-fabric "pauses the whole host, not just one request"): when any request
// gets a 429, every request to that host — from any client sharing the registry: every Fabric and
// Power BI client of one command line (src/main.ts makes one per command line; a monitor keeps it
// across its cycles) — waits until the Retry-After has passed, instead of each one hammering the API
// and collecting its own 429. Nothing outlives the command line: a later one asks the host afresh.

export interface HostPause {
  /** Epoch ms when requests may resume. */
  until: number;
  /** The Retry-After the host sent, in seconds, for messages. */
  retryAfterSeconds: number;
}

export class HostPauses {
  private readonly pauses = new Map<string, HostPause>();

  /** Extend the host's pause to `until` (never shortens one already longer). */
  pause(host: string, until: number, retryAfterSeconds: number): void {
    const current = this.pauses.get(host);
    if (!current || until > current.until) this.pauses.set(host, { until, retryAfterSeconds });
  }

  /** The pause in force at `now`, if any. */
  active(host: string, now: number): HostPause | undefined {
    const p = this.pauses.get(host);
    if (!p) return undefined;
    if (p.until <= now) {
      this.pauses.delete(host);
      return undefined;
    }
    return p;
  }
}

