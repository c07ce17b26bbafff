// What the duration column shows: ringing time until answer, then talk time.
import type { CallRecord } from '@live-calls/protocol';

export type TimingKind = 'setup' | 'ringing' | 'talk' | 'ended';

export interface CallTiming {
  kind: TimingKind;
  /** Never negative, whatever the clocks say. */
  ms: number;
}

function since(start: number | null, end: number): number {
  return start === null ? 0 : Math.max(0, end - start);
}

/** The running (or final) duration of a call at server time `now`. */
export function callTiming(call: CallRecord, now: number): CallTiming {
  const start = call.created_at ?? call.ts;
  if (call.phase === 'ended') {
    const end = call.ended_at ?? call.ts;
    return call.answered_at === null
      ? { kind: 'ended', ms: since(start, end) }
      : { kind: 'ended', ms: since(call.answered_at, end) };
  }
  if (call.phase === 'answered')
    return { kind: 'talk', ms: since(call.answered_at ?? call.ts, now) };
  return { kind: call.phase, ms: since(start, now) };
}

/** The number the minimum-duration filter and the duration sort use: talk or ringing ms. */
export function durationMs(call: CallRecord, now: number): number {
  return callTiming(call, now).ms;
}

/** `0:07`, `12:34`, `1:02:03`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = s.toString().padStart(2, '0');
  return h > 0 ? `${h}:${m.toString().padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** `1 s`, `42 s`, `3 min`, `2 h` — for "last event 3 s ago" style ages. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h`;
}

const pad = (n: number) => n.toString().padStart(2, '0');

/**
 * Wall-clock time of day, 24 h: `14:03:27`, in the browser's zone or in UTC. Cheap enough
 * for every row; the zone's name is said once, where the column or panel is labelled.
 */
export function formatClock(ms: number, zone: 'local' | 'utc' = 'local'): string {
  const d = new Date(ms);
  return zone === 'utc'
    ? `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
    : `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
