// Change detection is a pure diff (docs/architecture.md#reading-models-from-fabric, issue 6 item 2): table-driven cases for every rule,
// plus a fairness check that the budget re-checks every model within ceil(models / budget) cycles.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyModel } from '../../src/core/state/schema.js';
import type { StateEntry, StateSnapshot } from '../../src/core/state/store.js';
import { detectChanges, type DetectOptions, type Detection } from '../../src/core/sync/detect.js';
import { globToRegExp } from '../../src/core/glob.js';
import type { ModelListing } from '../../src/core/sources/listing.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const MIN = 60_000;
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const later = (ms: number) => new Date(NOW + ms).toISOString();

function listing(id: string, name = id.toUpperCase(), workspaceId = 'ws1'): ModelListing {
  return { id, name, workspaceId, isPushDataset: false };
}
/** A model synced before, last checked `checkedAgo` ms ago. */
function known(id: string, over: Partial<StateEntry> = {}, checkedAgo = 60 * MIN): StateEntry {
  return { ...emptyModel(id.toUpperCase()), id, sync_count: 1, fingerprint: `fp-${id}`, workspace_id: 'ws1', last_sync_time: ago(checkedAgo), last_checked_at: ago(checkedAgo), ...over };
}
function snap(...entries: StateEntry[]): StateSnapshot {
  return { models: Object.fromEntries(entries.map((e) => [e.id, e])), lastCheck: null, scannerWatermark: null };
}
const base: DetectOptions = { budget: 20, minRecheckAgeMs: 10 * MIN, suffix: '_PushSync' };
function ids(d: Detection) {
  return {
    new: d.new.map((l) => l.id),
    recheck: d.recheck.map((l) => l.id),
    deleted: d.deleted.map((e) => e.id),
    unchanged: d.unchanged.map((l) => l.id),
    skipped: d.skipped.map((s) => `${s.listing.id}:${s.reason}`),
  };
}
const none = { new: [], recheck: [], deleted: [], unchanged: [], skipped: [] };

interface Case {
  name: string;
  state: StateSnapshot;
  listings: ModelListing[];
  options?: Partial<DetectOptions>;
  expected: Partial<ReturnType<typeof ids>>;
}

