// The call simulator as the bridge's PBX (PBX=simulator): its records take the same path
// as Kamailio's — call.events.<phase>, call.sync every SYNC_INTERVAL_MS, CDRs when ended.
import {
  reapedRecord,
  type CallRecord,
  type ControlReply,
  type ControlRequest,
} from '@live-calls/protocol';
import { CallSimulator, runSimulator, type SimulatorConfig } from '@live-calls/simulator';
import type { Logger } from 'pino';
import type { BridgeMetrics } from './metrics.js';
import type { PbxSource, SourceHealth } from './pbx-source.js';
import type { RecordSink } from './record-sink.js';

export class SimulatorSource implements PbxSource {
  readonly #config: SimulatorConfig;
  readonly #sink: RecordSink;
  readonly #syncIntervalMs: number;
  readonly #log: Logger;
  readonly #metrics: BridgeMetrics;
  #sim: CallSimulator | undefined;
  #runner: { stop(): void } | undefined;
  #syncTimer: NodeJS.Timeout | undefined;
  #lastSyncAt: number | null = null;

  constructor(
    config: SimulatorConfig,
    syncIntervalMs: number,
    sink: RecordSink,
    metrics: BridgeMetrics,
    log: Logger,
  ) {
    this.#config = config;
    this.#metrics = metrics;
    this.#syncIntervalMs = syncIntervalMs;
    this.#sink = sink;
    this.#log = log;
  }

  /**
   * The previous process's simulated calls are gone with it (call ids embed the start time,
   * so none continues): each one still active is ended now as reaped, with its CDR.
   */
  restore(records: readonly CallRecord[]): void {
    const now = Date.now();
    let reaped = 0;
    for (const record of records) {
      if (record.phase === 'ended') continue;
      this.#sink.record(reapedRecord(record, now));
      reaped++;
    }
    this.#metrics.reaped.inc(reaped);
    if (reaped > 0) this.#log.info({ calls: reaped }, 'calls of the previous run reaped');
  }

  start(): void {
    if (this.#sim) return;
    this.#sim = new CallSimulator(this.#config, Date.now());
    this.#runner = runSimulator(this.#sim, (record) => this.#sink.record(record));
    this.#log.info({ cps: this.#config.cps, seed: this.#config.seed }, 'call simulator started');
    // The simulator is the PBX: it is connected while it runs, as the health endpoint says.
    this.#metrics.pbxConnected.set(1);
    this.requestSync('start');
    this.#syncTimer = setInterval(() => this.requestSync('interval'), this.#syncIntervalMs);
  }

  requestSync(_reason: string): void {
    if (!this.#sim) return;
    // The list is as of the simulator's clock, which trails the wall clock between runs of
    // the driver: a sync stamped later would let the backend reap a call that arrives in
    // that gap (its ts is before the sync's, yet the list could not hold it).
    const ts = this.#sim.clockMs;
    this.#sink.sync(this.#sim.active(), ts);
    this.#lastSyncAt = ts;
    this.#metrics.syncs.inc({ result: 'ok' });
    this.#metrics.lastSync.set(ts / 1000);
    this.#metrics.activeCalls.set(this.#sim.activeCount);
  }

  /** The simulator is the PBX: the call ends at once, through the same sink as any end. */
  hangup(request: ControlRequest): Promise<ControlReply> {
    const record = this.#sim?.hangup(request.id, request.by);
    if (record === undefined) {
      return Promise.resolve({
        ok: false,
        error: { code: 'not_found', message: 'no such active call' },
      });
    }
    this.#sink.record(record);
    this.#metrics.activeCalls.set(this.#sim?.activeCount ?? 0);
    return Promise.resolve({ ok: true });
  }

  health(): SourceHealth {
    return {
      kind: 'simulator',
      connected: this.#sim !== undefined,
      state: this.#sim ? 'running' : 'stopped',
      lastSyncAt: this.#lastSyncAt,
      activeCalls: this.#sim?.activeCount ?? 0,
    };
  }

  close(): Promise<void> {
    this.#metrics.pbxConnected.set(0);
    this.#runner?.stop();
    clearInterval(this.#syncTimer);
    this.#runner = undefined;
    this.#syncTimer = undefined;
    return Promise.resolve();
  }
}
