// Decodes one evapi JSON event emitted by infra/kamailio/kamailio.cfg into a typed event.
// Pure. The format is ours (documented in infra/kamailio/README.md), so anything outside
// it — unknown event, unknown field, wrong type — is rejected with a reason code that
// becomes a metric label, rather than guessed at.
import {
  MAX_CALL_ID_CHARS,
  MAX_FIELD_CHARS,
  type Direction,
  type Party,
} from '@live-calls/protocol';

const KAMAILIO_EVENTS = [
  'setup',
  'ringing',
  'answered',
  'failed',
  'cancel',
  'bye',
  'timeout',
] as const;
export type KamailioEventKind = (typeof KAMAILIO_EVENTS)[number];

export interface KamailioEvent {
  event: KamailioEventKind;
  callId: string;
  /** When Kamailio saw it, ms since epoch. */
  ts: number;
  from: Party;
  to: Party;
  fromTag?: string;
  toTag?: string;
  code?: number;
  reason?: string;
  q850?: number;
  company: string | null;
  trunk: string | null;
  direction: Direction;
  /** Where the INVITE came from, `proto:ip:port`. */
  src?: string;
  ruri?: string;
  /** Which side sent the BYE. */
  by?: 'caller' | 'callee';
}

export type DecodeReject = 'bad_json' | 'unknown_event' | 'unknown_field' | 'bad_field';

export type Decoded =
  { ok: true; event: KamailioEvent } | { ok: false; reason: DecodeReject; detail: string };

const STRING_FIELDS = [
  'event',
  'call_id',
  'from_user',
  'from_display',
  'from_uri',
  'from_tag',
  'to_user',
  'to_display',
  'to_uri',
  'to_tag',
  'reason',
  'reason_header',
  'company',
  'trunk',
  'direction',
  'src',
  'ruri',
  'by',
] as const;
const KNOWN_FIELDS: ReadonlySet<string> = new Set([...STRING_FIELDS, 'ts', 'code']);
const EVENT_SET: ReadonlySet<string> = new Set(KAMAILIO_EVENTS);
const DIRECTIONS: ReadonlySet<string> = new Set(['inbound', 'outbound', 'internal']);

class Reject extends Error {
  constructor(
    readonly reason: DecodeReject,
    readonly detail: string,
  ) {
    super(detail);
  }
}

type Raw = Record<string, unknown>;

function optString(raw: Raw, key: string): string | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new Reject('bad_field', `${key}: must be a string`);
  return value;
}

/** Fits a field into the contract's limit instead of losing the whole event over it. */
function clip(value: string): string {
  return value.length > MAX_FIELD_CHARS ? value.slice(0, MAX_FIELD_CHARS) : value;
}

/** `"Alice \"A\""` → `Alice "A"` (SIP quoted-string); bare tokens are kept as they are. */
export function unquoteDisplay(value: string): string {
  const trimmed = value.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) {
    return trimmed.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return trimmed;
}

/** The user part of a SIP URI (`sip:+1555@host;x=y` → `+1555`), or '' when it has none. */
export function uriUser(uri: string): string {
  const match = /^(?:sips?|tel):([^@;?]*)(@|$|;|\?)/i.exec(uri.trim());
  if (!match) return '';
  const user = match[1] ?? '';
  // A URI with no user part (sip:host) matched its host as the user.
  return match[2] === '@' || uri.toLowerCase().startsWith('tel:') ? user : '';
}

function party(raw: Raw, side: 'from' | 'to'): Party {
  const uri = optString(raw, `${side}_uri`);
  const user = optString(raw, `${side}_user`) ?? (uri === undefined ? '' : uriUser(uri));
  const out: Party = { user: clip(user) };
  const display = optString(raw, `${side}_display`);
  if (display !== undefined) {
    const unquoted = unquoteDisplay(display);
    if (unquoted !== '') out.display = clip(unquoted);
  }
  if (uri !== undefined) out.uri = clip(uri);
  return out;
}

