// Payloads of the SSE stream (docs/interface/sse.md), one typed map for server and dashboard.
import type { AlarmPayload } from './alarms.js';
import type { CallRecord, Direction, Phase } from './record.js';
import type { Role } from './scope.js';

export const SNAPSHOT_REASONS = [
  'initial',
  'resume_expired',
  'epoch_changed',
  'invalid_id',
] as const;
export type SnapshotReason = (typeof SNAPSHOT_REASONS)[number];

export const SOURCE_STATES = ['up', 'stale'] as const;
export type SourceState = (typeof SOURCE_STATES)[number];

export interface SourceStatus {
  source: string;
  state: SourceState;
  /** ms since epoch of the last complete sync, null if none yet. */
  last_sync_at: number | null;
  /** Active calls of this source. */
  active: number;
}

export interface ConnectedPayload {
  stream_id: string;
  epoch: string;
  seq: number;
  role: Role;
  company_id: string | null;
  heartbeat_ms: number;
  server_time: number;
}

export interface SnapshotPayload {
  epoch: string;
  seq: number;
  reason: SnapshotReason;
  server_time: number;
  calls: CallRecord[];
  /** Empty for role `user`. */
  sources: SourceStatus[];
  /** The active alarms within the stream's scope, critical first. */
  alarms: AlarmPayload[];
}

export interface StatsPayload {
  active: number;
  by_phase: Record<Exclude<Phase, 'ended'>, number>;
  by_direction: Record<Direction, number>;
  by_company: Record<string, number>;
  by_trunk: Record<string, number>;
  /** Call attempts (calls first seen) per second over the last minute. */
  cps_1m: number;
  /** Answered / concluded attempts (answered, or ended never answered) × 100 over 15 minutes; null without any. */
  asr_15m: number | null;
  /** Mean talk time in seconds of calls answered and ended in 15 minutes; null without any. */
  acd_15m: number | null;
  /** Highest concurrent calls in the last hour and when it was reached. */
  peak_1h: { active: number; at: number | null };
}

/** `ping` interval on every stream unless HEARTBEAT_MS says otherwise. */
export const DEFAULT_HEARTBEAT_MS = 15_000;
/** Every stream gets its scope's `stats` this often unless STATS_INTERVAL_MS says otherwise. */
export const DEFAULT_STATS_INTERVAL_MS = 5_000;

export interface PingPayload {
  server_time: number;
  seq: number;
}

export interface SessionExpiredPayload {
  server_time: number;
}

/** Every named SSE event and its payload. */
export interface LiveEventMap {
  connected: ConnectedPayload;
  snapshot: SnapshotPayload;
  'call.setup': CallRecord;
  'call.ringing': CallRecord;
  'call.answered': CallRecord;
  'call.ended': CallRecord;
  source: SourceStatus;
  stats: StatsPayload;
  ping: PingPayload;
  'session.expired': SessionExpiredPayload;
  alarm: AlarmPayload;
}

export type LiveEventName = keyof LiveEventMap;

/** Every named event a stream may carry (docs/interface/sse.md). */
export const LIVE_EVENT_NAMES = [
  'connected',
  'snapshot',
  'call.setup',
  'call.ringing',
  'call.answered',
  'call.ended',
  'source',
  'stats',
  'ping',
  'session.expired',
  'alarm',
] as const satisfies readonly LiveEventName[];

export function callEventName(phase: Phase): `call.${Phase}` {
  return `call.${phase}`;
}

/** The JSON error body of every 4xx/5xx (docs/interface/http.md). */
export interface ErrorBody {
  error: { code: string; message: string };
}
