// What a browser would hold after applying a stream's events with the protocol reducer:
// used to check that every client converges on the server's state.
import {
  CallTable,
  parseEventId,
  type CallRecord,
  type SnapshotPayload,
} from '@live-calls/protocol';
import type { SseEvent } from './sse-client.js';

export class LiveView {
  readonly table = new CallTable();
  epoch: string | undefined;
  seq = 0;
  /** Events whose id did not increase within the epoch (must stay 0). */
  duplicates = 0;

  applyAll(events: readonly SseEvent[]): void {
    for (const event of events) this.apply(event);
  }

  apply(event: SseEvent): void {
    if (event.id !== undefined) {
      const id = parseEventId(event.id);
      if (id === null) throw new Error(`bad event id ${event.id}`);
      if (event.event !== 'snapshot' && id.epoch === this.epoch && id.seq <= this.seq)
        this.duplicates++;
      this.epoch = id.epoch;
      this.seq = id.seq;
    }
    if (event.event === 'snapshot') {
      this.table.replace((JSON.parse(event.data) as SnapshotPayload).calls);
    } else if (event.event.startsWith('call.')) {
      this.table.apply(JSON.parse(event.data) as CallRecord, Date.now());
    }
  }

  activeIds(): string[] {
    return [...this.table.active()].map((call) => call.id).sort();
  }

  /** Same active calls, each at the same seq, as `calls`. */
  matches(calls: readonly CallRecord[]): boolean {
    const mine = new Map([...this.table.active()].map((call) => [call.id, call.seq]));
    return mine.size === calls.length && calls.every((call) => mine.get(call.id) === call.seq);
  }
}

/**
 * Waits until what `client` received, applied like a browser would, equals `truth`'s active
 * calls; returns that view (its `duplicates` must then be 0).
 */
export async function converged(
  client: {
    events: readonly SseEvent[];
    waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void>;
  },
  truth: readonly CallRecord[],
  timeoutMs = 15_000,
): Promise<LiveView> {
  const viewOf = () => {
    const view = new LiveView();
    view.applyAll(client.events);
    return view;
  };
  await client.waitFor(
    () => viewOf().matches(truth),
    timeoutMs,
    'the client to converge on the store',
  );
  return viewOf();
}
