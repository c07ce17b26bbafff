// The backend as its users start it: `node dist/server.js`, configured by the environment
// only (run after `pnpm build`).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { freePort, startNats, startRedis } from '@live-calls/test-services';
import type { SnapshotPayload } from '@live-calls/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SseClient } from './testing/sse-client.js';

const SERVER = fileURLToPath(new URL('../dist/server.js', import.meta.url));
const children: ChildProcess[] = [];

function start(env: Record<string, string>): {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
} {
  const child = spawn(process.execPath, [SERVER], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { child, stderr: () => err, stdout: () => out };
}

/** The backend's /readyz status, 0 while it does not answer at all. */
function readyStatus(url: string): Promise<number> {
  return fetch(`${url}/readyz`).then(
    (r) => r.status,
    () => 0,
  );
}

/** Signs in as an embedded demo user; returns the session cookie header. */
async function signIn(url: string, user = 'admin'): Promise<Record<string, string>> {
  const response = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user, password: user }),
  });
  expect(response.status).toBe(204);
  const cookie = response.headers.get('set-cookie') ?? '';
  expect(cookie).toMatch(/^lc_session=[^;]+;.*HttpOnly/i);
  expect(cookie).toMatch(/SameSite=Strict/i);
  return { cookie: cookie.split(';')[0]! };
}

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

describe('backend process', () => {
  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ REDIS_URL: 'redis://127.0.0.1:1' }, 'NATS_URL'],
    [{ SIM_CPS: 'fast' }, 'SIM_CPS'],
  ])('stops on bad configuration %o with one line naming %s', async (env, setting) => {
    const { child, stderr } = start(env);
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(1);
    const lines = stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(setting);
  });

  it('waits for Redis and NATS that are down at start, then becomes ready (no crash loop)', async () => {
    const [redis, nats] = await Promise.all([startRedis(), startNats({ jetstream: false })]);
    try {
      await Promise.all([redis.stop(), nats.stop()]);
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const { child } = start({
        PORT: String(port),
        REDIS_URL: redis.url,
        NATS_URL: nats.url,
        JWT_SECRET: 'a-secret-for-this-test-of-32-bytes-or-more',
      });
      let exited = false;
      child.once('exit', () => (exited = true));
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(exited).toBe(false);
      await redis.start();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(exited).toBe(false);
      await nats.start();
      await expect.poll(() => readyStatus(url), { timeout: 20_000 }).toBe(200);
    } finally {
      await Promise.allSettled([redis.close(), nats.close()]);
    }
  });

  it('keeps the simulator source up when its active list needs several sync parts', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    start({ PORT: String(port), SIM_CPS: '200', SIM_MAX_ACTIVE: '3000', SYNC_INTERVAL_MS: '1000' });
    await expect.poll(() => readyStatus(url), { timeout: 15_000 }).toBe(200);
    const session = await signIn(url);
    // ~700 bytes a record: past ~750 active calls a sync no longer fits one 512 KiB part.
    const snapshot = async () =>
      (await (
        await fetch(`${url}/api/v1/live/calls/snapshot`, { headers: session })
      ).json()) as SnapshotPayload;
    const big = await vi.waitFor(
      async () => {
        const body = await snapshot();
        expect(body.calls.length).toBeGreaterThan(1_000);
        return body;
      },
      { timeout: 30_000, interval: 100 },
    );
    const synced = await vi.waitFor(
      async () => {
        const source = (await snapshot()).sources[0];
        expect(source?.last_sync_at).toBeGreaterThan(big.server_time);
        expect(source?.active).toBeGreaterThan(1_000);
        return source!;
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(synced.state).toBe('up');
  });

  it('runs the embedded demo, then drains streams and exits on SIGTERM within 10 s', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const { child } = start({ PORT: String(port), SIM_CPS: '50', SIM_SEED: '7' });
    await expect.poll(() => readyStatus(url), { timeout: 15_000 }).toBe(200);
    const session = await signIn(url, 'noc');
    const snapshot = await vi.waitFor(
      async () => {
        const body = (await (
          await fetch(`${url}/api/v1/live/calls/snapshot`, { headers: session })
        ).json()) as SnapshotPayload;
        expect(body.calls.length).toBeGreaterThan(0);
        expect(body.sources.length).toBeGreaterThan(0);
        return body;
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(snapshot.sources[0]).toMatchObject({ source: 'sim-1', state: 'up' });

    const stream = new SseClient(url, session);
    await stream.connect();
    await stream.waitForEvents('snapshot', 1);
    const exited = once(child, 'exit');
    const signalled = Date.now();
    child.kill('SIGTERM');
    await stream.waitFor(() => stream.ended, 10_000, 'the stream to be closed');
    const [code] = (await exited) as [number];
    expect(code).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(10_000);
  });
});
