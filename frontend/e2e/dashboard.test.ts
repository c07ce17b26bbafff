// The dashboard against the real backend (embedded mode: memory engine + call simulator),
// behind Caddy with infra/caddy/Caddyfile when caddy is installed. Screenshots go to
// artifacts/frontend-e2e/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { artifactPath, launch, type Browser } from './browser.ts';
import {
  COLUMN,
  connectionState,
  lastSync,
  onScreenRows,
  renderedRows,
  seconds,
  until,
} from './dashboard-helpers.ts';
import {
  backendBuilt,
  caddyAvailable,
  freePort,
  startBackend,
  startCaddy,
  type Service,
} from './services.ts';

// A lively simulator so the table fills within seconds.
const SIM_ENV = { SIM_CPS: '40', SIM_MAX_ACTIVE: '3000', LOG_LEVEL: 'warn' };

void describe(
  'dashboard on the embedded backend',
  { skip: !backendBuilt() && 'backend/dist/server.js missing: pnpm --dir backend build' },
  () => {
    let backend: Service;
    let caddy: Service | null = null;
    let browser: Browser;
    let page: Page;
    let base: string;
    let backendPort: number;

    before(async () => {
      backendPort = await freePort();
      backend = await startBackend(backendPort, SIM_ENV);
      if (caddyAvailable()) caddy = await startCaddy(await freePort(), backendPort);
      base = caddy?.url ?? backend.url;
      browser = await launch();
      page = await browser.context.newPage();
      page.on('pageerror', (error) => console.error('page error:', error.message));
    });

    after(async () => {
      await browser?.close();
      await caddy?.stop();
      await backend?.stop();
    });

    void it(`shows live calls${caddyAvailable() ? ' through Caddy' : ''}`, async () => {
      await page.goto(`${base}/`);
      await until(
        'a live connection',
        () => connectionState(page),
        (s) => s === 'live',
      );
      const rows = await until(
        'calls in the table',
        () => renderedRows(page),
        (r) => r.length >= 10,
      );
      assert.ok(
        rows.every((r) => r.id.includes(':')),
        'rows carry record ids',
      );
      const ids = rows.map((r) => r.id);
      assert.equal(new Set(ids).size, ids.length, 'no call is listed twice');
    });

    void it('ticks durations', async () => {
      // Longest talk first, answered calls only: they will not end within two seconds.
      await page.goto(`${base}/?phase=answered&sort=duration&order=desc`);
      const running = async () => (await onScreenRows(page)).filter((r) => !r.ended);
      await until(
        'answered rows on top',
        running,
        (r) => r.length >= 3 && r.slice(0, 3).every((row) => row.phase === 'answered'),
      );
      const before = (await running()).slice(0, 3);
      await page.waitForTimeout(2_300);
      const after = await renderedRows(page);
      let ticked = 0;
      for (const row of before) {
        const later = after.find((r) => r.id === row.id);
        if (!later || later.ended) continue;
        const delta = seconds(later.cells[COLUMN.duration]!) - seconds(row.cells[COLUMN.duration]!);
        assert.ok(delta >= 1 && delta <= 4, `duration of ${row.id} moved by ${delta} s`);
        ticked++;
      }
      assert.ok(ticked > 0, 'at least one call kept running');
      for (const row of after) assert.doesNotMatch(row.cells[COLUMN.duration]!, /-/);
    });

    void it('narrows the table with filters that survive a reload', async () => {
      const companies = await page.$$eval('[data-testid=filter-company] option', (options) =>
        options
          .map((o) => (o as HTMLOptionElement).value)
          .filter((v) => v !== '' && v !== '\u0000'),
      );
      assert.ok(companies.length >= 2, `several companies to choose from: ${companies.join(',')}`);
      const company = companies[0]!;
      const total = Number(
        (await page.textContent('[data-testid=kpi-active]'))!.replace(/\D/g, ''),
      );

      await page.selectOption('[data-testid=filter-company]', company);
      await page.click('[data-testid=filter-dir-inbound]');
      await until(
        'the URL to carry the filter',
        () => Promise.resolve(page.url()),
        (u) => u.includes(`company=${encodeURIComponent(company)}`) && u.includes('dir=inbound'),
      );
      const check = async () => {
        const rows = await until(
          'filtered rows',
          () => renderedRows(page),
          (r) => r.length > 0 && r.every((row) => row.cells[COLUMN.company] === company),
        );
        for (const row of rows) {
          assert.equal(row.cells[COLUMN.company], company);
          assert.match(row.cells[COLUMN.direction]!, /Inbound/);
        }
        const count = (await page.textContent('[data-testid=row-count]')) ?? '';
        const [shown] = count.replace(/,/g, '').match(/\d+/) ?? ['0'];
        assert.ok(Number(shown) < total, `filtered count ${shown} below ${total}`);
      };
      await check();
      await page.screenshot({ path: await artifactPath('filtered.png') });

      await page.reload();
      await until(
        'live again after reload',
        () => connectionState(page),
        (s) => s === 'live',
      );
      assert.ok(page.url().includes(`company=${encodeURIComponent(company)}`));
      assert.equal(
        await page.getAttribute('[data-testid=filter-dir-inbound]', 'aria-pressed'),
        'true',
      );
      await check();
    });

    void it('opens the call detail with Call-ID for a NOC role', async () => {
      await page.goto(`${base}/`);
      await until(
        'rows',
        () => onScreenRows(page),
        (r) => r.length > 5,
      );
      const [row] = await onScreenRows(page);
      assert.ok(row);
      await page.click(`[data-call-id="${row.id}"]`);
      await page.waitForSelector('[data-testid=call-detail]');
      const callId = await page.textContent('[data-testid=detail-call-id]');
      assert.equal(`${row.id.split(':')[0]}:${callId}`, row.id);
      assert.ok(page.url().includes('call='), 'the open call is in the URL');
      await page.screenshot({ path: await artifactPath('detail.png') });
      await page.keyboard.press('Escape');
      await until(
        'detail closed',
        () => page.locator('[data-testid=call-detail]').count(),
        (n) => n === 0,
      );
    });

    void it('shows the wall', async () => {
      await page.goto(`${base}/?wall=1&span=15`);
      await until(
        'rows',
        () => renderedRows(page),
        (r) => r.length > 5,
      );
      assert.equal(await page.locator('[data-testid=filter-number]').count(), 0, 'no controls');
      await page.waitForTimeout(1_500);
      await page.screenshot({ path: await artifactPath('wall.png') });
    });

    void it('reconnects after a backend restart and matches the new snapshot', async () => {
      await page.goto(`${base}/`);
      await until(
        'live',
        () => connectionState(page),
        (s) => s === 'live',
      );
      const beforeIds = new Set((await renderedRows(page)).map((r) => r.id));

      await backend.stop();
      await until(
        'the badge to notice',
        () => connectionState(page),
        (s) => s === 'reconnecting' || s === 'offline',
      );
      const badge = (await page.textContent('[data-testid=connection]')) ?? '';
      assert.match(badge, /Reconnecting \(attempt \d+\)|Offline/);
      await page.screenshot({ path: await artifactPath('reconnecting.png') });

      backend = await startBackend(backendPort, SIM_ENV);
      await until(
        'live again',
        () => connectionState(page),
        (s) => s === 'live',
        45_000,
      );
      // A restarted memory engine has a new epoch: the client must resync, not resume.
      const sync = await until(
        'the resync note',
        () => lastSync(page),
        (s) => s.length > 0,
      );
      assert.match(sync, /Resynced from snapshot: epoch changed|Resumed/);

      await page.waitForTimeout(1_500);
      const first = (await (await fetch(`${base}/api/v1/live/calls/snapshot`)).json()) as {
        calls: { id: string }[];
      };
      const rows = (await renderedRows(page)).filter((r) => !r.ended);
      const second = (await (await fetch(`${base}/api/v1/live/calls/snapshot`)).json()) as {
        calls: { id: string }[];
      };
      const server = new Set([...first.calls, ...second.calls].map((c) => c.id));
      for (const row of rows) {
        assert.ok(!beforeIds.has(row.id), `${row.id} from before the restart is gone`);
        assert.ok(server.has(row.id), `${row.id} is in the server's snapshot`);
      }
      const active = Number(
        (await page.textContent('[data-testid=kpi-active]'))!.replace(/\D/g, ''),
      );
      assert.ok(
        Math.abs(active - second.calls.length) <= 40,
        `active ${active} vs server ${second.calls.length}`,
      );
    });
  },
);
