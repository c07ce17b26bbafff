// The calls this bridge has published, kept in the JetStream key-value bucket
// LIVE_CALLS_BRIDGE so that a restarted bridge can carry on where its predecessor stopped
// (docs/adr/0010-bridge-state-in-jetstream-kv.md): the latest record of each call is put
// when the bridge publishes a change, and the key is removed once the call's CDR is stored.
//
// Writes never hold up the hot path: save() and remove() only queue (KeyedWrites: one write
// per call in flight, a newer write replaces a waiting one, bounded); a pump sends up to
// `concurrency` at once and retries failures with back-off. A removal purges the key's
// subject from the bucket's stream instead of writing a delete marker, so the bucket holds
// nothing but calls not yet closed and a restart reads only those.
import { backoffDelay, validateRecord, type CallRecord } from '@live-calls/protocol';
import {
  DeliverPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { isNoStream } from './jetstream-errors.js';
import { KeyedWrites } from './keyed-writes.js';
import type { BridgeMetrics } from './metrics.js';
import { STATE_BUCKET, sourceToken, stateKey } from './state-key.js';

/** The stream behind the bucket, and the subject prefix of its keys. */
const STATE_STREAM = `KV_${STATE_BUCKET}`;
const KEY_PREFIX = `$KV.${STATE_BUCKET}.`;

export interface CallStateStoreOptions {
  /** Replicas when the bridge creates the bucket (an existing one is used as it is). */
  replicas: number;
  /** Writes waiting or in flight; beyond it new calls' writes are dropped and counted. */
  bufferMax: number;
  /** How long one write waits for its acknowledgement. */
  timeoutMs?: number;
  /** Writes in flight at once. */
  concurrency?: number;
  retryMinMs?: number;
  retryMaxMs?: number;
}

type StateWrite = { op: 'put'; record: CallRecord } | { op: 'delete' };

export class CallStateStore {
  readonly #nc: NatsConnection;
  readonly #source: string;
  readonly #opts: Required<CallStateStoreOptions>;
  readonly #metrics: BridgeMetrics;
  readonly #log: Logger;
  readonly #writes: KeyedWrites<StateWrite>;
  /**
   * Keys a put was taken for sending (or read at start) and not purged since: only those
   * need a purge. Marked when the put leaves the queue, before any wait, so a removal that
   * comes while the put is on its way still purges it.
   */
  readonly #written = new Set<string>();
  #bucket: Promise<{ kv: KV; jsm: JetStreamManager }> | undefined;
  #running = 0;
  #failures = 0;
  #sleep: { timer: NodeJS.Timeout; wake: () => void } | undefined;
  #closed = false;
  #connected = true;
  #idleWaiters: (() => void)[] = [];

  constructor(
    nc: NatsConnection,
    source: string,
    opts: CallStateStoreOptions,
    metrics: BridgeMetrics,
    log: Logger,
  ) {
    this.#nc = nc;
    this.#source = source;
    this.#opts = {
      timeoutMs: 5_000,
      concurrency: 64,
      retryMinMs: 200,
      retryMaxMs: 5_000,
      ...opts,
    };
    this.#writes = new KeyedWrites(this.#opts.bufferMax);
    this.#metrics = metrics;
    this.#log = log;
  }

  /** Writes waiting or in flight. */
  get pending(): number {
    return this.#writes.size;
  }

  /**
   * Reads this source's calls from the bucket (creating the bucket when it is missing),
   * retrying for `timeoutMs` (at least one attempt). Undefined when it could not: the bridge
   * then starts without them.
   */
  async load(timeoutMs: number): Promise<CallRecord[] | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const records = await this.#read();
        this.#metrics.stateLoads.inc({ result: 'ok' });
        return records;
      } catch (err) {
        this.#bucket = undefined;
        const wait = backoffDelay(attempt, {
          minMs: this.#opts.retryMinMs,
          maxMs: this.#opts.retryMaxMs,
        });
        if (this.#closed || Date.now() + wait >= deadline) {
          this.#metrics.stateLoads.inc({ result: 'failed' });
          this.#log.error(
            { err: String(err), bucket: STATE_BUCKET },
            'state bucket not readable, starting without the calls of the previous run',
          );
          return undefined;
        }
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  /** Queues the call's latest record. */
  save(record: CallRecord): void {
    this.#offer(stateKey(this.#source, record.call_id), { op: 'put', record });
  }

  /** Queues the removal of the call (its CDR is stored). */
  remove(record: CallRecord): void {
    const key = stateKey(this.#source, record.call_id);
    if (!this.#written.has(key)) {
      // Nothing of it reached the bucket: drop the put still waiting, write nothing.
      if (this.#writes.cancel(key)) this.#metrics.stateSkipped.inc();
      this.#changed();
      return;
    }
    this.#offer(key, { op: 'delete' });
  }

  /**
   * Follows the connection: while it is away nothing new is sent (nats.js would drop a
   * request made then when it dials again, and the write would only fail after its full
   * timeout); once it is back, waiting writes go out at once.
   */
  setConnected(connected: boolean): void {
    this.#connected = connected;
    if (connected) {
      this.#sleep?.wake();
      this.#pump();
    }
  }

  /** Resolves true once every write is acknowledged, false after `timeoutMs`. */
  flush(timeoutMs: number): Promise<boolean> {
    if (this.pending === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#idleWaiters = this.#idleWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      this.#idleWaiters.push(done);
      this.#sleep?.wake();
    });
  }

  /** Stops writing; what is still queued is lost (flush first). */
  close(): void {
    this.#closed = true;
    this.#sleep?.wake();
  }

  #offer(key: string, write: StateWrite): void {
    const offered = this.#writes.offer(key, write);
    if (offered === 'replaced') this.#metrics.stateSkipped.inc();
    if (offered === 'full') {
      this.#metrics.stateDropped.inc({ op: write.op });
      this.#log.warn({ key, op: write.op }, 'state write buffer full, write dropped');
    }
    this.#changed();
    this.#pump();
  }

  #pump(): void {
    if (this.#closed || !this.#connected || this.#sleep !== undefined) return;
    while (this.#running < this.#opts.concurrency) {
      const next = this.#writes.next();
      if (next === undefined) break;
      if (next.write.op === 'put') this.#written.add(next.key);
      this.#running++;
      void this.#send(next.key, next.write).then((ok) => {
        this.#running--;
        this.#writes.settle(next.key, next.write, ok);
        if (ok) {
          if (this.#failures > 0) this.#log.info('state writes succeed again');
          this.#failures = 0;
        } else if (this.#sleep === undefined && !this.#closed) {
          this.#backoff();
        }
        this.#changed();
        this.#pump();
      });
    }
  }

  async #send(key: string, write: StateWrite): Promise<boolean> {
    try {
      const { kv, jsm } = await this.#open();
      if (write.op === 'put') {
        await kv.put(key, JSON.stringify(write.record), { timeout: this.#opts.timeoutMs });
      } else {
        await jsm.streams.purge(STATE_STREAM, { filter: `${KEY_PREFIX}${key}` });
        this.#written.delete(key);
      }
      this.#metrics.stateWrites.inc({ op: write.op, result: 'ok' });
      return true;
    } catch (err) {
      // Deleted under the bridge: created again before the retry.
      if (isNoStream(err)) this.#bucket = undefined;
      this.#metrics.stateWrites.inc({ op: write.op, result: 'error' });
      if (this.#failures === 0) {
        this.#log.warn({ err: String(err), op: write.op }, 'state write failed, will retry');
      }
      return false;
    }
  }

  #open(): Promise<{ kv: KV; jsm: JetStreamManager }> {
    this.#bucket ??= (async () => {
      const js = jetstream(this.#nc, { timeout: this.#opts.timeoutMs });
      const kv = await new Kvm(js).create(STATE_BUCKET, {
        history: 1,
        replicas: this.#opts.replicas,
        storage: StorageType.File,
      });
      const jsm = await jetstreamManager(this.#nc, { timeout: this.#opts.timeoutMs });
      return { kv, jsm };
    })();
    const bucket = this.#bucket;
    bucket.catch(() => {
      if (this.#bucket === bucket) this.#bucket = undefined;
    });
    return bucket;
  }

  /** The last value of every key of this source, validated; bad entries are purged. */
  async #read(): Promise<CallRecord[]> {
    const timeoutMs = this.#opts.timeoutMs;
    await this.#open();
    const js = jetstream(this.#nc, { timeout: this.#opts.timeoutMs });
    const consumer = await js.consumers.get(STATE_STREAM, {
      filter_subjects: `${KEY_PREFIX}${sourceToken(this.#source)}.>`,
      deliver_policy: DeliverPolicy.LastPerSubject,
    });
    const info = await consumer.info();
    if (info.num_pending === 0) return [];
    const records: CallRecord[] = [];
    const messages = await consumer.consume();
    const timer = setTimeout(() => void messages.close(), timeoutMs);
    let complete = false;
    try {
      for await (const m of messages) {
        const key = m.subject.slice(KEY_PREFIX.length);
        const op = m.headers?.get('KV-Operation') ?? '';
        if (op === '') {
          const record = this.#parse(key, m.data);
          if (record === undefined) {
            this.#metrics.stateRestored.inc({ kind: 'invalid' });
            this.#written.add(key);
            this.#offer(key, { op: 'delete' });
          } else {
            this.#written.add(key);
            records.push(record);
            this.#metrics.stateRestored.inc({
              kind: record.phase === 'ended' ? 'ended' : 'active',
            });
          }
        }
        if (m.info.pending === 0) {
          complete = true;
          break;
        }
      }
    } finally {
      clearTimeout(timer);
    }
    if (!complete) throw new Error(`state bucket read not complete within ${timeoutMs} ms`);
    return records;
  }

  #parse(key: string, data: Uint8Array): CallRecord | undefined {
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder().decode(data));
    } catch {
      return undefined;
    }
    const checked = validateRecord(value);
    if (!checked.ok) return undefined;
    const record = checked.value;
    if (record.source !== this.#source || stateKey(this.#source, record.call_id) !== key) {
      return undefined;
    }
    return record;
  }

  #backoff(): void {
    this.#failures++;
    const delay = backoffDelay(this.#failures, {
      minMs: this.#opts.retryMinMs,
      maxMs: this.#opts.retryMaxMs,
    });
    const wake = (): void => {
      clearTimeout(timer);
      this.#sleep = undefined;
      this.#pump();
    };
    const timer = setTimeout(wake, delay);
    this.#sleep = { timer, wake };
  }

  #changed(): void {
    this.#metrics.statePending.set(this.pending);
    if (this.pending > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }
}