/** The Q.850 cause of a Reason header (`Q.850;cause=17;text="busy"`), if any. */
export function q850Cause(header: string): number | undefined {
  const match = /(?:^|,)\s*Q\.850\s*;(?:[^,]*;)?\s*cause\s*=\s*(\d{1,3})/i.exec(header);
  if (!match) return undefined;
  const cause = Number(match[1]);
  return cause <= 127 ? cause : undefined;
}

function nonEmpty(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? null : clip(trimmed);
}

function decodeObject(raw: Raw): KamailioEvent {
  for (const key of Object.keys(raw)) {
    if (!KNOWN_FIELDS.has(key))
      throw new Reject('unknown_field', `unknown field ${key.slice(0, 40)}`);
  }
  const kind = raw.event;
  if (typeof kind !== 'string' || !EVENT_SET.has(kind)) {
    throw new Reject('unknown_event', `unknown event ${JSON.stringify(kind)?.slice(0, 40)}`);
  }
  const callId = optString(raw, 'call_id');
  if (callId === undefined || callId.length === 0 || callId.length > MAX_CALL_ID_CHARS) {
    throw new Reject('bad_field', `call_id: must be 1–${MAX_CALL_ID_CHARS} chars`);
  }
  const ts = raw.ts;
  if (typeof ts !== 'number' || !Number.isFinite(ts) || ts <= 0 || ts > 1e11) {
    throw new Reject('bad_field', 'ts: must be seconds since epoch');
  }
  const direction = optString(raw, 'direction')?.trim().toLowerCase();
  const event: KamailioEvent = {
    event: kind as KamailioEventKind,
    callId,
    ts: Math.round(ts * 1000),
    from: party(raw, 'from'),
    to: party(raw, 'to'),
    company: nonEmpty(optString(raw, 'company')),
    trunk: nonEmpty(optString(raw, 'trunk')),
    direction:
      direction !== undefined && DIRECTIONS.has(direction) ? (direction as Direction) : 'unknown',
  };
  const code = raw.code;
  if (code !== undefined) {
    if (typeof code !== 'number' || !Number.isInteger(code) || code < 100 || code > 699) {
      throw new Reject('bad_field', 'code: must be a SIP status 100–699');
    }
    event.code = code;
  }
  const fromTag = optString(raw, 'from_tag');
  if (fromTag !== undefined) event.fromTag = clip(fromTag);
  const toTag = optString(raw, 'to_tag');
  if (toTag !== undefined) event.toTag = clip(toTag);
  const reason = optString(raw, 'reason');
  if (reason !== undefined) event.reason = clip(reason);
  const reasonHeader = optString(raw, 'reason_header');
  const q850 = reasonHeader === undefined ? undefined : q850Cause(reasonHeader);
  if (q850 !== undefined) event.q850 = q850;
  const src = optString(raw, 'src');
  if (src !== undefined) event.src = clip(src);
  const ruri = optString(raw, 'ruri');
  if (ruri !== undefined) event.ruri = clip(ruri);
  const by = optString(raw, 'by');
  if (by !== undefined) {
    if (by !== 'caller' && by !== 'callee') throw new Reject('bad_field', 'by: caller or callee');
    event.by = by;
  }
  if (
    (kind === 'ringing' || kind === 'answered' || kind === 'failed') &&
    event.code === undefined
  ) {
    throw new Reject('bad_field', `code: required for ${kind}`);
  }
  return event;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes one evapi frame's payload. Never throws. */
export function decodeKamailioEvent(payload: Uint8Array | string): Decoded {
  let raw: unknown;
  try {
    raw = JSON.parse(typeof payload === 'string' ? payload : utf8.decode(payload));
  } catch {
    return { ok: false, reason: 'bad_json', detail: 'payload is not UTF-8 JSON' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, reason: 'bad_json', detail: 'payload is not a JSON object' };
  }
  try {
    return { ok: true, event: decodeObject(raw as Raw) };
  } catch (err) {
    if (err instanceof Reject) return { ok: false, reason: err.reason, detail: err.detail };
    throw err;
  }
}
