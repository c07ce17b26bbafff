import { describe, expect, it } from 'vitest';
import { LoginLimiter } from './login-limiter.js';

describe('LoginLimiter', () => {
  it('allows `limit` attempts per window, then says when to retry; keys are independent', () => {
    const limiter = new LoginLimiter(3, 60_000);
    expect([0, 1, 2].map((t) => limiter.attempt('a', t * 1000).allowed)).toEqual([
      true,
      true,
      true,
    ]);
    expect(limiter.attempt('a', 3000)).toEqual({ allowed: false, retryAfterS: 57 });
    expect(limiter.attempt('b', 3000).allowed).toBe(true);
    expect(limiter.attempt('a', 60_001).allowed).toBe(true);
    limiter.reset('a');
    expect(limiter.attempt('a', 60_002).allowed).toBe(true);
    limiter.sweep(1_000_000);
    expect(limiter.attempt('b', 1_000_000).allowed).toBe(true);
  });
});
