// Durations are computed against the server's clock, not the browser's: a wall screen
// whose clock runs a minute slow would otherwise show negative or frozen durations.

/** How many recent samples the offset is taken from. */
const WINDOW = 8;

/**
 * Estimates `server − local` from the `server_time` of connected/snapshot/ping events and
 * hands out a server "now" that never runs backwards.
 */
export class ServerClock {
  #samples: number[] = [];
  #offset = 0;
  #lastNow = Number.NEGATIVE_INFINITY;

  /**
   * Records one `server_time` seen at local time `localNow`. Network delay only ever makes a
   * sample look smaller than the true offset, so the largest recent sample is the best one.
   */
  sample(serverTime: number, localNow: number): void {
    if (!Number.isFinite(serverTime)) return;
    this.#samples.push(serverTime - localNow);
    if (this.#samples.length > WINDOW) this.#samples.shift();
    this.#offset = Math.max(...this.#samples);
  }

  /** `server − local` in ms; 0 until the first sample. */
  get offset(): number {
    return this.#offset;
  }

  get synced(): boolean {
    return this.#samples.length > 0;
  }

  /** Server time now, monotonic: a smaller new offset holds the clock instead of rewinding it. */
  now(localNow: number): number {
    const now = Math.max(localNow + this.#offset, this.#lastNow);
    this.#lastNow = now;
    return now;
  }
}
