// A call's life, as rules every part applies the same way: the order of phases, and the
// record that ends a call its PBX no longer lists. The Redis apply script mirrors neither
// (it orders by `seq` alone, see reducer.ts); the bridge and the dashboard use both.
import type { CallRecord, Phase } from './record.js';

/** setup → ringing → answered → ended: a phase never goes back. */
export const PHASE_RANK: Readonly<Record<Phase, number>> = Object.freeze({
  setup: 0,
  ringing: 1,
  answered: 2,
  ended: 3,
});

/** True when `next` comes after `known` in a call's life. */
export function isLaterPhase(next: Phase, known: Phase): boolean {
  return PHASE_RANK[next] > PHASE_RANK[known];
}

/** The record that ends a call its PBX no longer lists (`end.reason = "reaped"`). */
export function reapedRecord(call: CallRecord, now: number): CallRecord {
  return {
    ...call,
    seq: call.seq + 1,
    phase: 'ended',
    ts: now,
    ended_at: now,
    end: { reason: 'reaped' },
  };
}
