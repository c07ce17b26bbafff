// Heartbeats reach every open stream, once per interval, spread over it: each stream has one
// of the interval's phases (stream/live-hub.ts), and a phase's streams are written a slice at a
// time, so this opens more streams than one slice holds.
import { request, type ClientRequest } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TestCall } from './testing/call-factory.js';
import { authHeaders, startStack, type TestStack } from './testing/test-stack.js';

let stack: TestStack | undefined;
const requests: ClientRequest[] = [];
afterEach(async () => {
  for (const r of requests.splice(0)) r.destroy();
  await stack?.close();
  stack = undefined;
});

/** Opens `count` streams; `pings[i]` counts the pings stream i has received. */
async function openStreams(count: number, heartbeatMs: number): Promise<number[]> {
  stack = await startStack('memory', {
    HEARTBEAT_MS: String(heartbeatMs),
    MAX_STREAMS_PER_USER: String(count),
    MAX_STREAMS_PER_IP: String(count),
  });
  // Pings start once the instance has seen the log's epoch, with its first event.
  stack.publish(new TestCall({ company: 'acme' }).next('setup'));
  await stack.flush();
  const url = `${stack.backends[0]!.url}/api/v1/live/calls`;
  const headers = { accept: 'text/event-stream', ...(await authHeaders('noc')) };
  const pings = new Array<number>(count).fill(0);
  await Promise.all(
    pings.map(
      (_, i) =>
        new Promise<void>((resolve, reject) => {
          const req = request(url, { headers, agent: false }, (res) => {
            res.setEncoding('latin1');
            res.on('data', (chunk: string) => {
              pings[i]! += chunk.split('event: ping\n').length - 1;
            });
            resolve();
          });
          req.on('error', reject);
          req.end();
          requests.push(req);
        }),
    ),
  );
  return pings;
}

describe('heartbeats', () => {
  it('ping each of 1,200 open streams', async () => {
    const pings = await openStreams(1_200, 300);
    await vi.waitFor(() => expect(pings.filter((n) => n === 0)).toHaveLength(0), {
      timeout: 20_000,
      interval: 100,
    });
  }, 60_000);

  it('spread the streams over the interval instead of pinging them all at once', async () => {
    // 30 streams over 15 phases of 200 ms: when the first ping lands, the streams of the
    // other phases are still hundreds of milliseconds from theirs.
    const pings = await openStreams(30, 3_000);
    await vi.waitFor(() => expect(pings.some((n) => n > 0)).toBe(true), {
      timeout: 10_000,
      interval: 5,
    });
    expect(pings.filter((n) => n > 0).length).toBeLessThan(10);
    // Every stream still gets its ping within one interval.
    await vi.waitFor(() => expect(pings.filter((n) => n === 0)).toHaveLength(0), {
      timeout: 10_000,
      interval: 100,
    });
  }, 60_000);
});
