// Session expiry (`session.expired`, docs/interface/sse.md): back to the login page with a
// message, and after signing in again the stream resumes where it stopped — same table,
// missed events replayed, no snapshot. Runs on the synthetic feed with 8-second sessions, since
// the real backend's tokens live for hours.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitUntil } from '@live-calls/test-services';
import type { Page } from 'playwright-core';
import { artifactPath, BUILD_DIR, launch, type Browser } from './browser.ts';
import { connectionState, lastSync, renderedRows, PAGE_WAIT } from './dashboard-helpers.ts';
import { startSyntheticFeed, type SyntheticFeed } from './synthetic-feed.ts';

async function signIn(page: Page, user: string, password: string): Promise<void> {
  await page.fill('[data-testid=login-username]', user);
  await page.fill('[data-testid=login-password]', password);
  await page.click('[data-testid=login-submit]');
}

void describe('session expiry', () => {
  let feed: SyntheticFeed;
  let browser: Browser;
  let page: Page;

  before(async () => {
    feed = await startSyntheticFeed({
      buildDir: BUILD_DIR,
      calls: 300,
      updatesPerSecond: 20,
      sessionTtlMs: 8_000,
    });
    browser = await launch();
    page = await browser.context.newPage();
  });

  after(async () => {
    await browser?.close();
    await feed?.close();
  });

  void it('asks for a sign-in and comes back to the same view', async () => {
    await page.goto(`${feed.url}/?company=acme`);
    await page.waitForSelector('[data-testid=login-username]');
    assert.match(page.url(), /\/login\?next=company%3Dacme/);

    await signIn(page, 'noc', 'wrong');
    assert.match(
      (await page.textContent('[data-testid=login-error]')) ?? '',
      /Wrong user name or password/,
    );

    await signIn(page, 'noc', 'noc');
    await waitUntil(() => connectionState(page), {
      what: 'the dashboard',
      accept: (s) => s === 'live',
      ...PAGE_WAIT,
    });
    assert.match(page.url(), /\/\?company=acme$/);
    assert.equal(await page.textContent('[data-testid=role-badge]'), 'NOC');
    const rows = await waitUntil(() => renderedRows(page), {
      what: 'rows',
      accept: (r) => r.length > 0,
      ...PAGE_WAIT,
    });
    assert.ok(rows.every((r) => r.cells[4] === 'acme'));
  });

  void it('returns to login on session.expired, then resumes the stream', async () => {
    await page.waitForSelector('[data-testid=login-notice]', { timeout: 15_000 });
    assert.match((await page.textContent('[data-testid=login-notice]')) ?? '', /session expired/i);
    await page.screenshot({ path: await artifactPath('login-expired.png') });
    // Events keep flowing server-side while nobody is signed in.
    await page.waitForTimeout(1_000);

    await signIn(page, 'noc', 'noc');
    await waitUntil(() => connectionState(page), {
      what: 'live again',
      accept: (s) => s === 'live',
      ...PAGE_WAIT,
    });
    assert.match(page.url(), /\/\?company=acme$/, 'the view is kept');
    const sync = await waitUntil(() => lastSync(page), {
      what: 'the resume note',
      accept: (s) => /^Resumed, \d+ missed events?$/.test(s),
      ...PAGE_WAIT,
    });
    const missed = Number(/\d+/.exec(sync)?.[0]);
    assert.ok(missed > 0, `missed events were replayed: ${sync}`);
  });
});
