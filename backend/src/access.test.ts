// Who may see what (docs/interface/access.md) end to end: sessions, tokens, login, expiry and the
// role scope in snapshot, stream and replay.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { CallRecord, SnapshotPayload } from '@live-calls/protocol';
import { SignJWT, exportSPKI, generateKeyPair } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { TestCall } from './testing/call-factory.js';
import { SseClient } from './testing/sse-client.js';
import {
  authHeaders,
  ENGINES,
  startBackend,
  startStack,
  TEST_JWT_SECRET,
  tokenFor,
  type TestBackend,
  type TestStack,
} from './testing/test-stack.js';

const run = promisify(execFile);
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

const secret = new TextEncoder().encode(TEST_JWT_SECRET);
const nowS = () => Math.floor(Date.now() / 1000);

async function status(url: string, headers: Record<string, string> = {}): Promise<number> {
  return (await fetch(url, { headers })).status;
}

describe('tokens', () => {
  it('refuses missing, expired, forged, wrong-algorithm and alg:none tokens, and tokens in the URL', async () => {
    stack = await startStack('memory');
    const url = `${stack.backends[0]!.url}/api/v1/live/calls/snapshot`;
    const claims = { role: 'admin', company_id: null };
    const expired = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('a')
      .setIssuedAt(nowS() - 100)
      .setExpirationTime(nowS() - 10)
      .sign(secret);
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('a')
      .setExpirationTime(nowS() + 60)
      .sign(new TextEncoder().encode('another-secret-of-at-least-32-bytes!!'));
    const hs512 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS512' })
      .setSubject('a')
      .setExpirationTime(nowS() + 60)
      .sign(secret);
    const noExp = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('a')
      .sign(secret);
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'a', ...claims, exp: nowS() + 60 })}.`;
    const userNoCompany = await new SignJWT({ role: 'user', company_id: null })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u')
      .setExpirationTime(nowS() + 60)
      .sign(secret);
    for (const token of [expired, forged, hs512, noExp, none, userNoCompany, 'garbage']) {
      expect(await status(url, { authorization: `Bearer ${token}` }), token).toBe(401);
    }
    expect(await status(url)).toBe(401);
    const good = await tokenFor('admin');
    expect(await status(`${url}?token=${good}`)).toBe(401);
    expect(await status(`${url}?access_token=${good}`)).toBe(401);
    expect(await status(url, { authorization: `Bearer ${good}` })).toBe(200);
    expect(await status(url, { cookie: `lc_session=${good}` })).toBe(200);
    const body = (await (await fetch(url)).json()) as { error: { code: string } };
    expect(body.error.code).toBe('unauthorized');
  });

  it('verifies tokens of an outside identity provider with a pinned public-key algorithm', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    backend = await startBackend({
      JWT_SECRET: '',
      JWT_PUBLIC_KEY: await exportSPKI(publicKey),
      JWT_ALGORITHM: 'ES256',
    });
    const url = `${backend.url}/api/v1/auth/me`;
    const token = await new SignJWT({ role: 'noc', company_id: null })
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject('idp-user')
      .setExpirationTime(nowS() + 60)
      .sign(privateKey);
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ sub: 'idp-user', role: 'noc', company_id: null });
    const hmac = await new SignJWT({ role: 'noc' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setExpirationTime(nowS() + 60)
      .sign(secret);
    expect(await status(url, { authorization: `Bearer ${hmac}` })).toBe(401);
    const login = await fetch(`${backend.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username":"a","password":"b"}',
    });
    expect(login.status).toBe(404);
  });
});

