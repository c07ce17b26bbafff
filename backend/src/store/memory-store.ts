// The embedded engine: the LiveStore contract held in one process's memory. Same
// observable behaviour as the Redis engine; a restart is a new epoch.
import {
  CallTable,
  emits,
  newEpoch,
  type AlarmPayload,
  type CallRecord,
  type SourceStatus,
  type StatsPayload,
  type SyncMessage,
} from '@live-calls/protocol';
import { alarmInputsFrom, type AlarmQuery } from '../alarms/alarm-inputs.js';
import {
  alarmCompany,
  alarmsInScope,
  type AlarmInputs,
  type AlarmTransition,
  type LongCall,
  type StoredAlarm,
} from '../alarms/evaluate.js';
import { historyFrom, type HistorySample } from '../stats/history.js';
import { StatsLedger, statsFrom } from '../stats/stats-ledger.js';
import type {
  ApplyItem,
  ApplyResult,
  LiveStore,
  LogEvent,
  LogListener,
  RecordView,
  ReplayRead,
  SnapshotData,
} from './live-store.js';
import { RecentEnded, type RecentQuery } from './recent-ended.js';
import { recordViews } from './record-views.js';
import { RingLog } from './ring-log.js';
import { SyncAssembly } from './sync-assembly.js';

/** What an active call keeps beside its record in the table. */
interface ActiveEntry {
  /** answered_at has been set at some point (for the stats ledger). */
  answered: boolean;
  data: string;
  userData: string | undefined;
}

interface SourceEntry {
  lastSyncAt: number | null;
  state: SourceStatus['state'];
  active: Set<string>;
}

const SWEEP_EVERY_MS = 60_000;

export interface MemoryStoreOptions {
  historyEvents: number;
  now?: () => number;
}

export class MemoryStore implements LiveStore {
  readonly healthy = true;
  readonly #now: () => number;
  readonly #log: RingLog;
  /** Every call by id, ended ones as tombstones: the one last-writer-wins table. */
  readonly #calls = new CallTable();
  /** The serialized views of the calls not ended, in the order they began. */
  readonly #active = new Map<string, ActiveEntry>();
  readonly #sources = new Map<string, SourceEntry>();
  readonly #syncs = new SyncAssembly();
  readonly #stats = new StatsLedger();
  readonly #recent = new RecentEnded();
  /** Active alarms by id: the JSON compared on write. */
  /** Active alarms by id, with the JSON the compare-and-set compares against. */
  readonly #alarms = new Map<string, StoredAlarm>();
  #epoch = newEpoch();
  #seq = 0;
  #lastSweep = 0;
  #listener: LogListener | undefined;
  #pending: LogEvent[] = [];

  constructor(options: MemoryStoreOptions) {
    this.#log = new RingLog(options.historyEvents);
    this.#now = options.now ?? Date.now;
  }

