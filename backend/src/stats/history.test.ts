import { describe, expect, it } from 'vitest';
import { emptyMinute, historyFrom, windowMinutes, type MinuteCounts } from './history.js';

const T0 = 1_800_000_000_000; // a minute boundary
const MINUTE = 60_000;

describe('windowMinutes', () => {
  it('reads minutes and hours from 1 min to 24 h, and nothing else', () => {
    expect(windowMinutes('15m')).toBe(15);
    expect(windowMinutes('1h')).toBe(60);
    expect(windowMinutes('24h')).toBe(1440);
    expect(windowMinutes('1440m')).toBe(1440);
    expect(windowMinutes('1m')).toBe(1);
    for (const bad of ['25h', '1441m', '0m', '0h', '01h', '1.5h', '1d', 'h', '', ' 1h', '1H'])
      expect(windowMinutes(bad), bad).toBeNull();
  });
});

describe('historyFrom', () => {
  const minutes = (entries: [number, Partial<MinuteCounts>][]) =>
    new Map(entries.map(([m, counts]) => [T0 / MINUTE + m, { ...emptyMinute(), ...counts }]));

  it('fills quiet minutes with the count held, back from the current one', () => {
    const raw = {
      active: 7,
      minutes: minutes([
        [-3, { att: 4, done: 4, ans: 4, pk: 4, st: 0 }],
        [-2, { att: 3 }],
        [-1, { pk: 9, st: 4 }],
      ]),
    };
    const samples = historyFrom(raw, T0 + 30_000, 5);
    expect(samples.map((s) => s.t)).toEqual([-4, -3, -2, -1, 0].map((m) => T0 + m * MINUTE));
    expect(samples.map((s) => s.active)).toEqual([0, 4, 4, 9, 7]);
    expect(samples[1]).toMatchObject({ answered: 4, cps: 0.07, asr: 100 });
    expect(samples.filter((s) => s.asr !== null)).toHaveLength(1);
  });

  it('asr is answered / concluded attempts in the minute; cps counts attempts first seen', () => {
    const raw = { active: 0, minutes: minutes([[0, { att: 6, done: 4, ans: 1 }]]) };
    expect(historyFrom(raw, T0, 1)).toEqual([{ t: T0, active: 0, answered: 1, cps: 0.1, asr: 25 }]);
  });

  it('caps asr at 100 for minutes written before concluded attempts were counted', () => {
    const raw = { active: 0, minutes: minutes([[0, { done: 2, ans: 3 }]]) };
    expect(historyFrom(raw, T0, 1)).toEqual([{ t: T0, active: 0, answered: 3, cps: 0, asr: 100 }]);
  });
});
