import { describe, expect, it } from 'vitest';
import {
  compileFilter,
  EMPTY_FILTER,
  filterFromQuery,
  filterToQuery,
  isFilterActive,
  type CallFilter,
} from './call-filter.js';
import { call, T0 } from './test-calls.js';

const f = (overrides: Partial<CallFilter>): CallFilter => ({ ...EMPTY_FILTER, ...overrides });

describe('call filter', () => {
  it('round-trips through the URL and keeps unrelated keys', () => {
    const filter = f({
      companies: new Set(['acme', null]),
      trunks: new Set(['trunk-a']),
      directions: new Set(['inbound', 'outbound'] as const),
      phases: new Set(['ringing'] as const),
      number: '+4930',
      numberMatch: 'prefix',
      minDurationS: 30,
    });
    const query = filterToQuery(filter, new URLSearchParams('wall=1&sort=duration'));
    expect(query.get('wall')).toBe('1');
    expect(query.get('company')).toBe('acme,-');
    expect(filterFromQuery(query)).toEqual(filter);
  });

  it('omits defaults and ignores garbage', () => {
    expect(filterToQuery(EMPTY_FILTER, new URLSearchParams()).toString()).toBe('');
    const parsed = filterFromQuery(new URLSearchParams('dir=sideways&phase=ended&min=-3'));
    expect(isFilterActive(parsed)).toBe(false);
  });

  it('narrows by company, trunk, direction and phase', () => {
    const calls = [
      call(1),
      call(2, { company_id: 'globex' }),
      call(3, { company_id: null, trunk: null }),
      call(4, { direction: 'outbound', phase: 'answered' }),
    ];
    const ids = (filter: CallFilter) => {
      const keep = compileFilter(filter);
      return calls.filter((c) => keep(c, T0)).map((c) => c.call_id);
    };
    expect(ids(f({ companies: new Set(['acme']) }))).toEqual(['call-1', 'call-4']);
    expect(ids(f({ companies: new Set([null]) }))).toEqual(['call-3']);
    expect(ids(f({ trunks: new Set([null]) }))).toEqual(['call-3']);
    expect(ids(f({ directions: new Set(['outbound'] as const) }))).toEqual(['call-4']);
    expect(ids(f({ phases: new Set(['answered'] as const) }))).toEqual(['call-4']);
  });

  it('searches numbers by substring or prefix, ignoring separators', () => {
    const c = call(1, { from: { user: '+49 30 1234567', display: 'Alice' }, to: { user: '200' } });
    const test = (number: string, numberMatch: 'prefix' | 'contains') =>
      compileFilter(f({ number, numberMatch }))(c, T0);
    expect(test('1234', 'contains')).toBe(true);
    expect(test('1234', 'prefix')).toBe(false);
    expect(test('+4930', 'prefix')).toBe(true);
    expect(test('20', 'prefix')).toBe(true);
    expect(test('alice', 'contains')).toBe(true);
    expect(test('999', 'contains')).toBe(false);
  });

  it('applies a minimum duration, but lets a fading row stay put', () => {
    const keep = compileFilter(f({ minDurationS: 10, phases: new Set(['answered'] as const) }));
    const c = call(1, { phase: 'answered' }); // answered at T0 + 5 s
    expect(keep(c, T0 + 14_000)).toBe(false);
    expect(keep(c, T0 + 15_000)).toBe(true);
    const ended = call(1, { phase: 'ended' });
    expect(keep(ended, T0)).toBe(false);
    expect(keep(ended, T0, true)).toBe(true);
  });
});
