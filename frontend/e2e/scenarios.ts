// What an operator does, as steps shared by the browser tests: sign in, watch calls come
// and tick, filter, open a call, and — for a company user — prove that nothing of another
// company ever reaches the page. Everything is read off the DOM the operator sees, plus,
// for scope, the events the page's EventSource actually received.
import assert from 'node:assert/strict';
import { waitUntil } from '@live-calls/test-services';
import type { BrowserContext, Page } from 'playwright-core';
import { artifactPath } from './browser.ts';
import {
  COLUMN,
  connectionState,
  onScreenRows,
  renderedRows,
  seconds,
  PAGE_WAIT,
} from './dashboard-helpers.ts';

export async function signIn(page: Page, user: string, password: string): Promise<void> {
  await page.waitForSelector('[data-testid=login-username]');
  await page.fill('[data-testid=login-username]', user);
  await page.fill('[data-testid=login-password]', password);
  await page.click('[data-testid=login-submit]');
  await waitUntil(() => connectionState(page), {
    what: `${user} signed in and live`,
    accept: (s) => s === 'live',
    ...PAGE_WAIT,
  });
}

/** GET through the same origin with the session of `context` (its lc_session cookie). */
export async function apiGet(
  context: BrowserContext,
  base: string,
  path: string,
): Promise<{ status: number; body: unknown }> {
  const cookies = await context.cookies(base);
  const response = await fetch(`${base}${path}`, {
    headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') },
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text for the failure message.
  }
  return { status: response.status, body };
}

export interface Snapshot {
  epoch: string;
  seq: number;
  calls: { id: string; company_id: string | null; sip?: unknown }[];
  sources?: unknown[];
}

export async function snapshot(context: BrowserContext, base: string): Promise<Snapshot> {
  const { status, body } = await apiGet(context, base, '/api/v1/live/calls/snapshot');
  assert.equal(status, 200, `snapshot: ${JSON.stringify(body)}`);
  return body as Snapshot;
}

export function activeKpi(page: Page): Promise<number> {
  return page
    .textContent('[data-testid=kpi-active]')
    .then((t) => Number((t ?? '').replace(/\D/g, '')));
}

export async function expectCallsAppear(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/`);
  await waitUntil(() => connectionState(page), {
    what: 'a live connection',
    accept: (s) => s === 'live',
    ...PAGE_WAIT,
  });
  const rows = await waitUntil(() => renderedRows(page), {
    what: 'calls in the table',
    accept: (r) => r.length >= 10,
    ...PAGE_WAIT,
  });
  assert.ok(
    rows.every((r) => r.id.includes(':')),
    'rows carry record ids',
  );
  const ids = rows.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, 'no call is listed twice');
}

export async function expectDurationsTick(page: Page, base: string): Promise<void> {
  // Longest first: answered calls count talk time, ringing ones ringing time (a fresh
  // simulator has answered none yet). A call that changes phase restarts its clock, so
  // only rows still in the same phase are compared.
  await page.goto(`${base}/?sort=duration&order=desc`);
  const running = async () => (await onScreenRows(page)).filter((r) => !r.ended);
  await waitUntil(running, {
    what: 'running calls on top',
    accept: (r) => r.length >= 5,
    ...PAGE_WAIT,
  });
  const before = (await running()).slice(0, 5);
  await page.waitForTimeout(2_300);
  const after = await renderedRows(page);
  let ticked = 0;
  for (const row of before) {
    const later = after.find((r) => r.id === row.id);
    if (!later || later.ended || later.phase !== row.phase) continue;
    const delta = seconds(later.cells[COLUMN.duration]!) - seconds(row.cells[COLUMN.duration]!);
    assert.ok(delta >= 1 && delta <= 4, `duration of ${row.id} (${row.phase}) moved by ${delta} s`);
    ticked++;
  }
  assert.ok(ticked > 0, 'at least one call kept running');
  for (const row of after) assert.doesNotMatch(row.cells[COLUMN.duration]!, /-/);
}

export async function expectFiltersSurviveReload(
  page: Page,
  base: string,
  screenshot: string,
): Promise<void> {
  await page.goto(`${base}/`);
  await waitUntil(() => renderedRows(page), {
    what: 'rows',
    accept: (r) => r.length > 5,
    ...PAGE_WAIT,
  });
  const companies = await waitUntil(
    () =>
      page.$$eval('[data-testid=filter-company] option', (options) =>
        options
          .map((o) => (o as HTMLOptionElement).value)
          .filter((v) => v !== '' && v !== '\u0000'),
      ),
    { what: 'several companies to choose from', accept: (c) => c.length >= 2, ...PAGE_WAIT },
  );
  const company = companies[0]!;
  const total = await activeKpi(page);

  await page.selectOption('[data-testid=filter-company]', company);
  await page.click('[data-testid=filter-dir-inbound]');
  await waitUntil(() => Promise.resolve(page.url()), {
    what: 'the URL to carry the filter',
    accept: (u) =>
      u.includes(`company=${encodeURIComponent(company)}`) && u.includes('dir=inbound'),
    ...PAGE_WAIT,
  });
  const check = async () => {
    const rows = await waitUntil(() => renderedRows(page), {
      what: 'filtered rows',
      accept: (r) =>
        r.length > 0 &&
        r.every(
          (row) =>
            row.cells[COLUMN.company] === company && /Inbound/.test(row.cells[COLUMN.direction]!),
        ),
      ...PAGE_WAIT,
    });
    for (const row of rows) {
      assert.equal(row.cells[COLUMN.company], company);
      assert.match(row.cells[COLUMN.direction]!, /Inbound/);
    }
    const count = (await page.textContent('[data-testid=row-count]')) ?? '';
    const [shown] = count.replace(/,/g, '').match(/\d+/) ?? ['0'];
    assert.ok(Number(shown) < total, `filtered count ${shown} below ${total}`);
  };
  await check();
  await page.screenshot({ path: await artifactPath(screenshot) });

  await page.reload();
  await waitUntil(() => connectionState(page), {
    what: 'live again after reload',
    accept: (s) => s === 'live',
    ...PAGE_WAIT,
  });
  assert.ok(page.url().includes(`company=${encodeURIComponent(company)}`));
  assert.equal(await page.getAttribute('[data-testid=filter-dir-inbound]', 'aria-pressed'), 'true');
  await check();
}

export async function expectDetailWithCallId(
  page: Page,
  base: string,
  screenshot: string,
): Promise<void> {
  await page.goto(`${base}/`);
  await waitUntil(() => onScreenRows(page), {
    what: 'rows',
    accept: (r) => r.length > 5,
    ...PAGE_WAIT,
  });
  const [row] = await onScreenRows(page);
  assert.ok(row);
  // New calls keep arriving above it, so the row is never still: Playwright's click would
  // wait for a stable box forever. A dispatched click needs the row, not its stillness.
  await page.locator(`[data-call-id="${row.id}"]`).dispatchEvent('click');
  await page.waitForSelector('[data-testid=call-detail]');
  const callId = await page.textContent('[data-testid=detail-call-id]');
  assert.equal(`${row.id.split(':')[0]}:${callId}`, row.id);
  assert.ok(page.url().includes('call='), 'the open call is in the URL');
  await page.screenshot({ path: await artifactPath(screenshot) });
  await page.keyboard.press('Escape');
  await waitUntil(() => page.locator('[data-testid=call-detail]').count(), {
    what: 'detail closed',
    accept: (n) => n === 0,
    ...PAGE_WAIT,
  });
}

export async function wallScreenshot(page: Page, base: string, screenshot: string): Promise<void> {
  await page.goto(`${base}/?wall=1&span=15`);
  await waitUntil(() => renderedRows(page), {
    what: 'rows',
    accept: (r) => r.length > 5,
    ...PAGE_WAIT,
  });
  assert.equal(await page.locator('[data-testid=filter-number]').count(), 0, 'no controls');
  await page.waitForTimeout(1_500);
  await page.screenshot({ path: await artifactPath(screenshot) });
}

/**
 * Every call id the table holds, read by scrolling the virtualized viewport from top to
 * bottom. Meant for a still table (feed paused), when no row is fading out.
 */
export async function allTableIds(page: Page): Promise<Set<string>> {
  const ids = new Set<string>();
  const viewport = page.locator('[data-testid=calls-viewport]');
  await viewport.evaluate((el) => (el.scrollTop = 0));
  for (;;) {
    await page.waitForTimeout(60);
    for (const row of await renderedRows(page)) if (!row.ended) ids.add(row.id);
    const done = await viewport.evaluate((el) => {
      if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) return true;
      el.scrollTop += Math.max(1, el.clientHeight - 40);
      return false;
    });
    if (done) break;
  }
  return ids;
}

// ---- Scope: what a company user's page receives and shows --------------------------------

export interface ScopeRecord {
  /** company_id → call records received over SSE (snapshot calls and call.* events). */
  wire: Record<string, number>;
  /** Records received that carried `sip`. */
  wireSip: number;
  /** `source` events, and snapshots listing sources. */
  wireSources: number;
  /** Company labels ever rendered: table cells, detail panel, filter options, top bars. */
  dom: Record<string, number>;
  /** Times the detail panel showed a Call-ID or a SIP section. */
  domSip: number;
  /** Distinct calls whose detail panel was rendered. */
  details: number;
}

/**
 * Records, from the first script of every page in `context`, each call record the page's
 * EventSource receives and each company label the DOM ever renders (a MutationObserver
 * sees rows that exist for one frame only). Read it with `scopeRecord`.
 */
export async function recordScope(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const record = {
      wire: {} as Record<string, number>,
      wireSip: 0,
      wireSources: 0,
      dom: {} as Record<string, number>,
      domSip: 0,
      details: 0,
    };
    const detailsSeen = new Set<string>();
    (window as unknown as { __scope: typeof record }).__scope = record;
    const bump = (map: Record<string, number>, key: string) => (map[key] = (map[key] ?? 0) + 1);
    type Wire = { company_id?: string | null; sip?: unknown };
    const note = (call: Wire) => {
      bump(record.wire, String(call.company_id));
      if (call.sip !== undefined) record.wireSip++;
    };

    const Native = window.EventSource;
    class Recording extends Native {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init);
        for (const type of ['call.setup', 'call.ringing', 'call.answered', 'call.ended']) {
          this.addEventListener(type, (e) =>
            note(JSON.parse((e as MessageEvent<string>).data) as Wire),
          );
        }
        this.addEventListener('snapshot', (e) => {
          const data = JSON.parse((e as MessageEvent<string>).data) as {
            calls: Wire[];
            sources?: unknown[];
          };
          data.calls.forEach(note);
          if ((data.sources?.length ?? 0) > 0) record.wireSources++;
        });
        this.addEventListener('source', () => record.wireSources++);
      }
    }
    window.EventSource = Recording;

    const scan = () => {
      for (const row of document.querySelectorAll('[data-call-id]')) {
        const cell = row.querySelectorAll('[role=gridcell]')[4];
        if (cell) bump(record.dom, cell.textContent.trim());
      }
      for (const option of document.querySelectorAll('[data-testid=filter-company] option')) {
        if ((option as HTMLOptionElement).value !== '') bump(record.dom, option.textContent.trim());
      }
      for (const name of document.querySelectorAll('[aria-label="Top companies"] .name')) {
        bump(record.dom, name.textContent.trim());
      }
      const detail = document.querySelector('[data-testid=call-detail]');
      if (detail) {
        for (const dt of detail.querySelectorAll('dt')) {
          const label = dt.textContent.trim();
          const value = dt.nextElementSibling?.textContent.trim() ?? '';
          if (label === 'Company') bump(record.dom, value);
          if (label === 'Record id') detailsSeen.add(value);
          if (label === 'Call-ID') record.domSip++;
        }
        for (const h3 of detail.querySelectorAll('h3')) {
          if (h3.textContent.trim() === 'SIP') record.domSip++;
        }
        if (detail.querySelector('[data-testid=detail-call-id]')) record.domSip++;
        record.details = detailsSeen.size;
      }
    };
    const start = () =>
      new MutationObserver(scan).observe(document.documentElement, {
        subtree: true,
        childList: true,
        characterData: true,
      });
    if (document.documentElement) start();
    else document.addEventListener('DOMContentLoaded', start);
  });
}

async function scopeRecord(page: Page): Promise<ScopeRecord> {
  return page.evaluate(() => (window as unknown as { __scope: ScopeRecord }).__scope);
}

/**
 * For `windowMs`, a company user works the dashboard — both ends of the company sort,
 * reloads (fresh snapshots), scrolling, opening calls — while everything the page receives
 * and renders is recorded. Not one record or label of another company may appear, and no
 * SIP internals. `page` must be signed in in a context prepared with `recordScope`.
 */
export async function expectOnlyCompany(
  page: Page,
  base: string,
  company: string,
  windowMs: number,
): Promise<ScopeRecord> {
  const merged: ScopeRecord = {
    wire: {},
    wireSip: 0,
    wireSources: 0,
    dom: {},
    domSip: 0,
    details: 0,
  };
  const add = (r: ScopeRecord) => {
    for (const [k, n] of Object.entries(r.wire)) merged.wire[k] = (merged.wire[k] ?? 0) + n;
    for (const [k, n] of Object.entries(r.dom)) merged.dom[k] = (merged.dom[k] ?? 0) + n;
    merged.wireSip += r.wireSip;
    merged.wireSources += r.wireSources;
    merged.domSip += r.domSip;
    merged.details += r.details;
  };
  const end = Date.now() + windowMs;
  let order: 'asc' | 'desc' = 'asc';
  while (Date.now() < end) {
    // A navigation starts a fresh page (and record): keep what the last one saw.
    await page.goto(`${base}/?sort=company&order=${order}`);
    await waitUntil(() => onScreenRows(page), {
      what: 'rows',
      accept: (r) => r.length > 0,
      ...PAGE_WAIT,
    });
    for (let i = 0; i < 3 && Date.now() < end; i++) {
      const rows = (await onScreenRows(page)).filter((r) => !r.ended);
      const row = rows[Math.floor(Math.random() * rows.length)];
      if (row) {
        await page.click(`[data-call-id="${row.id}"]`, { timeout: 1_000 }).catch(() => {});
        await page.waitForTimeout(400);
      }
      await page
        .locator('[data-testid=calls-viewport]')
        .evaluate((el) => (el.scrollTop += el.clientHeight));
      await page.waitForTimeout(400);
    }
    add(await scopeRecord(page));
    order = order === 'asc' ? 'desc' : 'asc';
  }
  const others = (map: Record<string, number>) => Object.keys(map).filter((k) => k !== company);
  assert.deepEqual(
    others(merged.wire),
    [],
    `records of other companies received: ${JSON.stringify(merged.wire)}`,
  );
  assert.deepEqual(others(merged.dom), [], `other companies shown: ${JSON.stringify(merged.dom)}`);
  assert.equal(merged.wireSip, 0, 'no record carried sip');
  assert.equal(merged.wireSources, 0, 'no PBX sources for a company user');
  assert.equal(merged.domSip, 0, 'no Call-ID or SIP section shown');
  assert.ok(
    (merged.wire[company] ?? 0) >= 20,
    `enough ${company} traffic to mean something: ${JSON.stringify(merged.wire)}`,
  );
  assert.ok(merged.details >= 2, `several call details opened: ${merged.details}`);
  return merged;
}
