// Every live stream gets its scope's `stats` every interval: one store read and one frame
// per scope company (null = all), shared by every client of that scope, whatever its role.
import { DEFAULT_STATS_INTERVAL_MS } from '@live-calls/protocol';
import type { Logger } from '../logger.js';
import type { LiveStore } from '../store/live-store.js';
import type { ClientRegistry } from './client-registry.js';
import type { LiveClient } from './live-client.js';
import { eventFrame } from './sse-frames.js';

/**
 * Stats reads issued together in one slice of a round: their frames go to every stream of
 * those scopes in one turn of the event loop (5 tenant scopes of 10 streams: ~50 writes), which
 * the live events' fan-out waits for.
 */
const STATS_SLICE = 5;

export interface StatsRoundsOptions {
  store: LiveStore;
  clients: ClientRegistry;
  log: Logger;
  intervalMs?: number;
  now: () => number;
}

export class StatsRounds {
  readonly #store: LiveStore;
  readonly #clients: ClientRegistry;
  readonly #log: Logger;
  readonly #intervalMs: number;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  /** A round still reading (slow store) is not overlapped by the next. */
  #busy = false;

  constructor(options: StatsRoundsOptions) {
    this.#store = options.store;
    this.#clients = options.clients;
    this.#log = options.log;
    this.#intervalMs = options.intervalMs ?? DEFAULT_STATS_INTERVAL_MS;
    this.#now = options.now;
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.#round(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #round(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      await this.#push();
    } finally {
      this.#busy = false;
    }
  }

  async #push(): Promise<void> {
    const scopes = new Map<string | null, LiveClient[]>();
    for (const client of this.#clients.all()) {
      if (client.state !== 'live') continue;
      const company = client.scope.company_id;
      const group = scopes.get(company);
      if (group === undefined) scopes.set(company, [client]);
      else group.push(client);
    }
    if (scopes.size === 0) return;
    const now = this.#now();
    // Hundreds of tenant scopes are read in slices spread over half the interval, so a
    // stats round never lands on the store (and on live latency) as one burst.
    const entries = [...scopes];
    const slices = Math.ceil(entries.length / STATS_SLICE);
    const gapMs = slices > 1 ? Math.floor(this.#intervalMs / 2 / slices) : 0;
    for (let i = 0; i < entries.length; i += STATS_SLICE) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, gapMs).unref());
      if (this.#timer === undefined) return;
      await Promise.all(
        entries
          .slice(i, i + STATS_SLICE)
          .map(([company, clients]) => this.#pushScope(company, clients, now)),
      );
    }
  }

  async #pushScope(company: string | null, clients: LiveClient[], now: number): Promise<void> {
    let frame: string;
    try {
      frame = eventFrame('stats', JSON.stringify(await this.#store.stats(company, now)));
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'stats read failed; skipped this round');
      return;
    }
    for (const client of clients) {
      client.offerFrame(frame);
      client.flush();
    }
  }
}
