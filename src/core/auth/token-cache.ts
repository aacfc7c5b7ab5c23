// Per-audience token cache shared by every credential kind (docs/architecture.md#configuration: one token per audience,
// cached until shortly before expiry). Concurrent callers share one in-flight request so a burst of
// parallel API calls costs one round trip to Entra ID, not one per call.
import type { Clock } from '../context.js';

export type Audience = 'fabric' | 'powerbi';

export interface TokenProvider {
  getToken(audience: Audience): Promise<string>;
}

export interface AcquiredToken {
  token: string;
  /** Epoch ms; `Infinity` for a pre-acquired token whose lifetime we cannot know. */
  expiresOnTimestamp: number;
}

/** Refresh this long before the token says it expires (clock skew, long requests). */
export const REFRESH_MARGIN_MS = 5 * 60_000;

export function createTokenCache(
  acquire: (audience: Audience) => Promise<AcquiredToken>,
  clock: Clock,
): TokenProvider {
  const cached = new Map<Audience, AcquiredToken>();
  const inFlight = new Map<Audience, Promise<string>>();

  return {
    getToken(audience) {
      const hit = cached.get(audience);
      if (hit && clock.now() < hit.expiresOnTimestamp - REFRESH_MARGIN_MS) return Promise.resolve(hit.token);
      const pending = inFlight.get(audience);
      if (pending) return pending;
      const started = acquire(audience)
        .then((t) => {
          cached.set(audience, t);
          return t.token;
        })
        .finally(() => inFlight.delete(audience));
      inFlight.set(audience, started);
      return started;
    },
  };
}
