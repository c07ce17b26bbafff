// Where a PBX source hands its output: the same path for Kamailio and the simulator.
import type { CallRecord } from '@live-calls/protocol';

export interface RecordSink {
  /** One changed call: published to call.events.<phase>; an ended call also becomes a CDR. */
  record(record: CallRecord): void;
  /** The source's complete active list as read at `ts`. */
  sync(active: readonly CallRecord[], ts: number): void;
}
