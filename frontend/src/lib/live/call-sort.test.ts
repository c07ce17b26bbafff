import { describe, expect, it } from 'vitest';
import { ATTENTION_SORT, DEFAULT_SORT, sortCalls, sortFromQuery } from './call-sort.js';
import { call, T0 } from './test-calls.js';

describe('attention order (wall mode)', () => {
  it('puts stuck ringing, then the longest answered first; fresh calls next; failures above hang-ups', () => {
    const now = T0 + 600_000;
    const calls = [
      call(1, { phase: 'setup', created_at: now - 2_000 }),
      call(2, { phase: 'answered', answered_at: now - 300_000 }),
      call(3, { phase: 'ringing', created_at: now - 45_000 }),
      call(4, { phase: 'ended', end: { reason: 'failed', sip_code: 486 } }),
      call(5, { phase: 'answered', answered_at: now - 20_000 }),
      call(6, { phase: 'ended', end: { reason: 'bye' } }),
      call(7, { phase: 'ringing', created_at: now - 5_000 }),
    ];
    const order = sortCalls(calls, ATTENTION_SORT, now).map((c) => c.call_id);
    expect(order).toEqual(['call-3', 'call-2', 'call-5', 'call-7', 'call-1', 'call-4', 'call-6']);
  });

  it('is the wall default; the table keeps newest first; an explicit sort wins', () => {
    expect(sortFromQuery(new URLSearchParams(''), true)).toEqual(ATTENTION_SORT);
    expect(sortFromQuery(new URLSearchParams(''), false)).toEqual(DEFAULT_SORT);
    expect(sortFromQuery(new URLSearchParams('sort=duration&order=asc'), true)).toEqual({
      column: 'duration',
      order: 'asc',
    });
  });
});
