// How a stream starts: the opening frames (retry, connected, then the replay of what the
// client missed or a snapshot with its reason), and the hand-over to live delivery of what
// arrived meanwhile. The rules are docs/interface/ordering.md's; the store answers.
import { formatEventId, type ConnectedPayload, type SnapshotReason } from '@live-calls/protocol';
import type { Metrics } from '../metrics.js';
import type { LiveStore, LogEvent, RecordView, SnapshotData } from '../store/live-store.js';
import type { LiveClient } from './live-client.js';
import { eventFrame, logEventFrame, retryFrame, snapshotJson } from './sse-frames.js';
import { startRequest } from './start-position.js';

export interface StreamStartOptions {
  store: LiveStore;
  metrics: Metrics;
  heartbeatMs: number;
  retryMs: number;
  now: () => number;
}

/** Which stored view of the records a client reads: `user` is without `sip`. */
export function recordViewOf(client: LiveClient): RecordView {
  return client.scope.redacted ? 'user' : 'full';
}

export class StreamStarter {
  readonly #store: LiveStore;
  readonly #metrics: Metrics;
  readonly #heartbeatMs: number;
  readonly #retryMs: number;
  readonly #now: () => number;

  constructor(options: StreamStartOptions) {
    this.#store = options.store;
    this.#metrics = options.metrics;
    this.#heartbeatMs = options.heartbeatMs;
    this.#retryMs = options.retryMs;
    this.#now = options.now;
  }

  /** The opening of a new stream; the client's position is set to where it leaves off. */
  async opening(client: LiveClient, lastEventId: string | undefined): Promise<string> {
    const request = startRequest(lastEventId);
    if (request.kind === 'snapshot') return this.#withSnapshot(client, request.reason);
    const read = await this.#store.replay(request.from.epoch, request.from.seq);
    if (read.kind !== 'replay') {
      const reason: SnapshotReason =
        read.kind === 'expired'
          ? 'resume_expired'
          : read.kind === 'epoch_changed'
            ? 'epoch_changed'
            : 'invalid_id';
      return this.#withSnapshot(client, reason);
    }
    client.startAt(read.epoch, read.seq);
    this.#metrics.resumes.inc({ outcome: 'replayed' });
    return (
      retryFrame(this.#retryMs) +
      this.#connected(client) +
      replayFrames(client, read.epoch, read.events)
    );
  }

  async #withSnapshot(client: LiveClient, reason: SnapshotReason): Promise<string> {
    const snapshot = await this.#store.snapshot(client.scope.company_id, recordViewOf(client));
    const frame = this.snapshotFrame(client, reason, snapshot);
    return retryFrame(this.#retryMs) + this.#connected(client) + frame;
  }

  /** A `snapshot` frame from a snapshot read for the client's scope; sets its position. */
  snapshotFrame(client: LiveClient, reason: SnapshotReason, snapshot: SnapshotData): string {
    client.startAt(snapshot.epoch, snapshot.seq);
    this.#metrics.resumes.inc({ outcome: `snapshot_${reason}` });
    const data = snapshotJson(snapshot, client.scope.sources, this.#now(), reason);
    return eventFrame('snapshot', data, formatEventId(snapshot.epoch, snapshot.seq));
  }

  #connected(client: LiveClient): string {
    const payload: ConnectedPayload = {
      stream_id: client.identity.streamId,
      epoch: client.epoch ?? '',
      seq: client.seq,
      role: client.identity.role,
      company_id: client.scope.company_id,
      heartbeat_ms: this.#heartbeatMs,
      server_time: this.#now(),
    };
    return eventFrame('connected', JSON.stringify(payload));
  }

  /** Delivers what arrived while starting, then the client takes live events directly. */
  goLive(client: LiveClient): void {
    for (const { epoch, event } of client.goLive()) {
      client.offer(epoch, event, logEventFrame(epoch, event, client.scope.redacted));
    }
    client.flush();
  }
}

function replayFrames(client: LiveClient, epoch: string, events: readonly LogEvent[]): string {
  const frames: string[] = [];
  for (const event of events) {
    if (client.sees(event)) frames.push(logEventFrame(epoch, event, client.scope.redacted));
  }
  return frames.join('');
}
