// Stats bookkeeping (the `stats` event, docs/interface/sse.md), pure: the counters both engines keep and the
// one function that turns them into a StatsPayload. The Redis engine keeps the same
// counters in the same shape inside its apply script (store/redis-scripts.ts), so both
// engines, and every instance on one Redis, report the same numbers.
//
// - Live counts: a flat map of fields `active`, `phase:<p>`, `dir:<d>`, `trunk:<t>`,
//   `company:<c>` over the active calls ('' stands for a null trunk or company), one map
//   for all calls and one per company (without `company:`). Unassigned calls count in the
//   global map only.
// - Windows: per 10-s bucket of the backend's clock, `att` (calls first seen, for CPS),
//   `done` (attempts concluded, for ASR: stats/asr.ts), `ans` (answered_at first non-null),
//   `talk_ms` and `talked` (ended calls that were answered).
// - Peak: per minute, the highest `active` seen in it and when (in Redis, fields
//   `pk:<minute>` of the live hash).
import {
  DIRECTIONS,
  type ActivePhase,
  type CallRecord,
  type Direction,
  type StatsPayload,
} from '@live-calls/protocol';
import type { RawAlarmInputs } from '../alarms/alarm-inputs.js';
import type { RatioCounts } from '../alarms/evaluate.js';
import { asrFrom, concludes } from './asr.js';
import { BUCKET_MS, bucketOf, minuteOf, PEAK_MINUTE_MS } from './clock.js';
import {
  emptyMinute,
  firstMinute,
  HISTORY_MINUTES,
  type MinuteCounts,
  type RawHistory,
} from './history.js';

export { BUCKET_MS, bucketOf, minuteOf, PEAK_MINUTE_MS } from './clock.js';
/** Buckets of the CPS window (1 min). */
export const CPS_BUCKETS = 6;
/** Buckets of the ASR/ACD window (15 min). */
export const RATIO_BUCKETS = 90;
/** Minutes of the peak window (1 h). */
export const PEAK_MINUTES = 60;
/** A bucket outlives the longest window that reads it. */
export const WINDOW_TTL_MS = 16 * 60_000;
/** + `<minute>`: a minute's peak, kept among the live-count fields in Redis. */
export const PEAK_FIELD_PREFIX = 'pk:';

/** Live-count fields, keyed as in the Redis hashes `stats:live` and `stats:live:c:<c>`. */
export type LiveCounts = Map<string, number>;

export interface WindowCounts {
  /** Calls first seen (CPS). */
  att: number;
  /** Attempts concluded: answered, or ended never answered (ASR's denominator). */
  done: number;
  ans: number;
  talk_ms: number;
  talked: number;
}

export interface PeakEntry {
  minute: number;
  count: number;
  at: number;
}

/** The counters of one scope as an engine read them at `now`. */
export interface RawStats {
  live: LiveCounts;
  /** Bucket number → counters; buckets without any are absent. */
  windows: Map<number, WindowCounts>;
  peaks: readonly PeakEntry[];
}

/** What an active call adds to the live counts; null once it has ended. */
export interface Contribution {
  phase: ActivePhase;
  direction: Direction;
  trunk: string;
  company: string | null;
}

export function contributionOf(record: CallRecord): Contribution | null {
  if (record.phase === 'ended') return null;
  return {
    phase: record.phase,
    direction: record.direction,
    trunk: record.trunk ?? '',
    company: record.company_id,
  };
}

/** Talk time of an ended, answered call; null otherwise. */
export function talkMsOf(record: CallRecord): number | null {
  if (record.phase !== 'ended' || record.answered_at === null || record.ended_at === null)
    return null;
  return Math.max(0, record.ended_at - record.answered_at);
}

/** The oldest minute that still overlaps the last hour. */
export const oldestPeakMinute = (now: number): number =>
  Math.floor((now - PEAK_MINUTES * PEAK_MINUTE_MS) / PEAK_MINUTE_MS);

