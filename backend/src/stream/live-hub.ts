// Fan-out: this instance tails the replay log once and writes each event to every client
// allowed to see it. Each event is framed at most once per view (full, user) and shared;
// each client gets one coalesced write per batch; one heartbeat timer serves all.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  canSee,
  formatEventId,
  type ConnectedPayload,
  type SnapshotReason,
} from '@live-calls/protocol';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type {
  LiveStore,
  LogBatch,
  LogEvent,
  RecordView,
  SnapshotData,
} from '../store/live-store.js';
import {
  LiveClient,
  type ClientIdentity,
  type ClientLimits,
  type CloseCause,
} from './live-client.js';
import { userView } from '../store/record-views.js';
import { eventFrame, retryFrame, snapshotJson } from './sse-frames.js';
import { startRequest } from './start-position.js';

export interface LiveHubOptions {
  store: LiveStore;
  metrics: Metrics;
  log: Logger;
  heartbeatMs: number;
  /** How often every stream gets its scope's `stats` (CONTRACT §6: 5 s). */
  statsIntervalMs?: number;
  retryMs: number;
  limits: Omit<ClientLimits, 'maxStartBuffer'> & { maxStartBuffer?: number };
  now?: () => number;
}

const DEFAULT_START_BUFFER = 200_000;
export const STATS_INTERVAL_MS = 5_000;
/** Stats reads issued together in one slice of a round. */
const STATS_SLICE = 25;
/** How often open streams are checked against their token's expiry. */
const EXPIRY_CHECK_MS = 1_000;

function viewOf(client: LiveClient): RecordView {
  return client.scope.redacted ? 'user' : 'full';
}

export class LiveHub {
  readonly #store: LiveStore;
  readonly #metrics: Metrics;
  readonly #log: Logger;
  readonly #heartbeatMs: number;
  readonly #statsIntervalMs: number;
  readonly #retryMs: number;
  readonly #limits: ClientLimits;
  readonly #now: () => number;
  readonly #clients = new Set<LiveClient>();
  /** Clients that see every company's calls. */
  readonly #unscoped = new Set<LiveClient>();
  /** Clients narrowed to one company, by company. */
  readonly #byCompany = new Map<string, Set<LiveClient>>();
  readonly #sourceClients = new Set<LiveClient>();
  #epoch: string | undefined;
  /** Epochs this instance has seen replaced; a stream still at one of them is behind. */
  readonly #pastEpochs = new Set<string>();
  #seq = 0;
  #heartbeat: NodeJS.Timeout | undefined;
  #statsTimer: NodeJS.Timeout | undefined;
  /** A stats round still reading (slow store) is not overlapped by the next. */
  #statsBusy = false;
  #expiry: NodeJS.Timeout | undefined;
  #accepting = true;

  constructor(options: LiveHubOptions) {
    this.#store = options.store;
    this.#metrics = options.metrics;
    this.#log = options.log;
    this.#heartbeatMs = options.heartbeatMs;
    this.#statsIntervalMs = options.statsIntervalMs ?? STATS_INTERVAL_MS;
    this.#retryMs = options.retryMs;
    this.#limits = { maxStartBuffer: DEFAULT_START_BUFFER, ...options.limits };
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#clients.size;
  }

  get accepting(): boolean {
    return this.#accepting;
  }

  start(): void {
    this.#store.tail((batch) => this.#onBatch(batch));
    this.#heartbeat = setInterval(() => this.#ping(), this.#heartbeatMs);
    this.#heartbeat.unref();
    this.#statsTimer = setInterval(() => void this.#statsRound(), this.#statsIntervalMs);
    this.#statsTimer.unref();
    this.#expiry = setInterval(() => this.#expireSessions(), EXPIRY_CHECK_MS);
    this.#expiry.unref();
  }

  /** Opens a stream on a response whose SSE headers are already sent. */
  async open(
    res: ServerResponse,
    identity: Omit<ClientIdentity, 'streamId'>,
    lastEventId: string | undefined,
  ): Promise<void> {
    const client = new LiveClient({ ...identity, streamId: randomUUID() }, res, this.#limits);
    this.#register(client);
    res.on('close', () => client.close('client_left'));
    try {
      await this.#begin(client, lastEventId);
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'stream start failed');
      client.close('start_failed');
    }
  }