const cases: Case[] = [
  { name: 'empty state: every listed model is new', state: snap(), listings: [listing('a'), listing('b')], expected: { new: ['a', 'b'] } },
  { name: 'a model deleted earlier and listed again is new', state: snap(known('a', { deleted_at: ago(MIN) })), listings: [listing('a')], expected: { new: ['a'] } },
  {
    name: 'a never-synced model in backoff waits; once due it is new again',
    state: snap(known('a', { sync_count: 0, fingerprint: null, failures: 2, next_retry_at: later(MIN) }), known('b', { sync_count: 0, fingerprint: null, failures: 2, next_retry_at: ago(1) })),
    listings: [listing('a'), listing('b')],
    expected: { new: ['b'], skipped: ['a:backoff'] },
  },
  {
    name: 'budget: oldest check first, never-checked before all, the rest unchanged',
    state: snap(known('a', {}, 30 * MIN), known('b', {}, 90 * MIN), known('c', { last_checked_at: null, last_sync_time: null }), known('d', {}, 60 * MIN), known('e', {}, 120 * MIN)),
    listings: ['a', 'b', 'c', 'd', 'e'].map((id) => listing(id)),
    options: { budget: 3 },
    expected: { recheck: ['c', 'e', 'b'], unchanged: ['d', 'a'] },
  },
  {
    name: 'minimum age: recently checked models are not re-fetched even with budget left',
    state: snap(known('a', {}, 5 * MIN), known('b', {}, 15 * MIN)),
    listings: [listing('a'), listing('b')],
    expected: { recheck: ['b'], unchanged: ['a'] },
  },
  {
    name: 'budget 0 re-checks nothing',
    state: snap(known('a'), known('b')),
    listings: [listing('a'), listing('b')],
    options: { budget: 0 },
    expected: { unchanged: ['a', 'b'] },
  },
  {
    name: 'backoff: a failing model waits until next_retry_at, then is retried even if checked recently',
    state: snap(
      known('wait', { failures: 3, next_retry_at: later(1) }),
      known('due', { failures: 3, next_retry_at: ago(0) }, 1 * MIN),
      known('ok', {}, 20 * MIN),
    ),
    listings: [listing('wait'), listing('due'), listing('ok')],
    expected: { recheck: ['ok', 'due'], skipped: ['wait:backoff'] },
  },
  {
    name: 'backoff without a stored retry time (older file) uses the retry function from the last check',
    state: snap(known('a', { failures: 2 }, 5 * MIN), known('b', { failures: 1 }, 5 * MIN)),
    listings: [listing('a'), listing('b')],
    options: { retry: (f) => f * 3 * MIN },
    expected: { recheck: ['b'], skipped: ['a:backoff'] },
  },
  {
    name: 'ignoreBackoff (convert --auto) tries failing models now',
    state: snap(known('wait', { failures: 3, next_retry_at: later(MIN) }), known('new-wait', { sync_count: 0, fingerprint: null, failures: 1, next_retry_at: later(MIN) })),
    listings: [listing('wait'), listing('new-wait')],
    options: { ignoreBackoff: true },
    expected: { new: ['new-wait'], recheck: ['wait'] },
  },
  {
    name: 'deleted: only models of workspaces listed successfully, not already deleted',
    state: snap(known('gone1'), known('gone2', { workspace_id: 'ws2' }), known('old', { deleted_at: ago(MIN) }), known('here', {}, MIN)),
    listings: [listing('here')],
    options: { listedWorkspaces: ['ws1'], failedWorkspaces: ['ws2'] },
    expected: { deleted: ['gone1'], unchanged: ['here'] },
  },
  {
    name: 'deleted: an empty but successfully listed workspace deletes its models',
    state: snap(known('a', { workspace_id: 'ws9' })),
    listings: [],
    options: { listedWorkspaces: ['ws9'] },
    expected: { deleted: ['a'] },
  },
  {
    name: 'deleted: without listedWorkspaces only workspaces seen in the listing count',
    state: snap(known('a', { workspace_id: 'ws9' }), known('b', { workspace_id: 'ws1' })),
    listings: [listing('c')],
    expected: { new: ['c'], deleted: ['b'] },
  },
  {
    name: 'deleted: a migrated entry with no workspace is judged only when every workspace listed',
    state: snap(known('legacy', { workspace_id: null })),
    listings: [],
    options: { listedWorkspaces: ['ws1'], failedWorkspaces: ['ws2'] },
    expected: {},
  },
  {
    name: 'deleted: … and is deleted when nothing failed',
    state: snap(known('legacy', { workspace_id: null })),
    listings: [],
    options: { listedWorkspaces: ['ws1'], failedWorkspaces: [] },
    expected: { deleted: ['legacy'] },
  },
  {
    name: 'our own outputs are never sources (suffix, case-insensitive) and never look deleted',
    state: snap(known('a', {}, MIN)),
    listings: [listing('a', 'Sales'), listing('p', 'Sales_PushSync'), listing('q', 'FINANCE_pushsync')],
    expected: { unchanged: ['a'], skipped: ['p:own-output', 'q:own-output'] },
  },
  {
    name: 'include and exclude patterns (glob, case-insensitive, name or id)',
    state: snap(),
    listings: [listing('1', 'Sales EMEA'), listing('2', 'Sales US'), listing('3', 'HR'), listing('4', 'sales test'), listing('5', 'Sales?')],
    options: { include: ['sales*'], exclude: ['* test', '2'] },
    expected: { new: ['1', '5'], skipped: ['2:excluded', '3:excluded', '4:excluded'] },
  },
  {
    name: '? matches exactly one character and regex characters are literal',
    state: snap(),
    listings: [listing('1', 'Q1 (2024)'), listing('2', 'Q10 (2024)'), listing('3', 'Q1 x2024)')],
    options: { include: ['Q? (2024)'] },
    expected: { new: ['1'], skipped: ['2:excluded', '3:excluded'] },
  },
  {
    name: 'a model listed twice (two API surfaces) is handled once',
    state: snap(),
    listings: [listing('a'), listing('a')],
    expected: { new: ['a'] },
  },
  {
    name: 'an excluded model that is still listed is not deleted',
    state: snap(known('a')),
    listings: [listing('a', 'Scratch')],
    options: { exclude: ['scratch'] },
    expected: { skipped: ['a:excluded'] },
  },
];

