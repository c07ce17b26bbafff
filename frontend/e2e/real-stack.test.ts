// The whole production path in one test: private redis-server and nats-server, the backend
// in distributed mode (REDIS_URL, NATS_URL, JWT_SECRET, USERS_FILE filled by the backend's
// users CLI, 60-second sessions), the bridge with PBX=simulator publishing to NATS like a
// real PBX bridge, and Caddy with infra/caddy/Caddyfile in front. Chromium goes through
// Caddy only. Screenshots go to artifacts/frontend-e2e/real-*.png.
//
// Sessions live SESSION_TTL_S = 60 s (the backend's minimum). The NOC steps run inside the
// first session; its expiry is the last step, so waiting for it costs only what is left.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  closeAll,
  startNats,
  startRedis,
  waitUntil,
  type ManagedService,
} from '@live-calls/test-services';
import type { BrowserContext, Page } from 'playwright-core';
import { artifactPath, launch, type Browser } from './browser.ts';
import { connectionState, lastSync, PAGE_WAIT } from './dashboard-helpers.ts';
import {
  activeKpi,
  allTableIds,
  apiGet,
  expectCallsAppear,
  expectDetailWithCallId,
  expectDurationsTick,
  expectFiltersSurviveReload,
  expectOnlyCompany,
  recordScope,
  signIn,
  snapshot,
  wallScreenshot,
} from './scenarios.ts';
import { addUser, startBackend, startBridge, startProxy } from './services.ts';

const SESSION_TTL_S = 60;
const NOC = { user: 'noc-e2e', password: randomBytes(9).toString('base64url') };
const ACME = { user: 'acme-e2e', password: randomBytes(9).toString('base64url') };

