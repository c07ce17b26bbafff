import type { CallRecord } from '@live-calls/protocol';
import { describe, expect, it } from 'vitest';
import { endedRecords, EVERY_RECENT, filterRecent, recentOptions } from './recent-calls.js';

function ended(
  id: string,
  reason: 'bye' | 'failed' | 'cancel',
  trunk: string | null,
  company: string | null,
): CallRecord {
  return {
    v: 1,
    id,
    source: 'pbx-a',
    call_id: id,
    seq: 3,
    phase: 'ended',
    ts: 1_000,
    company_id: company,
    direction: 'outbound',
    from: { user: '100' },
    to: { user: '200' },
    trunk,
    created_at: 0,
    answered_at: reason === 'bye' ? 500 : null,
    ended_at: 1_000,
    end: reason === 'failed' ? { reason, sip_code: 486 } : { reason },
  };
}

const calls = [
  ended('a', 'bye', 'carrier-1', 'acme'),
  ended('b', 'failed', 'carrier-2', 'acme'),
  ended('c', 'failed', null, null),
  ended('d', 'cancel', 'carrier-1', 'globex'),
];

describe('recent calls', () => {
  it('narrows by reason, trunk and company, keeping the server order', () => {
    expect(filterRecent(calls, EVERY_RECENT).map((c) => c.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(filterRecent(calls, { ...EVERY_RECENT, reason: 'failed' }).map((c) => c.id)).toEqual([
      'b',
      'c',
    ]);
    expect(filterRecent(calls, { ...EVERY_RECENT, trunk: '' }).map((c) => c.id)).toEqual(['c']);
    expect(
      filterRecent(calls, { reason: null, trunk: 'carrier-1', company: 'globex' }).map((c) => c.id),
    ).toEqual(['d']);
  });

  it('offers each trunk and company once, none spelled as an empty string', () => {
    expect(recentOptions(calls, 'trunk')).toEqual(['', 'carrier-1', 'carrier-2']);
    expect(recentOptions(calls, 'company_id')).toEqual(['', 'acme', 'globex']);
  });

  it('drops anything that is not an ended record', () => {
    expect(endedRecords({ nope: true })).toEqual([]);
    expect(endedRecords([calls[0], { id: 'x' }, null]).map((c) => c.id)).toEqual(['a']);
  });
});
