// Heartbeats reach every open stream. They are written a slice of streams at a time
// (stream/live-hub.ts), so this opens more streams than one slice holds.
import { request, type ClientRequest } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TestCall } from './testing/call-factory.js';
import { authHeaders, startStack, type TestStack } from './testing/test-stack.js';

const STREAMS = 1_200;

let stack: TestStack | undefined;
const requests: ClientRequest[] = [];
afterEach(async () => {
  for (const r of requests.splice(0)) r.destroy();
  await stack?.close();
  stack = undefined;
});

describe('heartbeats', () => {
  it(`ping each of ${STREAMS} open streams`, async () => {
    stack = await startStack('memory', {
      HEARTBEAT_MS: '300',
      MAX_STREAMS_PER_USER: String(STREAMS),
      MAX_STREAMS_PER_IP: String(STREAMS),
    });
    // Pings start once the instance has seen the log's epoch, with its first event.
    stack.publish(new TestCall({ company: 'acme' }).next('setup'));
    await stack.flush();
    const url = `${stack.backends[0]!.url}/api/v1/live/calls`;
    const headers = { accept: 'text/event-stream', ...(await authHeaders('noc')) };
    const pinged = new Array<boolean>(STREAMS).fill(false);
    await Promise.all(
      pinged.map(
        (_, i) =>
          new Promise<void>((resolve, reject) => {
            const req = request(url, { headers, agent: false }, (res) => {
              res.setEncoding('latin1');
              let tail = '';
              res.on('data', (chunk: string) => {
                const text = tail + chunk;
                if (text.includes('event: ping\n')) pinged[i] = true;
                tail = text.slice(-16);
              });
              resolve();
            });
            req.on('error', reject);
            req.end();
            requests.push(req);
          }),
      ),
    );
    await vi.waitFor(() => expect(pinged.filter((p) => !p)).toHaveLength(0), {
      timeout: 20_000,
      interval: 100,
    });
  }, 60_000);
});
