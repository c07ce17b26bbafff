import type { CallRecord } from '@live-calls/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SIMULATOR_CONFIG } from './config.js';
import { runSimulator } from './run-simulator.js';
import { CallSimulator } from './simulator.js';

const START = 1_760_000_000_000;
const config = { ...DEFAULT_SIMULATOR_CONFIG, cps: 20 };

describe('runSimulator', () => {
  let clock = START;
  const now = () => clock;
  /** Moves the fake clock and the fake timers together, one tick at a time. */
  const elapse = (ms: number, tickMs: number) => {
    for (let i = 0; i < ms / tickMs; i++) {
      clock += tickMs;
      vi.advanceTimersByTime(tickMs);
    }
  };

  beforeEach(() => {
    vi.useFakeTimers();
    clock = START;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('publishes what advance() yields at each tick, in order, until stopped', () => {
    const published: CallRecord[] = [];
    const runner = runSimulator(new CallSimulator(config, START), (r) => published.push(r), {
      tickMs: 50,
      now,
    });
    elapse(60_000, 50);
    const reference = new CallSimulator(config, START);
    const expected: CallRecord[] = [];
    for (let t = START + 50; t <= START + 60_000; t += 50) expected.push(...reference.advance(t));
    expect(published.length).toBeGreaterThan(0);
    expect(published).toEqual(expected);

    runner.stop();
    runner.stop();
    const count = published.length;
    elapse(10_000, 50);
    expect(published.length).toBe(count);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('after a long gap, skips the missed arrivals instead of bursting them', () => {
    const sim = new CallSimulator(config, START);
    const published: CallRecord[] = [];
    const runner = runSimulator(sim, (r) => published.push(r), { tickMs: 100, now });
    elapse(60_000, 100);
    const attempts = sim.attempts;
    published.length = 0;
    clock += 2 * 3_600_000; // suspended for two hours
    vi.advanceTimersByTime(100);
    runner.stop();
    // Only the calls that were up ended; at most the last tick's arrivals are new.
    expect(sim.attempts - attempts).toBeLessThan(20);
    expect(published.filter((r) => r.phase === 'setup').length).toBeLessThan(20);
    expect(published.filter((r) => r.phase === 'ended').length).toBeGreaterThan(100);
  });

  it('rejects a bad tick', () => {
    const sim = new CallSimulator(config, START);
    expect(() => runSimulator(sim, () => undefined, { tickMs: 0 })).toThrow(/tickMs/);
  });
});
