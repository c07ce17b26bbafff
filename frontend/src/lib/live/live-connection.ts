// The tab's link to the live stream, apart from the state it feeds: opens the EventSource,
// reconnects after the browser gives up (with back-off), reconnects at once when the
// network comes back, and tells an ended session from a failing server. stop() tears down
// everything start() set up: the stream, the retry timer, the online/offline listeners.
import { backoffDelay, type BackoffPolicy } from '@live-calls/protocol';
import { ApiError, getJson } from '../api/http.js';
import { ME_PATH } from '../first-read.js';
import type { LiveEvent } from './live-model.js';
import { LiveStream, type EventSourceFactory } from './live-stream.js';

/** 1 s doubling to 30 s, ±25 %, so a restarted backend is not hit by every wall at once. */
export const RECONNECT_BACKOFF: BackoffPolicy = { minMs: 1_000, maxMs: 30_000, jitter: 0.25 };

export interface LiveConnectionHandlers {
  /** Every parsed event, in arrival order. */
  event(event: LiveEvent): void;
  /** The stream failed; the browser or this connection tries again. */
  error(): void;
  /** The browser's network went away or came back (also said once at start). */
  network(online: boolean): void;
  /** The next reconnect is due at local ms `at`. */
  retryScheduled(at: number): void;
  /** A reconnect found the session over (a 401): nothing more is tried. */
  sessionEnded(): void;
  /** Where a (re)connect resumes from. */
  lastEventId(): string | null;
}

export class LiveConnection {
  readonly #handlers: LiveConnectionHandlers;
  readonly #stream: LiveStream;
  #active = false;
  /** Failed reconnects since the server last accepted the stream (`connected`). */
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #unwatchNetwork: (() => void) | null = null;

  constructor(handlers: LiveConnectionHandlers, createEventSource?: EventSourceFactory) {
    this.#handlers = handlers;
    this.#stream = new LiveStream(
      {
        event: (event) => {
          // The server took us: the next failure starts the schedule from the beginning.
          if (event.name === 'connected') this.#attempt = 0;
          handlers.event(event);
        },
        error: (closed) => {
          handlers.error();
          if (closed) void this.#afterClosed();
        },
      },
      createEventSource,
    );
  }

  /** An EventSource is open (or being retried by the browser itself). */
  get streaming(): boolean {
    return this.#stream.open;
  }

  start(): void {
    if (this.#active) return;
    this.#active = true;
    this.#watchNetwork();
    this.#stream.connect(this.#handlers.lastEventId());
  }

  /** Drops the current stream and opens a new one now (a live stream gone silent, say). */
  reconnectNow(): void {
    clearTimeout(this.#retryTimer);
    if (!this.#active) return;
    this.#stream.connect(this.#handlers.lastEventId());
  }

  stop(): void {
    this.#active = false;
    this.#stream.close();
    clearTimeout(this.#retryTimer);
    this.#unwatchNetwork?.();
    this.#unwatchNetwork = null;
  }

  #watchNetwork(): void {
    const online = (): void => {
      this.#handlers.network(true);
      // Do not wait out the back-off once the network is back.
      if (!this.#stream.open) this.reconnectNow();
    };
    const offline = (): void => this.#handlers.network(false);
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    this.#handlers.network(navigator.onLine);
    this.#unwatchNetwork = () => {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
    };
  }

  /**
   * The browser gave up (an HTTP error status). A 401 means the session is gone; anything
   * else (503 while a backend restarts, a proxy error) is retried with back-off.
   */
  async #afterClosed(): Promise<void> {
    try {
      await getJson(ME_PATH);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        this.#handlers.sessionEnded();
        return;
      }
    }
    if (!this.#active) return;
    this.#attempt++;
    clearTimeout(this.#retryTimer);
    const delay = backoffDelay(this.#attempt, RECONNECT_BACKOFF);
    this.#retryTimer = setTimeout(() => this.reconnectNow(), delay);
    this.#handlers.retryScheduled(Date.now() + delay);
  }
}
