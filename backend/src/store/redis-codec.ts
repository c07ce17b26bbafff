// What goes into the store's Lua commands and what comes back, in one place: the argument
// list of APPLY_BATCH built from named fields, and one decoder per command reply that checks
// the shape it reads instead of casting it.
import type { AlarmPayload, Outcome, SourceStatus, SyncMessage } from '@live-calls/protocol';
import { storedAlarm, type RawAlarmInputs } from '../alarms/alarm-inputs.js';
import {
  alarmCompany,
  type AlarmTransition,
  type RatioCounts,
  type StoredAlarm,
} from '../alarms/evaluate.js';
import {
  PEAK_FIELD_PREFIX,
  talkMsOf,
  type PeakEntry,
  type RawStats,
} from '../stats/stats-ledger.js';
import type { MinuteCounts, RawHistory } from '../stats/history.js';
import type { ApplyItem, ApplyResult, LogEvent } from './live-store.js';
import { recordViews } from './record-views.js';
import { ALARM_TRANSITION_ARGS, APPLY_HEAD_ARGS, APPLY_RECORD_ARGS } from './redis-scripts.js';

/** A reply that does not have the shape its command returns: a bug or a foreign script. */
export class StoreReplyError extends Error {
  override readonly name = 'StoreReplyError';

  constructor(command: string, detail: string) {
    super(`unexpected reply from ${command}: ${detail}`);
  }
}

type Arg = string | number;

/** APPLY_BATCH's arguments: the head, then each record's fields in APPLY_RECORD_ARGS order. */
export function applyArgs(
  head: Record<(typeof APPLY_HEAD_ARGS)[number], Arg>,
  items: readonly ApplyItem[],
): Arg[] {
  const args: Arg[] = APPLY_HEAD_ARGS.map((name) => head[name]);
  for (const { record, expectSeq } of items) {
    const views = recordViews(record);
    const fields: Record<(typeof APPLY_RECORD_ARGS)[number], Arg> = {
      id: record.id,
      seq: record.seq,
      phase: record.phase,
      company: record.company_id ?? '',
      source: record.source,
      score: record.created_at ?? record.ts,
      expect: expectSeq ?? '',
      data: views.data,
      udata: views.userData ?? '',
      dir: record.direction,
      trunk: record.trunk ?? '',
      ans: record.answered_at === null ? 0 : 1,
      talk: talkMsOf(record) ?? '',
      ansat: record.answered_at ?? '',
    };
    for (const name of APPLY_RECORD_ARGS) args.push(fields[name]);
  }
  return args;
}

function list(reply: unknown, command: string): unknown[] {
  if (!Array.isArray(reply)) throw new StoreReplyError(command, 'not an array');
  return reply;
}

function text(value: unknown, command: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new StoreReplyError(command, `expected a string, got ${typeof value}`);
}

function bytes(value: unknown, command: string): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'string') return Buffer.from(value);
  throw new StoreReplyError(command, `expected bytes, got ${typeof value}`);
}

function count(value: unknown, command: string): number {
  const n = Number(value);
  if ((typeof value !== 'string' && typeof value !== 'number') || !Number.isFinite(n))
    throw new StoreReplyError(command, `expected a number, got ${String(value)}`);
  return n;
}

const OUTCOMES: readonly string[] = ['created', 'updated', 'ended', 'stale', 'duplicate'];

/** lcApplyBatch: epoch, then outcome and seq_g per record. */
export function decodeApplyReply(reply: unknown, records: number): ApplyResult[] {
  const values = list(reply, 'apply');
  if (values.length !== 1 + 2 * records)
    throw new StoreReplyError('apply', `${values.length} values for ${records} records`);
  const results: ApplyResult[] = [];
  for (let i = 1; i < values.length; i += 2) {
    const outcome = text(values[i], 'apply');
    if (!OUTCOMES.includes(outcome)) throw new StoreReplyError('apply', `outcome '${outcome}'`);
    results.push({ outcome: outcome as Outcome, seq: count(values[i + 1], 'apply') });
  }
  return results;
}

/** lcPosition: epoch, seq. */
export function decodePosition(reply: unknown): { epoch: string; seq: number } {
  const [epoch, seq] = list(reply, 'position');
  return { epoch: text(epoch, 'position'), seq: count(seq, 'position') };
}

/** lcSnapshotMeta: epoch, seq, then one status JSON per source (sorted here by name). */
export function decodeSnapshotMeta(reply: unknown): {
  epoch: string;
  seq: number;
  sources: SourceStatus[];
} {
  const [epoch, seq, ...statuses] = list(reply, 'snapshot');
  const sources = statuses.map((json) => JSON.parse(text(json, 'snapshot')) as SourceStatus);
  sources.sort((a, b) => a.source.localeCompare(b.source));
  return { epoch: text(epoch, 'snapshot'), seq: count(seq, 'snapshot'), sources };
}

const COMMA = Buffer.from(',');

