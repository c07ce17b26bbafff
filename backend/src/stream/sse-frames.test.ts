import type { AlarmPayload } from '@live-calls/protocol';
import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../store/live-store.js';
import {
  eventFrame,
  logEventFrame,
  retryFrame,
  SharedFrames,
  slices,
  snapshotParts,
  WRITE_SLICE,
} from './sse-frames.js';

const joined = (...args: Parameters<typeof snapshotParts>) => {
  const { head, calls, tail } = snapshotParts(...args);
  return head + calls.toString() + tail;
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
      callsJson: Buffer.from('{"id":"a"},{"id":"b"}'),
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
      JSON.parse(
        joined({ ...snapshot, count: 0, callsJson: Buffer.alloc(0), alarms: [] }, false, 99),
      ),
    ).toEqual({
      epoch: 'e1',
      seq: 7,
      server_time: 99,
      calls: [],
      sources: [],
      alarms: [],
    });
  });

  it('frames a buffered event once per view and hands the same frame to every stream', () => {
    const event: LogEvent = {
      seq: 7,
      name: 'call.setup',
      company: 'acme',
      data: '{"id":"a","sip":{"x":1}}',
      userData: '{"id":"a"}',
    };
    const shared = new SharedFrames();
    const full = shared.frame('e1', event, false);
    const user = shared.frame('e1', event, true);
    expect(full).toBe(logEventFrame('e1', event, false));
    expect(user).toBe(logEventFrame('e1', event, true));
    // Made once: a second stream gets the frame made for the first, not a new one.
    event.data = '{"id":"changed"}';
    expect(shared.frame('e1', event, false)).toBe(full);
  });

  it('slices a large body into views of at most WRITE_SLICE bytes, in order', () => {
    const body = Buffer.from('x'.repeat(WRITE_SLICE * 2 + 10));
    const parts = [...slices(body)];
    expect(parts.map((p) => p.length)).toEqual([WRITE_SLICE, WRITE_SLICE, 10]);
    expect(Buffer.concat(parts).equals(body)).toBe(true);
    expect(parts[1]!.buffer).toBe(body.buffer);
  });
});
