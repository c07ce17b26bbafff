// Finds the Kamailio dialog of one call in an answer of `dlg.dlg_list <call-id> [<from-tag>]`
// (one dialog object, `{}` when there is none) or `dlg.list` (a list), for `dlg.end_dlg`,
// which takes the dialog's hash ids. Pure. Shapes verified against Debian's Kamailio 5.6.3.
import { DLG_STATE, isObject, rpcResult } from './dlg-list.js';

/** What `dlg.end_dlg [h_entry, h_id]` needs. */
export interface DialogHandle {
  hEntry: number;
  hId: number;
  /** Kamailio dialog state: 1 unconfirmed, 2 early, 3 confirmed (no ACK yet), 4 confirmed. */
  state: number;
}

export interface DialogTarget {
  callId: string;
  /** The caller's tag, when the bridge knows it: a dialog with another is not this call. */
  fromTag?: string;
  /** The callee's tag, when known; early dialogs have none yet and still match. */
  toTag?: string;
}

/**
 * Answered (3: confirmed, ACK not yet seen; 4: confirmed): `dlg.end_dlg` sends BYE both ways.
 * Kamailio 5.6 answers success for an early dialog too, yet ends nothing.
 */
export function isConfirmed(handle: DialogHandle): boolean {
  return handle.state === DLG_STATE.confirmedNoAck || handle.state === DLG_STATE.confirmed;
}

function tagOf(side: unknown): string | undefined {
  if (!isObject(side)) return undefined;
  return typeof side.tag === 'string' && side.tag !== '' ? side.tag : undefined;
}

function handleOf(entry: unknown, target: DialogTarget): DialogHandle | undefined {
  if (!isObject(entry) || entry['call-id'] !== target.callId) return undefined;
  const { h_entry: hEntry, h_id: hId, state } = entry;
  if (!Number.isInteger(hEntry) || !Number.isInteger(hId) || !Number.isInteger(state)) {
    return undefined;
  }
  // State 5 (deleted) lingers after the end: that call is over.
  if ((state as number) < DLG_STATE.unconfirmed || (state as number) >= DLG_STATE.deleted)
    return undefined;
  const fromTag = tagOf(entry.caller);
  if (target.fromTag !== undefined && fromTag !== undefined && fromTag !== target.fromTag) {
    return undefined;
  }
  const toTag = tagOf(entry.callee);
  if (target.toTag !== undefined && toTag !== undefined && toTag !== target.toTag) {
    return undefined;
  }
  return { hEntry: hEntry as number, hId: hId as number, state: state as number };
}

/**
 * The live dialog of `target` in a whole JSON-RPC response, or undefined when Kamailio has
 * none (never had it, or it ended). Of several (a forked or spiralled call), the most
 * advanced. Throws when the response is a JSON-RPC error or has no usable result.
 */
export function findDialog(response: unknown, target: DialogTarget): DialogHandle | undefined {
  const result = rpcResult(response, 'dialog lookup', (message) => new Error(message));
  if (result === undefined || result === null) return undefined;
  const entries = Array.isArray(result) ? result : [result];
  let best: DialogHandle | undefined;
  for (const entry of entries) {
    const handle = handleOf(entry, target);
    if (handle !== undefined && (best === undefined || handle.state > best.state)) best = handle;
  }
  return best;
}
