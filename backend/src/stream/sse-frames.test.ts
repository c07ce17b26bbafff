import type { AlarmPayload } from '@live-calls/protocol';
import { describe, expect, it } from 'vitest';
import { eventFrame, retryFrame, snapshotParts } from './sse-frames.js';

const joined = (...args: Parameters<typeof snapshotParts>) => {
  const { head, calls, tail } = snapshotParts(...args);
  return head + calls + tail;
};

describe('sse frames', () => {
  it('frames events with and without ids', () => {
    expect(eventFrame('ping', '{}')).toBe('event: ping\ndata: {}\n\n');
    expect(eventFrame('call.setup', '{"a":1}', 'e:3')).toBe(
      'id: e:3\nevent: call.setup\ndata: {"a":1}\n\n',
    );
    expect(retryFrame(2000)).toBe('retry: 2000\n\n');
  });

  it('splices a snapshot that parses back, with sources only when allowed, and its alarms', () => {
    const alarms: AlarmPayload[] = [
      {
        id: 'company_cps_1m:company:acme',
        rule: 'company_cps_1m',
        state: 'raised',
        severity: 'warning',
        subject: { kind: 'company', id: 'acme' },
        value: 6,
        threshold: 5,
        since: 3,
        message: 'Company acme makes 6 call attempts/s',
      },
    ];
    const snapshot = {
      alarms,
      epoch: 'e1',
      seq: 7,
      count: 2,
      callsJson: '{"id":"a"},{"id":"b"}',
      sources: [{ source: 'pbx', state: 'up' as const, last_sync_at: 5, active: 2 }],
    };
    expect(JSON.parse(joined(snapshot, true, 99, 'initial'))).toEqual({
      epoch: 'e1',
      seq: 7,
      reason: 'initial',
      server_time: 99,
      calls: [{ id: 'a' }, { id: 'b' }],
      sources: snapshot.sources,
      alarms,
    });
    expect(
      JSON.parse(joined({ ...snapshot, count: 0, callsJson: '', alarms: [] }, false, 99)),
    ).toEqual({
      epoch: 'e1',
      seq: 7,
      server_time: 99,
      calls: [],
      sources: [],
      alarms: [],
    });
  });
});
