// The Redis engine of the live store. Writes go through the Lua commands of
// redis-commands.ts; one dedicated connection tails the replay log (redis-log-tail.ts).
import {
  backoffDelay,
  newEpoch,
  TOMBSTONE_TTL_MS,
  validateRecord,
  type AlarmPayload,
  type CallRecord,
  type SourceStatus,
  type StatsPayload,
  type SyncMessage,
} from '@live-calls/protocol';
import { Redis } from 'ioredis';
import type { RedisTarget } from '../config.js';
import type { Logger } from '../logger.js';
import { alarmInputsFrom, type AlarmQuery } from '../alarms/alarm-inputs.js';
import { alarmsInScope, type AlarmInputs, type AlarmTransition } from '../alarms/evaluate.js';
import { historyFrom, type HistorySample } from '../stats/history.js';
import { statsFrom } from '../stats/stats-ledger.js';
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
import {
  alarmArgs,
  alarmPayloads,
  applyArgs,
  decodeAlarmInputs,
  decodeAlarms,
  decodeAlarmSeqs,
  decodeAllCalls,
  decodeApplyReply,
  decodeCompanyCalls,
  decodeHistory,
  decodePosition,
  decodeReplayPage,
  decodeSnapshotMeta,
  decodeSourceStatus,
  decodeSourceStatuses,
  decodeStats,
  decodeSyncParts,
} from './redis-codec.js';
import { defineStoreCommands } from './redis-commands.js';
import { KEYS } from './redis-keys.js';
import { RECENT_MAX, RECENT_MS, type RecentQuery } from './recent-ended.js';
import { userView } from './record-views.js';
import { REDIS_RETRY, RedisLogTail } from './redis-log-tail.js';
import { INCOMPLETE_SYNC_TTL_MS } from './sync-assembly.js';

/** Ended calls read per round trip while filtering by reason. */
const RECENT_PAGE = 1000;

export interface RedisStoreOptions {
  target: RedisTarget;
  historyEvents: number;
  log: Logger;
  /** The clock that buckets the stats windows. */
  now?: () => number;
}

/**
 * A connection that follows the master: through Sentinel it asks for the current master on
 * every (re)connect and drops the connection when Sentinel announces a switch; a master that
 * was demoted under us (READONLY) is left for the new one.
 */
function redisClient(target: RedisTarget, name: string, log: Logger): Redis {
  const common = {
    connectionName: name,
    // Commands fail fast while Redis is away; callers retry with their own bounds.
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    retryStrategy: (attempt: number) => backoffDelay(attempt, REDIS_RETRY),
    reconnectOnError: (err: Error) => (err.message.startsWith('READONLY') ? 2 : false),
  } as const;
  const redis =
    target.kind === 'url'
      ? new Redis(target.url, common)
      : new Redis({
          ...common,
          sentinels: target.sentinels,
          name: target.masterName,
          role: 'master',
          password: target.password,
          sentinelPassword: target.sentinelPassword,
          failoverDetector: true,
          sentinelRetryStrategy: (attempt: number) => backoffDelay(attempt, REDIS_RETRY),
        });
  redis.on('error', (err: Error) => log.warn({ err: err.message }, 'redis connection error'));
  defineStoreCommands(redis);
  return redis;
}

export class RedisStore implements LiveStore {
  readonly #redis: Redis;
  readonly #tailer: Redis;
  readonly #historyEvents: number;
  readonly #log: Logger;
  readonly #now: () => number;
  #tail: RedisLogTail | undefined;

