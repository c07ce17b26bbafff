import { describe, expect, it } from 'vitest';
import { RingLog } from './ring-log.js';

const event = (seq: number) => ({
  seq,
  name: 'call.setup',
  company: null,
  data: '{}',
  userData: undefined,
});

describe('RingLog', () => {
  it('keeps the newest events up to its capacity and reads after any seq', () => {
    const log = new RingLog(5);
    expect(log.firstSeq).toBeUndefined();
    expect(log.after(0)).toEqual([]);
    for (let seq = 1; seq <= 8; seq++) log.push(event(seq));
    expect(log.length).toBe(5);
    expect(log.firstSeq).toBe(4);
    expect(log.after(3).map((e) => e.seq)).toEqual([4, 5, 6, 7, 8]);
    expect(log.after(6).map((e) => e.seq)).toEqual([7, 8]);
    expect(log.after(8)).toEqual([]);
    log.clear();
    expect(log.length).toBe(0);
  });
});