void describe('real stack: Redis + NATS + bridge (simulator) + distributed backend + Caddy', () => {
  let redis: ManagedService | undefined;
  let nats: ManagedService | undefined;
  let backend: ManagedService | undefined;
  let bridge: ManagedService | undefined;
  let caddy: ManagedService | undefined;
  let browser: Browser | undefined;
  let home = '';
  let base = '';
  let noc: Page;
  let nocContext: BrowserContext;
  let nocExpiresAt = 0;

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'live-calls-real-stack-'));
    const usersFile = join(home, 'users.json');
    await addUser(usersFile, NOC.user, NOC.password, 'noc');
    await addUser(usersFile, ACME.user, ACME.password, 'user', 'acme');

    redis = await startRedis();
    nats = await startNats();
    backend = await startBackend({
      REDIS_URL: redis.url,
      NATS_URL: nats.url,
      JWT_SECRET: randomBytes(32).toString('hex'),
      USERS_FILE: usersFile,
      SESSION_TTL_S: String(SESSION_TTL_S),
      SYNC_INTERVAL_MS: '1000',
      LOG_LEVEL: 'warn',
    });
    bridge = await startBridge(nats.url, {
      SOURCE_ID: 'sim-e2e',
      SIM_CPS: '60',
      SIM_MAX_ACTIVE: '600',
      SYNC_INTERVAL_MS: '1000',
      LOG_LEVEL: 'warn',
    });
    caddy = await startProxy(backend.port);
    base = caddy.url;
    browser = await launch();
    nocContext = browser.context;
    noc = await nocContext.newPage();
    noc.on('pageerror', (error) => console.error('page error:', error.message));
  });

  after(async () => {
    await browser?.close();
    try {
      await closeAll([redis, nats, backend, bridge, caddy]);
    } finally {
      if (home) await rm(home, { recursive: true, force: true });
    }
  });

  void it('a noc user signs in; calls from the bridge appear and durations tick', async () => {
    await noc.goto(`${base}/`);
    await signIn(noc, NOC.user, NOC.password);
    assert.equal(await noc.textContent('[data-testid=role-badge]'), 'NOC');
    const me = await apiGet(nocContext, base, '/api/v1/auth/me');
    assert.equal(me.status, 200);
    const session = me.body as { sub: string; role: string; exp: number };
    assert.equal(session.sub, NOC.user);
    assert.equal(session.role, 'noc');
    nocExpiresAt = session.exp * 1000;

    await expectCallsAppear(noc, base);
    assert.equal(await noc.locator('[data-testid=sources]').count(), 1);
    await waitUntil(() => noc.textContent('[data-testid=sources]'), {
      what: 'the bridge listed as an up source',
      accept: (t) => (t ?? '').includes('sim-e2e'),
      ...PAGE_WAIT,
    });
    await expectDurationsTick(noc, base);
  });

  void it('filters narrow the table and survive a reload', () =>
    expectFiltersSurviveReload(noc, base, 'real-filtered.png'));

  void it('a backend restart: reconnecting, then resumed, matching the server snapshot', async () => {
    await noc.goto(`${base}/`);
    await waitUntil(() => connectionState(noc), {
      what: 'live',
      accept: (s) => s === 'live',
      ...PAGE_WAIT,
    });
    await backend!.stop();
    await waitUntil(() => connectionState(noc), {
      what: 'the badge to notice',
      accept: (s) => s === 'reconnecting' || s === 'offline',
      ...PAGE_WAIT,
    });
    assert.match(
      (await noc.textContent('[data-testid=connection]')) ?? '',
      /Reconnecting \(attempt \d+\)|Offline/,
    );
    await noc.screenshot({ path: await artifactPath('real-reconnecting.png') });

    await backend!.start();
    await waitUntil(() => connectionState(noc), {
      what: 'live again',
      accept: (s) => s === 'live',
      ...PAGE_WAIT,
      timeoutMs: 30_000,
    });
    // The note reads "Resuming, N missed events so far…" while the replay's pages arrive.
    const sync = await waitUntil(() => lastSync(noc), {
      what: 'the reconnect note, once the replay is over',
      accept: (s) => s.length > 0 && !s.startsWith('Resuming'),
      ...PAGE_WAIT,
    });
    // Redis kept the log and its epoch: the stream resumes with the missed events.
    assert.match(sync, /^Resumed, \d+ missed events?$|^Resynced from snapshot/);
    console.log(`after the backend restart: ${sync}`);

    // Hold the feed still, let fades finish, then the table must be the server's snapshot.
    await bridge!.pause();
    try {
      await noc.waitForTimeout(3_000);
      const server = await snapshot(nocContext, base);
      const table = await allTableIds(noc);
      const serverIds = new Set(server.calls.map((c) => c.id));
      const missing = [...serverIds].filter((id) => !table.has(id));
      const extra = [...table].filter((id) => !serverIds.has(id));
      assert.deepEqual(
        { missing, extra },
        { missing: [], extra: [] },
        `table (${table.size}) vs snapshot (${serverIds.size})`,
      );
      assert.ok(serverIds.size > 10, `a real table: ${serverIds.size} calls`);
      assert.equal(await activeKpi(noc), serverIds.size);
    } finally {
      await bridge!.resume();
    }
  });

  void it('the detail panel shows the Call-ID; the wall (calls answered by now)', async () => {
    await expectDetailWithCallId(noc, base, 'real-detail.png');
    await wallScreenshot(noc, base, 'real-wall.png');
  });

  void it('a user of company acme never sees another company', async () => {
    const context = await browser!.newContext();
    await recordScope(context);
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await signIn(page, ACME.user, ACME.password);
    assert.equal(await page.locator('[data-testid=sources]').count(), 0);
    const seen = await expectOnlyCompany(page, base, 'acme', 10_000);
    console.log(`${ACME.user} saw ${JSON.stringify(seen)}`);
    await page.screenshot({ path: await artifactPath('real-user-acme.png') });
    const own = await snapshot(context, base);
    assert.ok(own.calls.every((c) => c.company_id === 'acme' && c.sip === undefined));
    const other = await apiGet(context, base, '/api/v1/live/calls/snapshot?company_id=globex');
    assert.equal(other.status, 403, JSON.stringify(other.body));
    await context.close();
  });

  void it('session expiry returns to login; signing in again resumes', async () => {
    assert.ok(nocExpiresAt > 0, 'the first step signed in');
    await noc.goto(`${base}/?phase=answered`);
    const wait = Math.max(0, nocExpiresAt - Date.now());
    await noc.waitForSelector('[data-testid=login-notice]', { timeout: wait + 10_000 });
    const late = Date.now() - nocExpiresAt;
    assert.ok(late > -1_500, `not before exp: ${late} ms`);
    assert.match((await noc.textContent('[data-testid=login-notice]')) ?? '', /session expired/i);
    assert.match(noc.url(), /next=phase%3Danswered/);
    assert.equal((await apiGet(nocContext, base, '/api/v1/auth/me')).status, 401);
    await noc.screenshot({ path: await artifactPath('real-login-expired.png') });

    // Calls keep changing while nobody is signed in; signing in again replays them.
    await noc.waitForTimeout(3_000);
    await signIn(noc, NOC.user, NOC.password);
    assert.match(noc.url(), /\/\?phase=answered$/);
    const sync = await waitUntil(() => lastSync(noc), {
      what: 'the resume note',
      accept: (s) => /^Resumed, \d+ missed events?$/.test(s),
      ...PAGE_WAIT,
    });
    assert.ok(Number(/\d+/.exec(sync)?.[0]) > 0, `missed events were replayed: ${sync}`);
    console.log(`expired ${late} ms after exp; after signing in again: ${sync}`);
  });
});
