// Ingest: bus messages → validated records → atomic batched writes to the store, and
// `call.sync` → reconcile. Subscribes in one queue group so N instances apply each message
// once. Bad messages are counted and dropped, never thrown.
import {
  backoffDelay,
  CALL_EVENTS_WILDCARD,
  CALL_SYNC_SUBJECT,
  STALE_AFTER_INTERVALS,
  parseCallEvent,
  parseSync,
  type CallRecord,
  type SyncMessage,
} from '@live-calls/protocol';
import type { Logger } from '../logger.js';
import type { Bus, BusSubscription } from '../bus/bus.js';
import type { Metrics } from '../metrics.js';
import type { ApplyResult, LiveStore } from '../store/live-store.js';
import { planReconcile } from './reconcile-plan.js';
import { RateLimitedLog } from './rate-limited-log.js';

export const INGEST_QUEUE_GROUP = 'live-calls-backend';
const MAX_BATCH = 500;
const MAX_IN_FLIGHT = 2;
/** Events held while the store is unavailable; beyond this the oldest are dropped (sync repairs). */
const MAX_QUEUED = 200_000;
/** Retry schedule while the store is away. */
const STORE_RETRY = { minMs: 100, maxMs: 2_000 } as const;

export interface IngesterOptions {
  store: LiveStore;
  bus: Bus;
  log: Logger;
  metrics: Metrics;
  syncIntervalMs: number;
  now?: () => number;
}

interface Queued {
  record: CallRecord;
  receivedAt: number;
}

export class Ingester {
  readonly #store: LiveStore;
  readonly #bus: Bus;
  readonly #log: Logger;
  readonly #rejectLog: RateLimitedLog;
  readonly #metrics: Metrics;
  readonly #syncIntervalMs: number;
  readonly #now: () => number;
  readonly #subscriptions: BusSubscription[] = [];
  readonly #reconciles = new Map<string, Promise<void>>();
  #queue: Queued[] = [];
  #inFlight = 0;
  #scheduled = false;
  #failures = 0;
  #retryPending = false;
  #staleTimer: NodeJS.Timeout | undefined;
  #running = false;
  #idle: (() => void)[] = [];
  #onStale: (() => void) | undefined;

  constructor(options: IngesterOptions) {
    this.#store = options.store;
    this.#bus = options.bus;
    this.#log = options.log;
    this.#rejectLog = new RateLimitedLog(options.log);
    this.#metrics = options.metrics;
    this.#syncIntervalMs = options.syncIntervalMs;
    this.#now = options.now ?? Date.now;
  }

  /** True while subscribed and the last store write did not fail. */
  get running(): boolean {
    return this.#running && this.#failures === 0;
  }

  /** Subscribes; resolves once the bus has the subscriptions, so nothing published after is missed. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#subscriptions.push(
      this.#bus.subscribe(CALL_EVENTS_WILDCARD, INGEST_QUEUE_GROUP, (subject, data) =>
        this.onEvent(subject, data),
      ),
      this.#bus.subscribe(CALL_SYNC_SUBJECT, INGEST_QUEUE_GROUP, (subject, data) =>
        this.onSync(subject, data),
      ),
    );
    const every = Math.max(250, Math.floor(this.#syncIntervalMs / 2));
    this.#staleTimer = setInterval(() => void this.#markStale(), every);
    this.#staleTimer.unref();
    await this.#bus.flush();
  }

  /** Stops taking messages and waits for what was taken to be written. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    // Drained, not cut: messages already routed to this member are still applied (a rolling
    // restart loses nothing; the other members take what comes after).
    await Promise.allSettled(this.#subscriptions.splice(0).map((s) => s.drain()));
    clearInterval(this.#staleTimer);
    await this.drained();
    await Promise.allSettled(this.#reconciles.values());
  }

  /** Told when sources turned stale here (the alarm rules judge them at once, not next round). */
  onSourcesStale(listener: () => void): void {
    this.#onStale = listener;
  }

