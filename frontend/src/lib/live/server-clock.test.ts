import { describe, expect, it } from 'vitest';
import { ServerClock } from './server-clock.js';

describe('ServerClock', () => {
  it('uses the largest recent offset, since delay only makes samples smaller', () => {
    const clock = new ServerClock();
    clock.sample(10_000, 9_000); // +1000, no delay
    clock.sample(20_000, 19_300); // +700, 300 ms in transit
    expect(clock.offset).toBe(1000);
  });

  it('never runs backwards when the offset shrinks', () => {
    const clock = new ServerClock();
    clock.sample(50_000, 10_000);
    expect(clock.now(10_000)).toBe(50_000);
    // The browser clock jumps forward by a minute (NTP step): offset shrinks a lot.
    for (let i = 0; i < 10; i++) clock.sample(50_100 + i, 70_000 + i);
    expect(clock.now(70_000)).toBeGreaterThanOrEqual(50_000);
    expect(clock.now(69_000)).toBeGreaterThanOrEqual(clock.now(68_000));
  });

  it('is the local clock before any sample', () => {
    const clock = new ServerClock();
    expect(clock.synced).toBe(false);
    expect(clock.now(1234)).toBe(1234);
  });
});
