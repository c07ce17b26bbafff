// Collects the parts of one `call.sync` until all have arrived (memory engine). A sync
// whose parts never complete is forgotten after a while.
import type { SyncMessage } from '@live-calls/protocol';

/** A sync whose parts have not all arrived after this long is forgotten (both engines). */
export const INCOMPLETE_SYNC_TTL_MS = 5 * 60_000;

export class SyncAssembly {
  readonly #open = new Map<string, { parts: Map<number, SyncMessage>; startedAt: number }>();

  /** Returns every part, in order, when `sync` completes its set; null otherwise. */
  add(sync: SyncMessage, now: number): SyncMessage[] | null {
    if (sync.parts === 1) return [sync];
    const key = `${sync.source}\u0000${sync.sync_id}`;
    let open = this.#open.get(key);
    if (open === undefined) {
      open = { parts: new Map(), startedAt: now };
      this.#open.set(key, open);
    }
    open.parts.set(sync.part, sync);
    if (open.parts.size < sync.parts) return null;
    this.#open.delete(key);
    return [...open.parts.values()].sort((a, b) => a.part - b.part);
  }

  sweep(now: number): void {
    for (const [key, open] of this.#open) {
      if (now - open.startedAt > INCOMPLETE_SYNC_TTL_MS) this.#open.delete(key);
    }
  }
}
