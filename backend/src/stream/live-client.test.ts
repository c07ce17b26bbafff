// A live stream's flush: one write per batch, the parts joined when they are few and written
// corked (one write of the same parts, in order) when a stream goes live with a backlog.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../store/live-store.js';
import { LiveClient } from './live-client.js';

function liveClient() {
  const writes: string[][] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      writes.push([chunk.toString()]);
      callback();
    },
    writev(chunks, callback) {
      writes.push(chunks.map(({ chunk }) => (chunk as Buffer).toString()));
      callback();
    },
  });
  const client = new LiveClient(
    {
      streamId: 's1',
      sub: 'noc-1',
      ip: '127.0.0.1',
      role: 'noc',
      scope: { company_id: null, redacted: false, sources: true },
      expiresAt: Number.POSITIVE_INFINITY,
    },
    sink,
    { maxQueuedBytes: 10_000_000, maxWriteWaitMs: 1_000, maxStartBuffer: 10_000 },
    () => {},
  );
  client.startAt('e1', 0);
  client.goLive();
  return { client, writes };
}

const event = (seq: number): LogEvent => ({ seq, name: 'call.setup', company: null, data: '{}' });

describe('LiveClient.flush', () => {
  it('joins a few frames into one write', () => {
    const { client, writes } = liveClient();
    for (let seq = 1; seq <= 3; seq++) client.offer('e1', event(seq), `f${seq};`);
    client.flush();
    expect(writes).toEqual([['f1;f2;f3;']]);
  });

  it('writes a backlog of frames corked, every frame once and in order', () => {
    const { client, writes } = liveClient();
    const frames = Array.from({ length: 1_000 }, (_, i) => `f${i + 1};`);
    frames.forEach((frame, i) => client.offer('e1', event(i + 1), frame));
    client.flush();
    expect(writes).toHaveLength(1);
    expect(writes[0]).toEqual(frames);
    expect(client.seq).toBe(1_000);
  });
});
