// Per-audience token cache shared by every credential kind (docs/architecture.md#configuration: one token per audience,
// cached until shortly before expiry). Concurrent callers share one in-flight request so a burst of
// parallel API calls costs one round trip to Entra ID, not one per call.
import type { Clock } from '../context.js';

export type Audience = 'fabric' | 'powerbi';

export interface TokenProvider {
  getToken(audience: Audience): Promise<string>;
  /**
   * The API refused `rejected` (401): replace it with a freshly issued token. Resolves true when a
   * different token is now cached (also when a concurrent caller already replaced it), false when
   * no fresh token can be had (pre-acquired tokens have no refresh).
   */
  refresh?(audience: Audience, rejected: string): Promise<boolean>;
}

export interface AcquiredToken {
  token: string;
  /** Epoch ms; `Infinity` for a pre-acquired token whose lifetime we cannot know. */
  expiresOnTimestamp: number;
}

/** Refresh this long before the token says it expires (clock skew, long requests). */
export const REFRESH_MARGIN_MS = 5 * 60_000;

export function createTokenCache(
  acquire: (audience: Audience, options: { fresh: boolean }) => Promise<AcquiredToken>,
  clock: Clock,
): TokenProvider {
  const cached = new Map<Audience, AcquiredToken>();
  const inFlight = new Map<Audience, Promise<string>>();

  // Concurrent callers share one acquisition; a forced one replaces whatever is in flight so that
  // nobody re-caches the rejected token.
  const start = (audience: Audience, fresh: boolean): Promise<string> => {
    const started = acquire(audience, { fresh })
      .then((t) => {
        cached.set(audience, t);
        return t.token;
      })
      .finally(() => {
        if (inFlight.get(audience) === started) inFlight.delete(audience);
      });
    inFlight.set(audience, started);
    return started;
  };

  return {
    getToken(audience) {
      const hit = cached.get(audience);
      if (hit && clock.now() < hit.expiresOnTimestamp - REFRESH_MARGIN_MS) return Promise.resolve(hit.token);
      return inFlight.get(audience) ?? start(audience, false);
    },
    async refresh(audience, rejected) {
      const pending = inFlight.get(audience);
      if (pending) return (await pending) !== rejected;
      const hit = cached.get(audience);
      if (hit && hit.token !== rejected) return true;
      cached.delete(audience);
      return (await start(audience, true)) !== rejected;
    },
  };
}
