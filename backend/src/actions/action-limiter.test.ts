import { describe, expect, it } from 'vitest';
import { ActionLimiter } from './action-limiter.js';

describe('ActionLimiter', () => {
  it('allows max per window per user, then refuses with the seconds left', () => {
    const limiter = new ActionLimiter({ max: 3, windowMs: 10_000 });
    for (let i = 0; i < 3; i++) expect(limiter.take('alice', 1_000 + i)).toEqual({ allowed: true });
    expect(limiter.take('alice', 1_500)).toEqual({ allowed: false, retryAfterS: 10 });
    expect(limiter.take('alice', 10_200)).toEqual({ allowed: false, retryAfterS: 1 });
    // Another user has a window of their own.
    expect(limiter.take('bob', 1_500)).toEqual({ allowed: true });
    // A new window after the old one ends.
    expect(limiter.take('alice', 11_000)).toEqual({ allowed: true });
  });

  it('keeps at most maxUsers windows, forgetting the oldest first', () => {
    const limiter = new ActionLimiter({ max: 1, windowMs: 60_000, maxUsers: 100 });
    for (let i = 0; i < 1000; i++) limiter.take(`user-${i}`, 1_000 + i);
    expect(limiter.size).toBe(100);
    // The newest are still counted; the oldest were forgotten (a fresh window).
    expect(limiter.take('user-999', 3_000).allowed).toBe(false);
    expect(limiter.take('user-0', 3_000).allowed).toBe(true);
  });

  it('forgets ended windows when new ones start', () => {
    const limiter = new ActionLimiter({ max: 1, windowMs: 1_000 });
    for (let i = 0; i < 50; i++) limiter.take(`user-${i}`, 0);
    limiter.take('late', 5_000);
    expect(limiter.size).toBe(1);
  });
});