const round = (value: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

function emptyCounts(): WindowCounts {
  return { att: 0, done: 0, ans: 0, talk_ms: 0, talked: 0 };
}

/**
 * The StatsPayload of one scope (`company` null: all calls) from its raw counters.
 * CPS: attempts in the last 60 s — the six newest buckets plus the still-covered share of
 * the seventh — per second. ASR (answered / concluded attempts) and ACD: the 90 newest
 * buckets. Peak: the highest minute
 * of the last hour, or the current count when that is higher (quiet for an hour).
 */
export function statsFrom(raw: RawStats, company: string | null, now: number): StatsPayload {
  const by_phase = { setup: 0, ringing: 0, answered: 0 };
  const by_direction = Object.fromEntries(DIRECTIONS.map((d) => [d, 0])) as Record<
    Direction,
    number
  >;
  const by_company: Record<string, number> = {};
  const by_trunk: Record<string, number> = {};
  const active = Math.max(0, raw.live.get('active') ?? 0);
  for (const [field, value] of raw.live) {
    if (value <= 0) continue;
    const colon = field.indexOf(':');
    if (colon < 0) continue;
    const kind = field.slice(0, colon);
    const name = field.slice(colon + 1);
    if (kind === 'phase' && name in by_phase) by_phase[name as ActivePhase] = value;
    else if (kind === 'dir' && name in by_direction) by_direction[name as Direction] = value;
    else if (kind === 'trunk') by_trunk[name] = value;
    else if (kind === 'company' && company === null) by_company[name] = value;
  }
  if (company !== null) by_company[company] = active;

  const current = bucketOf(now);
  const at = (bucket: number) => raw.windows.get(bucket) ?? emptyCounts();
  const ratio = emptyCounts();
  for (let b = current - RATIO_BUCKETS + 1; b <= current; b++) {
    const counts = at(b);
    ratio.done += counts.done;
    ratio.ans += counts.ans;
    ratio.talk_ms += counts.talk_ms;
    ratio.talked += counts.talked;
  }

  let peak: StatsPayload['peak_1h'] = { active, at: active > 0 ? now : null };
  const oldest = oldestPeakMinute(now);
  let best: PeakEntry | undefined;
  for (const entry of raw.peaks) {
    if (entry.minute < oldest) continue;
    if (
      best === undefined ||
      entry.count > best.count ||
      (entry.count === best.count && entry.at < best.at)
    )
      best = entry;
  }
  if (best !== undefined && best.count >= active && best.count > 0)
    peak = { active: best.count, at: best.at };

  return {
    active,
    by_phase,
    by_direction,
    by_company,
    by_trunk,
    cps_1m: cpsOf((bucket) => at(bucket).att, now),
    asr_15m: asrFrom(ratio.ans, ratio.done),
    acd_15m: ratio.talked === 0 ? null : round(ratio.talk_ms / ratio.talked / 1000, 1),
    peak_1h: peak,
  };
}

/**
 * Call attempts per second over the last 60 s at `now` (2 decimals): the six newest buckets
 * plus the still-covered share of the seventh. `attemptsIn` gives a bucket's attempts.
 */
export function cpsOf(attemptsIn: (bucket: number) => number, now: number): number {
  const current = bucketOf(now);
  let attempts = attemptsIn(current - CPS_BUCKETS) * (1 - (now - current * BUCKET_MS) / BUCKET_MS);
  for (let b = current - CPS_BUCKETS + 1; b <= current; b++) attempts += attemptsIn(b);
  return round(Math.max(0, attempts) / 60, 2);
}

/** What the memory engine keeps per stored call for the ledger. */
export interface LedgerCall {
  record: CallRecord;
  /** answered_at has been non-null at some point (sticky). */
  answered: boolean;
}

interface ScopeState {
  /** '' for all calls, else the company. */
  key: string;
  live: LiveCounts;
  peaks: Map<number, PeakEntry>;
}

/**
 * The memory engine's stats state: the same counters and the same rules as the Redis
 * apply script.
 */
export class StatsLedger {
  readonly #all: ScopeState = { key: '', live: new Map(), peaks: new Map() };
  readonly #companies = new Map<string, ScopeState>();
  /** Bucket → scope ('' = all) → counters. */
  readonly #windows = new Map<number, Map<string, WindowCounts>>();
  /** Bucket → trunk → concluded attempts and answered calls (the ASR alarm per trunk). */
  readonly #trunkWindows = new Map<number, Map<string, RatioCounts>>();
  /** Minute → scope ('' = all) → counters of the history (stats/history.ts). */
  readonly #minutes = new Map<number, Map<string, MinuteCounts>>();
  #lastBucket = Number.NEGATIVE_INFINITY;

  /**
   * One accepted change of a call (`stored` undefined when first seen) at `now`. Returns
   * whether the call has now been answered, for the caller to keep with the record.
   */
  apply(stored: LedgerCall | undefined, record: CallRecord, now: number): boolean {
    this.#sweep(now);
    const before = stored === undefined ? null : contributionOf(stored.record);
    const after = contributionOf(record);
    if (before !== null && after !== null && before.company === after.company) {
      // Still active in the same company: only what changed moves; active counts (so the
      // peaks) are untouched.
      this.#shift(after.company, `phase:${before.phase}`, `phase:${after.phase}`);
      this.#shift(after.company, `dir:${before.direction}`, `dir:${after.direction}`);
      this.#shift(after.company, `trunk:${before.trunk}`, `trunk:${after.trunk}`);
    } else {
      if (before !== null) this.#contribute(before, -1, now);
      if (after !== null) this.#contribute(after, 1, now);
    }

    const company = record.company_id;
    if (stored === undefined) {
      this.#count(company, 'att', 1, now);
    }
    const wasAnswered = stored?.answered ?? false;
    const answered = wasAnswered || record.answered_at !== null;
    if (concludes(wasAnswered, record)) {
      this.#count(company, 'done', 1, now);
      this.#countTrunk(record.trunk, 'done', now);
    }
    if (answered && !wasAnswered) {
      this.#count(company, 'ans', 1, now);
      this.#countTrunk(record.trunk, 'ans', now);
    }
    const talk = talkMsOf(record);
    if (talk !== null) {
      this.#count(company, 'talk_ms', talk, now);
      this.#count(company, 'talked', 1, now);
    }
    return answered;
  }

  /** The raw counters of one scope. */
  raw(company: string | null, now: number): RawStats {
    this.#sweep(now);
    const scope = company === null ? this.#all : this.#companies.get(company);
    const key = company ?? '';
    const windows = new Map<number, WindowCounts>();
    for (const [bucket, scopes] of this.#windows) {
      const counts = scopes.get(key);
      if (counts !== undefined) windows.set(bucket, { ...counts });
    }
    return {
      live: new Map(scope?.live ?? []),
      windows,
      peaks: [...(scope?.peaks.values() ?? [])],
    };
  }

  /**
   * The window counters the alarm rules read (alarms/alarm-inputs.ts): concluded attempts and
   * answered calls over all calls and per trunk in the ASR window, and attempts (first seen)
   * per company in the CPS window.
   */
  rawAlarmWindows(
    now: number,
  ): Pick<RawAlarmInputs, 'windows' | 'trunkWindows' | 'companyAttempts'> {
    this.#sweep(now);
    const current = bucketOf(now);
    const windows = new Map<number, RatioCounts>();
    const companyAttempts = new Map<number, Map<string, number>>();
    for (const [bucket, scopes] of this.#windows) {
      if (bucket <= current - RATIO_BUCKETS) continue;
      const all = scopes.get('');
      if (all !== undefined) windows.set(bucket, { done: all.done, ans: all.ans });
      if (bucket < current - CPS_BUCKETS) continue;
      const attempts = new Map<string, number>();
      for (const [key, counts] of scopes)
        if (key !== '' && counts.att > 0) attempts.set(key, counts.att);
      companyAttempts.set(bucket, attempts);
    }
    const trunkWindows = new Map<number, Map<string, RatioCounts>>();
    for (const [bucket, trunks] of this.#trunkWindows) {
      if (bucket <= current - RATIO_BUCKETS) continue;
      trunkWindows.set(bucket, new Map([...trunks].map(([t, c]) => [t, { ...c }])));
    }
    return { windows, trunkWindows, companyAttempts };
  }

  /** The history counters of one scope over the `minutes` newest minutes. */
  rawHistory(company: string | null, now: number, minutes: number): RawHistory {
    this.#sweep(now);
    const scope = company === null ? this.#all : this.#companies.get(company);
    const key = company ?? '';
    const first = firstMinute(now, minutes);
    const found = new Map<number, MinuteCounts>();
    for (const [minute, scopes] of this.#minutes) {
      const counts = scopes.get(key);
      if (minute >= first && counts !== undefined) found.set(minute, { ...counts });
    }
    return { active: scope?.live.get('active') ?? 0, minutes: found };
  }

  clear(): void {
    this.#all.live.clear();
    this.#all.peaks.clear();
    this.#companies.clear();
    this.#windows.clear();
    this.#trunkWindows.clear();
    this.#minutes.clear();
  }

  #contribute(c: Contribution, n: number, now: number): void {
    const fields = [`phase:${c.phase}`, `dir:${c.direction}`, `trunk:${c.trunk}`];
    this.#add(this.#all, [...fields, `company:${c.company ?? ''}`], n, now);
    if (c.company !== null) this.#add(this.#scope(c.company), fields, n, now);
  }

  #add(scope: ScopeState, fields: readonly string[], n: number, now: number): void {
    this.#observe(scope, now);
    for (const field of ['active', ...fields]) this.#bump(scope, field, n);
    this.#observe(scope, now);
  }

  #shift(company: string | null, from: string, to: string): void {
    if (from === to) return;
    for (const scope of company === null ? [this.#all] : [this.#all, this.#scope(company)]) {
      this.#bump(scope, from, -1);
      this.#bump(scope, to, 1);
    }
  }

  #bump(scope: ScopeState, field: string, n: number): void {
    const value = (scope.live.get(field) ?? 0) + n;
    if (value === 0) scope.live.delete(field);
    else scope.live.set(field, value);
  }

  /**
   * Samples the scope's active count into its current minute (first highest wins), and into
   * the minute's history: the count it began with (first sample) and its highest.
   */
  #observe(scope: ScopeState, now: number): void {
    const count = scope.live.get('active') ?? 0;
    const minute = minuteOf(now);
    const entry = scope.peaks.get(minute);
    if (entry === undefined || count > entry.count)
      scope.peaks.set(minute, { minute, count, at: now });
    const counts = this.#minute(minute, scope.key);
    counts.st ??= count;
    if (counts.pk === null || count > counts.pk) counts.pk = count;
  }

  #minute(minute: number, key: string): MinuteCounts {
    let scopes = this.#minutes.get(minute);
    if (scopes === undefined) this.#minutes.set(minute, (scopes = new Map<string, MinuteCounts>()));
    let counts = scopes.get(key);
    if (counts === undefined) scopes.set(key, (counts = emptyMinute()));
    return counts;
  }

  #scope(company: string): ScopeState {
    let scope = this.#companies.get(company);
    if (scope === undefined) {
      scope = { key: company, live: new Map(), peaks: new Map() };
      this.#companies.set(company, scope);
    }
    return scope;
  }

  #countTrunk(trunk: string | null, field: keyof RatioCounts, now: number): void {
    if (trunk === null) return;
    const bucket = bucketOf(now);
    let trunks = this.#trunkWindows.get(bucket);
    if (trunks === undefined)
      this.#trunkWindows.set(bucket, (trunks = new Map<string, RatioCounts>()));
    let counts = trunks.get(trunk);
    if (counts === undefined) trunks.set(trunk, (counts = { done: 0, ans: 0 }));
    counts[field]++;
  }

  #count(company: string | null, field: keyof WindowCounts, n: number, now: number): void {
    const bucket = bucketOf(now);
    let scopes = this.#windows.get(bucket);
    if (scopes === undefined) this.#windows.set(bucket, (scopes = new Map<string, WindowCounts>()));
    for (const key of company === null ? [''] : ['', company]) {
      let counts = scopes.get(key);
      if (counts === undefined) scopes.set(key, (counts = emptyCounts()));
      counts[field] += n;
      if (field === 'att' || field === 'done' || field === 'ans')
        this.#minute(minuteOf(now), key)[field] += n;
    }
  }

  /** Drops buckets and minutes no window reads any more, at most once per bucket. */
  #sweep(now: number): void {
    const bucket = bucketOf(now);
    if (bucket === this.#lastBucket) return;
    this.#lastBucket = bucket;
    const oldestBucket = bucket - RATIO_BUCKETS - 1;
    for (const b of this.#windows.keys()) if (b < oldestBucket) this.#windows.delete(b);
    for (const b of this.#trunkWindows.keys()) if (b < oldestBucket) this.#trunkWindows.delete(b);
    const oldestHistory = firstMinute(now, HISTORY_MINUTES);
    for (const m of this.#minutes.keys()) if (m < oldestHistory) this.#minutes.delete(m);
    const oldestMinute = oldestPeakMinute(now);
    for (const [company, scope] of [['', this.#all] as const, ...this.#companies]) {
      for (const m of scope.peaks.keys()) if (m < oldestMinute) scope.peaks.delete(m);
      if (company !== '' && scope.live.size === 0 && scope.peaks.size === 0)
        this.#companies.delete(company);
    }
  }
}
