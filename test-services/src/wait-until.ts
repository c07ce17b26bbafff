import { setTimeout as delay } from 'node:timers/promises';
import { WaitTimeoutError } from './errors.js';

export const DEFAULT_WAIT_TIMEOUT_MS = 10_000;
export const DEFAULT_POLL_INTERVAL_MS = 50;

export interface WaitOptions<T> {
  /** What is awaited, for the timeout message: "… waiting for <what>". */
  readonly what: string;
  /** Give up after this long (default 10 s). */
  readonly timeoutMs?: number;
  /** Pause between probes (default 50 ms). */
  readonly intervalMs?: number;
  /** Whether a probed value is the one awaited; without it any truthy value is. */
  readonly accept?: (value: T) => boolean;
}

/**
 * Probes until the value is accepted and resolves with it; rejects with a WaitTimeoutError
 * carrying the last value once `timeoutMs` has passed. A probe that throws ends the wait
 * with its error, so "not yet" must be a value (false, undefined), never an exception.
 * The one poll-until helper of the `node --test` suites; Vitest suites have `vi.waitFor`.
 */
export async function waitUntil<T>(
  probe: () => T | Promise<T>,
  options: WaitOptions<T>,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const intervalMs = options.intervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const accept = options.accept ?? Boolean;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() >= deadline) throw new WaitTimeoutError(options.what, timeoutMs, value);
    await delay(intervalMs);
  }
}
