// The tab's first two reads: who is signed in, and the compressed snapshot (ADR-0012). On a
// wall of 10,000 calls the snapshot's server time and transfer are most of the first paint;
// sent only once the session was known and the dashboard drawn, they came after all of that
// instead of under it. So an inline script in app.html sends both while the app's bundle
// is still loading, and the app takes the answers over here (or sends them itself if that
// script did not run). Both leave in the same tick, so they carry the same cookie: the
// snapshot belongs to whoever `/auth/me` names, and the session manager hands it on only
// with that session (a 401 drops it unread, so nothing shows before sign-in).
import type { Session, SnapshotPayload } from '@live-calls/protocol';
import { answerError, getJson, networkError } from './api/http.js';

export const ME_PATH = '/api/v1/auth/me';
export const SNAPSHOT_PATH = '/api/v1/live/calls/snapshot';

/** The snapshot answer: the stream's `snapshot` payload without its `reason`. */
export type SnapshotAnswer = Omit<SnapshotPayload, 'reason'>;

export interface FirstRead {
  me: Promise<Session>;
  snapshot: Promise<SnapshotAnswer>;
}

/** An answer as app.html's script leaves it: no Response, so the body is parsed at once. */
export interface RawAnswer {
  status: number;
  statusText: string;
  /** The parsed JSON body; null when it was not JSON. */
  body: unknown;
}

/** What app.html's script leaves on the window; null once the app has taken it. */
export interface EarlyReads {
  me: Promise<RawAnswer>;
  snapshot: Promise<RawAnswer>;
}

const EARLY_KEY = 'liveCallsFirstRead';

/** getJson's outcome for an answer app.html's script read: the body, or an ApiError. */
export async function fromRaw<T>(answer: Promise<RawAnswer>): Promise<T> {
  let raw: RawAnswer;
  try {
    raw = await answer;
  } catch (cause) {
    throw networkError(cause);
  }
  const { status, statusText, body } = raw;
  if (status < 200 || status > 299) throw answerError(status, statusText, body);
  if (body === null) throw answerError(status, 'The answer was not JSON.', null);
  return body as T;
}

let pending: FirstRead | null = null;

/** Takes over app.html's reads, or sends both now; once per page load. */
export function beginFirstRead(
  scope: Record<string, unknown> = globalThis,
  read: <T>(path: string) => Promise<T> = getJson,
): void {
  if (pending !== null) return;
  const early = scope[EARLY_KEY] as EarlyReads | null | undefined;
  scope[EARLY_KEY] = null;
  const me = early ? fromRaw<Session>(early.me) : read<Session>(ME_PATH);
  const snapshot = early
    ? fromRaw<SnapshotAnswer>(early.snapshot)
    : read<SnapshotAnswer>(SNAPSHOT_PATH);
  // Either may fail before anyone awaits it (signed out, the snapshot is a 401 nobody
  // reads): that is an answer, not an unhandled rejection. Awaiting them still throws.
  me.catch(() => {});
  snapshot.catch(() => {});
  pending = { me, snapshot };
}

/** The reads begun at start, to the first caller only: a later session check asks afresh. */
export function takeFirstRead(): FirstRead | null {
  const read = pending;
  pending = null;
  return read;
}