  async #begin(client: LiveClient, lastEventId: string | undefined): Promise<void> {
    const request = startRequest(lastEventId);
    let body: string;
    if (request.kind === 'resume') {
      const read = await this.#store.replay(request.from.epoch, request.from.seq);
      if (read.kind === 'replay') {
        client.epoch = read.epoch;
        client.seq = read.seq;
        this.#metrics.resumes.inc({ outcome: 'replayed' });
        body = this.#connected(client) + this.#replayFrames(client, read.epoch, read.events);
      } else {
        const reason: SnapshotReason =
          read.kind === 'expired'
            ? 'resume_expired'
            : read.kind === 'epoch_changed'
              ? 'epoch_changed'
              : 'invalid_id';
        body = await this.#snapshotBody(client, reason);
      }
    } else {
      body = await this.#snapshotBody(client, request.reason);
    }
    if (client.state === 'closed') return;
    client.write(retryFrame(this.#retryMs) + body);
    this.#goLive(client);
  }

  async #snapshotBody(
    client: LiveClient,
    reason: SnapshotReason,
    shared?: SnapshotData,
  ): Promise<string> {
    const snapshot =
      shared ?? (await this.#store.snapshot(client.scope.company_id, viewOf(client)));
    client.epoch = snapshot.epoch;
    client.seq = snapshot.seq;
    this.#metrics.resumes.inc({ outcome: `snapshot_${reason}` });
    const data = snapshotJson(snapshot, client.scope.sources, this.#now(), reason);
    const frame = eventFrame('snapshot', data, formatEventId(snapshot.epoch, snapshot.seq));
    return (shared === undefined ? this.#connected(client) : '') + frame;
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

  #replayFrames(client: LiveClient, epoch: string, events: readonly LogEvent[]): string {
    const frames: string[] = [];
    for (const event of events) {
      if (this.#visible(client, event))
        frames.push(this.#frame(epoch, event, client.scope.redacted));
    }
    return frames.join('');
  }

  /** Delivers what arrived while starting, then takes live events directly. */
  #goLive(client: LiveClient): void {
    const buffered = client.startBuffer;
    client.startBuffer = [];
    client.state = 'live';
    for (const { epoch, event } of buffered) {
      if (epoch === client.epoch && event.seq > client.seq && this.#visible(client, event)) {
        client.offer(epoch, event, this.#frame(epoch, event, client.scope.redacted));
      }
    }
    this.#flush(client);
    // The epoch moved on while this stream was starting from the old one: resynchronise it
    // like the others (it would otherwise wait for events of an epoch that is gone).
    if (
      this.#epoch !== undefined &&
      client.epoch !== undefined &&
      this.#pastEpochs.has(client.epoch)
    ) {
      void this.#resyncAll(this.#epoch);
    }
  }

  #visible(client: LiveClient, event: LogEvent): boolean {
    return event.name === 'source'
      ? client.scope.sources
      : canSee(client.scope, { company_id: event.company });
  }

  #frame(epoch: string, event: LogEvent, redacted: boolean): string {
    return eventFrame(
      event.name,
      redacted ? userView(event) : event.data,
      formatEventId(epoch, event.seq),
    );
  }

  #onBatch(batch: LogBatch): void {
    const previous = this.#epoch;
    if (batch.epoch !== previous) {
      this.#epoch = batch.epoch;
      this.#seq = 0;
      if (previous !== undefined) {
        this.#pastEpochs.add(previous);
        void this.#resyncAll(batch.epoch);
      }
    }
    const events = batch.events;
    const first = events[0];
    const last = events.at(-1);
    if (first === undefined || last === undefined) return;
    this.#seq = last.seq;
    // Full-view frames are needed by nearly every batch; user-view ones only when a user
    // client is touched, so they are made on demand, each at most once.
    const full = events.map((event) => this.#frame(batch.epoch, event, false));
    const user: (string | undefined)[] = [];
    const frameAt = (i: number, redacted: boolean) =>
      redacted ? (user[i] ??= this.#frame(batch.epoch, events[i]!, true)) : full[i]!;

    // Clients that see everything and are exactly at the batch's start share one chunk.
    let shared: string | undefined;
    for (const client of this.#unscoped) {
      if (
        client.state === 'live' &&
        client.epoch === batch.epoch &&
        client.seq < first.seq &&
        !client.scope.redacted
      ) {
        client.seq = last.seq;
        client.pending.push((shared ??= full.join('')));
        this.#flush(client);
      } else {
        for (let i = 0; i < events.length; i++)
          client.offer(batch.epoch, events[i]!, frameAt(i, client.scope.redacted));
        this.#flush(client);
      }
    }

    const touched = new Set<LiveClient>();
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      const targets =
        event.name === 'source'
          ? this.#sourceClients
          : event.company === null
            ? undefined
            : this.#byCompany.get(event.company);
      if (targets === undefined) continue;
      for (const client of targets) {
        if (client.scope.company_id === null) continue; // served above
        if (client.offer(batch.epoch, event, frameAt(i, client.scope.redacted)))
          touched.add(client);
      }
    }
    for (const client of touched) this.#flush(client);
  }

  #flush(client: LiveClient): void {
    const bytes = client.flush();
    if (bytes > 0) {
      this.#metrics.fanoutWrites.inc();
      this.#metrics.fanoutBytes.inc(bytes);
    }
  }

  /** The epoch changed under live clients: each gets a fresh snapshot, one read per scope. */
  async #resyncAll(epoch: string): Promise<void> {
    const groups = new Map<
      string,
      { company: string | null; view: RecordView; clients: LiveClient[] }
    >();
    for (const client of this.#clients) {
      if (client.state !== 'live' || client.epoch === epoch) continue;
      client.state = 'starting';
      const company = client.scope.company_id;
      const view = viewOf(client);
      const key = `${view}\u0000${company ?? ''}`;
      const group = groups.get(key) ?? { company, view, clients: [] };
      group.clients.push(client);
      groups.set(key, group);
    }
    for (const { company, view, clients } of groups.values()) {
      try {
        const snapshot = await this.#store.snapshot(company, view);
        for (const client of clients) {
          if (client.state !== 'starting') continue;
          client.write(await this.#snapshotBody(client, 'epoch_changed', snapshot));
          this.#goLive(client);
        }
      } catch (err) {
        this.#log.warn(
          { err: (err as Error).message },
          'resync after epoch change failed; cutting streams',
        );
        for (const client of clients) client.close('start_failed');
      }
    }
  }

  #ping(): void {
    if (this.#epoch === undefined) return;
    const frame = eventFrame('ping', `{"server_time":${this.#now()},"seq":${this.#seq}}`);
    for (const client of this.#clients) {
      if (client.state !== 'live') continue;
      client.pending.push(frame);
      this.#flush(client);
    }
  }

  /**
   * Every live stream gets its scope's stats: one store read and one frame per scope
   * company (null = all), shared by every client of that scope, whatever its role.
   */
  async #statsRound(): Promise<void> {
    if (this.#statsBusy) return;
    this.#statsBusy = true;
    try {
      await this.#pushStats();
    } finally {
      this.#statsBusy = false;
    }
  }

  async #pushStats(): Promise<void> {
    const scopes = new Map<string | null, LiveClient[]>();
    for (const client of this.#clients) {
      if (client.state !== 'live') continue;
      const company = client.scope.company_id;
      const group = scopes.get(company);
      if (group === undefined) scopes.set(company, [client]);
      else group.push(client);
    }
    if (scopes.size === 0) return;
    const now = this.#now();
    // Hundreds of tenant scopes are read in slices spread over half the interval, so a
    // stats round never lands on the store (and on live latency) as one burst.
    const entries = [...scopes];
    const slices = Math.ceil(entries.length / STATS_SLICE);
    const gapMs = slices > 1 ? Math.floor(this.#statsIntervalMs / 2 / slices) : 0;
    for (let i = 0; i < entries.length; i += STATS_SLICE) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, gapMs).unref());
      if (!this.#accepting) return;
      await Promise.all(
        entries
          .slice(i, i + STATS_SLICE)
          .map(([company, clients]) => this.#pushScopeStats(company, clients, now)),
      );
    }
  }

