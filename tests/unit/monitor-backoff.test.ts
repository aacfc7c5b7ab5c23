import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF_CAP_MS, backoffMs } from '../../src/core/sync/backoff.js';

describe('backoffMs: interval × 2^(failures-1), capped', () => {
  const minute = 60_000;
  it.each([
    [1, 5 * minute, 5 * minute],
    [2, 5 * minute, 10 * minute],
    [3, 5 * minute, 20 * minute],
    [4, 5 * minute, 40 * minute],
    [5, 5 * minute, DEFAULT_BACKOFF_CAP_MS],
    [500, 5 * minute, DEFAULT_BACKOFF_CAP_MS],
    [0, 5 * minute, 5 * minute],
    [3, 0, 0],
  ])('failures %i, interval %i → %i ms', (failures, interval, expected) => {
    expect(backoffMs(failures, interval)).toBe(expected);
  });
  it('honours a custom cap', () => {
    expect(backoffMs(10, minute, 3 * minute)).toBe(3 * minute);
  });
});
