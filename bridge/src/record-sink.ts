// Where a PBX source hands its output: the same path for Kamailio and the simulator.
import type { CallRecord } from '@live-calls/protocol';

export interface RecordSink {
  /** One changed call: published to call.events.<phase>; an ended call also becomes a CDR. */
  record(record: CallRecord): void;
  /** The source's complete active list as read at `ts`. */
  sync(active: readonly CallRecord[], ts: number): void;
}

export interface SourceHealth {
  kind: 'kamailio' | 'simulator';
  connected: boolean;
  state: string;
  detail?: string;
  lastSyncAt: number | null;
  activeCalls: number;
}

/** A PBX the bridge sits beside. Owns its sockets and timers; close() releases them all. */
export interface PbxSource {
  start(): void;
  /** Reads the PBX's full list now and publishes a sync (also after NATS comes back). */
  requestSync(reason: string): void;
  health(): SourceHealth;
  close(): Promise<void>;
}
