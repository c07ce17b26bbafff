// How a stream starts: the opening (retry, connected, then the replay of what the client
// missed or a snapshot with its reason), written page by page with backpressure so a start
// never holds more than one page and the socket's queue, whatever the log holds; then the
// hand-over to live delivery of what arrived meanwhile. The rules are
// docs/interface/ordering.md's; the store answers.
import { formatEventId, type ConnectedPayload, type SnapshotReason } from '@live-calls/protocol';
import type { Metrics } from '../metrics.js';
import type { LiveStore, ReplayRead } from '../store/live-store.js';
import { recordViewOf } from '../store/record-views.js';
import type { LiveClient } from './live-client.js';
import type { SnapshotReads } from './snapshot-reads.js';
import {
  logEventFrame,
  retryFrame,
  eventFrame,
  slices,
  snapshotParts,
  SharedFrames,
} from './sse-frames.js';
import { startRequest } from './start-position.js';

/** Log events read, scoped and written at a time while replaying. */
export const REPLAY_PAGE = 200;

export interface StreamStartOptions {
  store: LiveStore;
  snapshots: SnapshotReads;
  metrics: Metrics;
  heartbeatMs: number;
  retryMs: number;
  now: () => number;
}

function snapshotReason(kind: Exclude<ReplayRead['kind'], 'replay'>): SnapshotReason {
  return kind === 'expired' ? 'resume_expired' : kind === 'epoch_changed' ? kind : 'invalid_id';
}

export class StreamStarter {
  readonly #store: LiveStore;
  readonly #snapshots: SnapshotReads;
  readonly #metrics: Metrics;
  readonly #heartbeatMs: number;
  readonly #retryMs: number;
  readonly #now: () => number;
  /** Frames of the live events that starting streams buffered, shared as they go live. */
  readonly #buffered = new SharedFrames();

  constructor(options: StreamStartOptions) {
    this.#store = options.store;
    this.#snapshots = options.snapshots;
    this.#metrics = options.metrics;
    this.#heartbeatMs = options.heartbeatMs;
    this.#retryMs = options.retryMs;
    this.#now = options.now;
  }

  /**
   * Writes a new stream's opening; the client's position is then where it leaves off.
   * False when the client went away or was cut meanwhile.
   */
  async open(client: LiveClient, lastEventId: string | undefined): Promise<boolean> {
    const request = startRequest(lastEventId);
    if (request.kind === 'snapshot') return this.sendSnapshot(client, request.reason, true);
    const { epoch, seq } = request.from;
    let page = await this.#store.replay(epoch, seq, REPLAY_PAGE);
    if (page.kind !== 'replay') return this.sendSnapshot(client, snapshotReason(page.kind), true);
    // The log's head when the replay began: pages are read up to it; later events reach the
    // stream live (buffered meanwhile).
    const target = page.seq;
    client.startAt(epoch, seq);
    this.#metrics.resumes.inc({ outcome: 'replayed' });
    if (!(await client.send(retryFrame(this.#retryMs) + this.#connected(client, target))))
      return false;
    for (;;) {
      let frames = '';
      for (const event of page.events) {
        if (!client.sees(event)) continue;
        frames += logEventFrame(epoch, event, client.scope.redacted);
        // The stream's position is its own last event, never another tenant's: it is what
        // `ping` reports. Live events buffered meanwhile are filtered against it, which is
        // exact, since every visible event up to the page's end is in these frames.
        client.startAt(epoch, event.seq);
      }
      if (!(await client.send(frames))) return false;
      const last = page.events.at(-1);
      if (last === undefined || last.seq >= target) return true;
      page = await this.#store.replay(epoch, last.seq, REPLAY_PAGE);
      // Trimmed or replaced while replaying: what was sent stays valid (ids still increase),
      // and a snapshot of now replaces the rest.
      if (page.kind !== 'replay') return this.sendSnapshot(client, snapshotReason(page.kind));
    }
  }

  /**
   * Writes a `snapshot` of the client's scope, read after this call, in slices with
   * backpressure; sets the client's position to it. `opening` puts retry and connected
   * first. False when the client went away or was cut meanwhile.
   */
  async sendSnapshot(
    client: LiveClient,
    reason: SnapshotReason,
    opening = false,
  ): Promise<boolean> {
    const snapshot = await this.#snapshots.read(
      client.scope.company_id,
      recordViewOf(client.scope),
    );
    if (client.state === 'closed') return false;
    client.startAt(snapshot.epoch, snapshot.seq);
    this.#metrics.resumes.inc({ outcome: `snapshot_${reason}` });
    const { head, calls, tail } = snapshotParts(
      snapshot,
      client.scope.sources,
      this.#now(),
      reason,
    );
    const prefix = opening ? retryFrame(this.#retryMs) + this.#connected(client, snapshot.seq) : '';
    const id = formatEventId(snapshot.epoch, snapshot.seq);
    if (!(await client.send(`${prefix}id: ${id}\nevent: snapshot\ndata: ${head}`))) return false;
    for (const slice of slices(calls)) if (!(await client.send(slice))) return false;
    return client.send(`${tail}\n\n`);
  }

  /**
   * The `connected` frame. Its seq is where the stream starts for roles that see every
   * company; a stream narrowed to one company gets its own position instead, so no tenant
   * learns the platform's event count.
   */
  #connected(client: LiveClient, headSeq: number): string {
    const payload: ConnectedPayload = {
      stream_id: client.identity.streamId,
      epoch: client.epoch ?? '',
      seq: client.scope.company_id === null ? headSeq : client.seq,
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
      client.offer(epoch, event, this.#buffered.frame(epoch, event, client.scope.redacted));
    }
    client.flush();
  }
}
