// How many operator actions one user may ask for: at most `max` per window of `windowMs` from
// its first (fixed windows, per `sub`, per instance). Pure apart from the times handed in.
// Bounded: at most `maxUsers` windows are kept; when full, the oldest is forgotten first.
import { retryAfterS, WindowCounts } from '../auth/window-counts.js';

export interface ActionLimits {
  max: number;
  windowMs: number;
  maxUsers?: number;
}

export type LimitDecision = { allowed: true } | { allowed: false; retryAfterS: number };

const DEFAULT_MAX_USERS = 10_000;

export class ActionLimiter {
  readonly #max: number;
  readonly #windows: WindowCounts;

  constructor(limits: ActionLimits) {
    this.#max = limits.max;
    this.#windows = new WindowCounts(limits.windowMs, limits.maxUsers ?? DEFAULT_MAX_USERS);
  }

  /** Counts one attempt of `sub` at `now`; refused ones count too (they are tries all the same). */
  take(sub: string, now: number): LimitDecision {
    const window = this.#windows.add(sub, now);
    if (window.count <= this.#max) return { allowed: true };
    return { allowed: false, retryAfterS: retryAfterS(window.resetAt, now) };
  }

  get size(): number {
    return this.#windows.size;
  }
}
