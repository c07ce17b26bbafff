// What a careless or hostile client can do to the backend, against real Redis and NATS:
// bounded memory while resuming over a large log, stream caps per user and per address,
// metric labels no message can grow, no platform-wide counter reaching a tenant, sign-in
// limits no stranger can turn into a lockout, no cross-site POST, and the one error body
// from every layer.
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectedPayload, PingPayload } from '@live-calls/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from './auth/password.js';
import { saveUsers } from './auth/users-file.js';
import { TestCall } from './testing/call-factory.js';
import { SseClient } from './testing/sse-client.js';
import {
  authHeaders,
  get,
  startBackend,
  startStack,
  tokenFor,
  type TestBackend,
  type TestStack,
} from './testing/test-stack.js';

let stack: TestStack | undefined;
let backend: TestBackend | undefined;
const clients: SseClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stack?.close();
  await backend?.close();
  stack = undefined;
  backend = undefined;
});

function client(url: string, headers: Record<string, string>): SseClient {
  const c = new SseClient(url, headers);
  clients.push(c);
  return c;
}

async function metric(url: string, line: RegExp): Promise<string[]> {
  const text = await (await get(`${url}/metrics`)).text();
  return text.split('\n').filter((l) => line.test(l));
}

describe('resume over a large log of other tenants', () => {
  it('holds memory: 20 resumers over 20,000 foreign events get their own calls only', async () => {
    stack = await startStack('redis', { HISTORY_EVENTS: '50000' });
    const url = stack.backends[0]!.url;
    const acme = await authHeaders('user', 'acme');
    const start = client(url, acme);
    await start.connect();
    const snapshot = (await start.waitForEvents('snapshot', 1))[0]!;
    start.close();

    // ≈ 2 KB records of another company; the acme user may see none of them.
    const padding = 'x'.repeat(1_800);
    for (let i = 0; i < 20_000; i++) {
      const call = new TestCall({ company: 'globex' });
      stack.publish({ ...call.next('setup'), sip: { padding } });
      if (i % 2_000 === 1_999) await stack.flush();
    }
    await stack.flush();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    try {
      const resumers = Array.from({ length: 20 }, () => client(url, acme));
      await Promise.all(
        resumers.map(async (c) => {
          await c.connect({ lastEventId: snapshot.id! });
          await c.waitForEvents('connected', 1, 0, 30_000);
        }),
      );
      // The replay is read page by page after the stream opened (≈ 0.1 s to the first byte
      // by hand on a quiet machine; 32 s when it was read whole); the wait above only guards
      // against a hang, a test does not time.
      // A new acme call published now reaches each resumer only after its replay of all
      // 20,000 events finished.
      const mine = new TestCall({ company: 'acme' });
      stack.publish(mine.next('setup'));
      await stack.flush();
      await Promise.all(resumers.map((c) => c.waitForEvents('call.setup', 1, 0, 60_000)));
      expect(peak - before).toBeLessThan(100 * 1024 * 1024);
      for (const c of resumers) {
        expect(c.events[0]?.event).toBe('connected');
        expect(c.events.filter((e) => e.id !== undefined).map((e) => e.event)).toEqual([
          'call.setup',
        ]);
        expect(c.events.some((e) => e.data.includes('globex'))).toBe(false);
      }
    } finally {
      clearInterval(sampler);
    }
  }, 120_000);
});

