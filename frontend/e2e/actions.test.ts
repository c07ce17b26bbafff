// Acting and being warned from the wall, in the embedded demo behind Caddy: an operator
// hangs up a call from its detail (the end arrives on the stream as `terminated` by that
// operator), a noc user gets no such button, and a `long_call` alarm (set to a few seconds
// by ALARMS_FILE) is raised on the strip, marks its row, and clears visibly once the call
// is hung up.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { closeAll, waitUntil, type ManagedService } from '@live-calls/test-services';
import type { Page } from 'playwright-core';
import { seriousViolations } from './accessibility.ts';
import { docsScreenshot, launch, type Browser } from './browser.ts';
import { onScreenRows, PAGE_WAIT } from './dashboard-helpers.ts';
import { signIn } from './scenarios.ts';
import { startBackend, startProxy } from './services.ts';

/** Answered calls older than this raise a `long_call` warning. */
const LONG_CALL_S = 3;

void describe('actions and alarms on the embedded backend through Caddy', () => {
  let backend: ManagedService | undefined;
  let caddy: ManagedService | undefined;
  let browser: Browser | undefined;
  let dir: string | undefined;
  let base: string;
  let operator: Page;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lc-actions-'));
    const alarmsFile = join(dir, 'alarms.json');
    await writeFile(
      alarmsFile,
      JSON.stringify({ rules: [{ rule: 'long_call', warning: LONG_CALL_S, critical: 36_000 }] }),
    );
    backend = await startBackend({
      SIM_CPS: '3',
      SIM_MAX_ACTIVE: '60',
      LOG_LEVEL: 'warn',
      ALARMS_FILE: alarmsFile,
    });
    caddy = await startProxy(backend.port);
    base = caddy.url;
    browser = await launch({ width: 1600, height: 900 });
    operator = await browser.context.newPage();
    operator.on('pageerror', (error) => console.error('page error:', error.message));
  });

  after(async () => {
    await browser?.close();
    await closeAll([backend, caddy]);
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** The strip's entry for an alarm id: its state, or null when not shown. */
  const alarmState = (page: Page, id: string) =>
    page.evaluate(
      (id) =>
        document
          .querySelector(`[data-testid=alarm][data-alarm-id="${CSS.escape(id)}"]`)
          ?.getAttribute('data-state') ?? null,
      id,
    );

  void it('raises a long_call alarm on the strip and marks the call’s row', async () => {
    await operator.goto(`${base}/`);
    await signIn(operator, 'operator', 'operator');
    const id = await waitUntil(
      () =>
        operator.evaluate(
          () =>
            document
              .querySelector(
                '[data-testid=alarm][data-state=raised][data-alarm-id^="long_call:call:"]',
              )
              ?.getAttribute('data-alarm-id') ?? null,
        ),
      { what: 'a long_call alarm on the strip', ...PAGE_WAIT, timeoutMs: 40_000 },
    );
    assert.ok(id);
    // Oldest first: the calls up longest are the ones the alarm is about.
    await operator.goto(`${base}/?sort=start&order=asc`);
    // Every shown row of a call under an alarm carries the alarm's colour, the others none.
    const rows = await waitUntil(
      () =>
        operator.evaluate(() => {
          const alarmed = new Set(
            [...document.querySelectorAll('[data-testid=alarm][data-state=raised]')].map((el) =>
              (el.getAttribute('data-alarm-id') ?? '').replace(/^long_call:call:/, ''),
            ),
          );
          return [...document.querySelectorAll<HTMLElement>('[data-call-id]')].map((row) => ({
            alarmed: alarmed.has(row.dataset.callId ?? ''),
            mark: row.dataset.alarm ?? null,
          }));
        }),
      {
        what: 'a shown row of an alarmed call',
        accept: (rows) => rows.some((row) => row.alarmed),
        ...PAGE_WAIT,
      },
    );
    for (const row of rows) assert.equal(row.mark, row.alarmed ? 'warning' : null);
  });

  void it('an operator hangs up the alarmed call: terminated on the stream, the alarm clears', async () => {
    const id = await operator.evaluate(
      () =>
        document
          .querySelector('[data-testid=alarm][data-state=raised][data-alarm-id^="long_call:call:"]')
          ?.getAttribute('data-alarm-id') ?? null,
    );
    assert.ok(id, 'a long_call alarm is still raised');
    const callId = id.slice('long_call:call:'.length);
    // A click on a call's alarm opens that call.
    await operator
      .locator(`[data-testid=alarm][data-alarm-id="${id}"] button`)
      .dispatchEvent('click');
    await operator.waitForSelector('[data-testid=call-detail]');
    assert.ok(operator.url().includes(`call=${encodeURIComponent(callId)}`), 'its call is open');
    await docsScreenshot(operator, 'alarms');

    await operator.click('[data-testid=hangup-button]');
    await operator.waitForSelector('[data-testid=hangup-confirm]');
    const clicked = Date.now();
    await operator.click('[data-testid=hangup-confirm]');
    const outcome = await waitUntil(
      () =>
        operator
          .locator('[data-testid=hangup-outcome]')
          .textContent()
          .catch(() => null),
      { what: 'the hang-up outcome', ...PAGE_WAIT },
    );
    const ms = Date.now() - clicked;
    assert.match(outcome ?? '', /Hung up by operator/);
    console.log(`hang-up: confirm click → call.ended terminated on the wall in ${ms} ms`);

    const state = await waitUntil(() => alarmState(operator, id), {
      what: 'the alarm cleared on the strip',
      accept: (s) => s === 'cleared' || s === null,
      ...PAGE_WAIT,
    });
    assert.ok(state === 'cleared' || state === null);
    await docsScreenshot(operator, 'hangup');
    // The strip, raised and cleared alarms included, meets contrast in both themes (the cleared
    // one scrolled into the strip's view: axe judges only what is shown).
    const shownCleared = operator.locator('[data-testid=alarm][data-state=cleared]');
    if ((await shownCleared.count()) > 0) await shownCleared.first().scrollIntoViewIfNeeded();
    for (const _theme of ['first', 'second']) {
      const theme = await operator.evaluate(() => document.documentElement.dataset.theme ?? 'dark');
      const cleared = await operator.locator('[data-testid=alarm][data-state=cleared]').count();
      const violations = await seriousViolations(operator);
      assert.deepEqual(
        violations,
        [],
        `${theme} theme, ${cleared} cleared shown: ${JSON.stringify(violations, null, 1)}`,
      );
      console.log(
        `axe: ${theme} theme with ${cleared} cleared alarm(s) shown: no serious violation`,
      );
      await operator.keyboard.press('t');
      await waitUntil(
        () => operator.evaluate(() => document.documentElement.dataset.theme ?? 'dark'),
        {
          what: 'the other theme',
          accept: (next) => next !== theme,
          ...PAGE_WAIT,
        },
      );
    }
  });

  void it('a noc user sees the call detail without a hang-up button', async () => {
    const context = await browser!.newContext();
    const noc = await context.newPage();
    await noc.goto(`${base}/`);
    await signIn(noc, 'noc', 'noc');
    const [row] = await waitUntil(() => onScreenRows(noc), {
      what: 'rows',
      accept: (rows) => rows.length > 0,
      ...PAGE_WAIT,
    });
    assert.ok(row);
    await noc.locator(`[data-call-id="${row.id}"]`).dispatchEvent('click');
    await noc.waitForSelector('[data-testid=call-detail]');
    assert.equal(await noc.locator('[data-testid=hangup-button]').count(), 0);
    await context.close();
  });
});
