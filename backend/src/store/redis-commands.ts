// The store's Lua steps as ioredis commands: ioredis keeps the EVALSHA/EVAL dance (the
// script text goes once per connection, again after NOSCRIPT), in transactions too. Each
// command's reply is `unknown` here and read by its one decoder in redis-codec.ts.
import type { Redis, Result } from 'ioredis';
import {
  ADD_SYNC_PART,
  ALARM_LEASE,
  APPLY_ALARMS,
  APPLY_BATCH,
  COMPANY_CALLS,
  MARK_STALE,
  POSITION,
  READ_ALARM_INPUTS,
  READ_HISTORY,
  READ_STATS,
  RENEW_EPOCH,
  REPLAY,
  SNAPSHOT_META,
  SOURCE_SYNCED,
} from './redis-scripts.js';

type Arg = string | number;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** APPLY_HEAD_ARGS, then APPLY_RECORD_ARGS per record (redis-codec `applyArgs`). */
    lcApplyBatch(...args: Arg[]): Result<unknown, Context>;
    lcReadStats(company: string, now: number): Result<unknown, Context>;
    lcReadHistory(company: string, now: number, minutes: number): Result<unknown, Context>;
    lcSnapshotMeta(candidateEpoch: string): Result<unknown, Context>;
    lcCompanyCalls(company: string, viewHash: string): Result<unknown, Context>;
    lcCompanyCallsBuffer(company: string, viewHash: string): Result<unknown, Context>;
    lcReplay(
      epoch: string,
      afterSeq: number,
      limit: number,
      candidateEpoch: string,
    ): Result<unknown, Context>;
    lcRenewEpoch(seenEpoch: string, candidateEpoch: string): Result<unknown, Context>;
    lcPosition(candidateEpoch: string): Result<unknown, Context>;
    lcAddSyncPart(
      key: string,
      part: number,
      parts: number,
      json: string,
      ttlMs: number,
    ): Result<unknown, Context>;
    lcSourceSynced(
      candidateEpoch: string,
      maxlen: number,
      source: string,
      now: number,
    ): Result<unknown, Context>;
    lcMarkStale(candidateEpoch: string, maxlen: number, before: number): Result<unknown, Context>;
    /** now, long-call-before ('' = none), long-call limit, then the trunks with a capacity. */
    lcReadAlarmInputs(...args: Arg[]): Result<unknown, Context>;
    /** candidate epoch, maxlen, then ALARM_TRANSITION_ARGS per transition (`alarmArgs`). */
    lcApplyAlarms(...args: Arg[]): Result<unknown, Context>;
    lcAlarmLease(owner: string, ttlMs: number): Result<unknown, Context>;
  }
}

const COMMANDS = {
  lcApplyBatch: APPLY_BATCH,
  lcReadStats: READ_STATS,
  lcReadHistory: READ_HISTORY,
  lcSnapshotMeta: SNAPSHOT_META,
  lcCompanyCalls: COMPANY_CALLS,
  lcReplay: REPLAY,
  lcPosition: POSITION,
  lcRenewEpoch: RENEW_EPOCH,
  lcAddSyncPart: ADD_SYNC_PART,
  lcSourceSynced: SOURCE_SYNCED,
  lcMarkStale: MARK_STALE,
  lcReadAlarmInputs: READ_ALARM_INPUTS,
  lcApplyAlarms: APPLY_ALARMS,
  lcAlarmLease: ALARM_LEASE,
} as const;

/** Defines every store command on a connection (keys are fixed names, so no KEYS). */
export function defineStoreCommands(redis: Redis): void {
  for (const [name, lua] of Object.entries(COMMANDS)) {
    redis.defineCommand(name, { numberOfKeys: 0, lua });
  }
}
