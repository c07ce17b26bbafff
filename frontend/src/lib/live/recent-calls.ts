// The "Recent" view: calls of the scope ended in the last 15 min, from
// GET /api/v1/live/recent (docs/interface/http.md), newest first as the server sends them.
// The server is asked for all of them once per refresh; reason, trunk and company narrow
// them here, so changing a filter answers at once.
import type { CallRecord, EndReason } from '@live-calls/protocol';

export interface RecentFilter {
  reason: EndReason | null;
  /** A trunk, `''` for calls without one, null for every trunk. */
  trunk: string | null;
  /** A company, `''` for calls without one, null for every company. */
  company: string | null;
}

export const EVERY_RECENT: RecentFilter = { reason: null, trunk: null, company: null };

/** What an operator reads for each end reason. */
export const END_REASON_LABELS: Record<EndReason, string> = {
  bye: 'Hung up',
  cancel: 'Cancelled',
  failed: 'Failed',
  timeout: 'Timed out',
  reaped: 'Lost (reaped)',
  terminated: 'Ended by operator',
};

export function filterRecent(
  records: readonly CallRecord[],
  filter: RecentFilter,
): readonly CallRecord[] {
  return records.filter(
    (r) =>
      (filter.reason === null || r.end?.reason === filter.reason) &&
      (filter.trunk === null || (r.trunk ?? '') === filter.trunk) &&
      (filter.company === null || (r.company_id ?? '') === filter.company),
  );
}

/** The distinct values of one field for a filter's options, `''` standing for none. */
export function recentOptions(
  records: readonly CallRecord[],
  field: 'trunk' | 'company_id',
): string[] {
  return [...new Set(records.map((r) => r[field] ?? ''))].sort();
}

/** Keeps only records that carry an end (what the route promises; anything else is dropped). */
export function endedRecords(raw: unknown): CallRecord[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (r): r is CallRecord =>
      typeof r === 'object' &&
      r !== null &&
      typeof (r as CallRecord).id === 'string' &&
      typeof (r as CallRecord).end?.reason === 'string',
  );
}
