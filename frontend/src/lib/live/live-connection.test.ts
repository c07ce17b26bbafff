import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LiveEvent } from './live-model.js';
import { LiveConnection, type LiveConnectionHandlers } from './live-connection.js';
import { T0 } from './test-calls.js';

// Stand-ins for the browser's own objects (EventSource, window, navigator, fetch); the
// connection itself runs as it does in the page.
class FakeEventSource extends EventTarget {
  static readonly CLOSED = 2;
  readyState = 1;

  constructor(readonly url: string) {
    super();
  }

  close(): void {
    this.readyState = FakeEventSource.CLOSED;
  }

  emit(name: string, data: unknown, id = ''): void {
    this.dispatchEvent(new MessageEvent(name, { data: JSON.stringify(data), lastEventId: id }));
  }

  /** A failure; `closed`: the browser gives up (an HTTP error) instead of retrying itself. */
  fail(closed: boolean): void {
    if (closed) this.readyState = FakeEventSource.CLOSED;
    this.dispatchEvent(new Event('error'));
  }
}

const CONNECTED = {
  stream_id: 's1',
  epoch: 'e1',
  seq: 10,
  role: 'noc',
  company_id: null,
  heartbeat_ms: 15_000,
  server_time: T0,
};

let sources: FakeEventSource[];
let network: EventTarget;
let authStatus: number;
let lastEventId: string | null;
let received: {
  events: LiveEvent[];
  errors: number;
  online: boolean[];
  sessionEnded: number;
  retries: number[];
};

function latest(): FakeEventSource {
  const source = sources.at(-1);
  if (source === undefined) throw new Error('no EventSource opened');
  return source;
}

function connection(): LiveConnection {
  const handlers: LiveConnectionHandlers = {
    event: (event) => received.events.push(event),
    error: () => received.errors++,
    network: (online) => received.online.push(online),
    sessionEnded: () => received.sessionEnded++,
    retryScheduled: (at) => received.retries.push(at),
    lastEventId: () => lastEventId,
  };
  return new LiveConnection(handlers, (url) => {
    const source = new FakeEventSource(url);
    sources.push(source);
    return source as unknown as EventSource;
  });
}

/** The browser gives up on the stream; the session check answers `authStatus`. */
async function serverFails(): Promise<void> {
  latest().fail(true);
  await vi.advanceTimersByTimeAsync(0);
}

/** Asserts the next reconnect comes within `[earliest, latest]` ms, and lets it happen. */
async function expectReconnectBetween(earliest: number, latestMs: number): Promise<void> {
  const opened = sources.length;
  await vi.advanceTimersByTimeAsync(earliest - 1);
  expect(sources.length, `no reconnect before ${earliest} ms`).toBe(opened);
  await vi.advanceTimersByTimeAsync(latestMs - earliest + 1);
  expect(sources.length, `a reconnect by ${latestMs} ms`).toBe(opened + 1);
}

beforeEach(() => {
  vi.useFakeTimers();
  sources = [];
  network = new EventTarget();
  authStatus = 200;
  lastEventId = null;
  received = { events: [], errors: 0, online: [], sessionEnded: 0, retries: [] };
  vi.stubGlobal('EventSource', FakeEventSource);
  vi.stubGlobal('window', network);
  vi.stubGlobal('navigator', { onLine: true });
  vi.stubGlobal('fetch', () =>
    Promise.resolve(new Response(authStatus === 200 ? '{}' : null, { status: authStatus })),
  );
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('LiveConnection', () => {
  it('opens the stream where the state left off and forwards parsed events', () => {
    lastEventId = 'e1:42';
    const link = connection();
    link.start();
    expect(latest().url).toBe('/api/v1/live/calls?last_event_id=e1%3A42');
    expect(received.online).toEqual([true]);

    latest().emit('connected', CONNECTED);
    latest().emit('ping', { server_time: T0, seq: 10 });
    latest().dispatchEvent(new MessageEvent('ping', { data: 'not json' }));
    expect(received.events.map((e) => e.name)).toEqual(['connected', 'ping']);
    expect(link.streaming).toBe(true);
    link.stop();
  });

  it('after the browser gives up, retries after 1 s, doubling to 30 s, ±25 %', async () => {
    const link = connection();
    link.start();
    for (const base of [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]) {
      await serverFails();
      expect(link.streaming).toBe(false);
      // The page is told when, so it can count down to it.
      const due = received.retries.at(-1)! - Date.now();
      expect(due).toBeGreaterThanOrEqual(base * 0.75);
      expect(due).toBeLessThanOrEqual(base * 1.25);
      await expectReconnectBetween(base * 0.75, base * 1.25);
    }
    expect(received.retries).toHaveLength(7);
    expect(received.errors).toBe(7);
    link.stop();
  });

  it('starts the schedule over once the server accepts the stream', async () => {
    const link = connection();
    link.start();
    await serverFails();
    await expectReconnectBetween(750, 1_250);
    await serverFails();
    await expectReconnectBetween(1_500, 2_500);
    latest().emit('connected', CONNECTED);
    await serverFails();
    await expectReconnectBetween(750, 1_250);
    link.stop();
  });

  it('resumes from the id the state holds at the moment of reconnecting', async () => {
    const link = connection();
    link.start();
    lastEventId = 'e1:99';
    await serverFails();
    await vi.advanceTimersByTimeAsync(1_250);
    expect(latest().url).toBe('/api/v1/live/calls?last_event_id=e1%3A99');
    link.stop();
  });

  it('a 401 from the session check ends the session and stops retrying', async () => {
    authStatus = 401;
    const link = connection();
    link.start();
    await serverFails();
    expect(received.sessionEnded).toBe(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sources).toHaveLength(1);
    link.stop();
  });

  it('reconnects at once when the network comes back', async () => {
    const link = connection();
    link.start();
    network.dispatchEvent(new Event('offline'));
    await serverFails();
    expect(sources).toHaveLength(1);
    network.dispatchEvent(new Event('online'));
    expect(sources).toHaveLength(2);
    expect(received.online).toEqual([true, false, true]);
    link.stop();
  });

  it('reconnectNow() replaces a stream that went silent', () => {
    const link = connection();
    link.start();
    const silent = latest();
    link.reconnectNow();
    expect(silent.readyState).toBe(FakeEventSource.CLOSED);
    expect(sources).toHaveLength(2);
    link.stop();
  });

  it('stop() closes the stream, cancels the retry and stops listening to the network', async () => {
    const link = connection();
    link.start();
    await serverFails();
    link.stop();
    expect(latest().readyState).toBe(FakeEventSource.CLOSED);
    await vi.advanceTimersByTimeAsync(60_000);
    network.dispatchEvent(new Event('online'));
    network.dispatchEvent(new Event('offline'));
    link.reconnectNow();
    expect(sources).toHaveLength(1);
    expect(received.online).toEqual([true]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
