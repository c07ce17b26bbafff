// What a wall shows when the backend behind Caddy goes away, and that it comes back by
// itself: the embedded backend with a fixed secret and a users file (so a session outlives
// a restart), Caddy in front, a `noc` user signed in. The backend process is stopped:
// within seconds the offline band says since when, the tab title is marked and durations
// stop; started again, the page is live again without a click. A page opened during the
// outage counts down to its next try and recovers the same way.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { closeAll, waitUntil, type ManagedService } from '@live-calls/test-services';
import type { Page } from 'playwright-core';
import { docsScreenshot, launch, type Browser } from './browser.ts';
import { COLUMN, connectionState, onScreenRows, PAGE_WAIT } from './dashboard-helpers.ts';
import { expectCallsAppear, signIn } from './scenarios.ts';
import { addUser, startBackend, startProxy } from './services.ts';

const NOC = { user: 'noc-offline', password: randomBytes(9).toString('base64url') };
/** The band must be up this soon after the backend is gone. */
const NOTICE_WAIT = { timeoutMs: 8_000, intervalMs: 200 } as const;
/** Recovery waits out at most one back-off step (≤ 2.5 s at the second try) plus a start. */
const RECOVERY_WAIT = { timeoutMs: 20_000, intervalMs: 250 } as const;

async function band(page: Page): Promise<string> {
  const el = page.locator('[data-testid=offline-band]');
  return (await el.count()) > 0 ? ((await el.textContent()) ?? '') : '';
}

void describe('offline: the backend behind Caddy stops and comes back', () => {
  let home = '';
  let backend: ManagedService | undefined;
  let caddy: ManagedService | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let base = '';

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'live-calls-offline-'));
    const usersFile = join(home, 'users.json');
    await addUser(usersFile, NOC.user, NOC.password, 'noc');
    backend = await startBackend({
      JWT_SECRET: randomBytes(32).toString('hex'),
      USERS_FILE: usersFile,
      SIM_CPS: '40',
      SIM_MAX_ACTIVE: '3000',
      LOG_LEVEL: 'warn',
    });
    caddy = await startProxy(backend.port);
    base = caddy.url;
    browser = await launch();
    page = await browser.context.newPage();
    page.on('pageerror', (error) => console.error('page error:', error.message));
  });

  after(async () => {
    await browser?.close();
    await closeAll([backend, caddy]);
    await rm(home, { recursive: true, force: true });
  });

  void it('a live wall shows the offline band, title and frozen durations, then recovers alone', async () => {
    await page.goto(`${base}/`);
    await signIn(page, NOC.user, NOC.password);
    await expectCallsAppear(page, base);
    assert.equal(await band(page), '', 'no band while live');
    assert.doesNotMatch(await page.title(), /OFFLINE/);

    const stoppedAt = Date.now();
    await backend!.stop();
    const text = await waitUntil(() => band(page), {
      what: 'the offline band',
      accept: (t) => /since \d\d:\d\d:\d\d \S+/.test(t),
      ...NOTICE_WAIT,
    });
    console.log(`band after ${Date.now() - stoppedAt} ms: ${text}`);
    assert.match(await page.title(), /^⚠ OFFLINE · \d+ active/);
    await waitUntil(() => band(page), {
      what: 'a countdown to the next try',
      accept: (t) => /Retrying in \d+ s/.test(t),
      ...RECOVERY_WAIT,
    });
    const durations = async () =>
      (await onScreenRows(page)).slice(0, 8).map((r) => `${r.id} ${r.cells[COLUMN.duration]}`);
    const frozen = await durations();
    await page.waitForTimeout(2_200);
    assert.deepEqual(await durations(), frozen, 'durations do not count while offline');
    await docsScreenshot(page, 'offline');

    await backend!.start();
    await waitUntil(() => connectionState(page), {
      what: 'live again without a click',
      accept: (s) => s === 'live',
      ...RECOVERY_WAIT,
    });
    await waitUntil(() => band(page), {
      what: 'the band gone',
      accept: (t) => t === '',
      ...PAGE_WAIT,
    });
    assert.doesNotMatch(await page.title(), /OFFLINE/);
  });

  void it('a page opened during the outage counts down and recovers alone', async () => {
    await backend!.stop();
    const fresh = await browser!.context.newPage();
    await fresh.goto(`${base}/`);
    const countdown = await waitUntil(
      async () => {
        const el = fresh.locator('[data-testid=retry-countdown]');
        return (await el.count()) > 0 ? ((await el.textContent()) ?? '') : '';
      },
      { what: 'the retry countdown', accept: (t) => /Retrying in \d+ s/.test(t), ...PAGE_WAIT },
    );
    console.log(`first load during the outage: ${countdown.trim()}`);
    await backend!.start();
    await waitUntil(() => connectionState(fresh), {
      what: 'the dashboard, live, without a click',
      accept: (s) => s === 'live',
      ...RECOVERY_WAIT,
    });
    await fresh.close();
  });
});