describe('stream caps', () => {
  it('refuses a user or an address past its limit with 429, Retry-After and the error body', async () => {
    stack = await startStack('memory', { MAX_STREAMS_PER_USER: '3', MAX_STREAMS_PER_IP: '5' });
    const url = stack.backends[0]!.url;
    const noc = await authHeaders('noc');
    const open = async (headers: Record<string, string>) => {
      const c = client(url, headers);
      await c.connect();
      return c;
    };
    const own = await Promise.all([open(noc), open(noc), open(noc)]);
    expect(own.map((c) => c.status)).toEqual([200, 200, 200]);

    const refused = await fetch(`${url}/api/v1/live/calls`, {
      headers: { ...noc, accept: 'text/event-stream' },
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('too_many_streams');
    expect(body.error.message).toContain('this user');

    // Another user from the same address still gets in, up to the address's limit.
    const other = await authHeaders('operator');
    expect((await open(other)).status).toBe(200);
    expect((await open(other)).status).toBe(200);
    const third = await fetch(`${url}/api/v1/live/calls`, {
      headers: { ...(await authHeaders('admin')), accept: 'text/event-stream' },
    });
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: { message: string } }).error.message).toContain(
      'this address',
    );
    // A client behind the proxy at another address is not held to this one's count.
    const elsewhere = client(url, {
      ...(await authHeaders('admin')),
      'x-forwarded-for': '10.1.2.3',
    });
    await elsewhere.connect();
    expect(elsewhere.status).toBe(200);

    expect(await metric(url, /^live_streams_per_owner_max\{limit="user"\}/)).toEqual([
      'live_streams_per_owner_max{limit="user"} 3',
    ]);
    expect(await metric(url, /^live_streams_refused_total\{/)).toEqual([
      'live_streams_refused_total{limit="user"} 1',
      'live_streams_refused_total{limit="ip"} 1',
    ]);

    // Closing one makes room again.
    own[0].close();
    await expect
      .poll(async () => (await metric(url, /^live_stream_connections\{role="noc"\}/))[0])
      .toBe('live_stream_connections{role="noc"} 2');
    expect((await open(noc)).status).toBe(200);
  });

  it('does not open a stream for a HEAD request', async () => {
    stack = await startStack('memory');
    const url = stack.backends[0]!.url;
    const head = await fetch(`${url}/api/v1/live/calls`, {
      method: 'HEAD',
      headers: await authHeaders('user', 'acme'),
    });
    expect(head.status).toBe(404);
    const open = await metric(url, /^live_stream_connections\{/);
    expect(open.filter((line) => !line.endsWith(' 0'))).toEqual([]);
  });
});

describe('metric labels', () => {
  it('keeps the series count when messages carry 2,000 different unknown keys', async () => {
    stack = await startStack('memory');
    const url = stack.backends[0]!.url;
    const series = () => metric(url, /^live_events_rejected_total\{/);
    const call = new TestCall();
    stack.publishRaw('call.events.setup', JSON.stringify({ ...call.next('setup'), first: 1 }));
    await stack.flush();
    const before = await series();
    for (let i = 0; i < 2_000; i++) {
      const record: Record<string, unknown> = { ...call.next('ringing') };
      record[`k${i}_${'y'.repeat(200)}`] = i;
      stack.publishRaw('call.events.ringing', JSON.stringify(record));
    }
    await stack.flush();
    const after = await series();
    expect(after.length).toBe(before.length);
    expect(after).toEqual(['live_events_rejected_total{reason="unknown_field"} 2001']);
  });
});

describe('what a tenant learns', () => {
  it("gives a user's connected and ping its own position, not the platform's", async () => {
    stack = await startStack('memory', { HEARTBEAT_MS: '200' });
    const url = stack.backends[0]!.url;
    const mine = new TestCall({ company: 'acme' });
    stack.publish(mine.next('setup'));
    for (let i = 0; i < 50; i++) stack.publish(new TestCall({ company: 'globex' }).next('setup'));
    await stack.flush();

    const user = client(url, await authHeaders('user', 'acme'));
    await user.connect();
    const snapshotId = (await user.waitForEvents('snapshot', 1))[0]!.id!;
    user.close();
    const resumed = client(url, { authorization: `Bearer ${await tokenFor('user', 'acme')}` });
    await resumed.connect({ lastEventId: snapshotId });
    for (let i = 0; i < 50; i++) stack.publish(new TestCall({ company: 'globex' }).next('setup'));
    stack.publish(mine.next('answered'));
    for (let i = 0; i < 50; i++) stack.publish(new TestCall({ company: 'globex' }).next('setup'));
    await stack.flush();
    const [answered] = await resumed.waitForEvents('call.answered', 1);
    const pings = await resumed.waitForEvents('ping', 1, resumed.events.indexOf(answered!));
    const connected = JSON.parse(resumed.events[0]!.data) as ConnectedPayload;
    const ownSeq = Number(answered!.id!.split(':')[1]);
    const snapshotSeq = Number(snapshotId.split(':')[1]);
    expect(connected.seq).toBe(snapshotSeq);
    expect((JSON.parse(pings[0]!.data) as PingPayload).seq).toBe(ownSeq);

    const noc = client(url, await authHeaders('noc'));
    await noc.connect();
    const nocPing = (await noc.waitForEvents('ping', 1))[0]!;
    expect(ownSeq).toBe(102);
    expect((JSON.parse(nocPing.data) as PingPayload).seq).toBe(152);

    // A resume across other tenants' events: the replay reads past them, the position does not.
    resumed.close();
    for (let i = 0; i < 30; i++) stack.publish(new TestCall({ company: 'globex' }).next('setup'));
    await stack.flush();
    const again = client(url, await authHeaders('user', 'acme'));
    await again.connect({ lastEventId: answered!.id! });
    const [ping] = await again.waitForEvents('ping', 1);
    expect((JSON.parse(ping!.data) as PingPayload).seq).toBe(ownSeq);
    expect(again.events.filter((e) => e.id !== undefined)).toEqual([]);
  });
});

describe('sign-in limits', () => {
  it('refuses a guessing address but lets the owner in from another one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'live-calls-guard-'));
    const usersFile = join(dir, 'users.json');
    try {
      await saveUsers(
        usersFile,
        new Map([
          [
            'alice',
            {
              username: 'alice',
              password_hash: await hashPassword('the right one'),
              role: 'noc' as const,
              company_id: null,
            },
          ],
        ]),
      );
      backend = await startBackend({ USERS_FILE: usersFile });
      const login = (password: string, from: string) =>
        fetch(`${backend!.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
          body: JSON.stringify({ username: 'alice', password }),
        });
      const attacker: number[] = [];
      for (let i = 0; i < 8; i++) attacker.push((await login(`guess ${i}`, '10.6.6.6')).status);
      expect(attacker).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
      const owner = await login('the right one', '10.1.1.1');
      expect(owner.status).toBe(204);
      expect(owner.headers.get('cache-control')).toBe('no-store');
      expect((await login('the right one', '10.6.6.6')).status).toBe(429);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('requests from other sites and the HTTP layer', () => {
  it('refuses cross-site POSTs and answers every refusal in the error body', async () => {
    backend = await startBackend({ METRICS_TOKEN: 'metrics-token-0123456789' });
    const url = backend.url;
    const session = await authHeaders('noc');
    const logout = (headers: Record<string, string>) =>
      fetch(`${url}/api/v1/auth/logout`, { method: 'POST', headers: { ...session, ...headers } });
    for (const headers of <Record<string, string>[]>[
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
      { origin: 'null' },
    ]) {
      const refused = await logout(headers);
      expect(refused.status, JSON.stringify(headers)).toBe(403);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    }
    const host = new URL(url).host;
    expect(
      (await logout({ origin: `http://${host}`, 'sec-fetch-site': 'same-origin' })).status,
    ).toBe(204);

    const me = await fetch(`${url}/api/v1/auth/me`, { headers: session });
    expect(me.headers.get('cache-control')).toBe('no-store');

    const notSse = await fetch(`${url}/api/v1/live/calls`, {
      headers: { ...session, accept: 'application/json' },
    });
    expect(notSse.status).toBe(406);
    expect(await notSse.json()).toEqual({
      error: { code: 'not_acceptable', message: 'this endpoint only produces text/event-stream' },
    });

    const big = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'a', password: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe(
      'payload_too_large',
    );

    const port = Number(new URL(url).port);
    const tooLarge = await raw(
      port,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'y'.repeat(20_000)}\r\n\r\n`,
    );
    expect(tooLarge).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(tooLarge.split('\r\n\r\n')[1]!)).toMatchObject({
      error: { code: 'headers_too_large' },
    });
    const garbage = await raw(port, 'NOT HTTP AT ALL\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(garbage.split('\r\n\r\n')[1]!)).toMatchObject({
      error: { code: 'bad_request' },
    });

    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.status).toBe(401);
    expect(((await metrics.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    const withToken = await fetch(`${url}/metrics`, {
      headers: { authorization: 'Bearer metrics-token-0123456789' },
    });
    expect(withToken.status).toBe(200);
    expect(await withToken.text()).toContain('live_stream_connections');
  });
});

/** Sends raw bytes and returns everything the server answers before it closes. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(port, '127.0.0.1', () => socket.end(text));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}
