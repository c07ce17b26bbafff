// Where per-call `seq` numbers come from. One clock per bridge process, shared by all
// calls: seq = max(previous + 1, wall-clock ms × 1000). A restarted bridge starts above
// everything its predecessor issued without storing anything, as long as the predecessor
// stayed under 1000 seqs per ms on average and the wall clock did not step back across
// the restart. See docs/adr/0007-bridge-seq-across-restarts.md.

/** Leaves room for 1000 changes per ms before seq runs ahead of the clock. */
const SEQ_PER_MS = 1000;

export interface SeqSource {
  next(): number;
}

export class SeqClock implements SeqSource {
  readonly #now: () => number;
  #last = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  next(): number {
    const fromClock = this.#now() * SEQ_PER_MS;
    this.#last = fromClock > this.#last ? fromClock : this.#last + 1;
    return this.#last;
  }
}
