// Kamailio as the bridge's PBX: evapi events in, translated and handed to the sink as they
// come; dlg.list over JSON-RPC on every (re)connect and every SYNC_INTERVAL_MS to repair
// whatever evapi lost while nobody was listening.
import {
  CONTROL_TIMEOUT_MS,
  backoffDelay,
  type CallRecord,
  type ControlErrorCode,
  type ControlReply,
  type ControlRequest,
} from '@live-calls/protocol';
import type { Logger } from 'pino';
import { CallTracker } from './call-tracker.js';
import { findDialog, isConfirmed, type DialogHandle, type DialogTarget } from './dialog-lookup.js';
import { DlgListError, parseDlgList } from './dlg-list.js';
import { EvapiClient } from './evapi-client.js';
import { decodeKamailioEvent } from './kamailio-event.js';
import { KamailioRpc, RpcError } from './kamailio-rpc.js';
import type { BridgeMetrics } from './metrics.js';
import type { PbxSource, SourceHealth } from './pbx-source.js';
import type { RecordSink } from './record-sink.js';
import type { SeqSource } from './seq-clock.js';

export interface KamailioSourceOptions {
  source: string;
  evapi: { host: string; port: number };
  rpcUrl: string;
  rpcTimeoutMs: number;
  syncIntervalMs: number;
  maxFrameBytes: number;
  reconnectMaxMs: number;
  seq: SeqSource;
}

/** At most this many warnings per reason per minute about bad frames. */
const REJECT_LOGS_PER_MINUTE = 10;
const MAX_SYNC_RETRY_MS = 5_000;
/**
 * Each of a hang-up's two RPCs (find the dialog, end it) waits at most this long, so the
 * reply reaches the backend within its deadline (CONTROL_TIMEOUT_MS).
 */
const CONTROL_RPC_TIMEOUT_MS = Math.floor(CONTROL_TIMEOUT_MS * 0.4);

function isDialogHandle(
  value: DialogHandle | { error: unknown } | undefined,
): value is DialogHandle {
  return value !== undefined && 'hEntry' in value;
}
/** Kamailio's JSON-RPC code for "Dialog not found". */
const RPC_NOT_FOUND = 404;

function refusal(code: ControlErrorCode, message: string): ControlReply {
  return { ok: false, error: { code, message } };
}

export class KamailioSource implements PbxSource {
  readonly #tracker: CallTracker;
  readonly #opts: KamailioSourceOptions;
  readonly #sink: RecordSink;
  readonly #metrics: BridgeMetrics;
  readonly #log: Logger;
  readonly #evapi: EvapiClient;
  readonly #rpc: KamailioRpc;
  readonly #controlRpc: KamailioRpc;
  /** Hang-ups under way by Call-ID: a second request for the same call shares the first. */
  readonly #hangups = new Map<string, Promise<ControlReply>>();
  #syncTimer: NodeJS.Timeout | undefined;
  #syncing: Promise<void> | undefined;
  #syncAgain = false;
  #syncFailures = 0;
  #lastSyncAt: number | null = null;
  #closed = false;
  readonly #rejectLog = new Map<string, { windowStart: number; count: number }>();

