// The Redis engine of the live store. Writes go through the Lua scripts of
// redis-scripts.ts; one dedicated connection tails the replay log for this instance.
import {
  newEpoch,
  TOMBSTONE_TTL_MS,
  validateRecord,
  type CallRecord,
  type Outcome,
  type SourceStatus,
  type StatsPayload,
  type SyncMessage,
} from '@live-calls/protocol';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import {
  PEAK_FIELD_PREFIX,
  statsFrom,
  talkMsOf,
  type PeakEntry,
  type RawStats,
} from '../stats/stats-ledger.js';
import type {
  ApplyItem,
  ApplyResult,
  LiveStore,
  LogEvent,
  LogListener,
  RecordView,
  ReplayRead,
  SnapshotData,
} from './live-store.js';
import { KEYS } from './redis-keys.js';
import {
  ADD_SYNC_PART,
  APPLY_BATCH,
  COMPANY_CALLS,
  MARK_STALE,
  POSITION,
  READ_STATS,
  REPLAY,
  SNAPSHOT_META,
  SOURCE_SYNCED,
} from './redis-scripts.js';
import { recordViews } from './record-views.js';

const INCOMPLETE_SYNC_TTL_MS = 5 * 60_000;
const REPLAY_PAGE = 10_000;
const TAIL_BLOCK_MS = 250;
const TAIL_COUNT = 5_000;
const MAX_BACKOFF_MS = 2_000;

export interface RedisStoreOptions {
  url: string;
  historyEvents: number;
  log: Logger;
  /** The clock that buckets the stats windows. */
  now?: () => number;
}

type StreamEntry = [id: string, fields: string[]];

function toLogEvent(entry: StreamEntry): { epoch: string; event: LogEvent } {
  const [id, fields] = entry;
  let epoch = '';
  let name = '';
  let company = '';
  let data = '';
  for (let i = 0; i < fields.length; i += 2) {
    const value = fields[i + 1] ?? '';
    switch (fields[i]) {
      case 'ep':
        epoch = value;
        break;
      case 'n':
        name = value;
        break;
      case 'c':
        company = value;
        break;
      case 'd':
        data = value;
        break;
    }
  }
  const seq = Number.parseInt(id, 10);
  return { epoch, event: { seq, name, company: company === '' ? null : company, data } };
}

function redisClient(url: string, name: string): Redis {
  return new Redis(url, {
    connectionName: name,
    // Commands fail fast while Redis is away; callers retry with their own bounds.
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), MAX_BACKOFF_MS),
  });
}

export class RedisStore implements LiveStore {
  readonly engine = 'redis' as const;
  readonly #redis: Redis;
  readonly #tailer: Redis;
  readonly #historyEvents: number;
  readonly #log: Logger;
  readonly #now: () => number;
  #listener: LogListener | undefined;
  #closed = false;
  #tailLoop: Promise<void> | undefined;

