// Sign-in and scope against the real backend (embedded mode with its demo users: admin,
// noc, user-acme). Skipped while the backend has no auth endpoints.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { artifactPath, launch, type Browser } from './browser.ts';
import { COLUMN, connectionState, renderedRows, until } from './dashboard-helpers.ts';
import {
  backendBuilt,
  caddyAvailable,
  freePort,
  startBackend,
  startCaddy,
  type Service,
} from './services.ts';

const SIM_ENV = { SIM_CPS: '40', SIM_MAX_ACTIVE: '3000', LOG_LEVEL: 'warn' };

async function signIn(page: Page, user: string): Promise<void> {
  await page.waitForSelector('[data-testid=login-username]');
  await page.fill('[data-testid=login-username]', user);
  await page.fill('[data-testid=login-password]', user);
  await page.click('[data-testid=login-submit]');
  await until(
    'live',
    () => connectionState(page),
    (s) => s === 'live',
  );
}

async function authBuilt(base: string): Promise<boolean> {
  const response = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'nobody', password: 'wrong-password' }),
  });
  return response.status !== 404;
}

void describe('sign-in and scope on the embedded backend', () => {
  let backend: Service | null = null;
  let caddy: Service | null = null;
  let browser: Browser;
  let page: Page;
  let base = '';
  let backendPort = 0;
  let skip: string | false = false;

  before(async () => {
    if (!backendBuilt()) {
      skip = 'backend/dist/server.js missing';
      return;
    }
    backendPort = await freePort();
    backend = await startBackend(backendPort, SIM_ENV);
    if (caddyAvailable()) caddy = await startCaddy(await freePort(), backendPort);
    base = caddy?.url ?? backend.url;
    if (!(await authBuilt(base))) skip = 'the backend has no /api/v1/auth/login yet';
    browser = await launch();
    page = await browser.context.newPage();
  });

  after(async () => {
    await browser?.close();
    await caddy?.stop();
    await backend?.stop();
  });

  void it('a NOC operator sees calls and sources', async (t) => {
    if (skip) return t.skip(skip);
    await page.goto(`${base}/`);
    await signIn(page, 'noc');
    assert.equal(await page.textContent('[data-testid=role-badge]'), 'NOC');
    await until(
      'rows',
      () => renderedRows(page),
      (r) => r.length > 5,
    );
    assert.equal(await page.locator('[data-testid=sources]').count(), 1);
  });

  void it('a company user never sees another company', async (t) => {
    if (skip) return t.skip(skip);
    await page.click('[data-testid=logout]');
    await signIn(page, 'user-acme');
    assert.equal(await page.locator('[data-testid=sources]').count(), 0, 'no sources for users');
    const seen = new Set<string>();
    // Look from both ends of the company sort, repeatedly, while calls come and go.
    for (const order of ['asc', 'desc', 'asc', 'desc']) {
      await page.goto(`${base}/?sort=company&order=${order}`);
      await until(
        'rows',
        () => renderedRows(page),
        (r) => r.length > 0,
      );
      for (let i = 0; i < 5; i++) {
        for (const row of await renderedRows(page)) seen.add(row.cells[COLUMN.company]!);
        await page.waitForTimeout(300);
      }
    }
    assert.deepEqual([...seen], ['acme']);
    const [row] = await renderedRows(page);
    await page.click(`[data-call-id="${row!.id}"]`);
    await page.waitForSelector('[data-testid=call-detail]');
    assert.equal(await page.locator('[data-testid=detail-call-id]').count(), 0, 'no Call-ID');
    await page.screenshot({ path: await artifactPath('user-acme.png') });
  });

  void it('a 401 on reconnect returns to login, and signing in resumes', async (t) => {
    if (skip || backend === null) return t.skip(skip || 'no backend');
    await page.goto(`${base}/?phase=answered`);
    await until(
      'live',
      () => connectionState(page),
      (s) => s === 'live',
    );
    await browser.context.clearCookies();
    await backend.stop();
    backend = await startBackend(backendPort, SIM_ENV);
    await page.waitForSelector('[data-testid=login-notice]', { timeout: 45_000 });
    assert.match(page.url(), /next=phase%3Danswered/);
    await signIn(page, 'noc');
    assert.match(page.url(), /\/\?phase=answered$/);
  });
});
