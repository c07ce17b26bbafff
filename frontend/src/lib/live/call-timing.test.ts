import { describe, expect, it } from 'vitest';
import { callTiming, formatAge, formatClock, formatDuration } from './call-timing.js';
import { call, T0 } from './test-calls.js';

describe('callTiming', () => {
  it('counts ringing time from creation, then talk time from answer', () => {
    expect(callTiming(call(1, { phase: 'ringing' }), T0 + 7_000)).toEqual({
      kind: 'ringing',
      ms: 7_000,
    });
    expect(callTiming(call(1, { phase: 'answered' }), T0 + 65_000)).toEqual({
      kind: 'talk',
      ms: 60_000,
    });
  });

  it('is never negative when the server clock lags the record', () => {
    expect(callTiming(call(1, { phase: 'ringing' }), T0 - 5_000).ms).toBe(0);
  });

  it('freezes an ended call at its talk time', () => {
    expect(callTiming(call(1, { phase: 'ended' }), T0 + 999_999)).toEqual({
      kind: 'ended',
      ms: 55_000,
    });
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0:00'],
    [7_400, '0:07'],
    [754_000, '12:34'],
    [3_723_000, '1:02:03'],
    [-5, '0:00'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('formats ages', () => {
    expect(formatAge(3_500)).toBe('3 s');
    expect(formatAge(180_000)).toBe('3 min');
  });
});

describe('formatClock in UTC', () => {
  it('shows the UTC time of day whatever the browser zone', () => {
    expect(formatClock(Date.UTC(2026, 10, 29, 4, 5, 6), 'utc')).toBe('04:05:06');
  });
});
