// One EventSource, typed. It only parses and forwards; applying and batching belong to the
// state (live-calls.svelte.ts), deciding when to reconnect to the connection
// (live-connection.ts).
import { LIVE_EVENT_NAMES, type LiveEventName } from '@live-calls/protocol';
import type { LiveEvent } from './live-model.js';

const LIVE_CALLS_PATH = '/api/v1/live/calls';

const EVENT_NAMES: readonly LiveEventName[] = LIVE_EVENT_NAMES;

export interface LiveStreamHandlers {
  event(event: LiveEvent): void;
  /**
   * The stream failed. `closed`: the browser gave up (an HTTP error such as 401 or 503),
   * so reconnecting is ours to do; otherwise the browser is already retrying, sending
   * `Last-Event-ID` by itself.
   */
  error(closed: boolean): void;
}

export type EventSourceFactory = (url: string) => EventSource;

export class LiveStream {
  #source: EventSource | null = null;
  readonly #handlers: LiveStreamHandlers;
  readonly #create: EventSourceFactory;

  constructor(
    handlers: LiveStreamHandlers,
    create: EventSourceFactory = (url) => new EventSource(url),
  ) {
    this.#handlers = handlers;
    this.#create = create;
  }

  get open(): boolean {
    return this.#source !== null;
  }

  /**
   * Opens the stream. A fresh EventSource cannot be given a `Last-Event-ID` header, so a
   * resume after our own reconnect passes the id as the `last_event_id` query
   * (docs/interface/ordering.md).
   */
  connect(lastEventId: string | null): void {
    this.close();
    const url = lastEventId
      ? `${LIVE_CALLS_PATH}?last_event_id=${encodeURIComponent(lastEventId)}`
      : LIVE_CALLS_PATH;
    const source = this.#create(url);
    this.#source = source;
    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (message: MessageEvent<string>) => {
        if (this.#source !== source) return;
        let data: unknown;
        try {
          data = JSON.parse(message.data);
        } catch {
          // Not JSON: dropped, so one bad payload never breaks the stream.
          return;
        }
        // The server is the contract's other half; its payloads are trusted in shape.
        this.#handlers.event({ name, data, id: message.lastEventId || null } as LiveEvent);
      });
    }
    source.addEventListener('error', () => {
      if (this.#source !== source) return;
      const closed = source.readyState === EventSource.CLOSED;
      if (closed) this.#source = null;
      this.#handlers.error(closed);
    });
  }

  close(): void {
    this.#source?.close();
    this.#source = null;
  }
}