describe('detectChanges', () => {
  it.each(cases)('$name', ({ state, listings, options, expected }) => {
    expect(ids(detectChanges(state, listings, NOW, { ...base, ...options }))).toEqual({ ...none, ...expected });
  });

  it('models recorded under other publishing settings are re-checked now, beyond the budget and the minimum age; old entries match "none"', () => {
    const state = snap(known('a', {}, 1 * MIN), known('b', { settings: 'k1' }, 1 * MIN), known('c', { settings: 'k2' }, 1 * MIN));
    const all = [listing('a'), listing('b'), listing('c')];
    expect(ids(detectChanges(state, all, NOW, { ...base, budget: 0, settings: 'k2' }))).toMatchObject({ recheck: ['a', 'b'], unchanged: ['c'] });
    expect(ids(detectChanges(state, all, NOW, { ...base, budget: 0, settings: null }))).toMatchObject({ recheck: ['b', 'c'], unchanged: ['a'] });
    expect(ids(detectChanges(state, all, NOW, { ...base, budget: 0 }))).toMatchObject({ recheck: [], unchanged: ['a', 'b', 'c'] });
  });

  it('does not modify the state it is given', () => {
    const state = snap(known('a'), known('b'));
    const copy = structuredClone(state);
    detectChanges(state, [listing('a')], NOW, base);
    expect(state).toEqual(copy);
  });

  it('a quiet workspace of 1,000 models: at most `budget` re-checks per cycle, every model within ceil(n/budget) cycles', () => {
    const models = new Map<string, StateEntry>();
    const listings: ModelListing[] = [];
    for (let i = 0; i < 1000; i++) {
      const id = `m${String(i).padStart(4, '0')}`;
      models.set(id, known(id, { workspace_id: `ws${i % 10}` }, (i % 97) * MIN));
      listings.push(listing(id, `Model ${i}`, `ws${i % 10}`));
    }
    const checkedOnce = new Set<string>();
    const interval = 5 * MIN;
    for (let cycle = 0; cycle < 50; cycle++) {
      const now = NOW + (cycle + 1) * interval;
      const state: StateSnapshot = { models: Object.fromEntries(models), lastCheck: null, scannerWatermark: null };
      const d = detectChanges(state, listings, now, { ...base, minRecheckAgeMs: 0, listedWorkspaces: Array.from({ length: 10 }, (_, i) => `ws${i}`) });
      expect(d.new).toEqual([]);
      expect(d.deleted).toEqual([]);
      expect(d.recheck).toHaveLength(20);
      expect(d.recheck.length + d.unchanged.length).toBe(1000);
      for (const l of d.recheck) {
        checkedOnce.add(l.id);
        models.set(l.id, { ...models.get(l.id)!, last_checked_at: new Date(now).toISOString() });
      }
    }
    expect(checkedOnce.size).toBe(1000);
  });
});

describe('globToRegExp', () => {
  it.each([
    ['*', 'anything', true],
    ['Sales*', 'sales emea', true],
    ['Sales*', 'My Sales', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a.c', 'abc', false],
    ['[x]', '[X]', true],
    ['*\\*', 'a\\b\\', true],
  ])('%s ~ %s → %s', (pattern, text, match) => {
    expect(globToRegExp(pattern).test(text)).toBe(match);
  });
});

describe('detectChanges invariants (property-based)', () => {
  const entryArb = fc.record({
    id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'),
    ws: fc.constantFrom('ws1', 'ws2', 'ws3', null),
    synced: fc.boolean(),
    checkedAgoMin: fc.option(fc.integer({ min: 0, max: 600 }), { nil: null }),
    failures: fc.integer({ min: 0, max: 5 }),
    retryInMin: fc.option(fc.integer({ min: -60, max: 60 }), { nil: null }),
    deleted: fc.boolean(),
  });
  const listingArb = fc.record({
    id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'),
    name: fc.constantFrom('Sales', 'HR', 'Sales_PushSync', 'Scratch test', 'Finance'),
    ws: fc.constantFrom('ws1', 'ws2', 'ws3'),
  });
  it('partitions the listing, respects the budget, and deletes only unlisted models of listed workspaces', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(entryArb, { selector: (e) => e.id, maxLength: 8 }),
        fc.array(listingArb, { maxLength: 12 }),
        fc.integer({ min: 0, max: 5 }),
        fc.subarray(['ws1', 'ws2', 'ws3']),
        (entries, rawListings, budget, failed) => {
          const state = snap(
            ...entries.map((e) =>
              known(e.id, {
                workspace_id: e.ws,
                sync_count: e.synced ? 1 : 0,
                fingerprint: e.synced ? `fp-${e.id}` : null,
                last_checked_at: e.checkedAgoMin === null ? null : ago(e.checkedAgoMin * MIN),
                failures: e.failures,
                next_retry_at: e.failures > 0 && e.retryInMin !== null ? later(e.retryInMin * MIN) : null,
                deleted_at: e.deleted ? ago(MIN) : null,
              }),
            ),
          );
          const listedWorkspaces = ['ws1', 'ws2', 'ws3'].filter((w) => !failed.includes(w));
          const listings = rawListings.filter((l) => listedWorkspaces.includes(l.ws)).map((l) => listing(l.id, l.name, l.ws));
          const d = detectChanges(state, listings, NOW, { ...base, budget, exclude: ['* test'], listedWorkspaces, failedWorkspaces: failed });
          const uniqueIds = [...new Set(listings.map((l) => l.id))].sort();
          const parts = [...d.new, ...d.recheck, ...d.unchanged, ...d.skipped.map((s) => s.listing)].map((l) => l.id).sort();
          expect(parts).toEqual(uniqueIds);
          expect(d.recheck.length).toBeLessThanOrEqual(budget);
          for (const l of [...d.new, ...d.recheck]) expect(l.name.toLowerCase().endsWith('_pushsync')).toBe(false);
          for (const l of d.recheck) expect(state.models[l.id]?.fingerprint ?? state.models[l.id]?.sync_count).toBeTruthy();
          for (const e of d.deleted) {
            expect(uniqueIds).not.toContain(e.id);
            expect(e.deleted_at).toBeNull();
            if (e.workspace_id !== null) expect(listedWorkspaces).toContain(e.workspace_id);
            else expect(failed).toEqual([]);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
