// Turns Kamailio's `dlg.list` JSON-RPC answer into the dialogs a sync must carry. Pure.
// Shape verified against Debian's Kamailio 5.6.3 (copy in src/testing/fixtures/kamailio-5.6-capture.json).
import {
  MAX_CALL_ID_CHARS,
  MAX_FIELD_CHARS,
  type ActivePhase,
  type Direction,
  type Party,
} from '@live-calls/protocol';
import { uriUser } from './kamailio-event.js';

/** Dialog states of the Kamailio dialog module. */
export const DLG_STATE = {
  unconfirmed: 1,
  early: 2,
  confirmedNoAck: 3,
  confirmed: 4,
  deleted: 5,
} as const;

export interface DialogSnapshot {
  callId: string;
  state: number;
  phase: ActivePhase;
  from: Party;
  to: Party;
  fromTag: string | null;
  toTag: string | null;
  /** ms since epoch, from init_ts. */
  createdAt: number | null;
  /** ms since epoch, from start_ts (0 until answered). */
  answeredAt: number | null;
  company: string | null;
  trunk: string | null;
  direction: Direction;
}

export interface DlgListResult {
  dialogs: DialogSnapshot[];
  /** Entries in state 5 (deleted): they linger up to 300 s after the call ended. */
  deleted: number;
  /** Entries that could not be read. */
  malformed: number;
}

export class DlgListError extends Error {
  override readonly name = 'DlgListError';
}

type Raw = Record<string, unknown>;

export function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The `result` of a whole JSON-RPC response; throws `makeError` naming `label` when the
 * response is not an object or is an RPC error.
 */
export function rpcResult(
  response: unknown,
  label: string,
  makeError: (message: string) => Error,
): unknown {
  if (!isObject(response)) throw makeError(`${label}: response is not a JSON object`);
  if (response.error !== undefined) {
    const message = isObject(response.error) ? String(response.error.message) : 'error';
    throw makeError(`${label}: RPC error: ${message.slice(0, 200)}`);
  }
  return response.result;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value.slice(0, MAX_FIELD_CHARS) : null;
}

function seconds(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0
    ? Math.round(value * 1000)
    : null;
}

function party(uri: string | null): Party {
  if (uri === null) return { user: '' };
  return { user: uriUser(uri).slice(0, MAX_FIELD_CHARS), uri };
}

/** `variables` is a list of one-key objects: `[{"trunk":"carrier-a"},{"company":"acme"}]`. */
function variables(value: unknown): Map<string, string> {
  const vars = new Map<string, string>();
  if (!Array.isArray(value)) return vars;
  for (const entry of value) {
    if (!isObject(entry)) continue;
    for (const [k, v] of Object.entries(entry)) if (typeof v === 'string') vars.set(k, v);
  }
  return vars;
}

function phaseOf(state: number): ActivePhase | undefined {
  switch (state) {
    case DLG_STATE.unconfirmed:
      return 'setup';
    case DLG_STATE.early:
      return 'ringing';
    case DLG_STATE.confirmedNoAck:
    case DLG_STATE.confirmed:
      return 'answered';
    default:
      return undefined;
  }
}

const DIRECTIONS: ReadonlySet<string> = new Set(['inbound', 'outbound', 'internal']);

function dialogFrom(entry: Raw): DialogSnapshot | undefined {
  const callId = entry['call-id'];
  if (typeof callId !== 'string' || callId === '' || callId.length > MAX_CALL_ID_CHARS) {
    return undefined;
  }
  const state = entry.state;
  if (typeof state !== 'number') return undefined;
  const phase = phaseOf(state);
  if (phase === undefined) return undefined;
  const vars = variables(entry.variables);
  const caller = isObject(entry.caller) ? entry.caller : {};
  const callee = isObject(entry.callee) ? entry.callee : {};
  const direction = vars.get('direction')?.trim().toLowerCase() ?? '';
  const company = vars.get('company')?.trim();
  const trunk = vars.get('trunk')?.trim();
  return {
    callId,
    state,
    phase,
    from: party(str(entry.from_uri)),
    to: party(str(entry.to_uri)),
    fromTag: str(caller.tag),
    toTag: str(callee.tag),
    createdAt: seconds(entry.init_ts),
    answeredAt: phase === 'answered' ? seconds(entry.start_ts) : null,
    company: company ? company.slice(0, MAX_FIELD_CHARS) : null,
    trunk: trunk ? trunk.slice(0, MAX_FIELD_CHARS) : null,
    direction: DIRECTIONS.has(direction) ? (direction as Direction) : 'unknown',
  };
}

/**
 * Reads a whole JSON-RPC response to `dlg.list`. Throws DlgListError when the response
 * itself is unusable (an RPC error, no result list): a sync must never be built from a
 * list that might be incomplete. Single bad entries are skipped and counted.
 */
export function parseDlgList(response: unknown): DlgListResult {
  const result = rpcResult(response, 'dlg.list', (message) => new DlgListError(message));
  // Kamailio answers an empty dialog table with no result at all on some versions.
  if (result === undefined || result === null) return { dialogs: [], deleted: 0, malformed: 0 };
  if (!Array.isArray(result)) throw new DlgListError('dlg.list: result is not a list');
  const byCallId = new Map<string, DialogSnapshot>();
  let deleted = 0;
  let malformed = 0;
  for (const entry of result) {
    if (isObject(entry) && entry.state === DLG_STATE.deleted) {
      deleted++;
      continue;
    }
    const dialog = isObject(entry) ? dialogFrom(entry) : undefined;
    if (dialog === undefined) {
      malformed++;
      continue;
    }
    // Forked or spiralled calls can list one Call-ID twice: keep the most advanced.
    const seen = byCallId.get(dialog.callId);
    if (seen === undefined || dialog.state > seen.state) byCallId.set(dialog.callId, dialog);
  }
  return { dialogs: [...byCallId.values()], deleted, malformed };
}