  /** Resolves when every queued event has been written. */
  drained(): Promise<void> {
    if (this.#queue.length === 0 && this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  onEvent(subject: string, data: Uint8Array): void {
    this.#metrics.eventsReceived.inc({ kind: 'event' });
    const result = parseCallEvent(subject, data);
    if (!result.ok) {
      this.#reject(result.reason, result.detail, subject);
      return;
    }
    if (this.#queue.length >= MAX_QUEUED) {
      this.#queue.shift();
      this.#metrics.eventsDropped.inc();
    }
    this.#queue.push({ record: result.value, receivedAt: performance.now() });
    this.#schedule();
  }

  onSync(subject: string, data: Uint8Array): void {
    this.#metrics.eventsReceived.inc({ kind: 'sync' });
    const result = parseSync(subject, data);
    if (!result.ok) {
      this.#reject(result.reason, result.detail, subject);
      return;
    }
    const sync = result.value;
    // One reconcile at a time per source, in arrival order.
    const previous = this.#reconciles.get(sync.source) ?? Promise.resolve();
    const next = previous
      .then(() => this.#handleSync(sync))
      .catch((err: unknown) => {
        this.#log.warn(
          { err: (err as Error).message, source: sync.source },
          'sync failed; the next one repairs',
        );
      });
    this.#reconciles.set(sync.source, next);
    void next.then(() => {
      if (this.#reconciles.get(sync.source) === next) this.#reconciles.delete(sync.source);
    });
  }

  #reject(reason: string, detail: string, subject: string): void {
    this.#metrics.eventsRejected.inc({ reason });
    this.#rejectLog.warn({ reason, detail, subject: subject.slice(0, 80) }, 'message rejected');
  }

  async #handleSync(sync: SyncMessage): Promise<void> {
    const parts = await this.#store.addSyncPart(sync);
    if (parts === null) return;
    // Events taken before the sync are written first, so the plan sees them.
    await this.drained();
    const now = this.#now();
    const active = await this.#store.activeOfSource(sync.source);
    const plan = planReconcile(parts, active, now);
    const applied = await this.#store.applyBatch(plan.present.map((record) => ({ record })));
    const reaped = await this.#store.applyBatch(plan.reap);
    this.#countOutcomes(applied);
    this.#countOutcomes(reaped);
    const added = applied.filter((r) => r.outcome === 'created').length;
    const reapedCount = reaped.filter((r) => r.outcome === 'ended').length;
    this.#metrics.reconciles.inc({ result: 'sync' });
    this.#metrics.reconciles.inc({ result: 'added' }, added);
    this.#metrics.reconciles.inc({ result: 'reaped' }, reapedCount);
    await this.#store.markSourceSynced(sync.source, now);
    if (added > 0 || reapedCount > 0) {
      this.#log.info({ source: sync.source, added, reaped: reapedCount }, 'reconciled source');
    }
  }

  async #markStale(): Promise<void> {
    try {
      const before = this.#now() - STALE_AFTER_INTERVALS * this.#syncIntervalMs;
      const stale = await this.#store.markStaleSources(before);
      for (const status of stale) {
        this.#log.warn({ source: status.source }, 'source is stale: no sync for 3 intervals');
      }
      if (stale.length > 0) this.#onStale?.();
    } catch (err) {
      this.#log.debug({ err: (err as Error).message }, 'stale-source check failed');
    }
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // Collect everything that arrives in this turn of the event loop into one batch.
    setImmediate(() => {
      this.#scheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#queue.length > 0 && this.#inFlight < MAX_IN_FLIGHT && !this.#retryPending) {
      const batch = this.#queue.splice(0, MAX_BATCH);
      this.#inFlight++;
      void this.#write(batch);
    }
    if (this.#queue.length === 0 && this.#inFlight === 0) {
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  async #write(batch: Queued[]): Promise<void> {
    try {
      const results = await this.#store.applyBatch(batch.map(({ record }) => ({ record })));
      const done = performance.now();
      for (const { receivedAt } of batch)
        this.#metrics.ingestLatency.observe((done - receivedAt) / 1000);
      this.#countOutcomes(results);
      this.#failures = 0;
    } catch (err) {
      // The store is away: put the batch back in front and retry with backoff. Replaying a
      // batch is safe, as last-writer-wins makes a repeated event a duplicate.
      this.#queue.unshift(...batch);
      this.#failures++;
      const delay = backoffDelay(this.#failures, STORE_RETRY);
      this.#log.warn({ err: (err as Error).message, retryInMs: delay }, 'store write failed');
      this.#retryPending = true;
      await new Promise((resolve) => setTimeout(resolve, delay));
      this.#retryPending = false;
    } finally {
      this.#inFlight--;
      this.#pump();
    }
  }

  #countOutcomes(results: readonly ApplyResult[]): void {
    for (const { outcome } of results) this.#metrics.eventsApplied.inc({ outcome });
  }
}
