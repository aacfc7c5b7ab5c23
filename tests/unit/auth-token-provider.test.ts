// Token caching rules (docs/architecture.md#configuration): per audience, refreshed 5 minutes before expiry, one in-flight
// request shared by concurrent callers; static tokens serve both audiences when only one is given.
import { describe, expect, it } from 'vitest';
import { createTokenCache, createTokenProvider, REFRESH_MARGIN_MS, ENTRA_HINTS, findEntraHint, type Audience } from '../../src/core/auth/index.js';
import { silentLogger } from '../../src/core/context.js';
import { AuthError } from '../../src/core/errors.js';

function fakeClock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('token cache', () => {
  it('reuses a token until 5 minutes before expiry, per audience', async () => {
    const clock = fakeClock();
    const calls: Audience[] = [];
    const cache = createTokenCache(async (aud) => {
      calls.push(aud);
      return { token: `${aud}-${calls.length}`, expiresOnTimestamp: clock.now() + 3600_000 };
    }, clock);
    expect(await cache.getToken('fabric')).toBe('fabric-1');
    expect(await cache.getToken('powerbi')).toBe('powerbi-2');
    clock.advance(3600_000 - REFRESH_MARGIN_MS - 1);
    expect(await cache.getToken('fabric')).toBe('fabric-1');
    clock.advance(1);
    expect(await cache.getToken('fabric')).toBe('fabric-3');
    expect(calls).toEqual(['fabric', 'powerbi', 'fabric']);
  });

  it('concurrent callers share one in-flight request; a failure is not cached', async () => {
    const clock = fakeClock();
    let n = 0;
    let fail = true;
    const cache = createTokenCache(async () => {
      n++;
      await new Promise((r) => setTimeout(r, 5));
      if (fail) throw new Error('boom');
      return { token: `t${n}`, expiresOnTimestamp: clock.now() + 3600_000 };
    }, clock);
    const failed = await Promise.allSettled([cache.getToken('fabric'), cache.getToken('fabric')]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(n).toBe(1);
    fail = false;
    const ok = await Promise.all(Array.from({ length: 10 }, () => cache.getToken('fabric')));
    expect(new Set(ok)).toEqual(new Set(['t2']));
    expect(n).toBe(2);
  });
});

describe('static tokens', () => {
  const deps = { clock: fakeClock(), logger: silentLogger };
  it('serves each audience its own token', async () => {
    const p = createTokenProvider({ mode: 'static', fabricToken: 'F', powerbiToken: 'P' }, deps);
    expect([await p.getToken('fabric'), await p.getToken('powerbi')]).toEqual(['F', 'P']);
  });
  it('one token serves both audiences', async () => {
    const f = createTokenProvider({ mode: 'static', fabricToken: 'F' }, deps);
    const p = createTokenProvider({ mode: 'static', powerbiToken: 'P' }, deps);
    expect([await f.getToken('powerbi'), await p.getToken('fabric')]).toEqual(['F', 'P']);
  });
  it('no token at all is an AuthError naming the variables', async () => {
    const err = await createTokenProvider({ mode: 'static' }, deps).getToken('fabric').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).hint).toMatch(/FABRIC_ACCESS_TOKEN/);
  });
});

describe('Entra hint table', () => {
  it.each(ENTRA_HINTS.map((h) => [h.code, h] as const))('%s is found in an Entra message and has a hint', (code, h) => {
    expect(findEntraHint(`invalid_client: ${code}: something. Trace ID: x`)).toBe(h);
    expect(h.hint.length).toBeGreaterThan(20);
  });
  it('does not confuse AADSTS700016 with AADSTS7000160', () => {
    expect(findEntraHint('AADSTS7000160: x')).toBeUndefined();
  });
});
