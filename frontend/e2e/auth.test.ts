// Sign-in and scope against the real backend in embedded demo mode (demo users whose
// password is their name: noc, user-acme, …) behind a real Caddy with infra/caddy/Caddyfile.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeAll, waitUntil, type ManagedService } from '@live-calls/test-services';
import type { BrowserContext, Page } from 'playwright-core';
import { artifactPath, launch, type Browser } from './browser.ts';
import { connectionState, lastSync, renderedRows, PAGE_WAIT } from './dashboard-helpers.ts';
import {
  apiGet,
  expectCallsAppear,
  expectDurationsTick,
  expectOnlyCompany,
  recordScope,
  signIn,
  snapshot,
} from './scenarios.ts';
import { startBackend, startProxy } from './services.ts';

// Many calls per second so a company user's 10-second look sees plenty of traffic that
// would leak if scoping were wrong.
const SIM_ENV = { SIM_CPS: '100', SIM_MAX_ACTIVE: '3000', LOG_LEVEL: 'warn' };

void describe('sign-in and scope on the embedded backend through Caddy', () => {
  let backend: ManagedService | undefined;
  let caddy: ManagedService | undefined;
  let browser: Browser | undefined;
  let noc: Page;
  let userContext: BrowserContext;
  let user: Page;
  let base = '';

  before(async () => {
    backend = await startBackend(SIM_ENV);
    caddy = await startProxy(backend.port);
    base = caddy.url;
    browser = await launch();
    noc = await browser.context.newPage();
    userContext = await browser.newContext();
    await recordScope(userContext);
    user = await userContext.newPage();
  });

  after(async () => {
    await browser?.close();
    await closeAll([backend, caddy]);
  });

  void it('refuses a wrong password', async () => {
    await noc.goto(`${base}/`);
    await noc.waitForSelector('[data-testid=login-username]');
    await noc.fill('[data-testid=login-username]', 'noc');
    await noc.fill('[data-testid=login-password]', 'not-the-password');
    await noc.click('[data-testid=login-submit]');
    await noc.waitForSelector('[data-testid=login-error]');
    assert.match(
      (await noc.textContent('[data-testid=login-error]')) ?? '',
      /Wrong user name or password/,
    );
  });

  void it('a NOC operator sees calls tick and PBX sources', async () => {
    await signIn(noc, 'noc', 'noc');
    assert.equal(await noc.textContent('[data-testid=role-badge]'), 'NOC');
    await expectCallsAppear(noc, base);
    assert.equal(await noc.locator('[data-testid=sources]').count(), 1);
    await expectDurationsTick(noc, base);
  });

  void it('a company user never sees another company, nor SIP internals', async () => {
    await user.goto(`${base}/`);
    await signIn(user, 'user-acme', 'user-acme');
    assert.equal(await user.textContent('[data-testid=role-badge]'), 'Company user');
    assert.equal(await user.locator('[data-testid=sources]').count(), 0, 'no sources for users');
    assert.equal(
      await user.locator('[aria-label="Top companies"]').count(),
      0,
      'no one-bar Top companies panel for one company',
    );
    const seen = await expectOnlyCompany(user, base, 'acme', 10_000);
    console.log(`user-acme saw ${JSON.stringify(seen)}`);
    await user.screenshot({ path: await artifactPath('user-acme.png') });

    // The API agrees: own calls only, no sip, and another company is out of scope.
    const own = await snapshot(userContext, base);
    assert.ok(own.calls.length > 0);
    assert.ok(own.calls.every((c) => c.company_id === 'acme' && c.sip === undefined));
    const other = await apiGet(userContext, base, '/api/v1/live/calls/snapshot?company_id=globex');
    assert.equal(other.status, 403, JSON.stringify(other.body));
  });

  void it('signing out returns to login and ends the session', async () => {
    await user.click('[data-testid=logout]');
    await user.waitForSelector('[data-testid=login-notice]');
    assert.match((await user.textContent('[data-testid=login-notice]')) ?? '', /signed out/i);
    assert.equal((await apiGet(userContext, base, '/api/v1/auth/me')).status, 401);
    await user.goto(`${base}/`);
    await user.waitForSelector('[data-testid=login-username]');
  });

  void it('a 401 on reconnect returns to login, and signing in again resyncs', async () => {
    await noc.goto(`${base}/?phase=answered`);
    await waitUntil(() => connectionState(noc), {
      what: 'live',
      accept: (s) => s === 'live',
      ...PAGE_WAIT,
    });
    // A restarted demo backend signs with a new random secret: the old cookie is refused.
    await backend!.restart();
    await noc.waitForSelector('[data-testid=login-notice]', { timeout: 45_000 });
    assert.match((await noc.textContent('[data-testid=login-notice]')) ?? '', /session ended/i);
    assert.match(noc.url(), /next=phase%3Danswered/);
    await signIn(noc, 'noc', 'noc');
    assert.match(noc.url(), /\/\?phase=answered$/);
    // A new memory engine has a new epoch: the client resyncs from a snapshot. Which one
    // depends on whether the tab still held its position when it started again: resuming
    // from it gets the stream's epoch_changed snapshot, a tab without one reads the snapshot
    // answer first (an `initial` one). Seen both ways; either replaces the whole table.
    const sync = await waitUntil(() => lastSync(noc), {
      what: 'the resync note',
      accept: (s) => s.length > 0,
      ...PAGE_WAIT,
    });
    assert.match(sync, /^(Resynced from snapshot: epoch changed|Snapshot: [\d,]+ calls)$/);
    await waitUntil(() => renderedRows(noc), {
      what: 'rows',
      accept: (r) => r.length > 0,
      ...PAGE_WAIT,
    });
  });
});
