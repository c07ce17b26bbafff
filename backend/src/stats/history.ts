// Per-minute history of a scope (docs/interface/http.md `GET /api/v1/live/history`), pure:
// the counters both engines keep per minute and the one function that turns them into the
// samples. Both engines keep them in the same step that applies a call, so every instance
// serves the same series and no timer samples anything.
//
// Per minute (of the backend's clock) and scope: `att` (calls first seen), `done` (attempts
// concluded: answered, or ended never answered) and `ans` (answered_at first non-null), as
// the stats windows count them; `pk`, the highest number
// of active calls reached in the minute (as the 1-h peak tracks it) and `st`, the number
// active when the minute's first change of that number began. A minute in which the active
// count did not change has neither: its count is the one held since, which `st` of the
// next minute with a change (or the current count) gives.
import { minuteOf, PEAK_MINUTE_MS } from './clock.js';
import { asrFrom } from './asr.js';

/** The longest window served (24 h). */
export const HISTORY_MINUTES = 1440;
/** A minute's counters outlive the longest window that reads them. */
export const HISTORY_TTL_MS = (HISTORY_MINUTES + 2) * PEAK_MINUTE_MS;

export interface MinuteCounts {
  att: number;
  done: number;
  ans: number;
  /** Highest active count in the minute; null when it did not change in the minute. */
  pk: number | null;
  /** Active count before the minute's first change of it; null likewise. */
  st: number | null;
}

/** The counters of one scope as an engine read them. */
export interface RawHistory {
  /** Active calls now. */
  active: number;
  /** Minute number → counters; minutes without any are absent. */
  minutes: Map<number, MinuteCounts>;
}

export interface HistorySample {
  /** Start of the minute, ms since epoch. */
  t: number;
  /** Highest number of concurrent calls in the minute. */
  active: number;
  /** Calls answered in the minute. */
  answered: number;
  /** Attempts in the minute / 60. */
  cps: number;
  /** answered / attempts concluded in the minute × 100; null without any. */
  asr: number | null;
}

export function emptyMinute(): MinuteCounts {
  return { att: 0, done: 0, ans: 0, pk: null, st: null };
}

const round = (value: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/** The oldest minute a window of `minutes` ending at `now` covers. */
export const firstMinute = (now: number, minutes: number): number => minuteOf(now) - minutes + 1;

/**
 * One sample per minute of the `minutes` newest (the current one, still running, last),
 * oldest first. The active count is filled backwards from the current count: a minute
 * with changes says what it began with.
 */
export function historyFrom(raw: RawHistory, now: number, minutes: number): HistorySample[] {
  const samples: HistorySample[] = [];
  let held = Math.max(0, raw.active);
  for (let m = minuteOf(now); m >= firstMinute(now, minutes); m--) {
    const counts = raw.minutes.get(m) ?? emptyMinute();
    const active = counts.pk === null ? held : Math.max(counts.pk, 0);
    if (counts.st !== null) held = Math.max(0, counts.st);
    samples.push({
      t: m * PEAK_MINUTE_MS,
      active,
      answered: counts.ans,
      cps: round(counts.att / 60, 2),
      asr: asrFrom(counts.ans, counts.done),
    });
  }
  return samples.reverse();
}

/** `15m`, `1h`, `24h`… as minutes (1 min to 24 h), or null when it is not one. */
export function windowMinutes(text: string): number | null {
  const match = /^([1-9]\d{0,4})([mh])$/.exec(text);
  if (match === null) return null;
  const minutes = Number(match[1]) * (match[2] === 'h' ? 60 : 1);
  return minutes <= HISTORY_MINUTES ? minutes : null;
}