  applyBatch(items: readonly ApplyItem[]): Promise<ApplyResult[]> {
    const now = this.#now();
    this.#sweep(now);
    const results = items.map((item) => this.#apply(item, now));
    return Promise.resolve(results);
  }

  #apply({ record, expectSeq }: ApplyItem, now: number): ApplyResult {
    const stored = this.#calls.get(record.id);
    if (expectSeq !== undefined && stored?.seq !== expectSeq) return { outcome: 'stale', seq: 0 };
    const outcome = this.#calls.apply(record, now);
    if (!emits(outcome)) return { outcome, seq: 0 };
    const previous = this.#active.get(record.id);
    const answered = this.#stats.apply(
      stored === undefined ? undefined : { record: stored, answered: previous?.answered ?? false },
      record,
      now,
    );
    const views = recordViews(record);
    const source = this.#source(record.source);
    if (record.phase === 'ended') {
      this.#recent.add(now, record.company_id, record.end?.reason ?? '', views);
      this.#active.delete(record.id);
      source.active.delete(record.id);
    } else {
      this.#active.set(record.id, { answered, ...views });
      source.active.add(record.id);
    }
    const seq = this.#append(`call.${record.phase}`, record.company_id, views.data, views.userData);
    return { outcome, seq };
  }

  #append(
    name: string,
    company: string | null,
    data: string,
    userData: string | undefined,
  ): number {
    const event: LogEvent = { seq: ++this.#seq, name, company, data, userData: userData ?? data };
    this.#log.push(event);
    this.#pending.push(event);
    if (this.#pending.length === 1) queueMicrotask(() => this.#flush());
    return event.seq;
  }

  #flush(): void {
    const events = this.#pending;
    this.#pending = [];
    if (events.length > 0) this.#listener?.({ epoch: this.#epoch, events });
  }

  #source(name: string): SourceEntry {
    let entry = this.#sources.get(name);
    if (entry === undefined) {
      entry = { lastSyncAt: null, state: 'stale', active: new Set() };
      this.#sources.set(name, entry);
    }
    return entry;
  }

  #sweep(now: number): void {
    if (now - this.#lastSweep < SWEEP_EVERY_MS) return;
    this.#lastSweep = now;
    this.#calls.sweep(now);
    this.#syncs.sweep(now);
    this.#recent.sweep(now);
  }

  snapshot(company: string | null, view: RecordView): Promise<SnapshotData> {
    const calls: string[] = [];
    for (const [id, entry] of this.#active) {
      if (company !== null && this.#calls.get(id)?.company_id !== company) continue;
      calls.push(view === 'user' ? (entry.userData ?? entry.data) : entry.data);
    }
    return Promise.resolve({
      epoch: this.#epoch,
      seq: this.#seq,
      count: calls.length,
      callsJson: Buffer.from(calls.join(',')),
      sources: this.#statuses(),
      alarms: this.#alarmsOf(company),
    });
  }

  #alarmsOf(company: string | null): AlarmPayload[] {
    return alarmsInScope(
      Array.from(this.#alarms.values(), (stored) => stored.alarm),
      company,
    );
  }

  alarms(company: string | null): Promise<AlarmPayload[]> {
    return Promise.resolve(this.#alarmsOf(company));
  }

  alarmInputs({ now, trunks, longCallBefore, longCallLimit }: AlarmQuery): Promise<AlarmInputs> {
    const live = this.#stats.raw(null, now).live;
    const longCalls: LongCall[] = [];
    if (longCallBefore !== null) {
      for (const id of this.#active.keys()) {
        const record = this.#calls.get(id);
        const at = record?.answered_at ?? null;
        if (record !== undefined && at !== null && at <= longCallBefore)
          longCalls.push({ id, company: record.company_id, answered_at: at });
      }
      longCalls.sort((a, b) => a.answered_at - b.answered_at);
    }
    const active = new Map(this.#alarms);
    const raw = {
      trunkActive: new Map(trunks.map((t) => [t, Math.max(0, live.get(`trunk:${t}`) ?? 0)])),
      ...this.#stats.rawAlarmWindows(now),
      sources: this.#statuses(),
      longCalls: longCalls.slice(0, longCallLimit),
      longCallsComplete: longCalls.length <= longCallLimit,
      active,
    };
    return Promise.resolve(alarmInputsFrom(raw, now));
  }

  applyAlarms(transitions: readonly AlarmTransition[]): Promise<number[]> {
    return Promise.resolve(
      transitions.map(({ id, expected, next, event }) => {
        if ((this.#alarms.get(id)?.json ?? null) !== expected) return 0;
        if (next === null) this.#alarms.delete(id);
        else this.#alarms.set(id, { json: JSON.stringify(next), alarm: next });
        return this.#append('alarm', alarmCompany(event), JSON.stringify(event), undefined);
      }),
    );
  }

  /** One process, one evaluator: the lease is always this instance's. */
  alarmLease(): Promise<boolean> {
    return Promise.resolve(true);
  }

  #statuses(): SourceStatus[] {
    return [...this.#sources.keys()].sort().map((name) => this.#status(name));
  }

  #status(name: string): SourceStatus {
    const entry = this.#source(name);
    return {
      source: name,
      state: entry.state,
      last_sync_at: entry.lastSyncAt,
      active: entry.active.size,
    };
  }

  stats(company: string | null, now: number): Promise<StatsPayload> {
    return Promise.resolve(statsFrom(this.#stats.raw(company, now), company, now));
  }

  history(company: string | null, now: number, minutes: number): Promise<HistorySample[]> {
    return Promise.resolve(
      historyFrom(this.#stats.rawHistory(company, now, minutes), now, minutes),
    );
  }

  recent(query: RecentQuery): Promise<string[]> {
    return Promise.resolve(this.#recent.read(query));
  }

  replay(epoch: string, afterSeq: number, limit: number): Promise<ReplayRead> {
    return Promise.resolve(this.#replay(epoch, afterSeq, limit));
  }

  #replay(epoch: string, afterSeq: number, limit: number): ReplayRead {
    if (epoch !== this.#epoch) return { kind: 'epoch_changed', epoch: this.#epoch };
    if (afterSeq > this.#seq) return { kind: 'invalid', epoch: this.#epoch };
    if (afterSeq === this.#seq) return { kind: 'replay', epoch, seq: afterSeq, events: [] };
    const first = this.#log.firstSeq;
    if (first === undefined || first > afterSeq + 1) return { kind: 'expired', epoch };
    return { kind: 'replay', epoch, seq: this.#seq, events: this.#log.after(afterSeq, limit) };
  }

  activeCall(id: string): Promise<CallRecord | undefined> {
    return Promise.resolve(this.#active.has(id) ? this.#calls.get(id) : undefined);
  }

  activeOfSource(source: string): Promise<CallRecord[]> {
    const ids = this.#sources.get(source)?.active ?? new Set<string>();
    const records: CallRecord[] = [];
    for (const id of ids) {
      const record = this.#calls.get(id);
      if (record !== undefined) records.push(record);
    }
    return Promise.resolve(records);
  }

  addSyncPart(sync: SyncMessage): Promise<SyncMessage[] | null> {
    return Promise.resolve(this.#syncs.add(sync, this.#now()));
  }

  markSourceSynced(source: string, now: number): Promise<SourceStatus> {
    const entry = this.#source(source);
    entry.lastSyncAt = now;
    entry.state = 'up';
    return Promise.resolve(this.#emitSource(source));
  }

  markStaleSources(before: number): Promise<SourceStatus[]> {
    const changed: SourceStatus[] = [];
    for (const [name, entry] of this.#sources) {
      if (entry.state === 'up' && (entry.lastSyncAt ?? 0) < before) {
        entry.state = 'stale';
        changed.push(this.#emitSource(name));
      }
    }
    return Promise.resolve(changed);
  }

  #emitSource(name: string): SourceStatus {
    const status = this.#status(name);
    this.#append('source', null, JSON.stringify(status), undefined);
    return status;
  }

  logLength(): Promise<number> {
    return Promise.resolve(this.#log.length);
  }

  position(): Promise<{ epoch: string; seq: number }> {
    return Promise.resolve({ epoch: this.#epoch, seq: this.#seq });
  }

  tail(listener: LogListener): void {
    this.#listener = listener;
  }

  /** Forgets everything, as a restarted process would: a new epoch. */
  reset(): void {
    this.#calls.clear();
    this.#active.clear();
    this.#sources.clear();
    this.#log.clear();
    this.#stats.clear();
    this.#recent.clear();
    this.#alarms.clear();
    this.#pending = [];
    this.#seq = 0;
    this.#epoch = newEpoch();
  }

  close(): Promise<void> {
    this.#listener = undefined;
    return Promise.resolve();
  }
}
