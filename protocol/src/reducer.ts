// The last-writer-wins reducer (docs/interface/ordering.md), shared by the memory engine, the Redis
// engine's tests (its Lua script mirrors `decide`) and the dashboard's client store.
import type { CallRecord } from './record.js';

/** What applying one record did. Only `created`, `updated` and `ended` emit an event. */
export type Outcome = 'created' | 'updated' | 'ended' | 'stale' | 'duplicate';

/** An ended call's tombstone lives at least this long (the promise is ≥ 10 min). */
export const TOMBSTONE_TTL_MS = 15 * 60_000;

export function emits(outcome: Outcome): outcome is 'created' | 'updated' | 'ended' {
  return outcome === 'created' || outcome === 'updated' || outcome === 'ended';
}

/**
 * Decides what `incoming` does to the stored version of the same call. Higher `seq` wins;
 * an ended call is terminal, so its tombstone rejects every later event whatever its `seq`
 * — a late or replayed event can never resurrect a call the server ended.
 */
export function decide(stored: CallRecord | undefined, incoming: CallRecord): Outcome {
  if (stored === undefined) return incoming.phase === 'ended' ? 'ended' : 'created';
  if (incoming.seq === stored.seq) return 'duplicate';
  if (incoming.seq < stored.seq || stored.phase === 'ended') return 'stale';
  return incoming.phase === 'ended' ? 'ended' : 'updated';
}

interface Entry {
  record: CallRecord;
  /** For tombstones: when the entry may be forgotten. */
  expiresAt: number;
}

/**
 * A table of calls keyed by record id, ended calls kept as tombstones until swept.
 * Pure data structure: no timers, no I/O; time comes in as an argument.
 */
export class CallTable {
  readonly #entries = new Map<string, Entry>();
  #active = 0;

  /** Applies one record; the table changes only when the outcome emits. */
  apply(record: CallRecord, now: number): Outcome {
    const entry = this.#entries.get(record.id);
    const outcome = decide(entry?.record, record);
    if (!emits(outcome)) return outcome;
    const wasActive = entry !== undefined && entry.record.phase !== 'ended';
    const isActive = record.phase !== 'ended';
    this.#active += Number(isActive) - Number(wasActive);
    this.#entries.set(record.id, {
      record,
      expiresAt: isActive ? Number.POSITIVE_INFINITY : now + TOMBSTONE_TTL_MS,
    });
    return outcome;
  }

  get(id: string): CallRecord | undefined {
    return this.#entries.get(id)?.record;
  }

  /** Number of calls not ended. */
  get activeCount(): number {
    return this.#active;
  }

  /** Every call not ended, in insertion order. */
  *active(): IterableIterator<CallRecord> {
    for (const { record } of this.#entries.values()) {
      if (record.phase !== 'ended') yield record;
    }
  }

  /** Forgets tombstones older than their TTL; returns how many were dropped. */
  sweep(now: number): number {
    let dropped = 0;
    for (const [id, entry] of this.#entries) {
      if (entry.expiresAt <= now) {
        this.#entries.delete(id);
        dropped++;
      }
    }
    return dropped;
  }

  /** Drops everything, tombstones included (a new epoch). */
  clear(): void {
    this.#entries.clear();
    this.#active = 0;
  }

  /** Replaces the whole table with the given active calls (a snapshot). */
  replace(calls: Iterable<CallRecord>): void {
    this.clear();
    for (const call of calls) {
      this.#entries.set(call.id, { record: call, expiresAt: Number.POSITIVE_INFINITY });
      if (call.phase !== 'ended') this.#active++;
    }
  }
}
