import { describe, expect, it } from 'vitest';
import { eventFrame, retryFrame, snapshotJson } from './sse-frames.js';

describe('sse frames', () => {
  it('frames events with and without ids', () => {
    expect(eventFrame('ping', '{}')).toBe('event: ping\ndata: {}\n\n');
    expect(eventFrame('call.setup', '{"a":1}', 'e:3')).toBe(
      'id: e:3\nevent: call.setup\ndata: {"a":1}\n\n',
    );
    expect(retryFrame(2000)).toBe('retry: 2000\n\n');
  });

  it('splices a snapshot that parses back, choosing the view per scope', () => {
    const snapshot = {
      epoch: 'e1',
      seq: 7,
      calls: [
        { company: 'acme', data: '{"id":"a","sip":{"x":1}}', userData: '{"id":"a"}' },
        { company: null, data: '{"id":"b"}', userData: undefined },
      ],
      sources: [{ source: 'pbx', state: 'up' as const, last_sync_at: 5, active: 2 }],
    };
    const full = JSON.parse(
      snapshotJson(snapshot, { redacted: false, sources: true }, 99, 'initial'),
    ) as unknown;
    expect(full).toEqual({
      epoch: 'e1',
      seq: 7,
      reason: 'initial',
      server_time: 99,
      calls: [{ id: 'a', sip: { x: 1 } }, { id: 'b' }],
      sources: snapshot.sources,
    });
    const user = JSON.parse(snapshotJson(snapshot, { redacted: true, sources: false }, 99)) as {
      calls: unknown;
      sources: unknown;
    };
    expect(user.calls).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(user.sources).toEqual([]);
  });
});
