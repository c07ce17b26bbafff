import { describe, expect, it } from 'vitest';
import { DEFAULT_LOGIN_LIMITS, LoginGuard } from './login-guard.js';

const limits = { ...DEFAULT_LOGIN_LIMITS, windowMs: 60_000 };

function fail(guard: LoginGuard, address: string, name: string, times: number, now = 0): void {
  for (let i = 0; i < times; i++) {
    expect(guard.check(address, name, now).allowed).toBe(true);
    guard.failed(address, name, now);
  }
}

describe('LoginGuard', () => {
  it('refuses an address that guessed one name too often, and says when to retry', () => {
    const guard = new LoginGuard(limits);
    fail(guard, '10.0.0.1', 'alice', 5);
    expect(guard.check('10.0.0.1', 'alice', 1_000)).toEqual({
      allowed: false,
      retryAfterS: 59,
      limit: 'address_and_name',
    });
    expect(guard.check('10.0.0.1', 'alice', 60_000).allowed).toBe(true);
  });

  it('lets the owner in from another address while a stranger is refused', () => {
    const guard = new LoginGuard(limits);
    fail(guard, '10.0.0.66', 'alice', 5);
    expect(guard.check('10.0.0.66', 'alice', 10).allowed).toBe(false);
    expect(guard.check('192.168.1.5', 'alice', 10)).toEqual({ allowed: true, delayMs: 0 });
  });

  it('refuses an address spraying many names', () => {
    const guard = new LoginGuard(limits);
    for (let i = 0; i < 20; i++) fail(guard, '10.0.0.7', `user${i}`, 1);
    expect(guard.check('10.0.0.7', 'someone-else', 5)).toMatchObject({
      allowed: false,
      limit: 'address',
    });
    expect(guard.check('10.0.0.8', 'someone-else', 5).allowed).toBe(true);
  });

  it('slows, never refuses, a name guessed from many addresses, and forgives on success', () => {
    const guard = new LoginGuard(limits);
    for (let i = 0; i < 10; i++) fail(guard, `10.1.0.${i}`, 'alice', 1);
    expect(guard.check('192.168.1.5', 'alice', 0)).toEqual({ allowed: true, delayMs: 250 });
    for (let i = 10; i < 30; i++) fail(guard, `10.1.0.${i}`, 'alice', 1);
    expect(guard.check('192.168.1.5', 'alice', 0)).toEqual({
      allowed: true,
      delayMs: limits.maxDelayMs,
    });
    guard.succeeded('192.168.1.5', 'alice');
    expect(guard.check('192.168.1.5', 'alice', 0)).toEqual({ allowed: true, delayMs: 0 });
  });

  it('records nothing for a refused attempt and holds a bounded number of counters', () => {
    const guard = new LoginGuard({ ...limits, maxKeys: 1_000 });
    fail(guard, '10.0.0.1', 'alice', 5);
    const held = guard.size;
    for (let i = 0; i < 10_000; i++) guard.check('10.0.0.1', 'alice', 1);
    expect(guard.size).toBe(held);
    for (let i = 0; i < 5_000; i++) guard.failed(`10.2.${i >> 8}.${i & 255}`, `n${i}`, 2);
    expect(guard.size).toBeLessThanOrEqual(3 * 1_000);
    guard.sweep(70_000);
    expect(guard.size).toBe(0);
  });
});
