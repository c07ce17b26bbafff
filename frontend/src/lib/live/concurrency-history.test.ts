import { describe, expect, it } from 'vitest';
import {
  axisMax,
  ConcurrencyHistory,
  HISTORY_SPAN_MS,
  mergeHistory,
  minuteSamples,
  peakOf,
  type MinuteSample,
} from './concurrency-history.js';

const minute = (t: number, active: number): MinuteSample => ({
  t,
  active,
  answered: 0,
  cps: 0,
  asr: null,
});

describe('ConcurrencyHistory', () => {
  it('samples at most every 5 s and keeps one hour', () => {
    const h = new ConcurrencyHistory();
    expect(h.add(0, 1)).toBe(true);
    expect(h.add(1_000, 2)).toBe(false);
    expect(h.add(5_000, 3)).toBe(true);
    h.add(HISTORY_SPAN_MS + 5_000, 4);
    expect(h.points.map((p) => p.active)).toEqual([3, 4]);
  });

  it('survives a reload through its serialized form and ignores garbage', () => {
    const h = new ConcurrencyHistory();
    h.add(10_000, 5);
    h.add(20_000, 9);
    const again = new ConcurrencyHistory();
    again.restore(h.serialize(), 30_000);
    expect(again.points).toEqual(h.points);
    expect(peakOf(again.points)).toEqual({ t: 20_000, active: 9 });
    again.restore('{nope', 0);
    again.restore('[["x",1],[1]]', 30_000);
    expect(again.points).toEqual([]);
  });
});

describe('mergeHistory', () => {
  it('fills the minutes before the tab opened from the server and keeps the tab samples', () => {
    const server = [minute(0, 10), minute(60_000, 20), minute(120_000, 30), minute(180_000, 31)];
    const own = [
      { t: 150_000, active: 28 },
      { t: 155_000, active: 29 },
      { t: 181_000, active: 33 },
    ];
    expect(mergeHistory(server, own)).toEqual([
      { t: 0, active: 10 },
      { t: 60_000, active: 20 },
      { t: 120_000, active: 30 },
      { t: 150_000, active: 28 },
      { t: 155_000, active: 29 },
      { t: 181_000, active: 33 },
    ]);
  });

  it('fills a gap while the tab was closed and works with either side empty', () => {
    const own = [
      { t: 0, active: 1 },
      { t: 300_000, active: 5 },
    ];
    const server = [0, 60_000, 120_000, 180_000, 240_000, 300_000].map((t) =>
      minute(t, t / 60_000),
    );
    expect(mergeHistory(server, own).map((p) => p.t)).toEqual([
      0, 60_000, 120_000, 180_000, 240_000, 300_000,
    ]);
    expect(mergeHistory(server, own).find((p) => p.t === 300_000)?.active).toBe(5);
    expect(mergeHistory([], own)).toEqual(own);
    expect(mergeHistory(server.slice(0, 2), [])).toEqual([
      { t: 0, active: 0 },
      { t: 60_000, active: 1 },
    ]);
  });

  it('reads only well-formed minutes', () => {
    expect(minuteSamples({ nope: 1 })).toEqual([]);
    expect(
      minuteSamples([minute(0, 1), { t: 'x', active: 1, cps: 0, asr: null }, null, { t: 1 }]),
    ).toEqual([minute(0, 1)]);
  });
});

describe('axisMax', () => {
  it('scales the axis to the data', () => {
    expect(axisMax(518)).toBe(600);
    expect(axisMax(0)).toBe(5);
    expect(axisMax(95)).toBe(100);
    expect(axisMax(1_900)).toBe(2_000);
    expect(axisMax(3)).toBe(5);
  });
});