describe('login against USERS_FILE', () => {
  it('adds a user with the CLI, signs in with flags on the cookie, answers unknown and wrong alike, limits attempts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'live-calls-users-'));
    const usersFile = join(dir, 'users.json');
    try {
      const cli = fileURLToPath(new URL('../dist/cli/users.js', import.meta.url));
      const add = run(
        process.execPath,
        [cli, 'add', 'alice', '--role', 'user', '--company', 'acme'],
        { env: { ...process.env, USERS_FILE: usersFile } },
      );
      add.child.stdin?.end('correct horse battery\n');
      expect((await add).stdout).toContain('added alice');

      backend = await startBackend({ USERS_FILE: usersFile });
      const login = (username: string, password: string, headers: Record<string, string> = {}) =>
        fetch(`${backend!.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ username, password }),
        });
      const wrong = await login('alice', 'wrong password');
      const unknown = await login('mallory', 'wrong password');
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(await wrong.json()).toEqual(await unknown.json());

      const ok = await login('alice', 'correct horse battery', { 'x-forwarded-proto': 'https' });
      expect(ok.status).toBe(204);
      const cookie = ok.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/^lc_session=[^;]+/);
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Strict/i);
      expect(cookie).toMatch(/Secure/i);
      expect(cookie).toMatch(/Path=\//i);
      const session = { cookie: cookie.split(';')[0]! };
      const me = await fetch(`${backend.url}/api/v1/auth/me`, { headers: session });
      expect(await me.json()).toMatchObject({ sub: 'alice', role: 'user', company_id: 'acme' });
      const plain = await login('alice', 'correct horse battery');
      expect(plain.headers.get('set-cookie') ?? '').not.toMatch(/Secure/i);

      const logout = await fetch(`${backend.url}/api/v1/auth/logout`, {
        method: 'POST',
        headers: session,
      });
      expect(logout.status).toBe(204);
      expect(logout.headers.get('set-cookie') ?? '').toMatch(
        /lc_session=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/i,
      );

      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await login('bob', `guess-${i}`)).status);
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(statuses.slice(5)).toEqual([429, 429]);
      const limited = await login('bob', 'guess');
      expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(
        (
          await fetch(`${backend.url}/api/v1/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"username":""}',
          })
        ).status,
      ).toBe(400);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.each(ENGINES)('role scope (%s engine)', (engine) => {
  it('a user session never receives another company’s call nor any sip field, in snapshot, stream or replay', async () => {
    stack = await startStack(engine);
    const url = stack.backends[0]!.url;
    const companies = ['acme', 'globex', 'initech', null];
    const calls = Array.from(
      { length: 60 },
      (_, i) => new TestCall({ company: companies[i % companies.length] }),
    );
    for (const call of calls.slice(0, 30)) stack.publish(call.next('setup'));
    await stack.flush();

    const acme = await authHeaders('user', 'acme');
    const viewer = new SseClient(url, acme);
    const noc = new SseClient(url, await authHeaders('noc'));
    clients.push(viewer, noc);
    await viewer.connect();
    await noc.connect();
    await viewer.waitForEvents('snapshot', 1);
    for (const call of calls) stack.publish(call.next(call.seq === 0 ? 'setup' : 'answered'));
    const acmeCalls = calls.filter((c) => c.record.company_id === 'acme').length;
    await viewer.waitForEvents((e) => e.event.startsWith('call.'), acmeCalls);
    await noc.waitForEvents((e) => e.event.startsWith('call.'), calls.length);
    viewer.close();
    for (const call of calls) stack.publish(call.next('ended'));
    await stack.flush();
    const before = viewer.events.length;
    await viewer.reconnect();
    await viewer.waitForEvents((e) => e.event.startsWith('call.'), acmeCalls, before);
    expect(viewer.events.slice(before).some((e) => e.event === 'snapshot')).toBe(false);

    for (const event of viewer.events) {
      expect(event.event).not.toBe('source');
      expect(event.data).not.toContain('"sip"');
      if (event.event === 'snapshot') {
        const snapshot = JSON.parse(event.data) as SnapshotPayload;
        expect(snapshot.sources).toEqual([]);
        for (const call of snapshot.calls) expect(call.company_id).toBe('acme');
      } else if (event.event.startsWith('call.')) {
        expect((JSON.parse(event.data) as CallRecord).company_id).toBe('acme');
      }
    }
    expect(noc.events.some((e) => e.data.includes('"sip"'))).toBe(true);

    const snapshot = (await (
      await fetch(`${url}/api/v1/live/calls/snapshot`, { headers: acme })
    ).json()) as SnapshotPayload;
    expect(snapshot.calls.every((c) => c.company_id === 'acme' && !('sip' in c))).toBe(true);
    expect(await status(`${url}/api/v1/live/calls/snapshot?company_id=globex`, acme)).toBe(403);
    expect(
      await status(`${url}/api/v1/live/calls?company_id=globex`, {
        ...acme,
        accept: 'text/event-stream',
      }),
    ).toBe(403);
    expect(await status(`${url}/api/v1/live/calls/snapshot?company_id=acme`, acme)).toBe(200);
    const narrowed = (await (
      await fetch(`${url}/api/v1/live/calls/snapshot?company_id=globex`, {
        headers: await authHeaders('operator'),
      })
    ).json()) as SnapshotPayload;
    expect(narrowed.calls.every((c) => c.company_id === 'globex')).toBe(true);
  });

  it('tells a stream session.expired at the token’s exp and closes it', async () => {
    stack = await startStack(engine);
    const c = new SseClient(stack.backends[0]!.url, await authHeaders('noc', null, 2));
    clients.push(c);
    await c.connect();
    await c.waitForEvents('snapshot', 1);
    const [expired] = await c.waitForEvents('session.expired', 1, 0, 5_000);
    expect(JSON.parse(expired!.data)).toHaveProperty('server_time');
    await c.waitFor(() => c.ended, 3_000, 'the stream to close');
  });
});
