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
  'attention',
] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];
export type SortOrder = 'asc' | 'desc';

export interface CallSort {
  column: SortColumn;
  order: SortOrder;
}

/** Newest calls first: what the table shows when nobody chose otherwise. */
export const DEFAULT_SORT: CallSort = Object.freeze({ column: 'start', order: 'desc' });
/** Wall mode's default: what needs a look first, not the newest setup. */
export const ATTENTION_SORT: CallSort = Object.freeze({ column: 'attention', order: 'desc' });

/** A call still unanswered after this long is stuck, not just ringing. */
export const STUCK_AFTER_MS = 30_000;

/** Apart by tier, then by duration within it (no call lasts 10^10 ms). */
const TIER = 1e10;

function failed(call: CallRecord): boolean {
  const end = call.end;
  return end !== undefined && (end.reason === 'failed' || (end.sip_code ?? 0) >= 400);
}

/**
 * Attention, highest first: calls stuck in setup or ringing, then answered calls by talk
 * time (the longest ones), then calls that only started; ended calls last while they fade,
 * failures (red, with their code) above normal hang-ups. Failures are not put on top: at
 * a few per second, their 2-s fade would fill the wall with churn, as newest-first did.
 */
function attention(call: CallRecord, now: number): number {
  const ms = durationMs(call, now);
  if (call.phase === 'ended') return failed(call) ? 0.5 * TIER + ms : ms;
  if (call.phase === 'answered') return 2 * TIER + ms;
  return (ms >= STUCK_AFTER_MS ? 3 : 1) * TIER + ms;
}

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
    case 'attention':
      return attention(call, now);
  }
}

/**
 * Sorts calls in place. Ties break on id so the order is total and stable across rebuilds —
 * rows must not swap places every frame just because their keys are equal.
 */
export function sortCalls(calls: CallRecord[], sort: CallSort, now: number): CallRecord[] {
  return sortByCall(calls, (call) => call, sort, now);
}

/** Sorts items that each hold a call (the table's listed rows) in place, as sortCalls does. */
export function sortByCall<T>(
  items: T[],
  callOf: (item: T) => CallRecord,
  sort: CallSort,
  now: number,
): T[] {
  const dir = sort.order === 'asc' ? 1 : -1;
  const keyed = items.map((item) => {
    const call = callOf(item);
    return { item, id: call.id, key: sortKey(call, sort.column, now) };
  });
  keyed.sort((a, b) => {
    if (a.key < b.key) return -dir;
    if (a.key > b.key) return dir;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  for (let i = 0; i < keyed.length; i++) items[i] = keyed[i]!.item;
  return items;
}

/** The sort in the URL; without one, the table's default or, on a wall, attention. */
export function sortFromQuery(query: URLSearchParams, wall = false): CallSort {
  const column = query.get('sort');
  const order = query.get('order');
  if (!column || !(SORT_COLUMNS as readonly string[]).includes(column)) {
    return wall ? ATTENTION_SORT : DEFAULT_SORT;
  }
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
  const numeric = column === 'duration' || column === 'start' || column === 'attention';
  return { column, order: numeric ? 'desc' : 'asc' };
}
