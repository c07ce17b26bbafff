// Login attempts per key (client IP, username) in a sliding window. Pure: time is passed in.
// Per instance; with several instances behind a balancer the effective limit is N times this.
export interface LimitDecision {
  allowed: boolean;
  retryAfterS: number;
}

export class LoginLimiter {
  readonly #attempts = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Records an attempt for `key` at `now` unless it is over the limit. */
  attempt(key: string, now: number): LimitDecision {
    const since = now - this.windowMs;
    const recent = (this.#attempts.get(key) ?? []).filter((t) => t > since);
    if (recent.length >= this.limit) {
      this.#attempts.set(key, recent);
      return {
        allowed: false,
        retryAfterS: Math.max(1, Math.ceil(((recent[0] ?? now) - since) / 1000)),
      };
    }
    recent.push(now);
    this.#attempts.set(key, recent);
    return { allowed: true, retryAfterS: 0 };
  }

  /** Forgets a key (after a successful login). */
  reset(key: string): void {
    this.#attempts.delete(key);
  }

  /** Drops keys with no attempt in the window, so the map cannot grow without bound. */
  sweep(now: number): void {
    const since = now - this.windowMs;
    for (const [key, times] of this.#attempts)
      if ((times.at(-1) ?? 0) <= since) this.#attempts.delete(key);
  }
}
