// What the KPI tiles show before they have anything to say: a neutral "—", never a
// figure that reads as an alarm. A red "0 %" ASR in the first seconds of a wall, before any
// call could have been answered, is a false alarm.
import type { StatsPayload } from '@live-calls/protocol';
import type { PhaseCounts } from './call-view.js';

export const NO_DATA = '—';

export type Tone = '' | 'ok' | 'warn' | 'bad';

/**
 * ASR over 15 min, or null while it means nothing yet: no stats, no attempts, or not one
 * call answered in the window (no ACD, none talking now) — attempts that are still ringing
 * have not failed.
 */
export function judgedAsr(stats: StatsPayload | null, phases: PhaseCounts): number | null {
  const asr = stats?.asr_15m ?? null;
  if (asr === null) return null;
  if (asr === 0 && stats?.acd_15m == null && phases.answered === 0) return null;
  return asr;
}

/** Carrier rule of thumb: 40–50 % is acceptable on wholesale traffic; under 35 % is bad. */
export function asrTone(asr: number | null): Tone {
  if (asr === null) return '';
  return asr >= 50 ? 'ok' : asr >= 35 ? 'warn' : 'bad';
}
