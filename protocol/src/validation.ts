// Validators for every inbound message. Hand-written rather than generated from a schema
// library: they run per event on the ingest hot path, must name the first bad field as a
// stable reason code (a metric label), and ship to the browser without dependencies.
// See docs/adr/0004-hand-written-validators.md.
import {
  DIRECTIONS,
  END_REASONS,
  MAX_CALL_ID_CHARS,
  MAX_FIELD_CHARS,
  MAX_RECORD_BYTES,
  OPTIONAL_RECORD_FIELDS,
  PHASES,
  REQUIRED_RECORD_FIELDS,
  SCHEMA_VERSION,
  SOURCE_PATTERN,
  type CallEnd,
  type CallRecord,
  type Party,
  type Phase,
} from './record.js';
import { CALL_EVENTS_PREFIX, CALL_SYNC_SUBJECT, MAX_SYNC_PART_BYTES } from './subjects.js';

const SYNC_KEYS = ['v', 'source', 'ts', 'sync_id', 'part', 'parts', 'calls'] as const;
/** Top-level names a `bad_field:` reason may carry: the record's and the sync's fields. */
const FIELD_NAMES = [
  'record',
  'sync',
  ...new Set([...REQUIRED_RECORD_FIELDS, ...OPTIONAL_RECORD_FIELDS, ...SYNC_KEYS]),
] as const;
type FieldName = (typeof FIELD_NAMES)[number];

/**
 * Every reason a message can be rejected for: a closed set, so it can label a metric
 * whatever a sender puts in a message. `bad_field:<name>` names the first offending known
 * top-level field (`bad_field:from`, `bad_field:end`, ...); a top-level key the schema does
 * not have is `unknown_field`. `detail` carries the precise path for logs.
 */
