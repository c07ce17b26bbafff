import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  const policy = { minMs: 100, maxMs: 5_000, jitter: 0 };

  it('doubles from the minimum and stops at the cap', () => {
    expect([1, 2, 3, 4, 6, 7, 100].map((n) => backoffDelay(n, policy))).toEqual([
      100, 200, 400, 800, 3_200, 5_000, 5_000,
    ]);
  });

  it('treats attempt 0 and below like the first', () => {
    expect(backoffDelay(0, policy)).toBe(100);
    expect(backoffDelay(-3, policy)).toBe(100);
  });

  it('stays within the jitter band around the schedule', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, r) => {
          const base = Math.min(5_000, 100 * 2 ** Math.min(attempt - 1, 30));
          const delay = backoffDelay(attempt, { minMs: 100, maxMs: 5_000 }, () => r);
          return delay >= Math.floor(base * 0.8) && delay <= Math.ceil(base * 1.2);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
