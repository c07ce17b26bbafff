import { describe, expect, it } from 'vitest';
import { ConnectionTracker } from './connection-tracker.js';
import { isStale, pageTitle, secondsUntil, staleNotice } from './stale-state.js';
import { formatZoned, zoneFromQuery, zonedTime } from './time-zone.js';

const T0 = Date.UTC(2026, 10, 29, 14, 3, 27);
const CONNECTED = {
  stream_id: 's1',
  epoch: 'e1',
  seq: 1,
  role: 'noc' as const,
  company_id: null,
  heartbeat_ms: 15_000,
  server_time: T0,
};

describe('stale state', () => {
  it('is not stale while live, stale from the first error, with the time it was lost', () => {
    const tracker = new ConnectionTracker();
    tracker.onConnected(CONNECTED, null, T0);
    expect(isStale(tracker.view(T0 + 1000))).toBe(false);
    expect(staleNotice(tracker.view(T0 + 1000), T0 + 1000, 'utc')).toBeNull();

    tracker.onError(T0 + 2000);
    const view = tracker.view(T0 + 3000);
    expect(isStale(view)).toBe(true);
    expect(view.failingSince).toBe(T0 + 2000);
    expect(staleNotice(view, T0 + 3000, 'utc')).toEqual({
      headline: 'Connection lost since 14:03:29 UTC',
      retry: 'Retrying…',
    });
  });

  it('counts down to the scheduled retry and says offline after 20 s', () => {
    const tracker = new ConnectionTracker();
    tracker.onConnected(CONNECTED, null, T0);
    tracker.onError(T0);
    tracker.onRetryScheduled(T0 + 25_000);
    expect(staleNotice(tracker.view(T0 + 21_100), T0 + 21_100, 'utc')).toEqual({
      headline: 'Offline since 14:03:27 UTC',
      retry: 'Retrying in 4 s',
    });
    // Due: no countdown below zero, just "Retrying…".
    expect(tracker.view(T0 + 25_000).retryAt).toBeNull();
  });

  it('is over at the next connected, retry forgotten', () => {
    const tracker = new ConnectionTracker();
    tracker.onConnected(CONNECTED, null, T0);
    tracker.onError(T0);
    tracker.onRetryScheduled(T0 + 1000);
    tracker.onConnected(CONNECTED, null, T0 + 1200);
    const view = tracker.view(T0 + 1300);
    expect(view).toMatchObject({ state: 'live', failingSince: null, retryAt: null });
  });

  it('a silent live stream is stale too, since its last event', () => {
    const tracker = new ConnectionTracker();
    tracker.onConnected(CONNECTED, null, T0);
    const view = tracker.view(T0 + 40_000);
    expect(view.silent).toBe(true);
    expect(staleNotice(view, T0 + 40_000, 'utc')?.headline).toBe(
      'Connection lost since 14:03:27 UTC',
    );
  });

  it('marks the tab title', () => {
    expect(pageTitle(122, false)).toBe('122 active · Live calls');
    expect(pageTitle(122, true)).toBe('⚠ OFFLINE · 122 active · Live calls');
  });

  it('counts whole seconds up, never below 1', () => {
    expect(secondsUntil(T0 + 3001, T0)).toBe(4);
    expect(secondsUntil(T0 + 3000, T0)).toBe(3);
    expect(secondsUntil(T0 - 10, T0)).toBe(1);
  });
});

describe('time zone', () => {
  it('reads tz=utc from the query, the browser zone otherwise', () => {
    expect(zoneFromQuery(new URLSearchParams('tz=utc'))).toBe('utc');
    expect(zoneFromQuery(new URLSearchParams('tz=UTC'))).toBe('utc');
    expect(zoneFromQuery(new URLSearchParams(''))).toBe('local');
  });

  it('names the zone with every time', () => {
    expect(zonedTime(T0, 'utc')).toEqual({ time: '14:03:27', zone: 'UTC' });
    expect(formatZoned(T0, 'utc', true)).toBe('2026-11-29 14:03:27 UTC');
    const local = zonedTime(T0, 'local');
    expect(local.time).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(local.zone).toMatch(/^UTC([+-]\d{1,2}(:\d\d)?)?$/);
  });

  it("names the browser's zone by its offset at that moment", () => {
    const tz = process.env.TZ;
    try {
      process.env.TZ = 'Asia/Kolkata';
      expect(zonedTime(T0, 'local')).toEqual({ time: '19:33:27', zone: 'UTC+5:30' });
      process.env.TZ = 'America/New_York';
      expect(formatZoned(T0, 'local', true)).toBe('2026-11-29 09:03:27 UTC-5');
      expect(zonedTime(Date.UTC(2026, 6, 1, 12), 'local').zone).toBe('UTC-4');
      expect(zonedTime(T0, 'utc').zone).toBe('UTC');
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });
});