  constructor(options: RedisStoreOptions) {
    this.#historyEvents = options.historyEvents;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    this.#redis = redisClient(options.url, 'live-calls');
    this.#tailer = redisClient(options.url, 'live-calls-tail');
    for (const client of [this.#redis, this.#tailer]) {
      client.on('error', (err: Error) =>
        this.#log.warn({ err: err.message }, 'redis connection error'),
      );
    }
  }

  get healthy(): boolean {
    return this.#redis.status === 'ready' && this.#tailer.status === 'ready';
  }

  /** Resolves once the command connection is ready (retrying with backoff meanwhile). */
  async ready(): Promise<void> {
    if (this.#redis.status === 'ready') return;
    await new Promise<void>((resolve) => this.#redis.once('ready', () => resolve()));
  }

  async applyBatch(items: readonly ApplyItem[]): Promise<ApplyResult[]> {
    if (items.length === 0) return [];
    const args: (string | number)[] = [
      newEpoch(),
      this.#historyEvents,
      TOMBSTONE_TTL_MS,
      this.#now(),
    ];
    for (const { record, expectSeq } of items) {
      const views = recordViews(record);
      const talk = talkMsOf(record);
      args.push(
        record.id,
        record.seq,
        record.phase,
        record.company_id ?? '',
        record.source,
        record.created_at ?? record.ts,
        expectSeq ?? '',
        views.data,
        views.userData ?? '',
        record.direction,
        record.trunk ?? '',
        record.answered_at === null ? 0 : 1,
        talk ?? '',
      );
    }
    const reply = (await APPLY_BATCH.run(this.#redis, args)) as [string, ...(string | number)[]];
    const results: ApplyResult[] = [];
    for (let i = 1; i < reply.length; i += 2) {
      results.push({ outcome: reply[i] as Outcome, seq: Number(reply[i + 1]) });
    }
    return results;
  }

  async snapshot(company: string | null, view: RecordView): Promise<SnapshotData> {
    const hash = view === 'user' ? KEYS.activeUserJson : KEYS.activeJson;
    // One transaction: the position, the sources and the calls are read at one instant.
    const transaction = this.#redis.multi();
    SNAPSHOT_META.queue(transaction, [newEpoch()]);
    if (company === null) transaction.hvals(hash);
    else COMPANY_CALLS.queue(transaction, [company, hash]);
    const replies = (await transaction.exec()) ?? [];
    for (const [err] of replies) if (err) throw err;
    const [epoch, seq, ...statuses] = replies[0]?.[1] as [string, number, ...string[]];
    let callsJson: string;
    let count: number;
    if (company === null) {
      const calls = replies[1]?.[1] as string[];
      callsJson = calls.join(',');
      count = calls.length;
    } else {
      [callsJson, count] = replies[1]?.[1] as [string, number];
    }
    const sources = statuses.map((json) => JSON.parse(json) as SourceStatus);
    sources.sort((a, b) => a.source.localeCompare(b.source));
    return { epoch, seq: Number(seq), count: Number(count), callsJson, sources };
  }

  async stats(company: string | null, now: number): Promise<StatsPayload> {
    const [fields, windows] = (await READ_STATS.run(this.#redis, [company ?? '', now])) as [
      string[],
      number[],
    ];
    const raw: RawStats = { live: new Map(), windows: new Map(), peaks: [] };
    const peaks: PeakEntry[] = [];
    for (let i = 0; i < fields.length; i += 2) {
      const field = fields[i]!;
      const value = fields[i + 1] ?? '';
      if (field.startsWith(PEAK_FIELD_PREFIX)) {
        const [count = '0', at = '0'] = value.split('|');
        const minute = Number(field.slice(PEAK_FIELD_PREFIX.length));
        peaks.push({ minute, count: Number(count), at: Number(at) });
      } else raw.live.set(field, Number(value));
    }
    for (let i = 0; i < windows.length; i += 5) {
      raw.windows.set(Number(windows[i]), {
        att: Number(windows[i + 1]),
        ans: Number(windows[i + 2]),
        talk_ms: Number(windows[i + 3]),
        talked: Number(windows[i + 4]),
      });
    }
    return statsFrom({ ...raw, peaks }, company, now);
  }

  async replay(epoch: string, afterSeq: number): Promise<ReplayRead> {
    const events: LogEvent[] = [];
    let target: number | undefined;
    let after = afterSeq;
    // Paged so one huge replay never blocks Redis; a gap between pages (trimmed meanwhile)
    // turns the whole replay into `expired` rather than a partial one.
    for (;;) {
      const [kind, current, seq, entries = []] = (await REPLAY.run(this.#redis, [
        epoch,
        after,
        REPLAY_PAGE,
      ])) as ['replay' | 'expired' | 'epoch_changed' | 'invalid', string, number?, StreamEntry[]?];
      if (kind !== 'replay') return { kind, epoch: current };
      target ??= Number(seq);
      for (const entry of entries) {
        const { event } = toLogEvent(entry);
        if (event.seq !== after + 1) return { kind: 'expired', epoch };
        if (event.seq > target) break;
        events.push(event);
        after = event.seq;
      }
      if (after >= target || entries.length === 0) break;
    }
    if (after < target) return { kind: 'expired', epoch };
    return { kind: 'replay', epoch, seq: target, events };
  }

  async activeOfSource(source: string): Promise<CallRecord[]> {
    const ids = await this.#redis.zrange(KEYS.sourceCallsPrefix + source, 0, '-1');
    if (ids.length === 0) return [];
    const records: CallRecord[] = [];
    for (const json of await this.#redis.hmget(KEYS.activeJson, ...ids)) {
      if (json === null) continue;
      const result = validateRecord(JSON.parse(json));
      if (result.ok) records.push(result.value);
    }
    return records;
  }

  async addSyncPart(sync: SyncMessage): Promise<SyncMessage[] | null> {
    if (sync.parts === 1) return [sync];
    const key = `${KEYS.syncPrefix}${sync.source}:${sync.sync_id}`;
    const reply = (await ADD_SYNC_PART.run(this.#redis, [
      key,
      sync.part,
      sync.parts,
      JSON.stringify(sync),
      INCOMPLETE_SYNC_TTL_MS,
    ])) as string[] | null;
    if (reply === null) return null;
    return reply.map((json) => JSON.parse(json) as SyncMessage).sort((a, b) => a.part - b.part);
  }

  async markSourceSynced(source: string, now: number): Promise<SourceStatus> {
    const json = (await SOURCE_SYNCED.run(this.#redis, [
      newEpoch(),
      this.#historyEvents,
      source,
      now,
    ])) as string;
    return JSON.parse(json) as SourceStatus;
  }

  async markStaleSources(before: number): Promise<SourceStatus[]> {
    const reply = (await MARK_STALE.run(this.#redis, [
      newEpoch(),
      this.#historyEvents,
      before,
    ])) as string[];
    return reply.map((json) => JSON.parse(json) as SourceStatus);
  }

  logLength(): Promise<number> {
    return this.#redis.xlen(KEYS.log);
  }

  async position(): Promise<{ epoch: string; seq: number }> {
    const [epoch, seq] = (await POSITION.run(this.#redis, [newEpoch()])) as [string, number];
    return { epoch, seq: Number(seq) };
  }

  tail(listener: LogListener): void {
    this.#listener = listener;
    this.#tailLoop ??= this.#runTail();
  }

  async #runTail(): Promise<void> {
    let epoch: string | undefined;
    let last = 0;
    let failures = 0;
    while (!this.#closed) {
      try {
        if (epoch === undefined) {
          ({ epoch, seq: last } = await this.#positionVia());
        }
        const reply = await this.#tailer.xread(
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
          const current = await this.#tailer.get(KEYS.epoch);
          if (current !== epoch) epoch = undefined;
          continue;
        }
        const events: LogEvent[] = [];
        for (const entry of entries) {
          const parsed = toLogEvent(entry);
          if (parsed.epoch !== epoch) {
            epoch = undefined;
            break;
          }
          events.push(parsed.event);
          last = parsed.event.seq;
        }
        if (events.length > 0 && epoch !== undefined) this.#listener?.({ epoch, events });
      } catch (err) {
        if (this.#closed) break;
        failures++;
        epoch = undefined;
        this.#log.warn(
          { err: (err as Error).message, failures },
          'replay log tail failed; retrying',
        );
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(50 * 2 ** failures, MAX_BACKOFF_MS)),
        );
      }
    }
  }

  /**
   * The position, read on the tail connection; a new epoch found this way is announced to the
   * listener as an empty batch so it can resynchronise its clients.
   */
  async #positionVia(): Promise<{ epoch: string; seq: number }> {
    const [epoch, seq] = (await POSITION.run(this.#tailer, [newEpoch()])) as [string, number];
    this.#listener?.({ epoch, events: [] });
    return { epoch, seq: Number(seq) };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listener = undefined;
    this.#tailer.disconnect();
    await this.#tailLoop?.catch(() => undefined);
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
