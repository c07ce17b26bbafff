// What the connection badge says: live / reconnecting (attempt n) / offline, how old the
// last sign of life is, and what the last (re)connect did to the table.
import {
  DEFAULT_HEARTBEAT_MS,
  type ConnectedPayload,
  type EventPosition,
  type SnapshotReason,
} from '@live-calls/protocol';

export type LinkState = 'connecting' | 'live' | 'reconnecting' | 'offline';

export type LastSync =
  | { kind: 'snapshot'; reason: SnapshotReason; calls: number; at: number }
  /** `replaying` until the first event past the reconnect point (or a ping) arrives. */
  | { kind: 'resumed'; missed: number; replaying: boolean; at: number };

export interface ConnectionView {
  state: LinkState;
  attempt: number;
  /** Local ms of the last event or ping; null before the first. */
  lastEventAt: number | null;
  lastSync: LastSync | null;
  /** Live, but nothing (not even a ping) for well over a heartbeat. */
  silent: boolean;
  /** Local ms since when the stream has not been live; null while it is. */
  failingSince: number | null;
  /** Local ms of the next reconnect this tab scheduled itself; null if none is pending. */
  retryAt: number | null;
}

/** Reconnecting for longer than this reads as offline. */
const OFFLINE_AFTER_MS = 20_000;
/** A live stream silent for this many heartbeats is presumed dead (a proxy may hold it open). */
const SILENT_AFTER_HEARTBEATS = 2.5;

export class ConnectionTracker {
  #state: LinkState = 'connecting';
  #attempt = 0;
  #failingSince: number | null = null;
  #retryAt: number | null = null;
  #browserOffline = false;
  #lastEventAt: number | null = null;
  #lastSync: LastSync | null = null;
  #connects = 0;
  /** The server's `seq` at connect: replayed events are those at or below it. */
  #replayUpTo: number | null = null;
  /** The stream's ping interval, from `connected`; the server's default until then. */
  #heartbeatMs = DEFAULT_HEARTBEAT_MS;

  onConnected(payload: ConnectedPayload, lastSeen: EventPosition | null, now: number): void {
    this.#state = 'live';
    this.#attempt = 0;
    this.#failingSince = null;
    this.#retryAt = null;
    this.#lastEventAt = now;
    this.#heartbeatMs = payload.heartbeat_ms > 0 ? payload.heartbeat_ms : DEFAULT_HEARTBEAT_MS;
    this.#connects++;
    this.#replayUpTo = null;
    // A resume only happens when we came with an id of the same epoch; otherwise a snapshot
    // follows and overwrites this.
    if (this.#connects > 1 && lastSeen !== null && lastSeen.epoch === payload.epoch) {
      const replaying = payload.seq > lastSeen.seq;
      this.#lastSync = { kind: 'resumed', missed: 0, replaying, at: now };
      if (replaying) this.#replayUpTo = payload.seq;
    }
  }

  onSnapshot(reason: SnapshotReason, calls: number, now: number): void {
    this.#lastEventAt = now;
    this.#replayUpTo = null;
    this.#lastSync = { kind: 'snapshot', reason, calls, at: now };
  }

  /** A call or source event with an id, after the duplicate check passed. */
  onEvent(position: EventPosition | null, now: number): void {
    this.#lastEventAt = now;
    const sync = this.#lastSync;
    if (this.#replayUpTo === null || sync?.kind !== 'resumed') return;
    if (position !== null && position.seq <= this.#replayUpTo) {
      sync.missed++;
      if (position.seq === this.#replayUpTo) this.#endReplay(sync);
    } else {
      this.#endReplay(sync);
    }
  }

  /** Any event without an id (stats, ping): a sign of life. Pings also end a replay. */
  onHeartbeat(now: number, isPing: boolean): void {
    this.#lastEventAt = now;
    const sync = this.#lastSync;
    if (isPing && sync?.kind === 'resumed' && this.#replayUpTo !== null) this.#endReplay(sync);
  }

  #endReplay(sync: Extract<LastSync, { kind: 'resumed' }>): void {
    sync.replaying = false;
    this.#replayUpTo = null;
  }

  /** The stream failed; the browser or we will try again. */
  onError(now: number): void {
    if (this.#state === 'live' || this.#state === 'connecting') {
      this.#attempt = 0;
      this.#failingSince = now;
    }
    this.#state = 'reconnecting';
    this.#attempt++;
    this.#failingSince ??= now;
  }

  /** A reconnect is due at local ms `at` (the back-off after the browser gave up). */
  onRetryScheduled(at: number): void {
    this.#retryAt = at;
  }

  setBrowserOffline(offline: boolean): void {
    this.#browserOffline = offline;
  }

  /** Forget everything (logout, another user). */
  reset(): void {
    this.#state = 'connecting';
    this.#attempt = 0;
    this.#failingSince = null;
    this.#retryAt = null;
    this.#lastEventAt = null;
    this.#lastSync = null;
    this.#connects = 0;
    this.#replayUpTo = null;
  }

  view(now: number): ConnectionView {
    let state = this.#state;
    if (state !== 'live' && this.#browserOffline) state = 'offline';
    if (
      state === 'reconnecting' &&
      this.#failingSince !== null &&
      now - this.#failingSince > OFFLINE_AFTER_MS
    ) {
      state = 'offline';
    }
    const silent =
      state === 'live' &&
      this.#lastEventAt !== null &&
      now - this.#lastEventAt > this.#heartbeatMs * SILENT_AFTER_HEARTBEATS;
    return {
      state,
      attempt: this.#attempt,
      lastEventAt: this.#lastEventAt,
      lastSync: this.#lastSync === null ? null : { ...this.#lastSync },
      silent,
      failingSince: state === 'live' || state === 'connecting' ? null : this.#failingSince,
      retryAt: this.#retryAt !== null && this.#retryAt > now ? this.#retryAt : null,
    };
  }
}
