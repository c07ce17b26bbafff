// Core-NATS side of the bridge: call events and syncs, at most once (docs/interface/nats.md).
// While NATS is reconnecting the client buffers publishes itself; nothing here waits.
import { randomUUID } from 'node:crypto';
import {
  CALL_SYNC_SUBJECT,
  buildSyncParts,
  callEventSubject,
  type CallRecord,
} from '@live-calls/protocol';
import type { NatsConnection } from '@nats-io/transport-node';
import type { BridgeMetrics } from './metrics.js';

export class NatsPublisher {
  readonly #nc: NatsConnection;
  readonly #metrics: BridgeMetrics;
  readonly #source: string;

  constructor(nc: NatsConnection, source: string, metrics: BridgeMetrics) {
    this.#nc = nc;
    this.#source = source;
    this.#metrics = metrics;
  }

  /** False when the connection is closed (shutting down); the record is lost then. */
  publishRecord(record: CallRecord): boolean {
    if (this.#nc.isClosed()) return false;
    this.#nc.publish(callEventSubject(record.phase), JSON.stringify(record));
    this.#metrics.published.inc({ phase: record.phase });
    return true;
  }

  /** Publishes one complete sync; returns its sync_id and part count. */
  publishSync(records: readonly CallRecord[], ts: number): { syncId: string; parts: number } {
    const syncId = randomUUID();
    const parts = buildSyncParts(this.#source, ts, syncId, records);
    if (this.#nc.isClosed()) return { syncId, parts: 0 };
    for (const part of parts) this.#nc.publish(CALL_SYNC_SUBJECT, part);
    this.#metrics.syncParts.inc(parts.length);
    return { syncId, parts: parts.length };
  }
}
