// The steps of an operator's hang-up, as the call detail shows them: ask, confirm, send,
// then wait for the proof — the call's own `call.ended` on the stream — rather than take
// the server's 202 for the end. Pure: the component feeds it answers, records and time.
import type { CallRecord } from '@live-calls/protocol';
import { ApiError } from '../api/http.js';

/** After this long with the request accepted and the call still up, say so. */
export const HANGUP_SLOW_MS = 5_000;

export type HangupStep =
  | { kind: 'idle' }
  | { kind: 'confirming' }
  | { kind: 'sending' }
  /** The bridge accepted the request; the call's end has not reached the stream yet. */
  | { kind: 'waiting'; requestId: string; since: number }
  | { kind: 'done'; message: string }
  | { kind: 'failed'; message: string };

export const IDLE: HangupStep = { kind: 'idle' };

/** What the call's latest record says about a request in progress. */
export function followCall(step: HangupStep, call: CallRecord | null): HangupStep {
  if (step.kind !== 'waiting' || call === null || call.phase !== 'ended') return step;
  const end = call.end;
  if (end?.reason === 'terminated') {
    return { kind: 'done', message: `Hung up${end.by === undefined ? '' : ` by ${end.by}`}.` };
  }
  return { kind: 'done', message: 'The call ended by itself before the hang-up reached it.' };
}

/** The line under the button while a request is on its way. */
export function progressText(step: HangupStep, localNow: number): string | null {
  switch (step.kind) {
    case 'sending':
      return 'Asking the PBX to end the call…';
    case 'waiting':
      return localNow - step.since >= HANGUP_SLOW_MS
        ? 'The PBX accepted the hang-up, but the call has not ended yet.'
        : 'The PBX is ending the call…';
    default:
      return null;
  }
}

/** What an operator reads when the server refused or could not be asked. */
export function refusalText(error: unknown): string {
  if (!(error instanceof ApiError)) return 'The hang-up failed. The call may still be up.';
  switch (error.status) {
    case 0:
      return 'The server cannot be reached. The call is still up.';
    case 403:
      return 'Your role may not hang up calls.';
    case 404:
      return 'This call is no longer active.';
    case 429:
      return 'Too many hang-ups in a short time. Wait a moment and try again.';
    case 503:
      return 'No PBX bridge answered in time. The call is still up.';
    default:
      return `The hang-up failed (${error.message}). The call may still be up.`;
  }
}
