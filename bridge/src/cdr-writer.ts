// Durable CDRs: the final record of every ended call goes to JetStream stream CDR, subject
// cdr.raw, message id = record id, so a retry after a lost ack is deduplicated by the
// server. Records wait in a bounded in-memory queue while JetStream is unreachable and
// are retried until acknowledged; when the queue is full, new CDRs are dropped and counted
// (the oldest unacknowledged ones are the likeliest to be wanted by billing already).
import { CDR_STREAM, CDR_SUBJECT, backoffDelay, type CallRecord } from '@live-calls/protocol';
import {
  JetStreamApiError,
  StorageType,
  jetstream,
  jetstreamManager,
  type JetStreamClient,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { STREAM_NAME_IN_USE, isNoStream } from './jetstream-errors.js';
import type { BridgeMetrics } from './metrics.js';

export interface CdrWriterOptions {
  bufferMax: number;
  maxAgeMs: number;
  maxBytes: number;
  duplicateWindowMs: number;
  replicas: number;
  /** How long one publish waits for its ack. */
  ackTimeoutMs?: number;
  /** Publishes in flight at once. */
  concurrency?: number;
  retryMinMs?: number;
  retryMaxMs?: number;
}

export class CdrWriter {
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #opts: Required<CdrWriterOptions>;
  readonly #metrics: BridgeMetrics;
  readonly #log: Logger;
  #queue: CallRecord[] = [];
  #inflight = 0;
  #streamReady = false;
  #running = false;
  #closed = false;
  #failures = 0;
  #connected = true;
  #sleep: { timer: NodeJS.Timeout | undefined; wake: () => void } | undefined;
  #idleWaiters: (() => void)[] = [];
  readonly #stored: (record: CallRecord) => void;

  /** `stored` hears of every CDR JetStream acknowledged (the bridge forgets the call then). */
  constructor(
    nc: NatsConnection,
    opts: CdrWriterOptions,
    metrics: BridgeMetrics,
    log: Logger,
    stored: (record: CallRecord) => void = () => undefined,
  ) {
    this.#nc = nc;
    this.#stored = stored;
    this.#js = jetstream(nc);
    this.#opts = {
      ackTimeoutMs: 5_000,
      concurrency: 64,
      retryMinMs: 200,
      retryMaxMs: 5_000,
      ...opts,
    };
    this.#metrics = metrics;
    this.#log = log;
  }

  /** CDRs not yet acknowledged (queued or in flight). */
  get pending(): number {
    return this.#queue.length + this.#inflight;
  }

  /** Queues one ended call's record. False when the buffer is full and it was dropped. */
  write(record: CallRecord): boolean {
    if (this.pending >= this.#opts.bufferMax) {
      this.#metrics.cdrDropped.inc();
      this.#log.warn({ id: record.id }, 'CDR buffer full, CDR dropped');
      return false;
    }
    this.#queue.push(record);
    this.#metrics.cdrBuffered.set(this.pending);
    this.#pump();
    return true;
  }

  /**
   * Follows the connection: while it is away nothing new is sent (nats.js would drop a
   * publish made then when it dials again, and it would only fail after its ack timeout);
   * once it is back, a retry wait is cut short.
   */
  setConnected(connected: boolean): void {
    this.#connected = connected;
    if (connected) this.#sleep?.wake();
  }

  /** Resolves true once everything queued is acknowledged, false after `timeoutMs`. */
  flush(timeoutMs: number): Promise<boolean> {
    if (this.pending === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#idleWaiters = this.#idleWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#idleWaiters.push(done);
      this.#sleep?.wake();
    });
  }

  /** Stops retrying; what is still queued is lost (flush first). */
  close(): void {
    this.#closed = true;
    this.#sleep?.wake();
  }

  #pump(): void {
    if (this.#running || this.#closed) return;
    this.#running = true;
    this.#drain()
      .catch((err: unknown) => this.#log.error({ err }, 'CDR writer stopped unexpectedly'))
      .finally(() => {
        this.#running = false;
        // A write may have arrived after the loop decided to stop.
        if (this.#queue.length > 0 && !this.#closed) this.#pump();
      });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0 && !this.#closed && !this.#nc.isClosed()) {
      if (!this.#connected) {
        await this.#wait(Infinity);
        continue;
      }
      if (!this.#streamReady) {
        try {
          await this.#ensureStream();
          this.#streamReady = true;
        } catch (err) {
          this.#log.warn({ err: String(err) }, 'CDR stream not reachable, will retry');
          await this.#backoff();
          continue;
        }
      }
      const batch = this.#queue.splice(0, this.#opts.concurrency);
      this.#inflight = batch.length;
      const results = await Promise.allSettled(batch.map((record) => this.#publish(record)));
      this.#inflight = 0;
      const failed: CallRecord[] = [];
      let lastError: unknown;
      results.forEach((result, i) => {
        if (result.status === 'fulfilled') return;
        failed.push(batch[i] as CallRecord);
        lastError = result.reason;
      });
      if (failed.length > 0) {
        this.#queue.unshift(...failed);
        this.#metrics.cdrRetries.inc(failed.length);
        if (isNoStream(lastError)) this.#streamReady = false;
        this.#log.warn(
          { failed: failed.length, pending: this.pending, err: String(lastError) },
          'CDR publish failed, will retry',
        );
        this.#metrics.cdrBuffered.set(this.pending);
        await this.#backoff();
      } else {
        this.#failures = 0;
        this.#metrics.cdrBuffered.set(this.pending);
      }
    }
    if (this.pending === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  async #publish(record: CallRecord): Promise<void> {
    const ack = await this.#js.publish(CDR_SUBJECT, JSON.stringify(record), {
      msgID: record.id,
      timeout: this.#opts.ackTimeoutMs,
    });
    this.#metrics.cdrAcked.inc();
    if (ack.duplicate) this.#metrics.cdrDuplicates.inc();
    this.#stored(record);
  }

  async #ensureStream(): Promise<void> {
    const jsm = await jetstreamManager(this.#nc, { timeout: this.#opts.ackTimeoutMs });
    try {
      const info = await jsm.streams.info(CDR_STREAM);
      if (!info.config.subjects?.includes(CDR_SUBJECT)) {
        this.#log.error(
          { subjects: info.config.subjects },
          `stream ${CDR_STREAM} exists but does not take ${CDR_SUBJECT}`,
        );
      }
      return;
    } catch (err) {
      if (!isNoStream(err)) throw err;
    }
    try {
      await jsm.streams.add({
        name: CDR_STREAM,
        subjects: [CDR_SUBJECT],
        storage: StorageType.File,
        max_age: nanos(this.#opts.maxAgeMs),
        max_bytes: this.#opts.maxBytes > 0 ? this.#opts.maxBytes : -1,
        duplicate_window: nanos(this.#opts.duplicateWindowMs),
        num_replicas: this.#opts.replicas,
      });
      this.#log.info({ stream: CDR_STREAM }, 'created CDR stream');
    } catch (err) {
      // Another bridge created it first: each bridge creates the stream on first need (the
      // backend only reads CDRs, if anything, and never creates it).
      if (!(err instanceof JetStreamApiError && err.code === STREAM_NAME_IN_USE)) {
        throw err;
      }
    }
  }

  #backoff(): Promise<void> {
    this.#failures++;
    return this.#wait(
      backoffDelay(this.#failures, { minMs: this.#opts.retryMinMs, maxMs: this.#opts.retryMaxMs }),
    );
  }

  /** Sleeps `ms` (Infinity: until woken by setConnected, flush or close). */
  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#sleep = undefined;
        resolve();
      };
      const timer = Number.isFinite(ms) ? setTimeout(wake, ms) : undefined;
      this.#sleep = { timer, wake };
    });
  }
}
