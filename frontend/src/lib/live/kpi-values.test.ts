import type { StatsPayload } from '@live-calls/protocol';
import { describe, expect, it } from 'vitest';
import { asrTone, judgedAsr } from './kpi-values.js';

const NONE = { setup: 0, ringing: 0, answered: 0 };

function stats(asr: number | null, acd: number | null): StatsPayload {
  return {
    active: 3,
    by_phase: { setup: 1, ringing: 2, answered: 0 },
    by_direction: { inbound: 3, outbound: 0, internal: 0, unknown: 0 },
    by_company: {},
    by_trunk: {},
    cps_1m: 1,
    asr_15m: asr,
    acd_15m: acd,
    peak_1h: { active: 3, at: null },
  };
}

describe('KPI values', () => {
  it('shows no ASR until an attempt has concluded (the server says null)', () => {
    expect(judgedAsr(null, NONE)).toBeNull();
    expect(judgedAsr(stats(null, null), { ...NONE, ringing: 40 })).toBeNull();
    expect(asrTone(judgedAsr(stats(null, null), NONE))).toBe('');
  });

  it('shows a 0 % in red: concluded attempts that all failed, an outage even with nothing answered', () => {
    expect(judgedAsr(stats(0, null), { ...NONE, ringing: 40 })).toBe(0);
    expect(judgedAsr(stats(0, 42), NONE)).toBe(0);
    expect(asrTone(0)).toBe('bad');
    expect(asrTone(40)).toBe('warn');
    expect(asrTone(55)).toBe('ok');
  });
});
