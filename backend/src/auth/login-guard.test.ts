import { describe, expect, it } from 'vitest';
import { DEFAULT_LOGIN_LIMITS, LoginGuard, type LoginVerdict } from './login-guard.js';

const limits = { ...DEFAULT_LOGIN_LIMITS, windowMs: 60_000 };

/** Asks, and ends the attempt at once if it was let through. */
function probe(guard: LoginGuard, address: string, name: string, now: number): LoginVerdict {
  const verdict = guard.begin(address, name, now);
  if (verdict.allowed) guard.end(address, name);
  return verdict;
}

function fail(guard: LoginGuard, address: string, name: string, times: number, now = 0): void {
  for (let i = 0; i < times; i++) {
    expect(guard.begin(address, name, now).allowed).toBe(true);
    guard.failed(address, name, now);
    guard.end(address, name);
  }
}

describe('LoginGuard', () => {
  it('refuses an address that guessed one name too often, and says when to retry', () => {
    const guard = new LoginGuard(limits);
    fail(guard, '10.0.0.1', 'alice', 5);
    expect(probe(guard, '10.0.0.1', 'alice', 1_000)).toEqual({
      allowed: false,
      retryAfterS: 59,
      limit: 'address_and_name',
    });
    expect(probe(guard, '10.0.0.1', 'alice', 60_000).allowed).toBe(true);
  });

  it('lets the owner in from another address while a stranger is refused', () => {
    const guard = new LoginGuard(limits);
    fail(guard, '10.0.0.66', 'alice', 5);
    expect(probe(guard, '10.0.0.66', 'alice', 10).allowed).toBe(false);
    expect(probe(guard, '192.168.1.5', 'alice', 10)).toEqual({ allowed: true, delayMs: 0 });
  });

  it('refuses an address spraying many names', () => {
    const guard = new LoginGuard(limits);
    for (let i = 0; i < 20; i++) fail(guard, '10.0.0.7', `user${i}`, 1);
    expect(probe(guard, '10.0.0.7', 'someone-else', 5)).toMatchObject({
      allowed: false,
      limit: 'address',
    });
    expect(probe(guard, '10.0.0.8', 'someone-else', 5).allowed).toBe(true);
  });

  it('slows, never refuses, a name guessed from many addresses, and forgives on success', () => {
    const guard = new LoginGuard(limits);
    for (let i = 0; i < 10; i++) fail(guard, `10.1.0.${i}`, 'alice', 1);
    expect(probe(guard, '192.168.1.5', 'alice', 0)).toEqual({ allowed: true, delayMs: 250 });
    for (let i = 10; i < 30; i++) fail(guard, `10.1.0.${i}`, 'alice', 1);
    expect(probe(guard, '192.168.1.5', 'alice', 0)).toEqual({
      allowed: true,
      delayMs: limits.maxDelayMs,
    });
    guard.succeeded('192.168.1.5', 'alice');
    expect(probe(guard, '192.168.1.5', 'alice', 0)).toEqual({ allowed: true, delayMs: 0 });
  });

  it('records nothing for a refused attempt and holds a bounded number of counters', () => {
    const guard = new LoginGuard({ ...limits, maxKeys: 1_000 });
    fail(guard, '10.0.0.1', 'alice', 5);
    const held = guard.size;
    for (let i = 0; i < 10_000; i++) probe(guard, '10.0.0.1', 'alice', 1);
    expect(guard.size).toBe(held);
    for (let i = 0; i < 5_000; i++) guard.failed(`10.2.${i >> 8}.${i & 255}`, `n${i}`, 2);
    expect(guard.size).toBeLessThanOrEqual(3 * 1_000);
    guard.sweep(70_000);
    expect(guard.size).toBe(0);
  });

  it('counts attempts under way, so parallel requests cannot slip past a limit', () => {
    const guard = new LoginGuard(limits);
    const verdicts = Array.from({ length: 10 }, () => guard.begin('10.0.0.9', 'alice', 0));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(5);
    for (let i = 0; i < 5; i++) {
      guard.failed('10.0.0.9', 'alice', 0);
      guard.end('10.0.0.9', 'alice');
    }
    expect(probe(guard, '10.0.0.9', 'alice', 1).allowed).toBe(false);
    const other = new LoginGuard(limits);
    for (let i = 0; i < 5; i++) other.begin('10.0.0.9', 'bob', 0);
    for (let i = 0; i < 5; i++) other.end('10.0.0.9', 'bob');
    expect(probe(other, '10.0.0.9', 'bob', 0)).toEqual({ allowed: true, delayMs: 0 });
  });
});