/** HVALS of a view hash, read as bytes: every active call's JSON, joined by commas. */
export function decodeAllCalls(reply: unknown): { callsJson: Buffer; count: number } {
  const calls = list(reply, 'snapshot calls');
  const parts: Buffer[] = [];
  for (const json of calls) {
    if (parts.length > 0) parts.push(COMMA);
    parts.push(bytes(json, 'snapshot calls'));
  }
  return { callsJson: Buffer.concat(parts), count: calls.length };
}

/** lcCompanyCalls, read as bytes: the company's calls' JSON joined by commas, and their count. */
export function decodeCompanyCalls(reply: unknown): { callsJson: Buffer; count: number } {
  const [json, n] = list(reply, 'company calls');
  return { callsJson: bytes(json, 'company calls'), count: count(n, 'company calls') };
}

/** lcReadStats: the live hash's fields and values, then 6 numbers per 15-min bucket. */
export function decodeStats(reply: unknown): RawStats {
  const [fields, windows] = list(reply, 'stats').map((part) => list(part, 'stats'));
  if (fields === undefined || windows === undefined)
    throw new StoreReplyError('stats', 'expected fields and windows');
  const raw: RawStats = { live: new Map(), windows: new Map(), peaks: [] };
  const peaks: PeakEntry[] = [];
  for (let i = 0; i < fields.length; i += 2) {
    const field = text(fields[i], 'stats');
    const value = text(fields[i + 1] ?? '', 'stats');
    if (field.startsWith(PEAK_FIELD_PREFIX)) {
      const [n = '0', at = '0'] = value.split('|');
      const minute = Number(field.slice(PEAK_FIELD_PREFIX.length));
      peaks.push({ minute, count: Number(n), at: Number(at) });
    } else raw.live.set(field, Number(value));
  }
  for (let i = 0; i < windows.length; i += 6) {
    raw.windows.set(count(windows[i], 'stats'), {
      att: count(windows[i + 1], 'stats'),
      done: count(windows[i + 2], 'stats'),
      ans: count(windows[i + 3], 'stats'),
      talk_ms: count(windows[i + 4], 'stats'),
      talked: count(windows[i + 5], 'stats'),
    });
  }
  return { ...raw, peaks };
}

/** lcReadHistory: the active count, then minute, att, done, ans, pk, st ('' = none) per minute. */
export function decodeHistory(reply: unknown): RawHistory {
  const [active, minutes] = list(reply, 'history');
  const values = list(minutes, 'history');
  const optional = (value: unknown): number | null =>
    value === '' ? null : count(value, 'history');
  const raw: RawHistory = { active: count(active, 'history'), minutes: new Map() };
  for (let i = 0; i < values.length; i += 6) {
    const counts: MinuteCounts = {
      att: count(values[i + 1], 'history'),
      done: count(values[i + 2], 'history'),
      ans: count(values[i + 3], 'history'),
      pk: optional(values[i + 4]),
      st: optional(values[i + 5]),
    };
    raw.minutes.set(count(values[i], 'history'), counts);
  }
  return raw;
}

/** One replay-log entry as XRANGE/XREAD return it: [id, [field, value, …]]. */
export function decodeLogEntry(entry: unknown): { epoch: string; event: LogEvent } {
  const [id, fields] = list(entry, 'log entry');
  const values = list(fields, 'log entry');
  let epoch = '';
  let name = '';
  let company = '';
  let data = '';
  for (let i = 0; i < values.length; i += 2) {
    const value = text(values[i + 1] ?? '', 'log entry');
    switch (values[i]) {
      case 'ep':
        epoch = value;
        break;
      case 'n':
        name = value;
        break;
      case 'c':
        company = value;
        break;
      case 'd':
        data = value;
        break;
    }
  }
  const seq = Number.parseInt(text(id, 'log entry'), 10);
  return { epoch, event: { seq, name, company: company === '' ? null : company, data } };
}

export type ReplayPage =
  | { kind: 'replay'; epoch: string; seq: number; entries: { epoch: string; event: LogEvent }[] }
  | { kind: 'expired' | 'epoch_changed' | 'invalid'; epoch: string };

/** lcReplay: kind, epoch[, seq, entries] — one page of the log after a position. */
export function decodeReplayPage(reply: unknown): ReplayPage {
  const [kind, epoch, seq, entries = []] = list(reply, 'replay');
  const current = text(epoch, 'replay');
  switch (kind) {
    case 'replay':
      return {
        kind,
        epoch: current,
        seq: count(seq, 'replay'),
        entries: list(entries, 'replay').map(decodeLogEntry),
      };
    case 'expired':
    case 'epoch_changed':
    case 'invalid':
      return { kind, epoch: current };
    default:
      throw new StoreReplyError('replay', `kind '${String(kind)}'`);
  }
}

/** lcAddSyncPart: every part once the sync is complete (sorted by part), else null. */
export function decodeSyncParts(reply: unknown): SyncMessage[] | null {
  if (reply === null) return null;
  return list(reply, 'sync parts')
    .map((json) => JSON.parse(text(json, 'sync parts')) as SyncMessage)
    .sort((a, b) => a.part - b.part);
}

