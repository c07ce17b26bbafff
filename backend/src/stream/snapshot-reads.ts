// Snapshot reads shared by the streams that need one at the same moment. A read goes out for
// every stream that asked before it was issued — never an earlier read, which could miss an
// event between that read and the stream's registration — and while one read of a scope is
// in flight, the next waits for it, so a burst of starts costs about one read per scope and
// holds one copy of the calls, however many streams ask.
import type { LiveStore, RecordView, SnapshotData } from '../store/live-store.js';

interface Waiting {
  company: string | null;
  view: RecordView;
  promise: Promise<SnapshotData>;
  resolve: (snapshot: SnapshotData) => void;
  reject: (err: unknown) => void;
}

export class SnapshotReads {
  readonly #store: LiveStore;
  /** Reads asked for and not yet issued, by scope. */
  readonly #waiting = new Map<string, Waiting>();
  /** Reads issued and not yet answered, by scope. */
  readonly #inFlight = new Map<string, Promise<unknown>>();

  constructor(store: LiveStore) {
    this.#store = store;
  }

  /** A snapshot of the scope read after this call. */
  read(company: string | null, view: RecordView): Promise<SnapshotData> {
    const key = `${view}\u0000${company ?? ''}`;
    const waiting = this.#waiting.get(key);
    if (waiting !== undefined) return waiting.promise;
    const next = { company, view } as Waiting;
    next.promise = new Promise<SnapshotData>((resolve, reject) => {
      next.resolve = resolve;
      next.reject = reject;
    });
    this.#waiting.set(key, next);
    const inFlight = this.#inFlight.get(key);
    if (inFlight === undefined) queueMicrotask(() => this.#issue(key));
    else void inFlight.finally(() => this.#issue(key));
    return next.promise;
  }

  #issue(key: string): void {
    const waiting = this.#waiting.get(key);
    if (waiting === undefined) return;
    this.#waiting.delete(key);
    const read = this.#store.snapshot(waiting.company, waiting.view);
    const settled = read.then(waiting.resolve, waiting.reject);
    this.#inFlight.set(key, settled);
    void settled.finally(() => {
      if (this.#inFlight.get(key) === settled) this.#inFlight.delete(key);
    });
  }
}
