// What the browser tests read off the page: rows as rendered, the connection badge, and
// how long to wait for them. Everything goes through the DOM the operator sees.
import type { Page } from 'playwright-core';

export interface RenderedRow {
  id: string;
  phase: string;
  ended: boolean;
  cells: string[];
}

export async function renderedRows(page: Page): Promise<RenderedRow[]> {
  return page.$$eval('[data-call-id]', (elements) =>
    elements
      .map((el) => {
        const row = el as HTMLElement;
        return {
          id: row.dataset.callId ?? '',
          phase: row.dataset.phase ?? '',
          ended: row.classList.contains('ended'),
          top: row.getBoundingClientRect().top,
          cells: [...row.querySelectorAll('[role=gridcell]')].map((c) => c.textContent.trim()),
        };
      })
      .sort((a, b) => a.top - b.top)
      .map(({ top: _top, ...row }) => row),
  );
}

/** Rows inside the visible viewport (the virtualizer renders a few more above and below). */
export async function onScreenRows(page: Page): Promise<RenderedRow[]> {
  const box = await page.locator('[data-testid=calls-viewport]').boundingBox();
  if (!box) return [];
  const all = await page.$$eval('[data-call-id]', (elements) =>
    elements.map((el) => {
      const row = el as HTMLElement;
      const rect = row.getBoundingClientRect();
      return {
        id: row.dataset.callId ?? '',
        phase: row.dataset.phase ?? '',
        ended: row.classList.contains('ended'),
        top: rect.top,
        cells: [...row.querySelectorAll('[role=gridcell]')].map((c) => c.textContent.trim()),
      };
    }),
  );
  return all
    .filter((r) => r.top >= box.y - 1 && r.top < box.y + box.height)
    .sort((a, b) => a.top - b.top)
    .map(({ top: _top, ...row }) => row);
}

export async function connectionState(page: Page): Promise<string> {
  return (await page.getAttribute('[data-testid=connection] [data-state]', 'data-state')) ?? '';
}

export async function lastSync(page: Page): Promise<string> {
  const el = page.locator('[data-testid=last-sync]');
  return (await el.count()) > 0 ? ((await el.textContent()) ?? '') : '';
}

/**
 * How long a step gives the page to show what it waits for, and how often it reads the page
 * meanwhile (`waitUntil` options; reading the DOM is not free on a busy table).
 */
export const PAGE_WAIT = { timeoutMs: 15_000, intervalMs: 150 } as const;

/** `m:ss` or `h:mm:ss` → seconds. */
export function seconds(text: string): number {
  return text.split(':').reduce((total, part) => total * 60 + Number(part), 0);
}

export const COLUMN = {
  from: 0,
  to: 1,
  direction: 2,
  phase: 3,
  company: 4,
  trunk: 5,
  duration: 6,
  start: 7,
} as const;
