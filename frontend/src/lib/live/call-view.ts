// The table's rows: listed calls through the filter, then sorted. Rebuilt a few times a
// second at most; between rebuilds rows keep their places, so the table never jumps
// under the operator's eyes while calls change every frame.
import type { CallFilter } from './call-filter.js';
import { compileFilter } from './call-filter.js';
import type { CallSort } from './call-sort.js';
import { sortByCall } from './call-sort.js';
import type { ListedCall } from './live-model.js';

export interface PhaseCounts {
  setup: number;
  ringing: number;
  answered: number;
}

export interface CallView {
  rows: ListedCall[];
  /** Active calls listed (before filtering). */
  active: number;
  phases: PhaseCounts;
  /** Distinct values seen, for the filter pickers; `null` = none assigned. */
  companies: (string | null)[];
  trunks: (string | null)[];
  /** Active calls per company / trunk; `''` stands for none assigned. */
  byCompany: Map<string, number>;
  byTrunk: Map<string, number>;
}

function distinct(values: Set<string | null>): (string | null)[] {
  return [...values].sort((a, b) =>
    a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0,
  );
}

export function buildView(
  listed: Iterable<ListedCall>,
  filter: CallFilter,
  sort: CallSort,
  serverNow: number,
): CallView {
  const keep = compileFilter(filter);
  const phases: PhaseCounts = { setup: 0, ringing: 0, answered: 0 };
  const companies = new Set<string | null>();
  const trunks = new Set<string | null>();
  const rows: ListedCall[] = [];
  const byCompany = new Map<string, number>();
  const byTrunk = new Map<string, number>();
  let active = 0;
  for (const entry of listed) {
    const { record } = entry;
    companies.add(record.company_id);
    trunks.add(record.trunk);
    const fading = entry.endedAt !== null || record.phase === 'ended';
    if (record.phase !== 'ended' && !fading) {
      active++;
      phases[record.phase]++;
      const company = record.company_id ?? '';
      const trunk = record.trunk ?? '';
      byCompany.set(company, (byCompany.get(company) ?? 0) + 1);
      byTrunk.set(trunk, (byTrunk.get(trunk) ?? 0) + 1);
    }
    if (keep(record, serverNow, fading)) rows.push(entry);
  }
  sortByCall(rows, (entry) => entry.record, sort, serverNow);
  return {
    rows,
    active,
    phases,
    companies: distinct(companies),
    trunks: distinct(trunks),
    byCompany,
    byTrunk,
  };
}