export const REJECT_REASONS = [
  'too_large',
  'bad_json',
  'bad_subject',
  'bad_version',
  'phase_mismatch',
  'unknown_field',
  ...FIELD_NAMES.map((name) => `bad_field:${name}` as const),
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

const FIELD_NAME_SET: ReadonlySet<string> = new Set(FIELD_NAMES);

export type Validated<T> =
  { ok: true; value: T } | { ok: false; reason: RejectReason; detail: string };

/** Internal control flow of the validators; never escapes `run()`. */
class Rejection extends Error {
  constructor(
    readonly reason: RejectReason,
    readonly detail: string,
  ) {
    super(detail);
  }
}

function fail(reason: RejectReason, detail: string): never {
  throw new Rejection(reason, detail);
}

function reject(field: string, detail: string): never {
  const top = field.split('.')[0] ?? field;
  fail(
    FIELD_NAME_SET.has(top) ? `bad_field:${top as FieldName}` : 'unknown_field',
    `${field}: ${detail}`,
  );
}

const RECORD_KEYS: ReadonlySet<string> = new Set([
  ...REQUIRED_RECORD_FIELDS,
  ...OPTIONAL_RECORD_FIELDS,
]);
const PARTY_KEYS = new Set(['user', 'display', 'uri']);
const END_KEYS = new Set(['reason', 'sip_code', 'sip_reason', 'q850', 'by']);
const PHASE_SET: ReadonlySet<string> = new Set(PHASES);
const DIRECTION_SET: ReadonlySet<string> = new Set(DIRECTIONS);
const END_REASON_SET: ReadonlySet<string> = new Set(END_REASONS);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKeys(obj: Record<string, unknown>, allowed: ReadonlySet<string>, field: string) {
  for (const key in obj) {
    if (!allowed.has(key)) reject(field ? `${field}.${key}` : key, 'unknown field');
  }
}

function str(value: unknown, field: string, min: number, max: number): string {
  if (typeof value !== 'string') reject(field, 'must be a string');
  if (value.length < min || value.length > max) reject(field, `length must be ${min}–${max}`);
  return value;
}

function optStr(value: unknown, field: string, max: number): string | undefined {
  return value === undefined ? undefined : str(value, field, 0, max);
}

function nullableStr(value: unknown, field: string, min: number, max: number): string | null {
  return value === null ? null : str(value, field, min, max);
}

function int(value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    reject(field, 'must be an integer');
  if (value < min || value > max) reject(field, `must be ${min}–${max}`);
  return value;
}

function nullableTime(value: unknown, field: string): number | null {
  return value === null ? null : int(value, field, 0);
}

function oneOf<T extends string>(value: unknown, set: ReadonlySet<string>, field: string): T {
  if (typeof value !== 'string' || !set.has(value)) reject(field, 'not an allowed value');
  return value as T;
}

function party(value: unknown, field: string): Party {
  if (!isPlainObject(value)) reject(field, 'must be an object');
  checkKeys(value, PARTY_KEYS, field);
  const out: Party = { user: str(value.user, `${field}.user`, 0, MAX_FIELD_CHARS) };
  const display = optStr(value.display, `${field}.display`, MAX_FIELD_CHARS);
  if (display !== undefined) out.display = display;
  const uri = optStr(value.uri, `${field}.uri`, MAX_FIELD_CHARS);
  if (uri !== undefined) out.uri = uri;
  return out;
}

function callEnd(value: unknown): CallEnd {
  if (!isPlainObject(value)) reject('end', 'must be an object');
  checkKeys(value, END_KEYS, 'end');
  const out: CallEnd = { reason: oneOf(value.reason, END_REASON_SET, 'end.reason') };
  if (value.sip_code !== undefined) out.sip_code = int(value.sip_code, 'end.sip_code', 100, 699);
  const sipReason = optStr(value.sip_reason, 'end.sip_reason', MAX_FIELD_CHARS);
  if (sipReason !== undefined) out.sip_reason = sipReason;
  if (value.q850 !== undefined) out.q850 = int(value.q850, 'end.q850', 0, 127);
  const by = optStr(value.by, 'end.by', MAX_FIELD_CHARS);
  if (by !== undefined) out.by = by;
  return out;
}

function recordFrom(value: unknown): CallRecord {
  if (!isPlainObject(value)) reject('record', 'must be an object');
  if (value.v !== SCHEMA_VERSION) {
    fail('bad_version', `v: expected ${SCHEMA_VERSION}`);
  }
  checkKeys(value, RECORD_KEYS, '');
  const source = str(value.source, 'source', 1, 64);
  if (!SOURCE_PATTERN.test(source)) reject('source', 'must match [A-Za-z0-9_.-]{1,64}');
  const callId = str(value.call_id, 'call_id', 1, MAX_CALL_ID_CHARS);
  const id = str(value.id, 'id', 3, 64 + 1 + MAX_CALL_ID_CHARS);
  if (
    id.length !== source.length + 1 + callId.length ||
    !id.startsWith(source) ||
    id[source.length] !== ':' ||
    !id.endsWith(callId)
  ) {
    reject('id', 'must be <source>:<call_id>');
  }
  const phase = oneOf<Phase>(value.phase, PHASE_SET, 'phase');
  const record: CallRecord = {
    v: SCHEMA_VERSION,
    id,
    source,
    call_id: callId,
    seq: int(value.seq, 'seq', 1),
    phase,
    ts: int(value.ts, 'ts', 0),
    company_id: nullableStr(value.company_id, 'company_id', 1, MAX_FIELD_CHARS),
    direction: oneOf(value.direction, DIRECTION_SET, 'direction'),
    from: party(value.from, 'from'),
    to: party(value.to, 'to'),
    trunk: nullableStr(value.trunk, 'trunk', 0, MAX_FIELD_CHARS),
    created_at: nullableTime(value.created_at, 'created_at'),
    answered_at: nullableTime(value.answered_at, 'answered_at'),
    ended_at: nullableTime(value.ended_at, 'ended_at'),
  };
  if (value.held !== undefined) {
    if (typeof value.held !== 'boolean') reject('held', 'must be a boolean');
    record.held = value.held;
  }
  if (phase === 'ended') record.end = callEnd(value.end);
  else if (value.end !== undefined) reject('end', 'only allowed when phase is ended');
  if (value.sip !== undefined) {
    if (!isPlainObject(value.sip)) reject('sip', 'must be an object');
    record.sip = value.sip;
  }
  return record;
}

function run<T>(fn: () => T): Validated<T> {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    if (err instanceof Rejection) return { ok: false, reason: err.reason, detail: err.detail };
    throw err;
  }
}

