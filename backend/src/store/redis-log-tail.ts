// This instance's one reader of the replay log: a blocking XREAD loop on its own connection
// that hands every new batch, in order, to the listener, and notices when the epoch changed
// under it (flushed or restarted Redis) so the fan-out can resynchronise its streams.
import { backoffDelay, newEpoch } from '@live-calls/protocol';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { LogEvent, LogListener } from './live-store.js';
import { decodeLogEntry, decodePosition } from './redis-codec.js';
import { KEYS } from './redis-keys.js';

const TAIL_BLOCK_MS = 250;
const TAIL_COUNT = 5_000;
/** Retry schedule after a failed read (Redis away): the same as the connections'. */
export const REDIS_RETRY = { minMs: 100, maxMs: 2_000 } as const;

export class RedisLogTail {
  readonly #redis: Redis;
  readonly #log: Logger;
  readonly #listener: LogListener;
  #closed = false;
  #loop: Promise<void> | undefined;

  /** `redis` becomes the tail's own connection (XREAD BLOCK holds it); close() closes it. */
  constructor(redis: Redis, log: Logger, listener: LogListener) {
    this.#redis = redis;
    this.#log = log;
    this.#listener = listener;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async #run(): Promise<void> {
    let epoch: string | undefined;
    let last = 0;
    /** The newest event this tail delivered, across reconnects. */
    let delivered: { epoch: string; seq: number } | undefined;
    let failures = 0;
    while (!this.#closed) {
      try {
        if (epoch === undefined) {
          const position = await this.#position(delivered);
          epoch = position.epoch;
          // Back after an outage of this tail in the same epoch: go on from the last event
          // delivered, so what other instances wrote meanwhile reaches the streams too.
          last =
            delivered?.epoch === epoch && delivered.seq <= position.seq
              ? delivered.seq
              : position.seq;
        }
        const reply = await this.#redis.xread(
          'COUNT',
          TAIL_COUNT,
          'BLOCK',
          TAIL_BLOCK_MS,
          'STREAMS',
          KEYS.log,
          `${last}-0`,
        );
        failures = 0;
        const entries = reply?.[0]?.[1] ?? [];
        if (entries.length === 0) {
          // Idle: has the epoch moved under us (flush, restart)? New ids restart low and
          // would never pass `last`, so look.
          const current = await this.#redis.get(KEYS.epoch);
          if (current !== epoch) epoch = undefined;
          continue;
        }
        const events: LogEvent[] = [];
        // The log was trimmed past what this tail had read (it was away, or slower than the
        // trimming): the events in between can no longer reach the streams.
        let gap = false;
        for (const entry of entries) {
          const parsed = decodeLogEntry(entry);
          if (parsed.epoch !== epoch) {
            epoch = undefined;
            break;
          }
          if (parsed.event.seq !== last + 1) gap = true;
          events.push(parsed.event);
          last = parsed.event.seq;
        }
        if (events.length > 0 && epoch !== undefined && !this.#closed) {
          delivered = { epoch, seq: last };
          this.#listener(gap ? { epoch, events, gap } : { epoch, events });
        }
      } catch (err) {
        if (this.#closed) break;
        failures++;
        epoch = undefined;
        this.#log.warn(
          { err: (err as Error).message, failures },
          'replay log tail failed; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(failures, REDIS_RETRY)));
      }
    }
  }

  /**
   * The position, read on the tail connection; a new epoch found this way is announced to the
   * listener as an empty batch so it can resynchronise its clients.
   */
  async #position(
    delivered: { epoch: string; seq: number } | undefined,
  ): Promise<{ epoch: string; seq: number }> {
    let position = decodePosition(await this.#redis.lcPosition(newEpoch()));
    if (
      delivered !== undefined &&
      position.epoch === delivered.epoch &&
      position.seq < delivered.seq
    ) {
      // The store went back in time within an epoch (a restart that kept the replication id
      // but lost writes): its next numbers would name events already delivered.
      this.#log.error(
        { epoch: position.epoch, storeSeq: position.seq, deliveredSeq: delivered.seq },
        'the store lost events this instance delivered; starting a new epoch',
      );
      position = decodePosition(await this.#redis.lcRenewEpoch(position.epoch, newEpoch()));
    }
    if (!this.#closed) this.#listener({ epoch: position.epoch, events: [] });
    return position;
  }

  /** Stops the loop and closes the connection it owns (which ends a blocked read). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#redis.disconnect();
    await this.#loop?.catch(() => undefined);
  }
}
