// The dashboard as the README's run command serves it: the real backend in embedded demo
// mode (memory engine, call simulator, demo users), behind a real Caddy with
// infra/caddy/Caddyfile, signed in as the demo `noc` user. Screenshots go to
// artifacts/frontend-e2e/. Backend restarts are covered by auth.test.ts (embedded: the
// session ends) and real-stack.test.ts (distributed: the stream resumes).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeAll, waitUntil, type ManagedService } from '@live-calls/test-services';
import type { Page } from 'playwright-core';
import { seriousViolations } from './accessibility.ts';
import { artifactPath, docsScreenshot, launch, type Browser } from './browser.ts';
import { COLUMN, onScreenRows, PAGE_WAIT, seconds } from './dashboard-helpers.ts';
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

function noHorizontalOverflow(page: Page): Promise<boolean> {
  return page.evaluate(
    () => document.documentElement.scrollWidth <= document.documentElement.clientWidth,
  );
}

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

  void it('works as a grid from the keyboard: arrows select, Enter opens, Escape returns, ? lists keys', async () => {
    await page.goto(`${base}/?sort=start&order=asc`);
    await waitUntil(() => onScreenRows(page), {
      what: 'rows',
      accept: (r) => r.length > 5,
      ...PAGE_WAIT,
    });
    await page.focus('[data-testid=calls-table]');
    const focusedIsTable = () =>
      page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'calls-table');
    const cursor = () =>
      page.evaluate(() => {
        const grid = document.querySelector('[data-testid=calls-table]');
        const id = grid?.getAttribute('aria-activedescendant');
        const row = id ? document.getElementById(id) : null;
        return row?.getAttribute('aria-selected') === 'true' ? row.dataset.callId : undefined;
      });
    const detailOpen = async () => (await page.locator('[data-testid=call-detail]').count()) > 0;

    await page.keyboard.press('ArrowDown');
    const first = await cursor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const third = await cursor();
    assert.ok(first && third && first !== third, `the cursor moved (${first} → ${third})`);
    assert.equal(await detailOpen(), false, 'arrows do not open the detail');
    assert.ok(await focusedIsTable(), 'focus stays in the table');

    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=call-detail]');
    assert.ok(page.url().includes(`call=${encodeURIComponent(third)}`), 'Enter opened that call');
    assert.ok(await focusedIsTable(), 'focus still in the table with the detail open');

    await page.keyboard.press('Escape');
    await waitUntil(detailOpen, { what: 'detail closed', accept: (o) => !o, ...PAGE_WAIT });
    assert.ok(await focusedIsTable(), 'Escape returns focus to the table');
    assert.equal(await cursor(), third, '… on the row that was open');

    await page.keyboard.press('?');
    await page.waitForSelector('[data-testid=shortcut-help]', { state: 'visible' });
    assert.match((await page.textContent('[data-testid=shortcut-help]')) ?? '', /Enter/);
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid=shortcut-help]', { state: 'detached' });
    assert.equal(await detailOpen(), false);
  });

  void it('a fresh screen starts with a full chart from the server history, axis scaled to the data', async () => {
    // Forget this tab's own samples: whatever the chart draws at once comes from the server.
    await page.evaluate(() => {
      for (const key of Object.keys(localStorage)) {
        if (key.startsWith('live-calls:history')) localStorage.removeItem(key);
      }
    });
    const opened = Date.now();
    await page.goto(`${base}/?span=15`);
    const points = await waitUntil(
      () =>
        // Nothing yet while the page is still loading: 0 points, not an error.
        page.$$eval('[aria-label="Line chart of concurrent calls"]', (svgs) =>
          Number(svgs[0]?.getAttribute('data-points') ?? 0),
        ),
      { what: 'history points in the chart', accept: (n) => n >= 10, ...PAGE_WAIT },
    );
    // The tab samples every 5 s: this many points this soon can only be the server's minutes.
    assert.ok(Date.now() - opened < 5_000, `the chart filled at once (${points} points)`);
    assert.equal(await page.locator('text=Collecting samples').count(), 0);
    await page.waitForSelector('[data-testid=sparkline-cps]');
    await page.waitForSelector('[data-testid=sparkline-asr]');
    // The y axis labels are plain counts; the time labels (hh:mm) are not numbers.
    const top = await page.$$eval('.chart .axis', (labels) =>
      Math.max(...labels.map((t) => Number(t.textContent.trim())).filter(Number.isFinite)),
    );
    const peakText = (await page.textContent('.chart .peak')) ?? '';
    const highest = Number((/peak ([\d,]+)/.exec(peakText)?.[1] ?? '0').replace(/,/g, ''));
    assert.ok(highest > 0, `a peak is shown (${highest})`);
    assert.ok(top < highest * 1.6 + 5, `axis top ${top} fits the peak ${highest}`);
  });

  void it('top companies and trunks: up to 10, a click sets that filter in the URL', async () => {
    await page.goto(`${base}/`);
    const bars = '[aria-label="Top trunks"] button[data-key]';
    const count = await waitUntil(() => page.locator(bars).count(), {
      what: 'top trunk bars',
      accept: (n) => n > 0,
      ...PAGE_WAIT,
    });
    assert.ok(count <= 10, `at most 10 trunks (${count})`);
    const companies = await waitUntil(
      () => page.locator('[aria-label="Top companies"] button[data-key]').count(),
      { what: 'top company bars', accept: (n) => n > 6, ...PAGE_WAIT },
    );
    assert.ok(companies > 6 && companies <= 10, `more than 6, at most 10 companies (${companies})`);

    const company = page.locator('[aria-label="Top companies"] button[data-key]').first();
    const key = (await company.getAttribute('data-key')) ?? '';
    await company.click();
    await page.waitForURL((url) => url.searchParams.has('company'));
    const shownKey = new URL(page.url()).searchParams.get('company');
    assert.ok(key === '' ? shownKey !== null : shownKey === key, `company=${shownKey} for ${key}`);
    assert.equal(
      await page.getAttribute(
        `[aria-label="Top companies"] button[data-key="${key}"]`,
        'aria-pressed',
      ),
      'true',
    );
    // The same bar again clears it.
    await page.click(`[aria-label="Top companies"] button[data-key="${key}"]`);
    await page.waitForURL((url) => !url.searchParams.has('company'));

    const trunk = page.locator(bars).first();
    await trunk.click();
    await page.waitForURL((url) => url.searchParams.has('trunk'));
  });

  void it('Recent: calls ended in the last 15 min with their reason and SIP code, filterable', async () => {
    await page.goto(`${base}/`);
    await page.click('[data-testid=view-recent]');
    await page.waitForURL((url) => url.searchParams.get('view') === 'recent');
    const reasons = await waitUntil(
      () =>
        page.$$eval('[data-recent-id] [data-testid=recent-reason-cell]', (cells) =>
          cells.map((c) => c.getAttribute('data-reason') ?? ''),
        ),
      { what: 'ended calls listed', accept: (r) => r.length > 0, timeoutMs: 20_000 },
    );
    assert.ok(
      reasons.every((r) => ['bye', 'cancel', 'failed', 'timeout', 'reaped'].includes(r)),
      `every row has an end reason (${[...new Set(reasons)].join(', ')})`,
    );
    // A failed end is red with its SIP code (the simulator fails some with 486, 503…).
    await page.selectOption('[data-testid=recent-reason]', 'failed');
    const failed = await waitUntil(
      () =>
        page.$$eval('[data-recent-id]', (rows) =>
          rows.map((row) => ({
            reason: row.querySelector('[data-reason]')?.getAttribute('data-reason'),
            sip: row.querySelector('.sip')?.textContent.trim() ?? '',
            colour: getComputedStyle(row.querySelector('.sip')!).color,
          })),
        ),
      { what: 'failed calls listed', accept: (f) => f.length > 0, timeoutMs: 30_000 },
    );
    assert.ok(
      failed.every((f) => f.reason === 'failed'),
      'the reason filter applies',
    );
    assert.ok(
      failed.some((f) => /^[4-6]\d\d/.test(f.sip)),
      `a SIP code shown (${failed[0]?.sip})`,
    );
    const red = await page.evaluate(() => {
      const probe = document.createElement('span');
      probe.style.color = 'var(--phase-failed)';
      document.body.append(probe);
      const colour = getComputedStyle(probe).color;
      probe.remove();
      return colour;
    });
    assert.equal(failed[0]!.colour, red, 'failed ends are red');
    // Back to the live table.
    await page.click('[data-testid=view-live]');
    await page.waitForSelector('[data-testid=calls-table]');
  });

  void it('shows a failed call red with its SIP code, not as a grey Ended', async () => {
    await page.goto(`${base}/`);
    const failed = await waitUntil(
      () =>
        page.$$eval('[data-call-id] [data-tone=failed]', (badges) =>
          badges.map((b) => ({
            text: b.textContent.trim(),
            colour: getComputedStyle(b).color,
            red: getComputedStyle(document.documentElement).getPropertyValue('--phase-failed'),
          })),
        ),
      {
        what: 'a failed call in the table',
        accept: (f) => f.length > 0,
        timeoutMs: 20_000,
        intervalMs: 100,
      },
    );
    const [badge] = failed;
    assert.match(badge!.text, /Failed( \d{3})?$/);
    const hex = badge!.red.trim();
    const rgb = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    assert.equal(badge!.colour, `rgb(${rgb.join(', ')})`, 'drawn in the failure red');
  });

  void it('says the zone of every time, with a UTC switch kept in the URL', async () => {
    await page.goto(`${base}/?tz=utc`);
    await page.waitForSelector('[data-call-id]');
    assert.equal((await page.textContent('[data-testid=zone-toggle]'))?.trim(), 'UTC');
    assert.match((await page.textContent('[data-testid=sort-start]')) ?? '', /Start UTC/);
    await page.focus('[data-testid=calls-table]');
    await page.keyboard.press('u');
    await waitUntil(() => Promise.resolve(page.url()), {
      what: 'tz dropped from the URL',
      accept: (u) => !u.includes('tz='),
      ...PAGE_WAIT,
    });
    await page.click('[data-testid=zone-toggle]');
    await waitUntil(() => Promise.resolve(page.url()), {
      what: 'tz=utc back in the URL',
      accept: (u) => u.includes('tz=utc'),
      ...PAGE_WAIT,
    });
    await page.click('[data-call-id]');
    const created = await page.locator('[data-testid=call-detail] dd.num').first().textContent();
    assert.match(created ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC$/);
    await page.keyboard.press('Escape');
  });

  void it('wall mode: large type, what needs attention on top, no false alarm', async () => {
    await page.goto(`${base}/?wall=1`);
    // An answered call to put on top: the simulator's first ones ring for 5–20 s, and this
    // may run sooner after the backend started (then a ringing call is rightly on top).
    await waitUntil(() => onScreenRows(page), {
      what: 'rows on the wall, an answered one among them',
      accept: (r) => r.length > 5 && r.some((row) => !row.ended && row.phase === 'answered'),
      ...PAGE_WAIT,
    });
    await page.waitForTimeout(1_000);
    const size = await page.$eval('[data-call-id] [role=gridcell]', (c) =>
      parseFloat(getComputedStyle(c).fontSize),
    );
    assert.ok(size >= 22, `row type ${size} px`);
    const rows = (await onScreenRows(page)).filter((r) => !r.ended);
    const top = rows[0]!;
    // Newest-first would put a fresh "Setup 0:00" here; attention puts a long or stuck call.
    assert.ok(
      top.phase === 'answered' || seconds(top.cells[COLUMN.duration]!) >= 30,
      `top of the wall: ${top.phase} ${top.cells[COLUMN.duration]}`,
    );
    const asr = (await page.textContent('[data-testid=kpi-asr]'))?.trim();
    assert.ok(asr === '—' || /^\d+ %$/.test(asr ?? ''), `ASR shows ${asr}`);
  });

  void it('has no serious or critical axe violations in either theme, and one h1', async () => {
    await page.goto(`${base}/`);
    await waitUntil(() => onScreenRows(page), {
      what: 'rows',
      accept: (r) => r.length > 5,
      ...PAGE_WAIT,
    });
    assert.equal(await page.locator('h1').count(), 1, 'one h1');
    await page.waitForTimeout(1_000);
    await docsScreenshot(page, 'wall');
    assert.equal(
      await page
        .locator('[data-testid=connection][aria-live], [data-testid=connection][role=status]')
        .count(),
      0,
      'the ticking connection badge is not a live region',
    );
    for (const _theme of ['first', 'second']) {
      const theme = await page.evaluate(() => document.documentElement.dataset.theme ?? 'dark');
      const violations = await seriousViolations(page);
      assert.deepEqual(violations, [], `${theme} theme: ${JSON.stringify(violations, null, 1)}`);
      await page.keyboard.press('t');
      await waitUntil(() => page.evaluate(() => document.documentElement.dataset.theme ?? 'dark'), {
        what: 'the other theme',
        accept: (t) => t !== theme,
        ...PAGE_WAIT,
      });
    }
  });

  void it('a 1366×768 laptop: charts fold away, at least 12 rows visible', async () => {
    await page.setViewportSize({ width: 1366, height: 768 });
    try {
      await page.goto(`${base}/`);
      await waitUntil(() => onScreenRows(page), {
        what: 'rows',
        accept: (r) => r.length > 5,
        ...PAGE_WAIT,
      });
      assert.equal(await page.isVisible('#insights'), false, 'charts folded on a short screen');
      const rows = (await onScreenRows(page)).length;
      assert.ok(rows >= 12, `${rows} rows visible`);
      await page.click('[data-testid=panels-toggle]');
      assert.equal(await page.isVisible('#insights'), true, 'charts open on request');
      await page.screenshot({ path: await artifactPath('laptop-charts.png') });
      await page.click('[data-testid=panels-toggle]');
      assert.equal(await page.isVisible('#insights'), false);
      await docsScreenshot(page, 'laptop');
      assert.ok(await noHorizontalOverflow(page), 'no horizontal overflow');
    } finally {
      await page.setViewportSize({ width: 1600, height: 900 });
    }
  });

  void it('a 390×844 phone: no horizontal overflow, header actions reachable, the page scrolls', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`${base}/`);
      await waitUntil(() => onScreenRows(page), {
        what: 'rows',
        accept: (r) => r.length > 3,
        ...PAGE_WAIT,
      });
      assert.ok(await noHorizontalOverflow(page), 'no horizontal overflow');
      for (const selector of ['[data-testid=wall-toggle]', '[data-testid=logout]']) {
        const box = await page.locator(selector).boundingBox();
        assert.ok(
          box && box.x >= 0 && box.x + box.width <= 390,
          `${selector} on screen: ${JSON.stringify(box)}`,
        );
      }
      const scrolled = await page.evaluate(() => {
        window.scrollTo(0, 400);
        return window.scrollY;
      });
      assert.ok(scrolled > 0, 'the page scrolls');
      await page.evaluate(() => window.scrollTo(0, 0));
      await docsScreenshot(page, 'phone');
    } finally {
      await page.setViewportSize({ width: 1600, height: 900 });
    }
  });

  void it('shows the wall', async () => {
    await wallScreenshot(page, base, 'wall.png');
    await docsScreenshot(page, 'wall-mode');
  });

  void it('runs under its content security policy, unframeable, with no metrics in public', async () => {
    assert.deepEqual(cspViolations, []);
    const policy = await page.getAttribute('meta[http-equiv="content-security-policy"]', 'content');
    // Two inline scripts, each allowed by its hash: SvelteKit's boot and app.html's first read.
    assert.match(policy ?? '', /script-src 'self'( 'sha256-[^']+'){2}(;|$)/);
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
