// The counters both engines read for the alarm rules, and the one pure function that turns
// them into what evaluate.ts judges, with the windows of the stats (stats/stats-ledger.ts):
// ASR (answered / concluded attempts, stats/asr.ts) over the 90 newest 10-s buckets, CPS
// (attempts first seen) over the last 60 s.
import type { AlarmPayload, SourceStatus } from '@live-calls/protocol';
import { bucketOf, cpsOf, RATIO_BUCKETS } from '../stats/stats-ledger.js';
import type { AlarmInputs, LongCall, RatioCounts, StoredAlarm } from './evaluate.js';

/** What an engine reads for one evaluation. */
export interface AlarmQuery {
  now: number;
  /** Trunks whose active count is needed (those with a capacity). */
  trunks: readonly string[];
  /** Answered calls up since at or before this (ms) are listed; null: none (rule off). */
  longCallBefore: number | null;
  /** At most this many of them, oldest first. */
  longCallLimit: number;
}

/** The most long calls one evaluation reads: beyond it, the oldest are judged. */
export const LONG_CALL_LIMIT = 1000;

/** The counters as an engine read them, at one instant. */
export interface RawAlarmInputs {
  trunkActive: Map<string, number>;
  /** Bucket → concluded attempts and answered over all calls (the ASR window's buckets). */
  windows: Map<number, RatioCounts>;
  /** Bucket → trunk → concluded attempts and answered (the ASR window's buckets). */
  trunkWindows: Map<number, Map<string, RatioCounts>>;
  /** Bucket → company → attempts first seen (the CPS window's buckets). */
  companyAttempts: Map<number, Map<string, number>>;
  sources: Pick<SourceStatus, 'source' | 'state' | 'last_sync_at'>[];
  longCalls: LongCall[];
  longCallsComplete: boolean;
  active: Map<string, StoredAlarm>;
}

export function alarmInputsFrom(raw: RawAlarmInputs, now: number): AlarmInputs {
  const current = bucketOf(now);
  const inRatioWindow = (bucket: number) => bucket > current - RATIO_BUCKETS && bucket <= current;
  const globalRatio: RatioCounts = { done: 0, ans: 0 };
  for (const [bucket, counts] of raw.windows) {
    if (!inRatioWindow(bucket)) continue;
    globalRatio.done += counts.done;
    globalRatio.ans += counts.ans;
  }
  const trunkRatio = new Map<string, RatioCounts>();
  for (const [bucket, trunks] of raw.trunkWindows) {
    if (!inRatioWindow(bucket)) continue;
    for (const [trunk, counts] of trunks) {
      const sum = trunkRatio.get(trunk) ?? { done: 0, ans: 0 };
      sum.done += counts.done;
      sum.ans += counts.ans;
      trunkRatio.set(trunk, sum);
    }
  }
  const companies = new Set<string>();
  for (const attempts of raw.companyAttempts.values())
    for (const company of attempts.keys()) companies.add(company);
  const companyCps = new Map<string, number>();
  for (const company of companies) {
    const cps = cpsOf((bucket) => raw.companyAttempts.get(bucket)?.get(company) ?? 0, now);
    if (cps > 0) companyCps.set(company, cps);
  }
  return {
    trunkActive: raw.trunkActive,
    trunkRatio,
    globalRatio,
    companyCps,
    sources: raw.sources,
    longCalls: raw.longCalls,
    longCallsComplete: raw.longCallsComplete,
    active: raw.active,
  };
}

/** A stored alarm's JSON read back; null when it is not one (then it is left alone). */
export function storedAlarm(json: string): StoredAlarm | null {
  try {
    const alarm = JSON.parse(json) as AlarmPayload;
    return typeof alarm.id === 'string' && typeof alarm.severity === 'string'
      ? { json, alarm }
      : null;
  } catch {
    return null;
  }
}
