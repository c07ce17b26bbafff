// A live-stream client that behaves like a browser's EventSource through Caddy: it keeps one
// stream open, and when the stream ends (or is refused) it waits the server's `retry` and
// reconnects with Last-Event-ID. It records how each connection started (a snapshot and its
// reason, or resumed with the next events) and every event id it saw.
import { request, type ClientRequest } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';

export interface Connection {
  status: number | undefined;
  /** `resumed`: the first event with an id was not a snapshot. */
  start: 'pending' | 'resumed' | `snapshot:${string}`;
}

export class ResumingClient {
  readonly connections: Connection[] = [];
  /** Ids of every call, source and snapshot event, in arrival order. */
  readonly ids: string[] = [];
  lastEventId: string | undefined;
  #retryMs = 2_000;
  #req: ClientRequest | undefined;
  #stopped = false;
  #loop: Promise<void> | undefined;

  constructor(
    readonly baseUrl: string,
    readonly headers: Record<string, string>,
  ) {}

  start(): void {
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#req?.destroy();
    await this.#loop;
  }

  /** The current connection's start, once its first event with an id has arrived. */
  get current(): Connection | undefined {
    return this.connections.at(-1);
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      await this.#once();
      if (!this.#stopped) await delay(this.#retryMs);
    }
  }

  #once(): Promise<void> {
    const connection: Connection = { status: undefined, start: 'pending' };
    this.connections.push(connection);
    const headers: Record<string, string> = { accept: 'text/event-stream', ...this.headers };
    if (this.lastEventId !== undefined) headers['last-event-id'] = this.lastEventId;
    return new Promise((resolve) => {
      const req = request(new URL('/api/v1/live/calls', this.baseUrl), { headers }, (res) => {
        connection.status = res.statusCode;
        if (res.statusCode !== 200) {
          res.resume();
          res.on('end', resolve);
          return;
        }
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let at: number;
          while ((at = buffer.indexOf('\n\n')) >= 0) {
            this.#frame(buffer.slice(0, at), connection);
            buffer = buffer.slice(at + 2);
          }
        });
        res.on('error', () => undefined);
      });
      req.on('error', () => undefined);
      req.on('close', resolve);
      req.end();
      this.#req = req;
    });
  }

  #frame(block: string, connection: Connection): void {
    let id: string | undefined;
    let event = 'message';
    let data = '';
    for (const line of block.split('\n')) {
      const colon = line.indexOf(':');
      if (colon === 0) continue;
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data += value;
      else if (field === 'retry') this.#retryMs = Number(value);
    }
    if (id === undefined) return;
    if (connection.start === 'pending')
      connection.start =
        event === 'snapshot'
          ? `snapshot:${(JSON.parse(data) as { reason: string }).reason}`
          : 'resumed';
    this.ids.push(id);
    this.lastEventId = id;
  }
}

/** Ids seen more than once, and places where the sequence of one epoch went backwards. */
export function orderProblems(ids: readonly string[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  let last: { epoch: string; seq: number } | undefined;
  for (const id of ids) {
    if (seen.has(id)) problems.push(`duplicate ${id}`);
    seen.add(id);
    const cut = id.lastIndexOf(':');
    const epoch = id.slice(0, cut);
    const seq = Number(id.slice(cut + 1));
    if (last !== undefined && last.epoch === epoch && seq <= last.seq)
      problems.push(`${id} after ${last.epoch}:${last.seq}`);
    last = { epoch, seq };
  }
  return problems;
}
