// What ASR counts, in one place (docs/interface/sse.md `asr_15m`): answered calls / attempts
// *concluded*. An attempt concludes at its first answer, or at its end when it was never
// answered; a call still in setup or ringing has not failed yet, so it stays out of the
// denominator (counting it from first sight made a fresh wall show ASR near 0 %). The stats
// windows, the per-minute history and the ASR alarm all read these counts; the Redis apply
// script (store/redis-scripts.ts) mirrors `concludes`.
import type { CallRecord } from '@live-calls/protocol';

/**
 * Whether this accepted change of a call concludes its attempt, given whether the call had
 * been answered before it: its first answer, or its end when never answered — a reaped call
 * included (as far as the wall knows it never connected). Each call concludes once: an
 * answer is sticky and nothing is applied after an end.
 */
export function concludes(wasAnswered: boolean, record: CallRecord): boolean {
  if (wasAnswered) return false;
  return record.answered_at !== null || record.phase === 'ended';
}

/** ASR in percent, 1 decimal, from answers and concluded attempts; null without any. */
export function asrFrom(ans: number, done: number): number | null {
  // An answer concludes its attempt in the same change, so ans ≤ done over any buckets; the
  // cap only guards counters written before `done` existed (an upgrade under traffic).
  if (done === 0) return null;
  return Math.round(Math.min(100, (ans / done) * 100) * 10) / 10;
}
