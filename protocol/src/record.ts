// The call record (docs/interface/record.md): the one shape every event, sync and CDR carries.

export const SCHEMA_VERSION = 1 as const;
export const MAX_RECORD_BYTES = 16 * 1024;
export const MAX_FIELD_CHARS = 256;
export const MAX_CALL_ID_CHARS = 256;

export const PHASES = ['setup', 'ringing', 'answered', 'ended'] as const;
export type Phase = (typeof PHASES)[number];
export type ActivePhase = Exclude<Phase, 'ended'>;

export const DIRECTIONS = ['inbound', 'outbound', 'internal', 'unknown'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** `terminated`: ended by an operator's hang-up (the `sub` who asked is in `end.by`). */
export const END_REASONS = ['bye', 'cancel', 'failed', 'timeout', 'reaped', 'terminated'] as const;
export type EndReason = (typeof END_REASONS)[number];

export interface Party {
  user: string;
  display?: string;
  uri?: string;
}

export interface CallEnd {
  reason: EndReason;
  sip_code?: number;
  sip_reason?: string;
  q850?: number;
  /** Who ended the call: the operator's `sub`, with reason `terminated`. */
  by?: string;
}

export interface CallRecord {
  v: typeof SCHEMA_VERSION;
  /** `<source>:<call_id>`, the key everywhere. */
  id: string;
  source: string;
  call_id: string;
  /** Per-call version, strictly increasing at the bridge. */
  seq: number;
  phase: Phase;
  /** When the PBX saw this change, ms since epoch. */
  ts: number;
  company_id: string | null;
  direction: Direction;
  from: Party;
  to: Party;
  trunk: string | null;
  created_at: number | null;
  answered_at: number | null;
  ended_at: number | null;
  held?: boolean;
  /** Present exactly when `phase` is `ended`. */
  end?: CallEnd;
  /** Routing internals; never shown to role `user`. */
  sip?: Record<string, unknown>;
}

/** Fields every record carries (null where unknown). */
export const REQUIRED_RECORD_FIELDS = [
  'v',
  'id',
  'source',
  'call_id',
  'seq',
  'phase',
  'ts',
  'company_id',
  'direction',
  'from',
  'to',
  'trunk',
  'created_at',
  'answered_at',
  'ended_at',
] as const satisfies readonly (keyof CallRecord)[];

export const OPTIONAL_RECORD_FIELDS = [
  'held',
  'end',
  'sip',
] as const satisfies readonly (keyof CallRecord)[];

export const SOURCE_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

export function callKey(source: string, callId: string): string {
  return `${source}:${callId}`;
}
