// The dashboard's state machine without a browser: queued SSE events are applied in one
// batch per animation frame through the protocol's CallTable — the same last-writer-wins
// reducer the backend runs — so a call is never shown twice and never kept after the
// server ended it. No timers, no DOM: time comes in as arguments.
import {
  CallTable,
  parseEventId,
  type CallRecord,
  type EventPosition,
  type LiveEventMap,
  type LiveEventName,
  type Role,
  type SnapshotPayload,
  type SourceStatus,
  type StatsPayload,
} from '@live-calls/protocol';
import { AlarmBoard } from './alarm-board.js';
import { ConnectionTracker } from './connection-tracker.js';
import { ServerClock } from './server-clock.js';

/** One received SSE event, typed by its name. */
export type LiveEvent = {
  [K in LiveEventName]: { name: K; data: LiveEventMap[K]; id: string | null };
}[LiveEventName];

/** A call the table lists: active, or ended and still fading out. Immutable; replaced on change. */
export interface ListedCall {
  readonly record: CallRecord;
  /** Local ms when this tab first saw the call (for the "new" highlight). */
  readonly seenAt: number;
  /** Local ms when this tab saw it end; null while active. */
  readonly endedAt: number | null;
}

/** How long a hung-up row stays (fading) before it leaves the list. */
export const FADE_MS = 2000;
/** How long a new row is highlighted. */
export const FRESH_MS = 1500;
/** Ended calls' tombstones are swept at most this often. */
const SWEEP_EVERY_MS = 60_000;

export interface FlushResult {
  /** Events taken from the queue. */
  events: number;
  calls: boolean;
  /** A snapshot replaced the table (a first connect, or a resume the server could not serve). */
  snapshot: boolean;
  sources: boolean;
  /** Alarms were raised, cleared or replaced by a snapshot. */
  alarms: boolean;
  stats: boolean;
  /** A `session.expired` event arrived: the server is about to close the stream. */
  sessionExpired: boolean;
}

export interface ApplyCounters {
  applied: number;
  duplicate: number;
  stale: number;
}

export class LiveModel {
  readonly table = new CallTable();
  readonly listed = new Map<string, ListedCall>();
  readonly sources = new Map<string, SourceStatus>();
  readonly alarms = new AlarmBoard();
  readonly clock = new ServerClock();
  readonly connection = new ConnectionTracker();
  readonly counters: ApplyCounters = { applied: 0, duplicate: 0, stale: 0 };
  stats: StatsPayload | null = null;
  /** The role the server opened the stream with. */
  role: Role | null = null;
  #position: EventPosition | null = null;
  /** Ids of listed calls that ended and fade out: what `expire` looks at, not every row. */
  readonly #fading = new Set<string>();
  #queue: LiveEvent[] = [];
  #lastSweep = 0;

  /** The id to resume from (`Last-Event-ID`), null before the first snapshot. */
  get lastEventId(): string | null {
    return this.#position === null ? null : `${this.#position.epoch}:${this.#position.seq}`;
  }

  get pending(): number {
    return this.#queue.length;
  }

  enqueue(event: LiveEvent): void {
    this.#queue.push(event);
  }

  /** Applies every queued event in arrival order. */
  flush(localNow: number): FlushResult {
    const queue = this.#queue;
    this.#queue = [];
    const result: FlushResult = {
      events: queue.length,
      calls: false,
      snapshot: false,
      sources: false,
      alarms: false,
      stats: false,
      sessionExpired: false,
    };
    for (const event of queue) this.#applyOne(event, localNow, result);
    return result;
  }