  constructor(options: RedisStoreOptions) {
    this.#historyEvents = options.historyEvents;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    this.#redis = redisClient(options.target, 'live-calls', options.log);
    this.#tailer = redisClient(options.target, 'live-calls-tail', options.log);
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
    const args = applyArgs(
      {
        candidate_epoch: newEpoch(),
        maxlen: this.#historyEvents,
        tombstone_ms: TOMBSTONE_TTL_MS,
        now: this.#now(),
      },
      items,
    );
    return decodeApplyReply(await this.#redis.lcApplyBatch(...args), items.length);
  }

  async snapshot(company: string | null, view: RecordView): Promise<SnapshotData> {
    const hash = view === 'user' ? KEYS.activeUserJson : KEYS.activeJson;
    // One transaction: the position, the sources and the calls are read at one instant.
    const transaction = this.#redis.multi().lcSnapshotMeta(newEpoch());
    if (company === null) transaction.hvalsBuffer(hash);
    else transaction.lcCompanyCallsBuffer(company, hash);
    transaction.hvals(KEYS.alarms);
    const replies = (await transaction.exec()) ?? [];
    for (const [err] of replies) if (err) throw err;
    const meta = decodeSnapshotMeta(replies[0]?.[1]);
    const calls =
      company === null ? decodeAllCalls(replies[1]?.[1]) : decodeCompanyCalls(replies[1]?.[1]);
    const alarms = alarmsInScope(alarmPayloads(decodeAlarms(replies[2]?.[1])), company);
    return { ...meta, ...calls, alarms };
  }

  async alarms(company: string | null): Promise<AlarmPayload[]> {
    const stored = decodeAlarms(await this.#redis.hvals(KEYS.alarms));
    return alarmsInScope(alarmPayloads(stored), company);
  }

  async alarmInputs(query: AlarmQuery): Promise<AlarmInputs> {
    const reply = await this.#redis.lcReadAlarmInputs(
      query.now,
      query.longCallBefore ?? '',
      query.longCallLimit,
      ...query.trunks,
    );
    return alarmInputsFrom(decodeAlarmInputs(reply, query.trunks), query.now);
  }

  async applyAlarms(transitions: readonly AlarmTransition[]): Promise<number[]> {
    if (transitions.length === 0) return [];
    const args = alarmArgs(newEpoch(), this.#historyEvents, transitions);
    return decodeAlarmSeqs(await this.#redis.lcApplyAlarms(...args), transitions.length);
  }

  async alarmLease(owner: string, ttlMs: number): Promise<boolean> {
    return (await this.#redis.lcAlarmLease(owner, ttlMs)) === 1;
  }

  async stats(company: string | null, now: number): Promise<StatsPayload> {
    const raw = decodeStats(await this.#redis.lcReadStats(company ?? '', now));
    return statsFrom(raw, company, now);
  }

  async history(company: string | null, now: number, minutes: number): Promise<HistorySample[]> {
    const raw = decodeHistory(await this.#redis.lcReadHistory(company ?? '', now, minutes));
    return historyFrom(raw, now, minutes);
  }

  async recent({ company, view, now, limit, reason }: RecentQuery): Promise<string[]> {
    const key = company === null ? KEYS.recentEnded : KEYS.recentEndedCompanyPrefix + company;
    // Without a reason filter one read of `limit`; with one, pages until enough match.
    const page = reason === undefined ? limit : RECENT_PAGE;
    const found: string[] = [];
    for (let offset = 0; found.length < limit && offset < RECENT_MAX; offset += page) {
      const members = await this.#redis.zrevrangebyscore(
        key,
        '+inf',
        now - RECENT_MS,
        'LIMIT',
        offset,
        page,
      );
      for (const data of members) {
        if (found.length >= limit) break;
        // The cheap test first: most members of another reason do not even contain it.
        if (
          reason !== undefined &&
          (!data.includes(`"${reason}"`) || (JSON.parse(data) as CallRecord).end?.reason !== reason)
        )
          continue;
        found.push(view === 'user' ? userView({ data }) : data);
      }
      if (members.length < page) break;
    }
    return found;
  }

  async replay(epoch: string, afterSeq: number, limit: number): Promise<ReplayRead> {
    const page = decodeReplayPage(await this.#redis.lcReplay(epoch, afterSeq, limit, newEpoch()));
    if (page.kind !== 'replay') return page;
    // The script checked that the log still starts at or before afterSeq + 1; a hole inside
    // the page (trimmed while read) makes it `expired` rather than a partial replay.
    const events: LogEvent[] = [];
    let after = afterSeq;
    for (const { event } of page.entries) {
      if (event.seq !== after + 1) return { kind: 'expired', epoch };
      events.push(event);
      after = event.seq;
    }
    return { kind: 'replay', epoch, seq: page.seq, events };
  }

  async activeCall(id: string): Promise<CallRecord | undefined> {
    const json = await this.#redis.hget(KEYS.activeJson, id);
    if (json === null) return undefined;
    const result = validateRecord(JSON.parse(json));
    return result.ok ? result.value : undefined;
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
    return decodeSyncParts(
      await this.#redis.lcAddSyncPart(
        key,
        sync.part,
        sync.parts,
        JSON.stringify(sync),
        INCOMPLETE_SYNC_TTL_MS,
      ),
    );
  }

  async markSourceSynced(source: string, now: number): Promise<SourceStatus> {
    return decodeSourceStatus(
      await this.#redis.lcSourceSynced(newEpoch(), this.#historyEvents, source, now),
    );
  }

  async markStaleSources(before: number): Promise<SourceStatus[]> {
    return decodeSourceStatuses(
      await this.#redis.lcMarkStale(newEpoch(), this.#historyEvents, before),
    );
  }

  logLength(): Promise<number> {
    return this.#redis.xlen(KEYS.log);
  }

  async position(): Promise<{ epoch: string; seq: number }> {
    return decodePosition(await this.#redis.lcPosition(newEpoch()));
  }

  tail(listener: LogListener): void {
    if (this.#tail !== undefined) return;
    this.#tail = new RedisLogTail(this.#tailer, this.#log, listener);
    this.#tail.start();
  }

  async close(): Promise<void> {
    if (this.#tail !== undefined) await this.#tail.close();
    else this.#tailer.disconnect();
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