/**
 * Validates an already-parsed record. The result is a fresh object holding only the
 * contract's fields (`sip` is kept as given), never the caller's object.
 */
export function validateRecord(value: unknown): Validated<CallRecord> {
  return run(() => recordFrom(value));
}

const utf8 = new TextEncoder();

function parseJson(data: Uint8Array | string): unknown {
  const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    fail('bad_json', 'payload is not JSON');
  }
}

function byteLength(data: Uint8Array | string): number {
  return typeof data === 'string' ? utf8.encode(data).length : data.byteLength;
}

/** Parses and validates one `call.events.<phase>` message (docs/interface/record.md, nats.md). */
export function parseCallEvent(subject: string, data: Uint8Array | string): Validated<CallRecord> {
  return run(() => {
    if (byteLength(data) > MAX_RECORD_BYTES) {
      fail('too_large', `record above ${MAX_RECORD_BYTES} bytes`);
    }
    const subjectPhase = subject.startsWith(CALL_EVENTS_PREFIX)
      ? subject.slice(CALL_EVENTS_PREFIX.length)
      : '';
    if (!PHASE_SET.has(subjectPhase)) {
      fail('bad_subject', `unknown subject ${subject.slice(0, 80)}`);
    }
    const record = recordFrom(parseJson(data));
    if (record.phase !== subjectPhase) {
      fail('phase_mismatch', `phase ${record.phase} on ${subject}`);
    }
    return record;
  });
}

/** One part of a source's complete active-call list (`call.sync`, docs/interface/nats.md). */
export interface SyncMessage {
  v: typeof SCHEMA_VERSION;
  source: string;
  /** When the bridge read the PBX's list, ms since epoch. */
  ts: number;
  sync_id: string;
  /** 1-based index of this part. */
  part: number;
  parts: number;
  calls: CallRecord[];
}

export const MAX_SYNC_PARTS = 10_000;
const SYNC_KEY_SET: ReadonlySet<string> = new Set(SYNC_KEYS);

function syncFrom(value: unknown): SyncMessage {
  if (!isPlainObject(value)) reject('sync', 'must be an object');
  if (value.v !== SCHEMA_VERSION) {
    fail('bad_version', `v: expected ${SCHEMA_VERSION}`);
  }
  checkKeys(value, SYNC_KEY_SET, '');
  const source = str(value.source, 'source', 1, 64);
  if (!SOURCE_PATTERN.test(source)) reject('source', 'must match [A-Za-z0-9_.-]{1,64}');
  const parts = int(value.parts, 'parts', 1, MAX_SYNC_PARTS);
  const sync: SyncMessage = {
    v: SCHEMA_VERSION,
    source,
    ts: int(value.ts, 'ts', 0),
    sync_id: str(value.sync_id, 'sync_id', 1, 128),
    part: int(value.part, 'part', 1, parts),
    parts,
    calls: [],
  };
  if (!Array.isArray(value.calls)) reject('calls', 'must be an array');
  for (let i = 0; i < value.calls.length; i++) {
    const result = validateRecord(value.calls[i]);
    if (!result.ok) reject(`calls.${i}`, `${result.reason} (${result.detail})`);
    const call = result.value;
    if (call.source !== source) reject(`calls.${i}`, 'source differs from the sync source');
    if (call.phase === 'ended') reject(`calls.${i}`, 'an active list holds no ended call');
    if (byteLength(JSON.stringify(call)) > MAX_RECORD_BYTES)
      reject(`calls.${i}`, 'record too large');
    sync.calls.push(call);
  }
  return sync;
}

/** Parses and validates one `call.sync` message. */
export function parseSync(subject: string, data: Uint8Array | string): Validated<SyncMessage> {
  return run(() => {
    if (subject !== CALL_SYNC_SUBJECT) {
      fail('bad_subject', `unknown subject ${subject.slice(0, 80)}`);
    }
    if (byteLength(data) > MAX_SYNC_PART_BYTES) {
      fail('too_large', `sync part above ${MAX_SYNC_PART_BYTES} bytes`);
    }
    return syncFrom(parseJson(data));
  });
}
