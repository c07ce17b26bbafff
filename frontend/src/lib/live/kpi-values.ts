// What the KPI tiles show before they have anything to say: a neutral "—", never a
// figure that reads as an alarm. ASR is the server's answered / *concluded* attempts
// (docs/interface/sse.md#stats): calls still in setup or ringing are not in it, so a fresh wall
// gets `null` ("—"), not a red 0 %, and a 0 % means every attempt concluded in 15 min failed —
// an outage, shown red.

export const NO_DATA = '—';

export type Tone = '' | 'ok' | 'warn' | 'bad';

/** Carrier rule of thumb: 40–50 % is acceptable on wholesale traffic; under 35 % is bad. */
export function asrTone(asr: number | null): Tone {
  if (asr === null) return '';
  return asr >= 50 ? 'ok' : asr >= 35 ? 'warn' : 'bad';
}
