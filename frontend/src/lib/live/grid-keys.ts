// The calls table as a grid: which row a key moves the cursor to. The cursor is not the
// open call — arrows only move it; Enter opens it. Kept apart from the component so the
// key model is tested without a browser.

/** The row index `key` moves the cursor to, or null when the key is not a move. */
export function cursorMove(
  key: string,
  at: number,
  count: number,
  pageRows: number,
): number | null {
  if (count === 0) return null;
  const page = Math.max(1, pageRows);
  const targets: Record<string, number> = {
    ArrowDown: at < 0 ? 0 : at + 1,
    ArrowUp: at < 0 ? 0 : at - 1,
    PageDown: at < 0 ? 0 : at + page,
    PageUp: at - page,
    Home: 0,
    End: count - 1,
  };
  const target = targets[key];
  return target === undefined ? null : Math.max(0, Math.min(count - 1, target));
}

/** What the `?` list shows: every key the dashboard answers, in one place. */
export const SHORTCUTS: readonly { keys: string; what: string }[] = [
  { keys: '↑ ↓', what: 'Move the selection in the calls table' },
  { keys: 'PageUp PageDown Home End', what: 'Move the selection by a page, to the first or last' },
  { keys: 'Enter', what: 'Open the selected call' },
  { keys: 'Escape', what: 'Close the call detail (focus returns to its row); leave wall mode' },
  { keys: '/', what: 'Search numbers' },
  { keys: 'W', what: 'Wall mode on or off' },
  { keys: 'F', what: 'Full screen' },
  { keys: 'T', what: 'Light or dark theme' },
  { keys: 'U', what: 'Times in UTC or in this browser’s zone' },
  { keys: '?', what: 'This list' },
];