  #applyOne(event: LiveEvent, localNow: number, result: FlushResult): void {
    switch (event.name) {
      case 'connected':
        this.clock.sample(event.data.server_time, localNow);
        this.connection.onConnected(event.data, this.#position, localNow);
        this.role = event.data.role;
        return;
      case 'snapshot':
        this.#applySnapshot(event.data, localNow);
        result.calls = true;
        result.snapshot = true;
        result.sources = true;
        result.alarms = true;
        return;
      case 'call.setup':
      case 'call.ringing':
      case 'call.answered':
      case 'call.ended': {
        const position = this.#admit(event.id);
        if (position === false) return;
        this.connection.onEvent(position, localNow);
        if (this.#applyCall(event.data, localNow)) result.calls = true;
        return;
      }
      case 'source': {
        const position = this.#admit(event.id);
        if (position === false) return;
        this.connection.onEvent(position, localNow);
        this.sources.set(event.data.source, event.data);
        result.sources = true;
        return;
      }
      case 'alarm': {
        const position = this.#admit(event.id);
        if (position === false) return;
        this.connection.onEvent(position, localNow);
        this.alarms.apply(event.data, localNow);
        result.alarms = true;
        return;
      }
      case 'stats':
        this.stats = event.data;
        this.connection.onHeartbeat(localNow, false);
        result.stats = true;
        return;
      case 'ping':
        this.clock.sample(event.data.server_time, localNow);
        this.connection.onHeartbeat(localNow, true);
        return;
      case 'session.expired':
        result.sessionExpired = true;
        return;
    }
  }

  /**
   * Checks an event id against the last applied one. Within an epoch ids strictly
   * increase, so anything at or below the position was already applied (a retransmission
   * after reconnect, or an event the snapshot already reflects).
   */
  #admit(id: string | null): EventPosition | null | false {
    const position = parseEventId(id);
    if (position === null) return null;
    const current = this.#position;
    if (current !== null && position.epoch === current.epoch && position.seq <= current.seq) {
      this.counters.duplicate++;
      return false;
    }
    this.#position = position;
    return position;
  }

  #applyCall(record: CallRecord, localNow: number): boolean {
    const outcome = this.table.apply(record, this.clock.now(localNow));
    if (outcome === 'duplicate' || outcome === 'stale') {
      this.counters[outcome]++;
      return false;
    }
    this.counters.applied++;
    const listed = this.listed.get(record.id);
    if (record.phase === 'ended') {
      // A call that ended before this tab ever listed it has nothing to fade out.
      if (listed !== undefined) this.#list(record.id, { ...listed, record, endedAt: localNow });
    } else {
      this.#list(record.id, { record, seenAt: listed?.seenAt ?? localNow, endedAt: null });
    }
    return true;
  }

  #applySnapshot(snapshot: SnapshotPayload, localNow: number): void {
    this.clock.sample(snapshot.server_time, localNow);
    this.#position = { epoch: snapshot.epoch, seq: snapshot.seq };
    this.table.replace(snapshot.calls);
    // The first load shows the table as it is; only later resyncs highlight what is new.
    const seenAt = snapshot.reason === 'initial' ? localNow - FRESH_MS : localNow;
    // Listed calls the snapshot no longer holds ended while we were away: they fade out. (An
    // empty list, a tab's first snapshot, has none: no set of 10,000 ids to build then.)
    const before = this.listed.size === 0 ? null : new Map(this.listed);
    for (const record of snapshot.calls) {
      if (record.phase === 'ended') continue;
      const listed = before?.get(record.id);
      before?.delete(record.id);
      this.#list(record.id, { record, seenAt: listed?.seenAt ?? seenAt, endedAt: null });
    }
    for (const [id, listed] of before ?? []) {
      if (listed.endedAt === null) this.#list(id, { ...listed, endedAt: localNow });
    }
    this.sources.clear();
    for (const source of snapshot.sources) this.sources.set(source.source, source);
    // A backend older than alarms sends none (a rolling upgrade): nothing is active then.
    this.alarms.replace(snapshot.alarms ?? [], localNow);
    this.connection.onSnapshot(snapshot.reason, snapshot.calls.length, localNow);
  }

  /** Lists a call (or lists it anew), keeping track of the ones that fade out. */
  #list(id: string, entry: ListedCall): void {
    this.listed.set(id, entry);
    if (entry.endedAt === null) this.#fading.delete(id);
    else this.#fading.add(id);
  }

  /** Drops rows whose fade is over and, now and then, old tombstones. (Alarms expire apart.) */
  expire(localNow: number): boolean {
    let dropped = false;
    for (const id of this.#fading) {
      const endedAt = this.listed.get(id)?.endedAt ?? null;
      if (endedAt !== null && localNow - endedAt < FADE_MS) continue;
      this.#fading.delete(id);
      if (endedAt === null) continue;
      this.listed.delete(id);
      dropped = true;
    }
    if (localNow - this.#lastSweep >= SWEEP_EVERY_MS) {
      this.#lastSweep = localNow;
      this.table.sweep(this.clock.now(localNow));
    }
    return dropped;
  }

  /** Forgets everything: on logout or when another user signs in. */
  reset(): void {
    this.table.clear();
    this.listed.clear();
    this.#fading.clear();
    this.sources.clear();
    this.alarms.clear();
    this.stats = null;
    this.role = null;
    this.#position = null;
    this.#queue = [];
    this.connection.reset();
  }
}
