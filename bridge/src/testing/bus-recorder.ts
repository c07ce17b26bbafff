// Records what the bridge puts on NATS, validated with the protocol's own parsers, the way
// the backend will read it.
import {
  CALL_EVENTS_WILDCARD,
  CALL_SYNC_SUBJECT,
  CDR_STREAM,
  parseCallEvent,
  parseSync,
  type CallRecord,
  type SyncMessage,
} from '@live-calls/protocol';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

export interface Received {
  subject: string;
  record: CallRecord;
}

export class BusRecorder {
  readonly events: Received[] = [];
  readonly syncs: SyncMessage[] = [];
  readonly invalid: string[] = [];

  private constructor(readonly nc: NatsConnection) {}

  static async open(url: string): Promise<BusRecorder> {
    const nc = await connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    const recorder = new BusRecorder(nc);
    // Not `call.>`: operator actions (`call.control.<source>`) share the prefix.
    nc.subscribe(CALL_SYNC_SUBJECT, {
      callback: (_err, msg) => {
        const sync = parseSync(msg.subject, msg.data);
        if (sync.ok) recorder.syncs.push(sync.value);
        else recorder.invalid.push(`${sync.reason}: ${sync.detail}`);
      },
    });
    nc.subscribe(CALL_EVENTS_WILDCARD, {
      callback: (_err, msg) => {
        const event = parseCallEvent(msg.subject, msg.data);
        if (event.ok) recorder.events.push({ subject: msg.subject, record: event.value });
        else recorder.invalid.push(`${event.reason}: ${event.detail}`);
      },
    });
    await nc.flush();
    return recorder;
  }

  of(callId: string): CallRecord[] {
    return this.events.filter((e) => e.record.call_id === callId).map((e) => e.record);
  }

  /** Syncs whose parts all arrived, newest last, with their calls joined. */
  completeSyncs(): { syncId: string; ts: number; calls: CallRecord[] }[] {
    const byId = new Map<string, SyncMessage[]>();
    for (const s of this.syncs) byId.set(s.sync_id, [...(byId.get(s.sync_id) ?? []), s]);
    const out: { syncId: string; ts: number; calls: CallRecord[] }[] = [];
    for (const [syncId, parts] of byId) {
      const first = parts[0];
      if (!first || parts.length !== first.parts) continue;
      out.push({ syncId, ts: first.ts, calls: parts.flatMap((p) => p.calls) });
    }
    return out;
  }

  /**
   * Every message in the CDR stream: its message id and record. Requests time out soon, so a
   * caller polling right after a NATS restart (a request made while the client redials is
   * lost) tries again quickly.
   */
  async cdrs(): Promise<{ msgId: string; record: CallRecord }[]> {
    const jsm = await jetstreamManager(this.nc, { timeout: 1500 });
    let info;
    try {
      info = await jsm.streams.info(CDR_STREAM);
    } catch {
      return [];
    }
    const out: { msgId: string; record: CallRecord }[] = [];
    for (
      let seq = info.state.first_seq;
      seq <= info.state.last_seq && info.state.messages > 0;
      seq++
    ) {
      const msg = await jsm.streams.getMessage(CDR_STREAM, { seq });
      if (!msg) continue;
      out.push({ msgId: msg.header.get('Nats-Msg-Id'), record: msg.json<CallRecord>() });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.nc.close();
  }
}
