import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TALK_MS, OUTCOME_SHARES, scriptCall } from './call-script.js';
import type { CallScript } from './call-script.js';
import { Prng } from './prng.js';

function talkMs(script: CallScript): number | undefined {
  const answer = script.steps.find((s) => s.phase === 'answered');
  const end = script.steps.at(-1);
  return answer && end ? end.at - answer.at : undefined;
}

describe('scriptCall', () => {
  it('gives strictly increasing steps in phase order, ending exactly once', () => {
    fc.assert(
      fc.property(fc.nat(), (seed) => {
        const rng = new Prng(seed);
        for (let i = 0; i < 20; i++) {
          const { outcome, steps } = scriptCall(rng);
          const phases = steps.map((s) => s.phase[0]).join('');
          expect(phases).toMatch(/^r?a*e$/);
          let prev = 0;
          for (const step of steps) {
            expect(Number.isInteger(step.at)).toBe(true);
            expect(step.at).toBeGreaterThan(prev);
            prev = step.at;
          }
          const last = steps.at(-1);
          if (last?.phase !== 'ended') throw new Error('last step must end the call');
          if (outcome === 'answered') {
            expect(['bye', 'timeout']).toContain(last.end.reason);
            expect(last.end.sip_code).toBeUndefined();
            const first = steps[1];
            expect(first?.phase === 'answered' && !first.held).toBe(true);
          } else {
            expect(phases).not.toContain('a');
            expect(last.end.sip_code).toBeGreaterThanOrEqual(400);
            expect(last.end.reason).toBe(outcome === 'cancel' ? 'cancel' : 'failed');
          }
          if (outcome === 'not_found' || outcome === 'service_unavailable') {
            expect(steps).toHaveLength(1); // fails before ringing
          }
        }
      }),
    );
  });

  it('matches the traffic facts: ASR ~60 %, ringing 5–20 s, ACD ~3 min, heavy tail', () => {
    const rng = new Prng(11);
    const n = 100_000;
    const scripts = Array.from({ length: n }, () => scriptCall(rng));
    const answered = scripts.filter((s) => s.outcome === 'answered');
    const asr = answered.length / n;
    expect(asr).toBeGreaterThan(0.58);
    expect(asr).toBeLessThan(0.62);
    expect(OUTCOME_SHARES.answered).toBe(0.6);

    const talks = answered.map((s) => talkMs(s) ?? 0);
    const acdS = talks.reduce((a, b) => a + b, 0) / talks.length / 1000;
    expect(acdS).toBeGreaterThan(170);
    expect(acdS).toBeLessThan(190);
    const underMinute = talks.filter((t) => t < 60_000).length / talks.length;
    expect(underMinute).toBeGreaterThan(0.15);
    expect(underMinute).toBeLessThan(0.35);
    expect(Math.max(...talks)).toBeLessThanOrEqual(MAX_TALK_MS);
    expect(talks.filter((t) => t > 15 * 60_000).length).toBeGreaterThan(0);

    for (const s of answered.slice(0, 2000)) {
      const [ring, answer] = s.steps;
      expect(ring!.at).toBeGreaterThanOrEqual(1000);
      expect(ring!.at).toBeLessThanOrEqual(4000);
      const ringing = answer!.at - ring!.at;
      expect(ringing).toBeGreaterThanOrEqual(5000);
      expect(ringing).toBeLessThanOrEqual(20000);
    }

    const codes = new Set<number>();
    for (const s of scripts) {
      const last = s.steps.at(-1);
      if (last?.phase === 'ended' && last.end.sip_code !== undefined) codes.add(last.end.sip_code);
    }
    expect([...codes].sort()).toEqual([404, 480, 486, 487, 503]);
    const held = answered.filter((s) => s.steps.some((x) => x.phase === 'answered' && x.held));
    expect(held.length / answered.length).toBeGreaterThan(0.05);
  });
});
