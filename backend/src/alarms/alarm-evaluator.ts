// Runs the alarm rules on a timer (ALARMS_INTERVAL_MS), never per event, so ingest never
// waits for them: take the lease, read the aggregates, judge them (evaluate.ts), apply the
// transitions with compare-and-set. The lease keeps one instance evaluating at a time; the
// compare-and-set alone already makes every transition happen once
// (docs/adr/0014-alarms-once-across-instances.md).
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { LiveStore } from '../store/live-store.js';
import { LONG_CALL_LIMIT } from './alarm-inputs.js';
import type { AlarmRules } from './alarm-rules.js';
import { evaluateAlarms } from './evaluate.js';

/** The lease outlives this many intervals, so a holder that died is replaced within them. */
const LEASE_INTERVALS = 3;

export interface AlarmEvaluatorOptions {
  store: LiveStore;
  rules: AlarmRules;
  intervalMs: number;
  /** A source is stale after this long without a sync. */
  staleAfterMs: number;
  log: Logger;
  metrics: Metrics;
  now?: () => number;
}

export class AlarmEvaluator {
  readonly #options: AlarmEvaluatorOptions;
  readonly #now: () => number;
  /** This instance's name in the lease. */
  readonly #owner = randomUUID();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #round: Promise<number> | undefined;

  constructor(options: AlarmEvaluatorOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.evaluate(), this.#options.intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer and waits for a round in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#round;
  }

  /**
   * One round; resolves to the transitions this instance made (0 when another instance
   * holds the lease or made them first). A round still running is not doubled.
   */
  evaluate(): Promise<number> {
    if (this.#stopped) return Promise.resolve(0);
    this.#round ??= this.#evaluate().finally(() => (this.#round = undefined));
    return this.#round;
  }

  async #evaluate(): Promise<number> {
    const { store, rules, log, metrics, intervalMs } = this.#options;
    try {
      if (!(await store.alarmLease(this.#owner, LEASE_INTERVALS * intervalMs))) return 0;
      const started = performance.now();
      const now = this.#now();
      const inputs = await store.alarmInputs({
        now,
        trunks: rules.trunk_utilisation === null ? [] : [...rules.trunks.keys()],
        longCallBefore: rules.long_call === null ? null : now - rules.long_call.warning * 1000,
        longCallLimit: LONG_CALL_LIMIT,
      });
      const transitions = evaluateAlarms(rules, inputs, {
        now,
        staleAfterMs: this.#options.staleAfterMs,
      });
      const seqs = await store.applyAlarms(transitions);
      metrics.alarmEvaluation.observe((performance.now() - started) / 1000);
      let made = 0;
      transitions.forEach(({ event }, i) => {
        if (seqs[i] === 0) return;
        made++;
        log.info(
          { alarm: event.id, state: event.state, severity: event.severity, seq: seqs[i] },
          event.message,
        );
      });
      return made;
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'alarm evaluation failed; the next round retries');
      return 0;
    }
  }
}
