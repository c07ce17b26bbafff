// Operator actions on a call (docs/interface/nats.md, "call.control"): the backend asks the
// bridge of the call's source over NATS request/reply; the bridge answers once it has asked
// the PBX. The call's end itself arrives as an ordinary `call.ended` event.
import { MAX_CALL_ID_CHARS, MAX_FIELD_CHARS, SCHEMA_VERSION, SOURCE_PATTERN } from './record.js';

export const CALL_CONTROL_PREFIX = 'call.control.';
export const CONTROL_ACTIONS = ['hangup'] as const;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];
/** How long the backend waits for a bridge's reply before answering 503. */
export const CONTROL_TIMEOUT_MS = 2_000;

export interface ControlRequest {
  v: typeof SCHEMA_VERSION;
  action: ControlAction;
  /** The call's record id, `<source>:<call_id>`. */
  id: string;
  call_id: string;
  /** Unique per request; the audit entry and the 202 answer carry it. */
  request_id: string;
  /** The operator's `sub`; the call's `end.by`. */
  by: string;
}

/** Error codes a bridge answers with. */
export const CONTROL_ERROR_CODES = [
  'not_found',
  'pbx_error',
  'bad_request',
  'unsupported',
] as const;
export type ControlErrorCode = (typeof CONTROL_ERROR_CODES)[number];

export type ControlReply =
  { ok: true } | { ok: false; error: { code: ControlErrorCode; message: string } };

/** The subject the bridge of `source` answers control requests on. */
export function callControlSubject(source: string): string {
  return CALL_CONTROL_PREFIX + source;
}

export type ParsedControl<T> = { ok: true; value: T } | { ok: false; message: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, min: number, max: number): value is string {
  return typeof value === 'string' && value.length >= min && value.length <= max;
}

/** The message as a JSON object, or why it is not one. */
function jsonObject(data: string): ParsedControl<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { ok: false, message: 'not JSON' };
  }
  return isObject(value) ? { ok: true, value } : { ok: false, message: 'not an object' };
}

/** Checks a request the bridge of `source` received; any other shape is refused whole. */
export function parseControlRequest(source: string, data: string): ParsedControl<ControlRequest> {
  const parsed = jsonObject(data);
  if (!parsed.ok) return parsed;
  const value = parsed.value;
  if (value.v !== SCHEMA_VERSION) return { ok: false, message: `v: expected ${SCHEMA_VERSION}` };
  if (!CONTROL_ACTIONS.includes(value.action as ControlAction))
    return { ok: false, message: 'action: not an allowed value' };
  if (!text(value.call_id, 1, MAX_CALL_ID_CHARS))
    return { ok: false, message: `call_id: 1–${MAX_CALL_ID_CHARS} chars` };
  if (value.id !== `${source}:${value.call_id}`)
    return { ok: false, message: 'id: must be <source>:<call_id> of this source' };
  if (!text(value.request_id, 1, 64)) return { ok: false, message: 'request_id: 1–64 chars' };
  if (!text(value.by, 1, MAX_FIELD_CHARS))
    return { ok: false, message: `by: 1–${MAX_FIELD_CHARS} chars` };
  if (!SOURCE_PATTERN.test(source)) return { ok: false, message: 'source: not a valid source' };
  return {
    ok: true,
    value: {
      v: SCHEMA_VERSION,
      action: value.action as ControlAction,
      id: value.id,
      call_id: value.call_id,
      request_id: value.request_id,
      by: value.by,
    },
  };
}

/** Checks a bridge's reply; anything else counts as a failed request. */
export function parseControlReply(data: string): ParsedControl<ControlReply> {
  const parsed = jsonObject(data);
  if (!parsed.ok) return parsed;
  const value = parsed.value;
  if (value.ok === true) return { ok: true, value: { ok: true } };
  const error = value.error;
  if (
    value.ok === false &&
    isObject(error) &&
    CONTROL_ERROR_CODES.includes(error.code as ControlErrorCode) &&
    typeof error.message === 'string'
  ) {
    return {
      ok: true,
      value: {
        ok: false,
        error: { code: error.code as ControlErrorCode, message: error.message.slice(0, 512) },
      },
    };
  }
  return { ok: false, message: 'not a control reply' };
}
