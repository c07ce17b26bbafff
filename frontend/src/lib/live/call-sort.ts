// Sorting the table by any column. Keys are computed once per row per rebuild so 10,000
// rows sort in a few milliseconds without locale-aware comparisons.
import { PHASE_RANK, type CallRecord } from '@live-calls/protocol';
import { durationMs } from './call-timing.js';

const SORT_COLUMNS = [
  'from',
  'to',
  'direction',
  'phase',
  'company',
  'trunk',
  'duration',
  'start',
] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];
export type SortOrder = 'asc' | 'desc';

export interface CallSort {
  column: SortColumn;
  order: SortOrder;
}

/** Newest calls first: what a wall shows when nobody chose otherwise. */
export const DEFAULT_SORT: CallSort = Object.freeze({ column: 'start', order: 'desc' });

function sortKey(call: CallRecord, column: SortColumn, now: number): string | number {
  switch (column) {
    case 'from':
      return call.from.user;
    case 'to':
      return call.to.user;
    case 'direction':
      return call.direction;
    case 'phase':
      // Progress through a call: setup → ringing → answered → ended.
      return PHASE_RANK[call.phase];
    case 'company':
      // Unassigned calls sort last in ascending order.
      return call.company_id ?? '\uffff';
    case 'trunk':
      return call.trunk ?? '\uffff';
    case 'duration':
      return durationMs(call, now);
    case 'start':
      return call.created_at ?? call.ts;
  }
}

/**
 * Sorts calls in place. Ties break on id so the order is total and stable across rebuilds —
 * rows must not swap places every frame just because their keys are equal.
 */
export function sortCalls(calls: CallRecord[], sort: CallSort, now: number): CallRecord[] {
  const dir = sort.order === 'asc' ? 1 : -1;
  const keyed = calls.map((call) => ({ call, key: sortKey(call, sort.column, now) }));
  keyed.sort((a, b) => {
    if (a.key < b.key) return -dir;
    if (a.key > b.key) return dir;
    return a.call.id < b.call.id ? -1 : a.call.id > b.call.id ? 1 : 0;
  });
  for (let i = 0; i < keyed.length; i++) calls[i] = keyed[i]!.call;
  return calls;
}

export function sortFromQuery(query: URLSearchParams): CallSort {
  const column = query.get('sort');
  const order = query.get('order');
  if (!column || !(SORT_COLUMNS as readonly string[]).includes(column)) return DEFAULT_SORT;
  return { column: column as SortColumn, order: order === 'asc' ? 'asc' : 'desc' };
}

export function sortToQuery(sort: CallSort, query: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams(query);
  out.delete('sort');
  out.delete('order');
  if (sort.column !== DEFAULT_SORT.column || sort.order !== DEFAULT_SORT.order) {
    out.set('sort', sort.column);
    out.set('order', sort.order);
  }
  return out;
}

/** Clicking a column: first descending for numbers and time, ascending for text; then flip. */
export function nextSort(current: CallSort, column: SortColumn): CallSort {
  if (current.column === column) {
    return { column, order: current.order === 'asc' ? 'desc' : 'asc' };
  }
  const numeric = column === 'duration' || column === 'start';
  return { column, order: numeric ? 'desc' : 'asc' };
}
