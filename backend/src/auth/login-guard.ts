// Sign-in limits that slow a guesser without letting a stranger lock the owner out. Only
// failures count, and only attempts that were let through: per client address (a sprayer
// tries many names), per address and name (a guesser tries one name), each refusing with 429
// for the rest of its window; and per name across every address, which only slows the
// answer down (a growing delay), so the right password from another address still gets in.
// Pure: time comes in as an argument. Memory is bounded: at most `maxKeys` counters per
// table, the oldest forgotten first.

export interface LoginGuardLimits {
  /** Failures one address may have in a window, whatever the names. */
  perAddress: number;
  /** Failures one address may have for one name in a window. */
  perAddressAndName: number;
  /** Failures of one name from anywhere before its answers start to slow down. */
  perNameBeforeDelay: number;
  windowMs: number;
  /** The longest a slowed answer waits. */
  maxDelayMs: number;
  /** Counters kept per table. */
  maxKeys: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginGuardLimits = Object.freeze({
  perAddress: 20,
  perAddressAndName: 5,
  perNameBeforeDelay: 10,
  windowMs: 5 * 60_000,
  maxDelayMs: 5_000,
  maxKeys: 100_000,
});

export type LoginVerdict =
  | { allowed: true; delayMs: number }
  | { allowed: false; retryAfterS: number; limit: 'address' | 'address_and_name' };

interface Window {
  failures: number;
  resetAt: number;
}

class FailureCounts {
  readonly #windows = new Map<string, Window>();

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys: number,
  ) {}

  /** Failures of `key` in its current window (0 when over). */
  get(key: string, now: number): { failures: number; resetAt: number } {
    const window = this.#windows.get(key);
    if (window === undefined || window.resetAt <= now) return { failures: 0, resetAt: now };
    return window;
  }

  add(key: string, now: number): void {
    const window = this.#windows.get(key);
    if (window !== undefined && window.resetAt > now) {
      window.failures++;
      return;
    }
    this.#windows.delete(key);
    if (this.#windows.size >= this.maxKeys) {
      const oldest = this.#windows.keys().next();
      if (oldest.done !== true) this.#windows.delete(oldest.value);
    }
    this.#windows.set(key, { failures: 1, resetAt: now + this.windowMs });
  }

  delete(key: string): void {
    this.#windows.delete(key);
  }

  sweep(now: number): void {
    for (const [key, window] of this.#windows) if (window.resetAt <= now) this.#windows.delete(key);
  }

  get size(): number {
    return this.#windows.size;
  }
}

export class LoginGuard {
  readonly #limits: LoginGuardLimits;
  readonly #byAddress: FailureCounts;
  readonly #byPair: FailureCounts;
  readonly #byName: FailureCounts;

  constructor(limits: LoginGuardLimits = DEFAULT_LOGIN_LIMITS) {
    this.#limits = limits;
    this.#byAddress = new FailureCounts(limits.windowMs, limits.maxKeys);
    this.#byPair = new FailureCounts(limits.windowMs, limits.maxKeys);
    this.#byName = new FailureCounts(limits.windowMs, limits.maxKeys);
  }

  /** May `address` try `name` now, and after how long a wait? Records nothing. */
  check(address: string, name: string, now: number): LoginVerdict {
    const byAddress = this.#byAddress.get(address, now);
    if (byAddress.failures >= this.#limits.perAddress)
      return { allowed: false, retryAfterS: retryAfter(byAddress.resetAt, now), limit: 'address' };
    const byPair = this.#byPair.get(pairKey(address, name), now);
    if (byPair.failures >= this.#limits.perAddressAndName)
      return {
        allowed: false,
        retryAfterS: retryAfter(byPair.resetAt, now),
        limit: 'address_and_name',
      };
    const over = this.#byName.get(name, now).failures - this.#limits.perNameBeforeDelay;
    const delayMs = over < 0 ? 0 : Math.min(this.#limits.maxDelayMs, 250 * 2 ** Math.min(over, 10));
    return { allowed: true, delayMs };
  }

  /** A let-through attempt failed. */
  failed(address: string, name: string, now: number): void {
    this.#byAddress.add(address, now);
    this.#byPair.add(pairKey(address, name), now);
    this.#byName.add(name, now);
  }

  /** The right password: the name's and this pair's failures are forgiven. */
  succeeded(address: string, name: string): void {
    this.#byPair.delete(pairKey(address, name));
    this.#byName.delete(name);
  }

  /** Forgets windows that are over. */
  sweep(now: number): void {
    this.#byAddress.sweep(now);
    this.#byPair.sweep(now);
    this.#byName.sweep(now);
  }

  /** Counters held, all tables together. */
  get size(): number {
    return this.#byAddress.size + this.#byPair.size + this.#byName.size;
  }
}

function pairKey(address: string, name: string): string {
  return `${address}\u0000${name}`;
}

function retryAfter(resetAt: number, now: number): number {
  return Math.max(1, Math.ceil((resetAt - now) / 1000));
}
