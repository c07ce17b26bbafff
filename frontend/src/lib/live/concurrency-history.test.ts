import { describe, expect, it } from 'vitest';
import { ConcurrencyHistory, HISTORY_SPAN_MS, peakOf } from './concurrency-history.js';

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
