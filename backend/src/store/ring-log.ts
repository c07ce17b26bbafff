// A bounded, append-only log of events with consecutive seqs (the memory engine's replay log).
import type { LogEvent } from './live-store.js';

export class RingLog {
  readonly #capacity: number;
  readonly #items: (LogEvent | undefined)[];
  #start = 0;
  #size = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#items = new Array<LogEvent | undefined>(capacity);
  }

  push(event: LogEvent): void {
    const at = (this.#start + this.#size) % this.#capacity;
    this.#items[at] = event;
    if (this.#size < this.#capacity) this.#size++;
    else this.#start = (this.#start + 1) % this.#capacity;
  }

  /** seq of the oldest event held, or undefined when empty. */
  get firstSeq(): number | undefined {
    return this.#size === 0 ? undefined : this.#items[this.#start]?.seq;
  }

  get length(): number {
    return this.#size;
  }

  /** At most `limit` events with seq > afterSeq, oldest first. */
  after(afterSeq: number, limit = Number.POSITIVE_INFINITY): LogEvent[] {
    const first = this.firstSeq;
    if (first === undefined) return [];
    const skip = Math.max(0, afterSeq - first + 1);
    const end = Math.min(this.#size, skip + limit);
    const out: LogEvent[] = [];
    for (let i = skip; i < end; i++) {
      const event = this.#items[(this.#start + i) % this.#capacity];
      if (event !== undefined) out.push(event);
    }
    return out;
  }

  clear(): void {
    this.#items.fill(undefined);
    this.#start = 0;
    this.#size = 0;
  }
}
