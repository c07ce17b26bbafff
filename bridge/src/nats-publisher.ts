// Core-NATS side of the bridge: call events and syncs, at most once (docs/interface/nats.md).
//
// While the connection is away the bridge holds call events itself, up to a byte bound, and
// sends them in order once NATS is back (before the sync that follows every reconnect);
// beyond the bound new events are dropped and counted. nats.js 3.4 would also take them, but
// without any bound (it has no reconnect buffer size) and it empties its own buffer each time
// it dials another server, so what it holds across a failed attempt is lost without a trace.
// Sync parts are not held: a fresh sync is published after every reconnect. Nothing thrown
// by the client (a closed or draining connection) leaves this class: it is counted.
import { randomUUID } from 'node:crypto';
import {
  CALL_SYNC_SUBJECT,
  buildSyncParts,
  callEventSubject,
  type CallRecord,
  type Phase,
} from '@live-calls/protocol';
import type { NatsConnection } from '@nats-io/transport-node';
import type { BridgeMetrics } from './metrics.js';

type PublishKind = 'event' | 'sync';
type DropReason = 'buffer_full' | 'disconnected' | 'closed' | 'error';

interface Held {
  phase: Phase;
  data: Uint8Array;
}

const encoder = new TextEncoder();

export class NatsPublisher {
  readonly #nc: NatsConnection;
  readonly #metrics: BridgeMetrics;
  readonly #source: string;
  readonly #maxBytes: number;
  #connected = true;
  #held: Held[] = [];
  #heldBytes = 0;

  /** `maxBytes`: how many bytes of events may wait for NATS (0: none). */
  constructor(nc: NatsConnection, source: string, maxBytes: number, metrics: BridgeMetrics) {
    this.#nc = nc;
    this.#source = source;
    this.#maxBytes = maxBytes;
    this.#metrics = metrics;
  }

  /**
   * Follows the connection's state (from its status events): while down, events are held;
   * when up again, the held ones go out first, in order.
   */
  setConnected(connected: boolean): void {
    this.#connected = connected;
    if (!connected) return;
    const held = this.#held;
    this.#held = [];
    this.#heldBytes = 0;
    this.#metrics.publishHeld.set(0);
    for (const { phase, data } of held) this.#sendEvent(phase, data);
  }

  /** Sends or holds one record; false when it was dropped (counted). */
  publishRecord(record: CallRecord): boolean {
    if (this.#connected || this.#nc.isClosed()) {
      return this.#sendEvent(record.phase, JSON.stringify(record));
    }
    const data = encoder.encode(JSON.stringify(record));
    if (this.#heldBytes + data.length > this.#maxBytes) {
      this.#drop('event', 'buffer_full');
      return false;
    }
    this.#held.push({ phase: record.phase, data });
    this.#heldBytes += data.length;
    this.#metrics.publishHeld.set(this.#held.length);
    this.#metrics.publishBuffered.inc();
    return true;
  }

  /** Publishes one complete sync; returns its sync_id and the parts sent (0 while away). */
  publishSync(records: readonly CallRecord[], ts: number): { syncId: string; parts: number } {
    const syncId = randomUUID();
    if (!this.#connected && !this.#nc.isClosed()) {
      // The sync that follows the reconnect replaces it.
      this.#drop('sync', 'disconnected');
      return { syncId, parts: 0 };
    }
    const parts = buildSyncParts(this.#source, ts, syncId, records);
    let sent = 0;
    for (const part of parts) if (this.#send('sync', CALL_SYNC_SUBJECT, part)) sent++;
    this.#metrics.syncParts.inc(sent);
    return { syncId, parts: sent };
  }

  #sendEvent(phase: Phase, data: string | Uint8Array): boolean {
    const sent = this.#send('event', callEventSubject(phase), data);
    if (sent) this.#metrics.published.inc({ phase });
    return sent;
  }

  #send(kind: PublishKind, subject: string, data: string | Uint8Array): boolean {
    if (this.#nc.isClosed()) {
      this.#drop(kind, 'closed');
      return false;
    }
    try {
      this.#nc.publish(subject, data);
      return true;
    } catch {
      // Draining at shutdown, or a payload over the server's max_payload.
      this.#drop(kind, 'error');
      return false;
    }
  }

  #drop(kind: PublishKind, reason: DropReason): void {
    this.#metrics.publishDropped.inc({ kind, reason });
  }
}
