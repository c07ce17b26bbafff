// Counts per key in fixed windows: a key's window starts at its first count and lasts
// `windowMs`. Pure: time comes in as an argument. Bounded: at most `maxKeys` windows; a new one
// first drops windows that are over, then, when still full, the oldest. Windows are kept in the
// order they started, so both stop at the first window still running.

export interface WindowCount {
  count: number;
  /** When the window ends, ms. */
  resetAt: number;
}

export class WindowCounts {
  readonly #windows = new Map<string, WindowCount>();

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys: number,
  ) {}

  /** The count of `key` in its current window (0 when over). */
  get(key: string, now: number): WindowCount {
    const window = this.#windows.get(key);
    if (window === undefined || window.resetAt <= now) return { count: 0, resetAt: now };
    return window;
  }

  /** Counts one for `key` at `now` and returns its window. */
  add(key: string, now: number): WindowCount {
    const window = this.#windows.get(key);
    if (window !== undefined && window.resetAt > now) {
      window.count++;
      return window;
    }
    this.#windows.delete(key);
    for (const [oldest, { resetAt }] of this.#windows) {
      if (resetAt > now && this.#windows.size < this.maxKeys) break;
      this.#windows.delete(oldest);
    }
    const fresh = { count: 1, resetAt: now + this.windowMs };
    this.#windows.set(key, fresh);
    return fresh;
  }

  delete(key: string): void {
    this.#windows.delete(key);
  }

  /** Forgets windows that are over. */
  sweep(now: number): void {
    for (const [key, window] of this.#windows) if (window.resetAt <= now) this.#windows.delete(key);
  }

  get size(): number {
    return this.#windows.size;
  }
}

/** Seconds to wait until `resetAt` for a `Retry-After`, at least 1. */
export function retryAfterS(resetAt: number, now: number): number {
  return Math.max(1, Math.ceil((resetAt - now) / 1000));
}
