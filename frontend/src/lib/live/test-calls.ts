// Builders for unit tests: a valid call record with just the fields a test cares about.
import type { CallRecord, SnapshotPayload } from '@live-calls/protocol';

export const T0 = 1_750_000_000_000;

export function call(n: number, overrides: Partial<CallRecord> = {}): CallRecord {
  const phase = overrides.phase ?? 'ringing';
  const record: CallRecord = {
    v: 1,
    id: `pbx1:call-${n}`,
    source: 'pbx1',
    call_id: `call-${n}`,
    seq: 1,
    phase,
    ts: T0,
    company_id: 'acme',
    direction: 'inbound',
    from: { user: `+4930123${n}` },
    to: { user: `+4989555${n}` },
    trunk: 'trunk-a',
    created_at: T0,
    answered_at: phase === 'answered' || phase === 'ended' ? T0 + 5_000 : null,
    ended_at: phase === 'ended' ? T0 + 60_000 : null,
    ...overrides,
  };
  if (phase === 'ended' && record.end === undefined) record.end = { reason: 'bye' };
  return record;
}

export function snapshot(
  calls: CallRecord[],
  overrides: Partial<SnapshotPayload> = {},
): SnapshotPayload {
  return {
    epoch: 'e1',
    seq: 10,
    reason: 'initial',
    server_time: T0,
    calls,
    sources: [],
    alarms: [],
    ...overrides,
  };
}
