// What a live system meets in the field: clients that stop reading, clients that come and
// go at random during heavy ingest on two instances, and floods of malformed messages.
import { randomBytes } from 'node:crypto';
import { type SnapshotPayload } from '@live-calls/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { TestCall } from './testing/call-factory.js';
import { converged } from './testing/live-view.js';
import { SseClient } from './testing/sse-client.js';
import { ENGINES, startStack, type TestStack, ADMIN_AUTH, get } from './testing/test-stack.js';

let stack: TestStack | undefined;
const clients: SseClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stack?.close();
  stack = undefined;
});

async function snapshot(url: string): Promise<SnapshotPayload> {
  return (await (await get(`${url}/api/v1/live/calls/snapshot`)).json()) as SnapshotPayload;
}

describe.each(ENGINES)('robustness (%s engine)', (engine) => {
  it('cuts a client that stops reading, within the bounds, while 100 others keep receiving', async () => {
    stack = await startStack(engine, {
      CLIENT_MAX_QUEUED_BYTES: '65536',
      CLIENT_MAX_WRITE_WAIT_MS: '1000',
      MAX_STREAMS_PER_USER: '200',
    });
    const url = stack.backends[0]!.url;
    const healthy = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const c = new SseClient(url, ADMIN_AUTH);
        clients.push(c);
        await c.connect();
        return c;
      }),
    );
    const slow = new SseClient(url, ADMIN_AUTH);
    clients.push(slow);
    await slow.connect();
    await slow.waitForEvents('snapshot', 1);
    slow.pause();
    const fat = new TestCall();
    fat.record.sip = { pad: 'x'.repeat(8_000) };
    const cuts = async () => {
      const metrics = await (await get(`${url}/metrics`)).text();
      return [
        ...metrics.matchAll(/live_slow_client_disconnects_total\{cause="[a-z_]+"\} (\d+)/g),
      ].reduce((n, m) => n + Number(m[1]), 0);
    };
    const started = Date.now();
    // ~8 KB per event: the kernel's socket buffers fill first (several MB on loopback),
    // then the server's queue, and a bound trips.
    for (let i = 0; i < 5_000 && Date.now() - started < 20_000; i++) {
      stack.publish(fat.next(i === 0 ? 'setup' : 'answered'));
      if (i % 50 === 49) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        if ((await cuts()) > 0) break;
      }
    }
    expect(await cuts()).toBe(1);
    // Once it reads again, the paused client finds its stream closed.
    slow.resume();
    await slow.waitFor(() => slow.ended, 10_000, 'the slow client to see the end');
    const last = fat.seq;
    for (const c of healthy) {
      await c.waitFor(
        () =>
          c.events.some((e) => e.event.startsWith('call.') && e.data.includes(`"seq":${last},`)),
        10_000,
        'the last event',
      );
      expect(c.ended).toBe(false);
    }
  });

  it('survives 10,000 random malformed messages without a crash or a state change', async () => {
    stack = await startStack(engine);
    const url = stack.backends[0]!.url;
    const a = new TestCall();
    stack.publish(a.next('answered'));
    await stack.flush();
    const before = await snapshot(url);
    const valid = JSON.stringify(a.next('ringing', { seq: 50 }));
    const subjects = [
      'call.events.setup',
      'call.events.ringing',
      'call.events.answered',
      'call.events.ended',
      'call.events.x',
      'call.sync',
    ];
    for (let i = 0; i < 10_000; i++) {
      const subject = subjects[i % subjects.length]!;
      let data: string | Uint8Array;
      switch (i % 4) {
        case 0:
          data = randomBytes(1 + (i % 300));
          break;
        case 1: {
          // A valid record with one byte changed: mostly invalid JSON or a bad field.
          const at = i % valid.length;
          data = valid.slice(0, at) + String.fromCharCode(33 + (i % 90)) + valid.slice(at + 1);
          break;
        }
        case 2:
          data = JSON.stringify({ ...JSON.parse(valid), [`k${i % 7}`]: i, v: i % 3 });
          break;
        default:
          data = JSON.stringify([i, null, { v: 1 }]);
      }
      // A flip can land on a still-valid record of another phase than its subject: keep
      // only what the validators must refuse, so the state may not change at all.
      if (
        typeof data === 'string' &&
        subject === 'call.events.ringing' &&
        data.includes('"phase":"ringing"') &&
        !data.includes('"v":0')
      ) {
        try {
          JSON.parse(data);
          continue;
        } catch {
          // invalid JSON: fine to send
        }
      }
      stack.publishRaw(subject, data);
    }
    await stack.flush();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = await snapshot(url);
    expect(after.calls).toEqual(before.calls);
    expect((await get(`${url}/healthz`)).status).toBe(200);
    const metrics = await (await get(`${url}/metrics`)).text();
    const rejected = [
      ...metrics.matchAll(/live_events_rejected_total\{reason="[^"]+"\} (\d+)/g),
    ].reduce((n, m) => n + Number(m[1]), 0);
    expect(rejected).toBeGreaterThan(9_000);
  });
});

describe('the race (redis engine, two instances)', () => {
  it('20 clients reconnecting at random while 2,000 events/s are ingested all converge, ids strictly increasing', async () => {
    stack = await startStack('redis');
    await stack.addBackend();
    const urls = stack.backends.map((b) => b.url);
    const viewers = Array.from({ length: 20 }, (_, i) => {
      const c = new SseClient(urls[i % 2]!, ADMIN_AUTH);
      clients.push(c);
      return c;
    });
    await Promise.all(viewers.map((c) => c.connect()));
    const calls = Array.from(
      { length: 400 },
      () => new TestCall({ company: ['acme', 'globex', null][Math.floor(Math.random() * 3)] }),
    );
    const phases = ['setup', 'ringing', 'answered', 'ended'] as const;
    const deadline = Date.now() + 4_000;
    let reconnects = 0;
    let tick = 0;
    while (Date.now() < deadline) {
      // 20 events per 10 ms ≈ 2,000 events/s; each call walks its phases and starts over.
      for (let i = 0; i < 20; i++) {
        const call = calls[(tick * 20 + i) % calls.length]!;
        const phase = phases[call.seq % phases.length]!;
        if (phase === 'setup' && call.seq > 0)
          calls[(tick * 20 + i) % calls.length] = new TestCall();
        const current = calls[(tick * 20 + i) % calls.length]!;
        stack.publish(current.next(phases[current.seq % phases.length]!));
      }
      if (Math.random() < 0.2) {
        const c = viewers[Math.floor(Math.random() * viewers.length)]!;
        const other = urls[Math.floor(Math.random() * 2)]!;
        c.close();
        const next = new SseClient(other, ADMIN_AUTH);
        next.events.push(...c.events);
        next.lastEventId = c.lastEventId;
        viewers[viewers.indexOf(c)] = next;
        clients.push(next);
        void next.reconnect().catch(() => undefined);
        reconnects++;
      }
      tick++;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await stack.flush();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const truth = await snapshot(urls[0]!);
    expect(reconnects).toBeGreaterThan(10);
    for (const c of viewers) {
      expect((await converged(c, truth.calls, 15_000)).duplicates).toBe(0);
    }
  });
});
