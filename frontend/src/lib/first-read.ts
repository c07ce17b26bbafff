// The tab's first two reads, sent side by side the moment the app's code runs
// (hooks.client.ts): who is signed in, and the compressed snapshot (ADR-0012). On a wall of
// 10,000 calls the snapshot's server time and transfer are most of the first paint; sent
// only once the session was known and the dashboard drawn, they came after all of that
// instead of under it. Both go out in the same tick, so they carry the same cookie: the
// snapshot belongs to whoever `/auth/me` names, and the session manager hands it on only
// with that session (a 401 drops it unread, so nothing shows before sign-in).
import type { Session, SnapshotPayload } from '@live-calls/protocol';
import { getJson } from './api/http.js';

export const ME_PATH = '/api/v1/auth/me';
export const SNAPSHOT_PATH = '/api/v1/live/calls/snapshot';

/** The snapshot answer: the stream's `snapshot` payload without its `reason`. */
export type SnapshotAnswer = Omit<SnapshotPayload, 'reason'>;

export interface FirstRead {
  me: Promise<Session>;
  snapshot: Promise<SnapshotAnswer>;
}

let pending: FirstRead | null = null;

/** Sends both reads (once per page load; later calls do nothing). */
export function beginFirstRead(read: <T>(path: string) => Promise<T> = getJson): void {
  if (pending !== null) return;
  const me = read<Session>(ME_PATH);
  const snapshot = read<SnapshotAnswer>(SNAPSHOT_PATH);
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
