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