/** lcSourceSynced: one status JSON. */
export function decodeSourceStatus(reply: unknown): SourceStatus {
  return JSON.parse(text(reply, 'source status')) as SourceStatus;
}

/** lcMarkStale: one status JSON per source that went stale. */
export function decodeSourceStatuses(reply: unknown): SourceStatus[] {
  return list(reply, 'stale sources').map(decodeSourceStatus);
}

/** Field/value pairs of an HGETALL reply. */
function pairs(reply: unknown, command: string): [string, string][] {
  const values = list(reply, command);
  const out: [string, string][] = [];
  for (let i = 0; i < values.length; i += 2)
    out.push([text(values[i], command), text(values[i + 1], command)]);
  return out;
}

/** Stored alarms' JSON (HVALS of the alarms hash); one that does not parse is skipped. */
export function decodeAlarms(reply: unknown): StoredAlarm[] {
  const alarms: StoredAlarm[] = [];
  for (const json of list(reply, 'alarms')) {
    const stored = storedAlarm(text(json, 'alarms'));
    if (stored !== null) alarms.push(stored);
  }
  return alarms;
}

/** lcReadAlarmInputs, for the trunks it was asked about (in that order). */
export function decodeAlarmInputs(reply: unknown, trunks: readonly string[]): RawAlarmInputs {
  const C = 'alarm inputs';
  const [active, windows, trunkWindows, cps, sources, long, complete, alarms] = list(reply, C);
  const counts = list(active, C);
  const raw: RawAlarmInputs = {
    trunkActive: new Map(trunks.map((t, i) => [t, Math.max(0, count(counts[i] ?? '0', C))])),
    windows: new Map(),
    trunkWindows: new Map(),
    companyAttempts: new Map(),
    sources: [],
    longCalls: [],
    longCallsComplete: count(complete, C) === 1,
    active: new Map(decodeAlarms(alarms).map((stored) => [stored.alarm.id, stored])),
  };
  const w = list(windows, C);
  for (let i = 0; i < w.length; i += 3)
    raw.windows.set(count(w[i], C), { done: count(w[i + 1], C), ans: count(w[i + 2], C) });
  const tw = list(trunkWindows, C);
  for (let i = 0; i < tw.length; i += 2) {
    const byTrunk = new Map<string, RatioCounts>();
    for (const [field, value] of pairs(tw[i + 1], C)) {
      const colon = field.indexOf(':');
      const kind = field.slice(0, colon);
      // `att:<trunk>` fields of buckets written before ASR counted concluded attempts are skipped.
      if (kind !== 'done' && kind !== 'ans') continue;
      const trunk = field.slice(colon + 1);
      const sum = byTrunk.get(trunk) ?? { done: 0, ans: 0 };
      sum[kind] += count(value, C);
      byTrunk.set(trunk, sum);
    }
    raw.trunkWindows.set(count(tw[i], C), byTrunk);
  }
  const c = list(cps, C);
  for (let i = 0; i < c.length; i += 2)
    raw.companyAttempts.set(
      count(c[i], C),
      new Map(pairs(c[i + 1], C).map(([company, att]) => [company, count(att, C)])),
    );
  for (const [source, value] of pairs(sources, C)) {
    const [state = '', last = ''] = value.split('|');
    raw.sources.push({
      source,
      state: state === 'up' ? 'up' : 'stale',
      last_sync_at: last === '' ? null : Number(last),
    });
  }
  const l = list(long, C);
  for (let i = 0; i < l.length; i += 3) {
    const company = text(l[i + 2], C);
    raw.longCalls.push({
      id: text(l[i], C),
      answered_at: count(l[i + 1], C),
      company: company === '' ? null : company,
    });
  }
  return raw;
}

/** APPLY_ALARMS's arguments: candidate epoch, maxlen, then each transition's fields. */
export function alarmArgs(
  candidateEpoch: string,
  maxlen: number,
  transitions: readonly AlarmTransition[],
): Arg[] {
  const args: Arg[] = [candidateEpoch, maxlen];
  for (const t of transitions) {
    const fields: Record<(typeof ALARM_TRANSITION_ARGS)[number], Arg> = {
      id: t.id,
      expected: t.expected ?? '',
      next: t.next === null ? '' : JSON.stringify(t.next),
      event: JSON.stringify(t.event),
      company: alarmCompany(t.event) ?? '',
    };
    for (const name of ALARM_TRANSITION_ARGS) args.push(fields[name]);
  }
  return args;
}

/** lcApplyAlarms: seq_g per transition, 0 when skipped. */
export function decodeAlarmSeqs(reply: unknown, transitions: number): number[] {
  const seqs = list(reply, 'apply alarms').map((n) => count(n, 'apply alarms'));
  if (seqs.length !== transitions)
    throw new StoreReplyError('apply alarms', `${seqs.length} replies for ${transitions}`);
  return seqs;
}

/** The payloads of stored alarms. */
export function alarmPayloads(stored: readonly StoredAlarm[]): AlarmPayload[] {
  return stored.map((s) => s.alarm);
}
