// The order of writes to a store where only each key's latest value matters (the bridge's
// state bucket): one write per key in flight at a time, so two writes of one key never land
// out of order, retries included; a newer write for a key replaces the one still waiting
// (it was never sent, so nothing is lost); and the keys with a write waiting or in flight
// are bounded (a key already in flight may always queue its next write: refusing the
// newest value of a call would keep an older one for good). Pure bookkeeping: the caller
// sends the writes and reports back with settle().

export type Offer = 'queued' | 'replaced' | 'full';

export class KeyedWrites<W> {
  readonly #max: number;
  /** In arrival order of each key's first waiting write. */
  readonly #waiting = new Map<string, W>();
  readonly #inFlight = new Set<string>();
  /** Keys both in flight and waiting. */
  #both = 0;

  constructor(max: number) {
    this.#max = max;
  }

  /** Keys with a write waiting or in flight. */
  get size(): number {
    return this.#waiting.size + this.#inFlight.size - this.#both;
  }

  /** Queues `write` for `key`, replacing a write of that key that is still waiting. */
  offer(key: string, write: W): Offer {
    if (this.#waiting.has(key)) {
      this.#waiting.set(key, write);
      return 'replaced';
    }
    if (this.#inFlight.has(key)) this.#both++;
    else if (this.size >= this.#max) return 'full';
    this.#waiting.set(key, write);
    return 'queued';
  }

  /** Takes back the waiting write of `key`, if any; true when there was one. */
  cancel(key: string): boolean {
    if (!this.#waiting.delete(key)) return false;
    if (this.#inFlight.has(key)) this.#both--;
    return true;
  }

  /** The oldest waiting write whose key has nothing in flight, now marked in flight. */
  next(): { key: string; write: W } | undefined {
    for (const [key, write] of this.#waiting) {
      if (this.#inFlight.has(key)) continue;
      this.#waiting.delete(key);
      this.#inFlight.add(key);
      return { key, write };
    }
    return undefined;
  }

  /**
   * Reports the end of the write of `key` taken with next(). A failed one waits again for
   * a retry, unless a newer write of that key arrived meanwhile; true when it waits again.
   */
  settle(key: string, write: W, ok: boolean): boolean {
    this.#inFlight.delete(key);
    if (this.#waiting.has(key)) {
      this.#both--;
      return false;
    }
    if (ok) return false;
    this.#waiting.set(key, write);
    return true;
  }
}
