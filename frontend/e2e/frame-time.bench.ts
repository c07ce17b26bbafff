// Rendering discipline (issue 6, item 8): with 10,000 live calls and 500 updates/s the page
// keeps p95 frame time ≤ 20 ms in headless Chromium. The feed is the synthetic SSE server
// (no simulator goes that high); everything from EventSource to DOM is the real app.
//
// Frame time = the interval between consecutive requestAnimationFrame callbacks, measured
// in the page for 10 s: 5 s watching the wall, then 5 s scrolling the table. Results are
// printed and written to artifacts/frontend-e2e/frame-time.json.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { waitUntil } from '@live-calls/test-services';
import { artifactPath, BUILD_DIR, launch, type Browser } from './browser.ts';
import { renderedRows, PAGE_WAIT } from './dashboard-helpers.ts';
import { startSyntheticFeed, type SyntheticFeed } from './synthetic-feed.ts';

const CALLS = Number(process.env.FRAME_TEST_CALLS ?? 10_000);
const UPDATES_PER_SECOND = Number(process.env.FRAME_TEST_UPDATES ?? 500);
const BUDGET_P95_MS = 20;

interface FrameStats {
  frames: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

function summarize(deltas: number[]): FrameStats {
  const sorted = [...deltas].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    frames: sorted.length,
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    p99: round(at(0.99)),
    max: round(sorted.at(-1) ?? 0),
  };
}

void describe(`frame time with ${CALLS} calls and ${UPDATES_PER_SECOND} updates/s`, () => {
  let feed: SyntheticFeed;
  let browser: Browser;

  before(async () => {
    feed = await startSyntheticFeed({
      buildDir: BUILD_DIR,
      calls: CALLS,
      updatesPerSecond: UPDATES_PER_SECOND,
    });
    browser = await launch({ width: 1920, height: 1080 });
  });

  after(async () => {
    await browser?.close();
    await feed?.close();
  });

  void it(`measures frame time (budget p95 ≤ ${BUDGET_P95_MS} ms)`, async () => {
    const page = await browser.context.newPage();
    await page.goto(`${feed.url}/`);
    await waitUntil(() => page.textContent('[data-testid=kpi-active]'), {
      what: 'the snapshot in the table',
      accept: (t) => Number((t ?? '').replace(/\D/g, '')) >= CALLS * 0.9,
      ...PAGE_WAIT,
      timeoutMs: 30_000,
    });
    assert.ok((await renderedRows(page)).length > 10);
    // Let the snapshot's one-off work (parse, first sort) settle before measuring.
    await page.waitForTimeout(2_000);
    const sentBefore = feed.sent();

    const measure = (scroll: boolean) =>
      page.evaluate(
        ({ durationMs, scroll }) =>
          new Promise<number[]>((resolve) => {
            const viewport = document.querySelector('[data-testid=calls-viewport]');
            const deltas: number[] = [];
            let last = -1;
            const end = performance.now() + durationMs;
            const frame = (t: number) => {
              if (last >= 0) deltas.push(t - last);
              last = t;
              // Scroll like a trackpad fling: 3 rows per frame, down then back up.
              if (scroll && viewport) {
                const max = viewport.scrollHeight - viewport.clientHeight;
                const y = ((t / 16) * 100) % (2 * max);
                viewport.scrollTop = y < max ? y : 2 * max - y;
              }
              if (t < end) requestAnimationFrame(frame);
              else resolve(deltas);
            };
            requestAnimationFrame(frame);
          }),
        { durationMs: 5_000, scroll },
      );

    const watching = await measure(false);
    const scrolling = await measure(true);
    const seconds = 10;
    const rate = Math.round((feed.sent() - sentBefore) / seconds);
    const result = {
      calls: CALLS,
      updatesPerSecondTarget: UPDATES_PER_SECOND,
      callEventsPerSecond: rate,
      watching: summarize(watching),
      scrolling: summarize(scrolling),
      overall: summarize([...watching, ...scrolling]),
      chromium: browser.version(),
    };
    console.log(`frame time: ${JSON.stringify(result, null, 2)}`);
    await writeFile(await artifactPath('frame-time.json'), `${JSON.stringify(result, null, 2)}\n`);
    await page.screenshot({ path: await artifactPath('frame-time-10k.png') });

    // A benchmark reports; the p95 budget is printed beside the number, not asserted, so a
    // busy machine cannot fail the build.
    assert.ok(rate >= UPDATES_PER_SECOND * 0.9, `feed kept up: ${rate}/s`);
    console.log(
      `frame time p95 ${result.overall.p95} ms (budget ${BUDGET_P95_MS} ms): ` +
        (result.overall.p95 <= BUDGET_P95_MS ? 'within' : 'OVER'),
    );
  });
});
