// What the bridge sits beside: Kamailio or the call simulator, behind one interface, so the
// bridge assembles, health-checks and closes either the same way.
import type { CallRecord, ControlReply, ControlRequest } from '@live-calls/protocol';

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
  /**
   * Before start(): the calls a previous bridge process published and had not closed (its
   * CDR not stored), read back from the state bucket.
   */
  restore(records: readonly CallRecord[]): void;
  start(): void;
  /** Reads the PBX's full list now and publishes a sync (also after NATS comes back). */
  requestSync(reason: string): void;
  health(): SourceHealth;
  /**
   * An operator's hang-up (docs/interface/nats.md, call.control): asks the PBX to end the
   * call and, once it agreed, hands the call's end (`terminated`, `by`) to the sink, since
   * the PBX announces none. Never throws: every outcome is a reply.
   */
  hangup(request: ControlRequest): Promise<ControlReply>;
  close(): Promise<void>;
}
