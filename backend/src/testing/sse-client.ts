// A test SSE client over node:http: parses frames incrementally, keeps every event with its
// id, and reconnects with Last-Event-ID like a browser's EventSource would.
import { request, type ClientRequest, type IncomingMessage } from 'node:http';

export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

export interface SseConnectOptions {
  lastEventId?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
}

export class SseClient {
  readonly events: SseEvent[] = [];
  retry: number | undefined;
  status: number | undefined;
  lastEventId: string | undefined;
  #req: ClientRequest | undefined;
  #res: IncomingMessage | undefined;
  #buffer = '';
  #waiters: { check: () => boolean; resolve: () => void }[] = [];
  ended = false;

  constructor(
    readonly baseUrl: string,
    /** Sent on every (re)connect: usually the session. */
    readonly defaultHeaders: Record<string, string> = {},
    readonly path = '/api/v1/live/calls',
  ) {}

  /** Connects; resolves once the response headers arrived. */
  connect(options: SseConnectOptions = {}): Promise<void> {
    this.ended = false;
    this.#buffer = '';
    const url = new URL(this.path, this.baseUrl);
    for (const [key, value] of Object.entries(options.query ?? {}))
      url.searchParams.set(key, value);
    const headers: Record<string, string> = {
      accept: 'text/event-stream',
      ...this.defaultHeaders,
      ...options.headers,
    };
    if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
    return new Promise((resolve, reject) => {
      const req = request(url, { headers }, (res) => {
        this.#res = res;
        this.status = res.statusCode;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => this.#feed(chunk));
        res.on('end', () => this.#end());
        res.on('error', () => this.#end());
        resolve();
      });
      req.on('error', (err) => {
        this.#end();
        reject(err);
      });
      // A paused response never emits 'end'; the socket closing is what says it is over.
      req.on('close', () => this.#end());
      req.end();
      this.#req = req;
    });
  }

  /** Reconnects from the last id seen, as EventSource does. */
  reconnect(options: Omit<SseConnectOptions, 'lastEventId'> = {}): Promise<void> {
    this.close();
    return this.connect(
      this.lastEventId === undefined ? options : { ...options, lastEventId: this.lastEventId },
    );
  }

  /** Stops reading without closing: the server sees a client that does not keep up. */
  pause(): void {
    this.#res?.pause();
  }

  resume(): void {
    this.#res?.resume();
  }

  close(): void {
    this.#req?.destroy();
    this.#end();
  }

  #end(): void {
    this.ended = true;
    this.#notify();
  }

  #feed(chunk: string): void {
    this.#buffer += chunk;
    let at: number;
    while ((at = this.#buffer.indexOf('\n\n')) >= 0) {
      const block = this.#buffer.slice(0, at);
      this.#buffer = this.#buffer.slice(at + 2);
      this.#parse(block);
    }
    this.#notify();
  }

  #parse(block: string): void {
    let id: string | undefined;
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'retry') this.retry = Number(value);
    }
    if (data.length === 0) return;
    if (id !== undefined) this.lastEventId = id;
    this.events.push({ id, event, data: data.join('\n') });
  }

  #notify(): void {
    this.#waiters = this.#waiters.filter((waiter) => {
      if (!waiter.check()) return true;
      waiter.resolve();
      return false;
    });
  }

  /** Resolves when `check` holds (checked on every chunk), rejects after `timeoutMs`. */
  waitFor(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(
          new Error(
            `timed out waiting for ${what}; got ${this.events.length} events: ${this.summary()}`,
          ),
        );
      }, timeoutMs);
      const waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.#waiters.push(waiter);
    });
  }

  /** Waits until at least `count` events named `event` have arrived since index `from`. */
  async waitForEvents(
    event: string | ((e: SseEvent) => boolean),
    count: number,
    from = 0,
    timeoutMs = 10_000,
  ): Promise<SseEvent[]> {
    const match = typeof event === 'string' ? (e: SseEvent) => e.event === event : event;
    const found = () => this.events.slice(from).filter(match);
    await this.waitFor(
      () => found().length >= count,
      timeoutMs,
      `${count} × ${String(typeof event === 'string' ? event : 'matching')}`,
    );
    return found();
  }

  summary(): string {
    return this.events
      .slice(-8)
      .map((e) => `${e.event}(${e.id ?? '-'})`)
      .join(' ');
  }
}
