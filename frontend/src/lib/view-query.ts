// Page-level view options kept in the URL beside the filters: wall mode, chart span and
// the open call, so a wall screen's bookmark restores exactly what it showed.

/** Below this window height the chart panels start folded (a 1366×768 laptop, say). */
export const PANELS_AUTO_MIN_HEIGHT = 900;

export const CHART_SPANS = [15, 30, 60] as const;
const DEFAULT_SPAN = 30;

export function isWall(query: URLSearchParams): boolean {
  const value = query.get('wall');
  return value === '1' || value === 'true';
}

export function chartSpan(query: URLSearchParams): number {
  const span = Number(query.get('span'));
  return (CHART_SPANS as readonly number[]).includes(span) ? span : DEFAULT_SPAN;
}

export function withParam(
  query: URLSearchParams,
  key: string,
  value: string | null,
): URLSearchParams {
  const out = new URLSearchParams(query);
  if (value === null) out.delete(key);
  else out.set(key, value);
  return out;
}

/**
 * The dashboard is the only page, so "where to go after sign-in" is just its query string.
 * Carrying a query rather than a URL means a crafted login link cannot send an operator to
 * another origin.
 */
export function dashboardHref(query: string | null): `/?${string}` | '/' {
  const search = new URLSearchParams(query ?? '').toString();
  return search ? `/?${search}` : '/';
}
