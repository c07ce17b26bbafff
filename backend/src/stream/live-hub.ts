// The streams of this instance: it tails the replay log once and hands each batch to the
// fan-out, starts new streams, and owns the timers every stream shares (heartbeat, stats
// rounds, session expiry). The parts: client-registry (who sees what), stream-start
// (snapshot or replay, then live), fanout (live delivery), epoch-resync, stats-rounds.
import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { LiveStore, LogBatch } from '../store/live-store.js';
import { ClientRegistry, type StreamLimit, type StreamLimits } from './client-registry.js';
import { EpochResync } from './epoch-resync.js';
import { fanOut } from './fanout.js';
import { LiveClient, type ClientIdentity, type ClientLimits } from './live-client.js';
import { SnapshotReads } from './snapshot-reads.js';
import { eventFrame, retryFrame } from './sse-frames.js';
import { StatsRounds } from './stats-rounds.js';
import { StreamStarter } from './stream-start.js';

export interface LiveHubOptions {
  store: LiveStore;
  metrics: Metrics;
  log: Logger;
  heartbeatMs: number;
  /** How often every stream gets its scope's `stats`. */
  statsIntervalMs?: number;
  retryMs: number;
  limits: Omit<ClientLimits, 'maxStartBuffer'> & { maxStartBuffer?: number };
  /** Open streams per user and per client address on this instance. */
  streamLimits: StreamLimits;
  now?: () => number;
}

const DEFAULT_START_BUFFER = 200_000;
/** How often open streams are checked against their token's expiry. */
const EXPIRY_CHECK_MS = 1_000;
/**
 * Streams are pinged in this many phases spread over the heartbeat interval: each stream keeps
 * its phase, so it is still pinged once per interval, but 5,000 streams never get 5,000 pings
 * (and their readers 5,000 wake-ups) in the same few milliseconds.
 */
const PING_PHASES = 15;
/**
 * Streams pinged in one turn of the event loop: a socket write costs ~10–100 µs here, and
 * the live events' fan-out waits for the turn to end (a CPU profile of the customer portal
 * showed one turn of 337 pings at 37 ms, and the fan-out's next batch grown by as much).
 */
const PING_SLICE = 50;

export class LiveHub {
  readonly #store: LiveStore;
  readonly #log: Logger;
  readonly #heartbeatMs: number;
  readonly #retryMs: number;
  readonly #limits: ClientLimits;
  readonly #now: () => number;
  readonly #countFlush: (bytes: number) => void;
  readonly #clients: ClientRegistry;
  readonly #snapshots: SnapshotReads;
  readonly #starter: StreamStarter;
  readonly #epochs: EpochResync;
  readonly #stats: StatsRounds;
  #heartbeat: NodeJS.Timeout | undefined;
  /** The phase the next heartbeat tick pings, and the one the next new stream joins. */
  #pingTick = 0;
  #nextPingPhase = 0;
  #expiry: NodeJS.Timeout | undefined;
  #accepting = true;

