// The only impure part: drives a simulator from the wall clock on a timer it owns.
import type { CallRecord } from '@live-calls/protocol';
import type { CallSimulator } from './simulator.js';

export interface RunSimulatorOptions {
  /** How often to advance, ms (default 100). */
  tickMs?: number;
  /** The clock (default Date.now). */
  now?: () => number;
  /**
   * After a gap longer than this (a suspended laptop, a blocked event loop), the missed
   * arrivals are skipped rather than burst out at once; calls in progress still play out.
   * Default 10000 ms.
   */
  maxCatchUpMs?: number;
}

const DEFAULT_TICK_MS = 100;
const DEFAULT_MAX_CATCH_UP_MS = 10_000;

/**
 * Every tickMs calls advance(now()) and hands each record to publish, in order. publish
 * must not throw: a throw escapes the timer callback, and the rest of that batch is lost.
 * stop() clears the timer; it is safe to call more than once.
 */
export function runSimulator(
  sim: CallSimulator,
  publish: (record: CallRecord) => void,
  opts: RunSimulatorOptions = {},
): { stop(): void } {
  const tickMs = opts.tickMs ?? DEFAULT_TICK_MS;
  const maxCatchUpMs = opts.maxCatchUpMs ?? DEFAULT_MAX_CATCH_UP_MS;
  const now = opts.now ?? Date.now;
  if (!Number.isFinite(tickMs) || tickMs <= 0) {
    throw new RangeError(`tickMs must be a positive number, got ${tickMs}`);
  }
  if (!(maxCatchUpMs > 0)) {
    throw new RangeError(`maxCatchUpMs must be a positive number, got ${maxCatchUpMs}`);
  }
  const timer = setInterval(() => {
    const t = now();
    if (t - sim.clockMs > maxCatchUpMs) sim.skipArrivals(t - tickMs);
    for (const record of sim.advance(t)) publish(record);
  }, tickMs);
  return {
    stop() {
      clearInterval(timer);
    },
  };
}
