// The two serialized views of a record, made once at ingest and shared by every client.
import { viewOf, type CallRecord, type Scope } from '@live-calls/protocol';
import type { RecordView } from './live-store.js';

const USER_SCOPE = { company_id: null, redacted: true, sources: false } as const;

export function recordViews(record: CallRecord): { data: string; userData: string | undefined } {
  const data = JSON.stringify(record);
  return {
    data,
    userData: record.sip === undefined ? undefined : JSON.stringify(viewOf(USER_SCOPE, record)),
  };
}

/**
 * A log event's payload as role `user` sees it: the kept user view, else derived from the
 * full one (the fan-out frames each event's user view at most once per batch).
 */
export function userView(event: { data: string; userData?: string }): string {
  if (event.userData !== undefined) return event.userData;
  if (!event.data.includes('"sip"')) return event.data;
  return JSON.stringify(viewOf(USER_SCOPE, JSON.parse(event.data) as CallRecord));
}

/** Which stored view of the records a scope reads: `user` is without `sip`. */
export function recordViewOf(scope: Scope): RecordView {
  return scope.redacted ? 'user' : 'full';
}
