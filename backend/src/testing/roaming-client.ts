// A test client that behaves like a browser's EventSource behind a load balancer: when its
// stream ends or cannot be opened, it waits the server's `retry` and reconnects — to the next
// backend in turn — with the last id it saw. It records every event of every connection and
// how each connection began (exact resume or a snapshot, and why).
import type { SnapshotPayload } from '@live-calls/protocol';
import { SseClient, type SseEvent } from './sse-client.js';

export interface ConnectionRecord {
  url: string;
  /** performance.now() when it was opened. */
  at: number;
  status: number | undefined;
  /** `resumed` when it went on from the id sent, else the snapshot's reason. */
  start: 'resumed' | SnapshotPayload['reason'] | 'refused' | 'pending';
}

/** Longest a test waits between reconnects, whatever `retry` the server sent. */
const MAX_RETRY_MS = 1_500;

export class RoamingClient {
  readonly #urls: () => readonly string[];
  readonly #headers: Record<string, string>;
  readonly #done: SseClient[] = [];
  readonly connections: ConnectionRecord[] = [];
  #current: SseClient | undefined;
  #turn: number;
  #stopped = false;
  #loop: Promise<void> | undefined;

  /** `urls` is read at every reconnect: the backends that exist now. */
  constructor(urls: () => readonly string[], headers: Record<string, string>, firstTurn = 0) {
    this.#urls = urls;
    this.#headers = headers;
    this.#turn = firstTurn;
  }

  /** Every event of every connection, in order. */
  get events(): SseEvent[] {
    const all = this.#done.flatMap((client) => client.events);
    return this.#current === undefined ? all : all.concat(this.#current.events);
  }

  get lastEventId(): string | undefined {
    return this.#current?.lastEventId ?? this.#done.at(-1)?.lastEventId;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      const urls = this.#urls();
      const url = urls[this.#turn++ % urls.length]!;
      const client = new SseClient(url, this.#headers);
      const record: ConnectionRecord = {
        url,
        at: performance.now(),
        status: undefined,
        start: 'pending',
      };
      this.connections.push(record);
      const lastEventId = this.lastEventId;
      this.#current = client;
      try {
        await client.connect(lastEventId === undefined ? {} : { lastEventId });
        record.status = client.status;
        if (client.status !== 200) record.start = 'refused';
        await client.waitFor(
          () => {
            if (record.start === 'pending') record.start = startOf(client.events);
            return client.ended || this.#stopped;
          },
          24 * 3_600_000,
          'the stream to end',
        );
      } catch {
        record.start = record.start === 'pending' ? 'refused' : record.start;
      }
      client.close();
      // Connected and quiet until it ended: an exact resume with nothing missed.
      if (record.start === 'pending' && client.events.some((e) => e.event === 'connected'))
        record.start = 'resumed';
      this.#done.push(client);
      this.#current = undefined;
      if (this.#stopped) break;
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(client.retry ?? 500, MAX_RETRY_MS)),
      );
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#current?.close();
    await this.#loop;
  }
}

/** How a connection began, once its first id-carrying or snapshot event is known. */
function startOf(events: readonly SseEvent[]): ConnectionRecord['start'] {
  for (const event of events) {
    if (event.event === 'snapshot')
      return (JSON.parse(event.data) as SnapshotPayload).reason ?? 'initial';
    if (event.id !== undefined) return 'resumed';
  }
  return 'pending';
}
