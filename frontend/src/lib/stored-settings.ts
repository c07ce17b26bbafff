// What the dashboard remembers per browser (the theme, each user's concurrency curve) and
// the one way it keeps it: localStorage, every key under one prefix. Storage that is
// missing, disabled (private mode) or full never breaks the page: a setting then lasts for
// this page only.

const PREFIX = 'live-calls:';

function storage(): Storage | undefined {
  // Absent outside a browser (unit tests, a server-side import).
  return typeof localStorage === 'undefined' ? undefined : localStorage;
}

/** The saved value of `name`, or null when there is none or storage is unavailable. */
export function loadSetting(name: string): string | null {
  try {
    return storage()?.getItem(PREFIX + name) ?? null;
  } catch {
    return null;
  }
}

/** Saves `value` under `name`; silently keeps nothing when storage refuses. */
export function saveSetting(name: string, value: string): void {
  try {
    storage()?.setItem(PREFIX + name, value);
  } catch {
    // Full or disabled: the value lives as long as this page.
  }
}
