// What goes into the store's Lua commands and what comes back, in one place: the argument
// list of APPLY_BATCH built from named fields, and one decoder per command reply that checks
// the shape it reads instead of casting it.
import type { Outcome, SourceStatus, SyncMessage } from '@live-calls/protocol';
import {
  PEAK_FIELD_PREFIX,
  talkMsOf,
  type PeakEntry,
  type RawStats,
} from '../stats/stats-ledger.js';
import type { MinuteCounts, RawHistory } from '../stats/history.js';
import type { ApplyItem, ApplyResult, LogEvent } from './live-store.js';
import { recordViews } from './record-views.js';
import { APPLY_HEAD_ARGS, APPLY_RECORD_ARGS } from './redis-scripts.js';

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

/** HVALS of a view hash: every active call's JSON. */
export function decodeAllCalls(reply: unknown): { callsJson: string; count: number } {
  const calls = list(reply, 'snapshot calls').map((json) => text(json, 'snapshot calls'));
  return { callsJson: calls.join(','), count: calls.length };
}

/** lcCompanyCalls: the company's calls' JSON joined by commas, and their count. */
export function decodeCompanyCalls(reply: unknown): { callsJson: string; count: number } {
  const [json, n] = list(reply, 'company calls');
  return { callsJson: text(json, 'company calls'), count: count(n, 'company calls') };
}

/** lcReadStats: the live hash's fields and values, then 5 numbers per 15-min bucket. */
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
  for (let i = 0; i < windows.length; i += 5) {
    raw.windows.set(count(windows[i], 'stats'), {
      att: count(windows[i + 1], 'stats'),
      ans: count(windows[i + 2], 'stats'),
      talk_ms: count(windows[i + 3], 'stats'),
      talked: count(windows[i + 4], 'stats'),
    });
  }
  return { ...raw, peaks };
}

/** lcReadHistory: the active count, then minute, att, ans, pk, st ('' = none) per minute. */
export function decodeHistory(reply: unknown): RawHistory {
  const [active, minutes] = list(reply, 'history');
  const values = list(minutes, 'history');
  const optional = (value: unknown): number | null =>
    value === '' ? null : count(value, 'history');
  const raw: RawHistory = { active: count(active, 'history'), minutes: new Map() };
  for (let i = 0; i < values.length; i += 5) {
    const counts: MinuteCounts = {
      att: count(values[i + 1], 'history'),
      ans: count(values[i + 2], 'history'),
      pk: optional(values[i + 3]),
      st: optional(values[i + 4]),
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
