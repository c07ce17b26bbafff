// The two serialized views of a record, made once at ingest and shared by every client.
import { viewOf, type CallRecord } from '@live-calls/protocol';

const USER_SCOPE = { company_id: null, redacted: true, sources: false } as const;

export function recordViews(record: CallRecord): { data: string; userData: string | undefined } {
  const data = JSON.stringify(record);
  return {
    data,
    userData: record.sip === undefined ? undefined : JSON.stringify(viewOf(USER_SCOPE, record)),
  };
}

/** A log event's payload as role `user` sees it, derived once and kept on the event. */
export function userView(event: { data: string; userData?: string }): string {
  if (event.userData !== undefined) return event.userData;
  let view = event.data;
  if (view.includes('"sip"')) {
    const record = JSON.parse(view) as CallRecord;
    view = JSON.stringify(viewOf(USER_SCOPE, record));
  }
  event.userData = view;
  return view;
}
