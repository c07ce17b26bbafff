// The one retry schedule of every reconnect and retry loop (PBX, NATS, Redis, browser).

export interface BackoffPolicy {
  /** Delay before the first retry. */
  minMs: number;
  /** The delay never grows past this. */
  maxMs: number;
  /** Share of the delay drawn at random either way, so peers do not retry in step. Default 0.2. */
  jitter?: number;
}

/** Delay before retry `attempt` (1-based): doubling from `minMs`, capped at `maxMs`, jittered. */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const base = Math.min(policy.maxMs, policy.minMs * 2 ** exponent);
  const jitter = policy.jitter ?? 0.2;
  return Math.round(base * (1 - jitter + 2 * jitter * random()));
}