  constructor(opts: KamailioSourceOptions, sink: RecordSink, metrics: BridgeMetrics, log: Logger) {
    this.#opts = opts;
    this.#sink = sink;
    this.#metrics = metrics;
    this.#log = log;
    this.#tracker = new CallTracker({ source: opts.source, seq: opts.seq });
    this.#rpc = new KamailioRpc(opts.rpcUrl, opts.rpcTimeoutMs);
    this.#controlRpc = new KamailioRpc(
      opts.rpcUrl,
      Math.min(opts.rpcTimeoutMs, CONTROL_RPC_TIMEOUT_MS),
    );
    this.#evapi = new EvapiClient(
      {
        host: opts.evapi.host,
        port: opts.evapi.port,
        maxFrameBytes: opts.maxFrameBytes,
        maxBackoffMs: opts.reconnectMaxMs,
      },
      {
        frame: (data, receivedAt) => this.#onFrame(data, receivedAt),
        oversized: (length) => this.#reject('oversized', `frame of ${length} bytes skipped`),
        framingLost: (reason) => {
          this.#metrics.framingLost.inc({ reason });
          this.#log.warn({ reason }, 'evapi framing lost, reconnecting');
        },
        connected: () => {
          this.#metrics.pbxConnects.inc();
          this.#metrics.pbxConnected.set(1);
          this.#log.info(
            { evapi: `${opts.evapi.host}:${opts.evapi.port}` },
            'connected to Kamailio evapi',
          );
          this.requestSync('connect');
        },
        disconnected: (reason) => {
          this.#metrics.pbxConnected.set(0);
          this.#log.warn({ reason }, 'Kamailio evapi connection lost');
        },
      },
    );
  }

  restore(records: readonly CallRecord[]): void {
    const taken = this.#tracker.restore(records, Date.now());
    this.#metrics.activeCalls.set(this.#tracker.activeCount);
    this.#log.info({ calls: taken }, 'calls of the previous run restored');
  }

  start(): void {
    this.#evapi.start();
    // Syncs run on their interval even while evapi is down: dlg.list may still answer.
    this.#schedule();
  }

  health(): SourceHealth {
    const state = this.#evapi.state;
    return {
      kind: 'kamailio',
      connected: state.state === 'connected',
      state: state.state,
      ...(state.state === 'waiting' ? { detail: state.lastError } : {}),
      lastSyncAt: this.#lastSyncAt,
      activeCalls: this.#tracker.activeCount,
    };
  }

  requestSync(reason: string): void {
    if (this.#closed) return;
    if (this.#syncing) {
      // One more round after the running one: it may have read the list too early.
      this.#syncAgain = true;
      return;
    }
    clearTimeout(this.#syncTimer);
    this.#syncTimer = undefined;
    this.#syncing = this.#sync(reason).finally(() => {
      this.#syncing = undefined;
      if (this.#closed) return;
      if (this.#syncAgain) {
        this.#syncAgain = false;
        this.requestSync('coalesced');
      } else {
        this.#schedule();
      }
    });
  }

  hangup(request: ControlRequest): Promise<ControlReply> {
    const running = this.#hangups.get(request.call_id);
    if (running !== undefined) return running;
    const reply = this.#hangup(request).finally(() => this.#hangups.delete(request.call_id));
    this.#hangups.set(request.call_id, reply);
    return reply;
  }

  /**
   * Finds the call's dialog (`dlg.dlg_list`), ends it (`dlg.end_dlg`: Kamailio sends BYE to
   * both parties), then publishes the end itself: Kamailio emits no event for it.
   */
  async #hangup(request: ControlRequest): Promise<ControlReply> {
    const known = this.#tracker.activeRecord(request.call_id);
    if (known === undefined || this.#closed) return refusal('not_found', 'no such active call');
    const sip = known.sip ?? {};
    const fromTag = typeof sip.from_tag === 'string' ? sip.from_tag : undefined;
    const toTag = typeof sip.to_tag === 'string' ? sip.to_tag : undefined;
    const target = {
      callId: request.call_id,
      ...(fromTag === undefined ? {} : { fromTag }),
      ...(toTag === undefined ? {} : { toTag }),
    };
    const handle = await this.#findDialog(target);
    if (!isDialogHandle(handle)) {
      if (handle !== undefined) return this.#pbxError(request, 'dlg.dlg_list', handle.error);
      // Kamailio has no such dialog: the call ended without the bridge hearing of it; the
      // next sync reaps it.
      this.requestSync('hangup of an unknown dialog');
      return refusal('not_found', 'Kamailio has no such dialog');
    }
    if (!isConfirmed(handle)) {
      return refusal('unsupported', 'Kamailio ends only answered calls (dlg.end_dlg)');
    }
    try {
      await this.#controlRpc.call('dlg.end_dlg', [handle.hEntry, handle.hId]);
    } catch (err) {
      if (err instanceof RpcError && err.rpcCode === RPC_NOT_FOUND) {
        return refusal('not_found', 'the dialog ended meanwhile');
      }
      return this.#pbxError(request, 'dlg.end_dlg', err);
    }
    const record = this.#tracker.terminate(request.call_id, request.by, Date.now());
    // Undefined: its BYE or a sync ended it meanwhile; it is over either way.
    if (record !== undefined) {
      this.#sink.record(record);
      this.#metrics.activeCalls.set(this.#tracker.activeCount);
    }
    this.#log.info(
      { id: request.id, request_id: request.request_id, by: request.by },
      'call hung up by an operator',
    );
    return { ok: true };
  }

  /** The live dialog, undefined when Kamailio has none, or the RPC's failure. */
  async #findDialog(target: DialogTarget): Promise<DialogHandle | { error: unknown } | undefined> {
    try {
      const response = await this.#controlRpc.call(
        'dlg.dlg_list',
        target.fromTag === undefined ? [target.callId] : [target.callId, target.fromTag],
      );
      return findDialog(response, target);
    } catch (err) {
      if (err instanceof RpcError && err.rpcCode === RPC_NOT_FOUND) return undefined;
      return { error: err };
    }
  }

  #pbxError(request: ControlRequest, method: string, err: unknown): ControlReply {
    const detail = err instanceof Error ? err.message : String(err);
    this.#log.warn(
      { id: request.id, request_id: request.request_id, err: detail },
      'hangup failed',
    );
    return refusal('pbx_error', `Kamailio ${method} failed`);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#syncTimer);
    this.#syncTimer = undefined;
    await this.#evapi.close();
    await this.#syncing;
    await Promise.allSettled(this.#hangups.values());
    this.#metrics.pbxConnected.set(0);
  }

  #schedule(): void {
    const delay =
      this.#syncFailures === 0
        ? this.#opts.syncIntervalMs
        : Math.min(
            this.#opts.syncIntervalMs,
            backoffDelay(this.#syncFailures, { minMs: 500, maxMs: MAX_SYNC_RETRY_MS }),
          );
    this.#syncTimer = setTimeout(() => this.requestSync('interval'), delay);
  }

  async #sync(reason: string): Promise<void> {
    const requestedAt = Date.now();
    let response: unknown;
    try {
      response = await this.#rpc.call('dlg.list');
      if (this.#closed) return;
      const list = parseDlgList(response);
      const result = this.#tracker.reconcile(list.dialogs, requestedAt, Date.now());
      for (const record of result.changed) this.#sink.record(record);
      for (const record of result.reaped) this.#sink.record(record);
      this.#sink.sync(result.active, requestedAt);
      this.#tracker.sweep(Date.now());
      this.#lastSyncAt = Date.now();
      this.#syncFailures = 0;
      this.#metrics.syncs.inc({ result: 'ok' });
      this.#metrics.lastSync.set(this.#lastSyncAt / 1000);
      this.#metrics.reaped.inc(result.reaped.length);
      this.#metrics.activeCalls.set(this.#tracker.activeCount);
      this.#log.debug(
        {
          reason,
          active: result.active.length,
          added: result.changed.length,
          reaped: result.reaped.length,
          deleted: list.deleted,
          malformed: list.malformed,
        },
        'sync published',
      );
    } catch (err) {
      this.#syncFailures++;
      this.#metrics.syncs.inc({ result: err instanceof DlgListError ? 'bad_list' : 'error' });
      this.#log.warn(
        { reason, err: err instanceof Error ? err.message : String(err) },
        'sync failed',
      );
    }
  }

  #onFrame(data: Uint8Array, receivedAt: number): void {
    this.#metrics.evapiFrames.inc();
    const decoded = decodeKamailioEvent(data);
    if (!decoded.ok) {
      this.#reject(decoded.reason, decoded.detail);
      return;
    }
    const record = this.#tracker.apply(decoded.event, Date.now());
    if (record === undefined) return;
    this.#sink.record(record);
    this.#metrics.eventLatency.observe((performance.now() - receivedAt) / 1000);
    this.#metrics.activeCalls.set(this.#tracker.activeCount);
  }

  #reject(reason: string, detail: string): void {
    this.#metrics.evapiRejected.inc({ reason });
    const now = Date.now();
    let window = this.#rejectLog.get(reason);
    if (window === undefined || now - window.windowStart > 60_000) {
      window = { windowStart: now, count: 0 };
      this.#rejectLog.set(reason, window);
    }
    if (++window.count <= REJECT_LOGS_PER_MINUTE) {
      this.#log.warn({ reason, detail }, 'evapi frame skipped');
    }
  }
}