  async #pushScopeStats(company: string | null, clients: LiveClient[], now: number): Promise<void> {
    let frame: string;
    try {
      frame = eventFrame('stats', JSON.stringify(await this.#store.stats(company, now)));
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'stats read failed; skipped this round');
      return;
    }
    for (const client of clients) {
      if (client.state !== 'live') continue;
      client.pending.push(frame);
      this.#flush(client);
    }
  }

  /** At a token's `exp` the stream is told and closed (CONTRACT §6); the browser logs in again and resumes. */
  #expireSessions(): void {
    const now = this.#now();
    for (const client of this.#clients) {
      if (client.identity.expiresAt > now) continue;
      client.write(eventFrame('session.expired', `{"server_time":${now}}`));
      client.close('session_expired');
    }
  }

  #register(client: LiveClient): void {
    this.#clients.add(client);
    const company = client.scope.company_id;
    if (company === null) this.#unscoped.add(client);
    else {
      let set = this.#byCompany.get(company);
      if (set === undefined) this.#byCompany.set(company, (set = new Set()));
      set.add(client);
    }
    if (client.scope.sources) this.#sourceClients.add(client);
    this.#metrics.connections.inc({ role: client.identity.role });
    client.onClose((cause) => this.#unregister(client, cause));
  }

  #unregister(client: LiveClient, cause: CloseCause): void {
    if (!this.#clients.delete(client)) return;
    this.#unscoped.delete(client);
    const company = client.scope.company_id;
    if (company !== null) {
      const set = this.#byCompany.get(company);
      set?.delete(client);
      if (set?.size === 0) this.#byCompany.delete(company);
    }
    this.#sourceClients.delete(client);
    this.#metrics.connections.dec({ role: client.identity.role });
    if (cause === 'queue_full' || cause === 'write_timeout') {
      this.#metrics.slowClientDisconnects.inc({ cause });
      this.#log.info({ streamId: client.identity.streamId, cause }, 'slow client cut');
    }
  }

  /**
   * Graceful shutdown: refuse new streams, tell each open one to come back after a spread
   * delay (so they do not all return at once), and close it.
   */
  shutdown(spreadMs = 5_000): void {
    this.#accepting = false;
    clearInterval(this.#heartbeat);
    clearInterval(this.#statsTimer);
    clearInterval(this.#expiry);
    for (const client of [...this.#clients]) {
      client.write(retryFrame(this.#retryMs + Math.floor(Math.random() * spreadMs)));
      client.close('shutdown');
    }
  }
}
