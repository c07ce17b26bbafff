// A binary min-heap of items keyed by due time, so each tick touches only what is due
// (O(log n) per transition) instead of scanning every call. Items due at the same time
// come out in insertion order, which keeps the simulator deterministic.

interface Entry<T> {
  due: number;
  order: number;
  item: T;
}

function before<T>(x: Entry<T>, y: Entry<T>): boolean {
  return x.due < y.due || (x.due === y.due && x.order < y.order);
}

export class TimerHeap<T> {
  readonly #entries: Entry<T>[] = [];
  #order = 0;

  get size(): number {
    return this.#entries.length;
  }

  /** Due time of the earliest item, or +Infinity when empty. */
  peekDue(): number {
    return this.#entries[0]?.due ?? Number.POSITIVE_INFINITY;
  }

  push(due: number, item: T): void {
    const entries = this.#entries;
    const entry: Entry<T> = { due, order: this.#order++, item };
    let i = entries.length;
    entries.push(entry);
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = entries[parentIndex]!;
      if (!before(entry, parent)) break;
      entries[i] = parent;
      i = parentIndex;
    }
    entries[i] = entry;
  }

  /** Removes and returns the earliest item, or undefined when empty. */
  pop(): T | undefined {
    const entries = this.#entries;
    const top = entries[0];
    const last = entries.pop();
    if (top === undefined || last === undefined) return undefined;
    const n = entries.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        let child = left;
        if (right < n && before(entries[right]!, entries[left]!)) child = right;
        const childEntry = entries[child]!;
        if (!before(childEntry, last)) break;
        entries[i] = childEntry;
        i = child;
      }
      entries[i] = last;
    }
    return top.item;
  }
}
