import { describe, expect, it } from 'vitest';
import { EMPTY_FILTER } from './call-filter.js';
import { nextSort, sortFromQuery, sortToQuery } from './call-sort.js';
import { buildView } from './call-view.js';
import type { ListedCall } from './live-model.js';
import { call, T0 } from './test-calls.js';

const listed = (record: ReturnType<typeof call>, endedAt: number | null = null): ListedCall => ({
  record,
  seenAt: T0,
  endedAt,
});

describe('buildView', () => {
  const rows = [
    listed(call(1, { created_at: T0 + 1, from: { user: 'b' } })),
    listed(call(2, { created_at: T0 + 3, from: { user: 'a' }, phase: 'answered' })),
    listed(call(3, { created_at: T0 + 2, from: { user: 'c' }, phase: 'setup' })),
    listed(call(4, { phase: 'ended' }), T0),
  ];

  it('sorts newest first by default and counts phases without fading rows', () => {
    const view = buildView(rows, EMPTY_FILTER, { column: 'start', order: 'desc' }, T0 + 10_000);
    expect(view.rows.map((r) => r.record.call_id)).toEqual([
      'call-2',
      'call-3',
      'call-1',
      'call-4',
    ]);
    expect(view.active).toBe(3);
    expect(view.phases).toEqual({ setup: 1, ringing: 1, answered: 1 });
  });

  it('sorts by any column with a stable tie-break', () => {
    const byFrom = buildView(rows, EMPTY_FILTER, { column: 'from', order: 'asc' }, T0);
    expect(byFrom.rows.map((r) => r.record.from.user)).toEqual(['+49301234', 'a', 'b', 'c']);
    const byTrunk = buildView(rows, EMPTY_FILTER, { column: 'trunk', order: 'asc' }, T0);
    expect(byTrunk.rows.map((r) => r.record.call_id)).toEqual([
      'call-1',
      'call-2',
      'call-3',
      'call-4',
    ]);
  });
});

describe('sort state', () => {
  it('round-trips through the URL, omitting the default', () => {
    const query = sortToQuery({ column: 'duration', order: 'asc' }, new URLSearchParams());
    expect(sortFromQuery(query)).toEqual({ column: 'duration', order: 'asc' });
    expect(sortToQuery({ column: 'start', order: 'desc' }, new URLSearchParams()).toString()).toBe(
      '',
    );
    expect(sortFromQuery(new URLSearchParams('sort=nope'))).toEqual({
      column: 'start',
      order: 'desc',
    });
  });

  it('flips on a second click and starts text columns ascending', () => {
    expect(nextSort({ column: 'start', order: 'desc' }, 'from')).toEqual({
      column: 'from',
      order: 'asc',
    });
    expect(nextSort({ column: 'from', order: 'asc' }, 'from')).toEqual({
      column: 'from',
      order: 'desc',
    });
    expect(nextSort({ column: 'from', order: 'asc' }, 'duration')).toEqual({
      column: 'duration',
      order: 'desc',
    });
  });
});