  constructor(options: LiveHubOptions) {
    const { store, metrics, log } = options;
    this.#store = store;
    this.#log = log;
    this.#heartbeatMs = options.heartbeatMs;
    this.#retryMs = options.retryMs;
    this.#limits = { maxStartBuffer: DEFAULT_START_BUFFER, ...options.limits };
    this.#now = options.now ?? Date.now;
    this.#countFlush = (bytes) => {
      metrics.fanoutWrites.inc();
      metrics.fanoutBytes.inc(bytes);
    };
    this.#clients = new ClientRegistry(metrics, log, options.streamLimits);
    this.#snapshots = new SnapshotReads(store);
    this.#starter = new StreamStarter({
      store,
      snapshots: this.#snapshots,
      metrics,
      heartbeatMs: options.heartbeatMs,
      retryMs: options.retryMs,
      now: this.#now,
    });
    this.#epochs = new EpochResync(this.#clients, this.#starter, log);
    this.#stats = new StatsRounds({
      store,
      clients: this.#clients,
      log,
      intervalMs: options.statsIntervalMs,
      now: this.#now,
    });
  }

  get size(): number {
    return this.#clients.size;
  }

  get accepting(): boolean {
    return this.#accepting;
  }

  /** The limit a new stream of `sub` from `ip` would break, or null when it may open. */
  limitReached(sub: string, ip: string): StreamLimit | null {
    return this.#clients.limitReached(sub, ip);
  }

  start(): void {
    this.#store.tail((batch) => this.#onBatch(batch));
    this.#heartbeat = setInterval(() => this.#ping(), this.#heartbeatMs / PING_PHASES);
    this.#heartbeat.unref();
    this.#stats.start();
    this.#expiry = setInterval(() => this.#expireSessions(), EXPIRY_CHECK_MS);
    this.#expiry.unref();
  }

  /** Opens a stream on a connection whose SSE response head is already sent. */
  async open(
    sink: Writable,
    identity: Omit<ClientIdentity, 'streamId'>,
    lastEventId: string | undefined,
  ): Promise<void> {
    const client = new LiveClient(
      { ...identity, streamId: randomUUID() },
      sink,
      this.#limits,
      this.#countFlush,
      this.#nextPingPhase++ % PING_PHASES,
    );
    this.#clients.add(client);
    sink.on('close', () => client.close('client_left'));
    let opened: boolean;
    try {
      opened = await this.#starter.open(client, lastEventId);
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'stream start failed');
      client.close('start_failed');
      return;
    }
    if (opened) this.#epochs.goLive(client);
  }

  /** Snapshot reads shared by the streams (and the HTTP snapshot) that need one at once. */
  get snapshots(): SnapshotReads {
    return this.#snapshots;
  }

  #onBatch(batch: LogBatch): void {
    this.#epochs.observe(batch.epoch);
    if (batch.gap === true) this.#epochs.resyncAfterGap();
    fanOut(batch, this.#clients);
  }

  /**
   * Every live stream's sign of life. Its seq is the stream's own position: the newest
   * event for roles that see everything, a tenant's own last event for a narrowed stream.
   */
  #ping(): void {
    const phase = this.#pingTick++ % PING_PHASES;
    if (this.#epochs.current === undefined) return;
    const due: LiveClient[] = [];
    for (const client of this.#clients.all()) if (client.pingPhase === phase) due.push(client);
    this.#pingFrom(due, 0);
  }

  /**
   * Thousands of streams of one phase are pinged a slice at a time, each slice in its own turn
   * of the event loop: one loop over 5,000 streams is 5,000 socket writes in a row, long enough
   * to hold live events back (the customer portal's p99).
   */
  #pingFrom(clients: LiveClient[], from: number): void {
    const now = this.#now();
    const end = Math.min(clients.length, from + PING_SLICE);
    for (let i = from; i < end; i++) {
      const client = clients[i]!;
      if (client.state !== 'live') continue;
      client.offerFrame(eventFrame('ping', `{"server_time":${now},"seq":${client.seq}}`));
      client.flush();
    }
    if (end < clients.length && this.#accepting) setImmediate(() => this.#pingFrom(clients, end));
  }

  /** At a token's `exp` the stream is told and closed; the browser logs in again and resumes. */
  #expireSessions(): void {
    const now = this.#now();
    for (const client of this.#clients.all()) {
      if (client.identity.expiresAt > now) continue;
      client.write(eventFrame('session.expired', `{"server_time":${now}}`));
      client.close('session_expired');
    }
  }

  /**
   * Graceful shutdown: refuse new streams, tell each open one to come back after a spread
   * delay (so they do not all return at once), and close it.
   */
  shutdown(spreadMs = 5_000): void {
    this.#accepting = false;
    clearInterval(this.#heartbeat);
    clearInterval(this.#expiry);
    this.#stats.stop();
    for (const client of [...this.#clients.all()]) {
      client.write(retryFrame(this.#retryMs + Math.floor(Math.random() * spreadMs)));
      client.close('shutdown');
    }
  }
}
