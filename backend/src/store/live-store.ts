// The store behind the live view (docs/interface/ordering.md): call state, the global sequence, the
// bounded replay log and its epoch, changed in one atomic step per event. Two engines
// implement it with the same observable behaviour: Redis, and memory for embedded mode.
import type {
  AlarmPayload,
  CallRecord,
  Outcome,
  SourceStatus,
  StatsPayload,
  SyncMessage,
} from '@live-calls/protocol';
import type { AlarmQuery } from '../alarms/alarm-inputs.js';
import type { AlarmInputs, AlarmTransition } from '../alarms/evaluate.js';
import type { HistorySample } from '../stats/history.js';
import type { RecentQuery } from './recent-ended.js';

/** One accepted change, as kept in the replay log and streamed. */
export interface LogEvent {
  seq: number;
  /** `call.<phase>`, `source` or `alarm`. */
  name: string;
  /**
   * Company of the call; for an alarm, the company it is about (alarms/evaluate.ts
   * `alarmCompany`); null for unassigned calls, source events and other alarms.
   */
  company: string | null;
  /** The whole payload as JSON. */
  data: string;
  /**
   * The payload as role `user` sees it, when known; otherwise derived from `data` on first
   * need (`userView()`), once per event per instance.
   */
  userData?: string;
}

/** A batch of log events of one epoch, in seq order. */
export interface LogBatch {
  epoch: string;
  events: LogEvent[];
  /** Events before this batch never reached this instance (the log was trimmed first). */
  gap?: boolean;
}

export interface ApplyItem {
  record: CallRecord;
  /** Compare-and-set: apply only when the stored seq is exactly this (reconcile's reaping). */
  expectSeq?: number;
}

export interface ApplyResult {
  outcome: Outcome;
  /** seq_g of the emitted event; 0 when nothing was emitted. */
  seq: number;
}

/** Which serialized view of the records: `user` is without `sip`. */
export type RecordView = 'full' | 'user';

export interface SnapshotData {
  epoch: string;
  seq: number;
  /** Number of calls in `callsJson`. */
  count: number;
  /**
   * The calls' JSON joined with commas, ready to splice into an array, as UTF-8 bytes: read from
   * Redis as bytes and written to sockets and compressors as bytes (50,000 calls are 21 MB;
   * as text they were decoded from Redis's reply, joined and encoded again on every write).
   */
  callsJson: Buffer;
  sources: SourceStatus[];
  /** The active alarms the snapshot's company may see (all when null), critical first. */
  alarms: AlarmPayload[];
}

/**
 * One page of the log after a position: `events` are at most `limit` consecutive events
 * after it (fewer only when the log ends), `seq` the newest seq_g when the page was read.
 */
export type ReplayRead =
  | { kind: 'replay'; epoch: string; seq: number; events: LogEvent[] }
  | { kind: 'expired'; epoch: string }
  | { kind: 'epoch_changed'; epoch: string }
  | { kind: 'invalid'; epoch: string };

export type LogListener = (batch: LogBatch) => void;

export interface LiveStore {
  /** Applies records in order; each is one atomic step. */
  applyBatch(items: readonly ApplyItem[]): Promise<ApplyResult[]>;
  /** Active calls (of one company, or all) in one view, with the seq they reflect, read atomically. */
  snapshot(company: string | null, view: RecordView): Promise<SnapshotData>;
  /**
   * Aggregates of one company's calls (or all) at `now`, from counters kept in the store,
   * so every instance reports the same numbers (the `stats` event).
   */
  stats(company: string | null, now: number): Promise<StatsPayload>;
  /**
   * One sample per minute of the `minutes` newest (1 to 1440) of one company (or all), from
   * counters the apply step keeps per minute (stats/history.ts), oldest first.
   */
  history(company: string | null, now: number, minutes: number): Promise<HistorySample[]>;
  /**
   * The JSON of calls of one company (or all) that ended in the 15 min before `now`, in one
   * view, newest first (store/recent-ended.ts).
   */
  recent(query: RecentQuery): Promise<string[]>;
  /** A page of at most `limit` events after `afterSeq` of `epoch`, or why that cannot be had. */
  replay(epoch: string, afterSeq: number, limit: number): Promise<ReplayRead>;
  /** The record of one active call by id; undefined when it is unknown or ended. */
  activeCall(id: string): Promise<CallRecord | undefined>;
  /** Records of the source's active calls (for reconciliation). */
  activeOfSource(source: string): Promise<CallRecord[]>;
  /** Keeps one part of a sync; returns all parts once the last one has arrived (once). */
  addSyncPart(sync: SyncMessage): Promise<SyncMessage[] | null>;
  /** Marks a source up after a complete sync at `now` and emits its `source` event. */
  markSourceSynced(source: string, now: number): Promise<SourceStatus>;
  /** Marks sources with no sync since `before` stale (each once) and emits their events. */
  markStaleSources(before: number): Promise<SourceStatus[]>;
  /** The aggregates and the active alarms the alarm rules judge, read at one instant. */
  alarmInputs(query: AlarmQuery): Promise<AlarmInputs>;
  /**
   * Applies alarm transitions, each one only while its alarm is still stored as it expects
   * (compare-and-set), with its `alarm` event in the log. Returns each one's seq_g, 0 when
   * it was skipped (another instance got there first).
   */
  applyAlarms(transitions: readonly AlarmTransition[]): Promise<number[]>;
  /** The active alarms one company may see (all when null), critical first. */
  alarms(company: string | null): Promise<AlarmPayload[]>;
  /** Takes or renews the alarm evaluation lease for `owner`; false while another holds it. */
  alarmLease(owner: string, ttlMs: number): Promise<boolean>;
  /** Current epoch and seq_g. */
  position(): Promise<{ epoch: string; seq: number }>;
  /** Events the replay log holds now. */
  logLength(): Promise<number>;
  /** Starts delivering every new log batch, in order, to `listener`. One listener per store. */
  tail(listener: LogListener): void;
  /** True while the store can serve reads and writes. */
  readonly healthy: boolean;
  close(): Promise<void>;
}
