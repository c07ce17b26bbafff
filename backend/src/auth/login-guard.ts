// Sign-in limits that slow a guesser without letting a stranger lock the owner out. Only
// failures count, and only attempts that were let through (an attempt under way counts as a
// failure until it ends, so parallel requests cannot slip past a limit): per client address (a sprayer
// tries many names), per address and name (a guesser tries one name), each refusing with 429
// for the rest of its window; and per name across every address, which only slows the
// answer down (a growing delay), so the right password from another address still gets in.
// Pure: time comes in as an argument. Memory is bounded: at most `maxKeys` counters per
// table, the oldest forgotten first.

import { backoffDelay } from '@live-calls/protocol';
import { retryAfterS, WindowCounts } from './window-counts.js';

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

export class LoginGuard {
  readonly #limits: LoginGuardLimits;
  readonly #byAddress: WindowCounts;
  readonly #byPair: WindowCounts;
  readonly #byName: WindowCounts;
  /** Attempts let through and not yet ended, per address and per address and name. */
  readonly #underWay = new Map<string, number>();

  constructor(limits: LoginGuardLimits = DEFAULT_LOGIN_LIMITS) {
    this.#limits = limits;
    this.#byAddress = new WindowCounts(limits.windowMs, limits.maxKeys);
    this.#byPair = new WindowCounts(limits.windowMs, limits.maxKeys);
    this.#byName = new WindowCounts(limits.windowMs, limits.maxKeys);
  }

  /**
   * May `address` try `name` now, and after how long a wait? When allowed, the attempt is
   * under way until `end()`; every `begin` that was allowed must be ended.
   */
  begin(address: string, name: string, now: number): LoginVerdict {
    const pair = pairKey(address, name);
    const byAddress = this.#byAddress.get(address, now);
    if (byAddress.count + this.#pending(address) >= this.#limits.perAddress)
      return { allowed: false, retryAfterS: retryAfterS(byAddress.resetAt, now), limit: 'address' };
    const byPair = this.#byPair.get(pair, now);
    if (byPair.count + this.#pending(pair) >= this.#limits.perAddressAndName)
      return {
        allowed: false,
        retryAfterS: retryAfterS(byPair.resetAt, now),
        limit: 'address_and_name',
      };
    this.#underWay.set(address, this.#pending(address) + 1);
    this.#underWay.set(pair, this.#pending(pair) + 1);
    const over = this.#byName.get(name, now).count - this.#limits.perNameBeforeDelay;
    const delayMs =
      over < 0
        ? 0
        : backoffDelay(over + 1, { minMs: 250, maxMs: this.#limits.maxDelayMs, jitter: 0 });
    return { allowed: true, delayMs };
  }

  /** An allowed attempt is over (after `failed` or `succeeded`, or an error). */
  end(address: string, name: string): void {
    for (const key of [address, pairKey(address, name)]) {
      const left = this.#pending(key) - 1;
      if (left > 0) this.#underWay.set(key, left);
      else this.#underWay.delete(key);
    }
  }

  #pending(key: string): number {
    return this.#underWay.get(key) ?? 0;
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
    return this.#byAddress.size + this.#byPair.size + this.#byName.size + this.#underWay.size;
  }
}

function pairKey(address: string, name: string): string {
  return `${address}\u0000${name}`;
}
