// How many operator actions one user may ask for: at most `max` per window of `windowMs` from
// its first (fixed windows, per `sub`, per instance). Pure apart from the times handed in.
// Bounded: at most `maxUsers` windows are kept; when full, the oldest is forgotten first.

export interface ActionLimits {
  max: number;
  windowMs: number;
  maxUsers?: number;
}

export type LimitDecision = { allowed: true } | { allowed: false; retryAfterS: number };

const DEFAULT_MAX_USERS = 10_000;

export class ActionLimiter {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #maxUsers: number;
  /** Per sub: the window's start and the attempts in it; in insertion order (oldest first). */
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(limits: ActionLimits) {
    this.#max = limits.max;
    this.#windowMs = limits.windowMs;
    this.#maxUsers = limits.maxUsers ?? DEFAULT_MAX_USERS;
  }

  /** Counts one attempt of `sub` at `now`; refused ones count too (they are tries all the same). */
  take(sub: string, now: number): LimitDecision {
    let window = this.#windows.get(sub);
    if (window === undefined || now - window.start >= this.#windowMs) {
      this.#windows.delete(sub);
      window = { start: now, count: 0 };
      this.#windows.set(sub, window);
      this.#evict(now);
    }
    window.count++;
    if (window.count <= this.#max) return { allowed: true };
    return {
      allowed: false,
      retryAfterS: Math.max(1, Math.ceil((window.start + this.#windowMs - now) / 1000)),
    };
  }

  get size(): number {
    return this.#windows.size;
  }

  #evict(now: number): void {
    for (const [sub, window] of this.#windows) {
      if (this.#windows.size <= this.#maxUsers && now - window.start < this.#windowMs) break;
      this.#windows.delete(sub);
    }
  }
}
