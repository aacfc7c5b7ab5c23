// Pure rules behind issue 13: list answers validated against their documented shape, the owner of a
// push twin name, push file keys, system models, a forced token refresh shared by callers, and the
// detection rules (clock gone back, local models, system models, prototype names).
import { describe, expect, it } from 'vitest';
import { createTokenCache } from '../../src/core/auth/token-cache.js';
import { ApiError } from '../../src/core/errors.js';
import { arrayItems, isGuid, listItems } from '../../src/core/fabric/shapes.js';
import { isSystemModel } from '../../src/core/fabric/system-models.js';
import { pushDefinitionFileName, pushFileKey } from '../../src/core/publishers/push/files.js';
import { onIncompatibleFor } from '../../src/core/publishers/push/publisher.js';
import { twinOwner } from '../../src/core/sync/twins.js';
import { detectChanges } from '../../src/core/sync/detect.js';
import { emptyModel } from '../../src/core/state/schema.js';
import type { StateEntry, StateSnapshot } from '../../src/core/state/store.js';

const res = { status: 200, url: 'https://api.powerbi.com/v1.0/myorg/groups/g/datasets', method: 'GET', requestId: 'rid-1' };

describe('list shapes', () => {
  it.each([
    [undefined, /an empty body instead of an object with a "value" array/],
    [null, /null instead/],
    [{}, /an empty object instead/],
    [{ '@odata.context': 'x' }, /an object without "value" instead/],
    [{ value: null }, /"value" is null instead/],
    [{ value: {} }, /"value" is object instead/],
    [[], /an array of 0 instead/],
    [{ value: [{ id: 'a' }, null] }, /item 1 of "value" is null, not an object/],
  ])('%j is a failed listing, not an empty one', (body, message) => {
    let error: unknown;
    try {
      listItems(body, 'The datasets list', res);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toMatch(message);
    expect((error as ApiError).message).toContain('request id rid-1');
    expect((error as ApiError).exitCode).toBe(1);
  });

  it('an empty value array is an empty workspace; a bare array for workspaces/modified', () => {
    expect(listItems({ value: [] }, 'x', res)).toEqual([]);
    expect(arrayItems([{ id: 'a' }], 'x', res)).toEqual([{ id: 'a' }]);
    expect(() => arrayItems({ value: [] }, 'x', res)).toThrow(/instead of an array/);
  });

  it.each([
    ['3740504d-1f93-42f9-8e9d-c8ba9b787a3b', true],
    ['3740504D-1F93-42F9-8E9D-C8BA9B787A3B', true],
    ['__proto__', false],
    ['constructor', false],
    ['3740504d-1f93-42f9-8e9d-c8ba9b787a3b/../x', false],
    ['', false],
    [42, false],
  ])('isGuid(%j) = %s', (id, ok) => expect(isGuid(id)).toBe(ok));
});

describe('twin owner', () => {
  it('the model the state records as holding the live twin owns it, else the oldest, then the lowest id', () => {
    const a = { id: 'b-id', createdDate: '2026-01-02T00:00:00Z', pushDatasetId: null };
    const b = { id: 'a-id', createdDate: '2026-01-03T00:00:00Z', pushDatasetId: 'twin-1' };
    expect(twinOwner([a, b], 'twin-1')?.id).toBe('a-id');
    expect(twinOwner([a, b], undefined)?.id).toBe('b-id');
    expect(twinOwner([a, { ...b, createdDate: '2026-01-02T00:00:00Z' }], 'other')?.id).toBe('a-id');
  });

  it('a local model owns a twin only by holding the live one', () => {
    const fabric = { id: 'f', createdDate: '2026-01-01T00:00:00Z', pushDatasetId: null };
    const local = { id: 'local:/x/Sales.SemanticModel', pushDatasetId: 'twin-1', local: true };
    expect(twinOwner([fabric, local], 'twin-1')?.id).toBe(local.id);
    expect(twinOwner([fabric, local], undefined)?.id).toBe('f');
  });
});

describe('push file key', () => {
  it('one name, two workspaces or two models: two files; the same model: the same file', () => {
    const a = pushDefinitionFileName('Sales', pushFileKey('ws-1', 'm-1'));
    expect(a).toMatch(/^Sales\.[0-9a-f]{12}_push_api\.json$/);
    expect(pushDefinitionFileName('Sales', pushFileKey('ws-2', 'm-1'))).not.toBe(a);
    expect(pushDefinitionFileName('Sales', pushFileKey('ws-1', 'm-2'))).not.toBe(a);
    expect(pushDefinitionFileName('Sales', pushFileKey('ws-1', 'm-1'))).toBe(a);
    expect(Buffer.byteLength(pushDefinitionFileName('é'.repeat(300), pushFileKey(null, 'local:/a')))).toBeLessThanOrEqual(255);
  });

  it('push.perModel: first matching pattern (name or id), else the default', () => {
    const settings = { onIncompatible: 'recreate' as const, onIncompatibleFor: [{ match: 'fin*', onIncompatible: 'fail' as const }, { match: 'finance', onIncompatible: 'recreate' as const }] };
    expect(onIncompatibleFor(settings, 'Finance', 'id')).toBe('fail');
    expect(onIncompatibleFor(settings, 'Sales', 'fin-42')).toBe('fail');
    expect(onIncompatibleFor(settings, 'Sales', 'id')).toBe('recreate');
  });
});

describe('system models', () => {
  it.each([
    ['Usage Metrics Report', false, true],
    ['usage metrics report', false, true],
    ['Report Usage Metrics Model', false, true],
    ['Dashboard Usage Metrics Model', false, true],
    ['Usage Metrics Report (copy)', false, false],
    ['Usage Metrics Report', true, false],
    ['Sales', false, false],
  ])('%s (push %s) → %s', (name, isPushDataset, system) => expect(isSystemModel({ name, isPushDataset })).toBe(system));
});

describe('forced token refresh', () => {
  it('replaces a rejected token once, shared by concurrent callers; a token already replaced is not refreshed again', async () => {
    let issued = 0;
    const fresh: boolean[] = [];
    const cache = createTokenCache(async (_aud, o) => {
      fresh.push(o.fresh);
      issued += 1;
      return { token: `t${issued}`, expiresOnTimestamp: Date.now() + 3_600_000 };
    }, { now: () => Date.now() });
    expect(await cache.getToken('powerbi')).toBe('t1');
    const results = await Promise.all([cache.refresh!('powerbi', 't1'), cache.refresh!('powerbi', 't1'), cache.refresh!('powerbi', 't1')]);
    expect(results).toEqual([true, true, true]);
    expect(await cache.getToken('powerbi')).toBe('t2');
    expect(await cache.refresh!('powerbi', 't1')).toBe(true); // someone already replaced t1
    expect(fresh).toEqual([false, true]);
  });

  it('reports false when the authority hands back the same token', async () => {
    const cache = createTokenCache(async () => ({ token: 'same', expiresOnTimestamp: Number.POSITIVE_INFINITY }), { now: () => 0 });
    await cache.getToken('fabric');
    expect(await cache.refresh!('fabric', 'same')).toBe(false);
  });
});

describe('detection rules of issue 13', () => {
  const now = Date.parse('2026-06-01T12:00:00Z');
  const entry = (id: string, over: Partial<StateEntry> = {}): StateEntry => ({
    ...emptyModel(id), id, sync_count: 1, fingerprint: 'fp', workspace_id: 'ws1', last_sync_time: '2026-06-01T11:00:00.000Z', last_checked_at: '2026-06-01T11:00:00.000Z', ...over,
  });
  const snap = (...entries: StateEntry[]): StateSnapshot => ({ models: Object.fromEntries(entries.map((e) => [e.id, e])), lastCheck: null, scannerWatermark: null });
  const listing = (id: string, name = id.toUpperCase()) => ({ id, name, workspaceId: 'ws1', isPushDataset: false });
  const options = { budget: 10, minRecheckAgeMs: 0, suffix: '_PushSync', listedWorkspaces: ['ws1'] };

  it('a check time in the future counts as now; a retry time beyond the backoff cap is due', () => {
    const d = detectChanges(
      snap(entry('a', { last_checked_at: '2099-01-01T00:00:00.000Z' }), entry('b', { failures: 2, next_retry_at: '2099-01-01T00:00:00.000Z' })),
      [listing('a'), listing('b')],
      now,
      { ...options, maxRetryDelayMs: 3_600_000 },
    );
    expect(d.recheck.map((l) => l.id).sort()).toEqual(['a', 'b']);
  });

  it('local models are never judged deleted; system models are skipped; prototype names are not entries', () => {
    const d = detectChanges(snap(entry('local:/models/Sales.SemanticModel')), [listing('constructor', 'Usage Metrics Report'), listing('toString', 'Real')], now, options);
    expect(d.deleted).toEqual([]);
    expect(d.skipped).toEqual([{ listing: expect.objectContaining({ id: 'constructor' }), reason: 'system' }]);
    expect(d.new.map((l) => l.id)).toEqual(['toString']);
  });
});
