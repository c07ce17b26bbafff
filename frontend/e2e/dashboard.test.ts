// The dashboard as the README's run command serves it: the real backend in embedded demo
// mode (memory engine, call simulator, demo users), behind a real Caddy with
// infra/caddy/Caddyfile, signed in as the demo `noc` user. Screenshots go to
// artifacts/frontend-e2e/. Backend restarts are covered by auth.test.ts (embedded: the
// session ends) and real-stack.test.ts (distributed: the stream resumes).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeAll, type ManagedService } from '@live-calls/test-services';
import type { Page } from 'playwright-core';
import { launch, type Browser } from './browser.ts';
import {
  expectCallsAppear,
  expectDetailWithCallId,
  expectDurationsTick,
  expectFiltersSurviveReload,
  signIn,
  wallScreenshot,
} from './scenarios.ts';
import { startBackend, startProxy } from './services.ts';

// A lively simulator so the table fills within seconds.
const SIM_ENV = { SIM_CPS: '40', SIM_MAX_ACTIVE: '3000', LOG_LEVEL: 'warn' };

void describe('dashboard on the embedded backend through Caddy', () => {
  let backend: ManagedService | undefined;
  let caddy: ManagedService | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let base: string;

  const cspViolations: string[] = [];

  before(async () => {
    backend = await startBackend(SIM_ENV);
    caddy = await startProxy(backend.port);
    base = caddy.url;
    browser = await launch();
    page = await browser.context.newPage();
    page.on('pageerror', (error) => console.error('page error:', error.message));
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  });

  after(async () => {
    await browser?.close();
    await closeAll([backend, caddy]);
  });

  void it('the backend serves the dashboard itself too', async () => {
    const response = await fetch(`${backend!.url}/`);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /<html/i);
  });

  void it('signs in as noc and shows live calls', async () => {
    await page.goto(`${base}/`);
    await signIn(page, 'noc', 'noc');
    await expectCallsAppear(page, base);
  });

  void it('ticks durations', () => expectDurationsTick(page, base));

  void it('narrows the table with filters that survive a reload', () =>
    expectFiltersSurviveReload(page, base, 'filtered.png'));

  void it('opens the call detail with Call-ID for a NOC role', () =>
    expectDetailWithCallId(page, base, 'detail.png'));

  void it('shows the wall', () => wallScreenshot(page, base, 'wall.png'));

  void it('runs under its content security policy, unframeable, with no metrics in public', async () => {
    assert.deepEqual(cspViolations, []);
    const policy = await page.getAttribute('meta[http-equiv="content-security-policy"]', 'content');
    assert.match(policy ?? '', /script-src 'self' 'sha256-[^']+'(;|$)/);
    assert.doesNotMatch(policy ?? '', /unsafe-inline'[^;]*;.*script-src|script-src[^;]*unsafe/);
    for (const url of [`${base}/`, `${backend!.url}/`]) {
      const response = await fetch(url);
      assert.match(response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
      assert.equal(response.headers.get('x-frame-options'), 'DENY');
    }
    const metrics = await fetch(`${base}/metrics`);
    assert.equal(metrics.status, 404);
    assert.equal(((await metrics.json()) as { error: { code: string } }).error.code, 'not_found');
  });
});
