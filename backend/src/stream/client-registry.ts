// The open streams of this instance, indexed by what they may see, so the fan-out finds an
// event's readers without scanning every client.
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { CloseCause, LiveClient } from './live-client.js';

const NONE: ReadonlySet<LiveClient> = new Set();

export class ClientRegistry {
  readonly #metrics: Metrics;
  readonly #log: Logger;
  readonly #all = new Set<LiveClient>();
  /** Clients that see every company's calls. */
  readonly #unscoped = new Set<LiveClient>();
  /** Clients narrowed to one company, by company. */
  readonly #byCompany = new Map<string, Set<LiveClient>>();
  /** Clients that see `source` events. */
  readonly #sources = new Set<LiveClient>();

  constructor(metrics: Metrics, log: Logger) {
    this.#metrics = metrics;
    this.#log = log;
  }

  get size(): number {
    return this.#all.size;
  }

  /** Every open stream. */
  all(): ReadonlySet<LiveClient> {
    return this.#all;
  }

  /** Streams that see every company's calls. */
  unscoped(): ReadonlySet<LiveClient> {
    return this.#unscoped;
  }

  /** Streams narrowed to `company`. */
  ofCompany(company: string): ReadonlySet<LiveClient> {
    return this.#byCompany.get(company) ?? NONE;
  }

  /** Streams that see `source` events. */
  sourceReaders(): ReadonlySet<LiveClient> {
    return this.#sources;
  }

  /** Adds a stream; it leaves the registry by itself when it closes. */
  add(client: LiveClient): void {
    this.#all.add(client);
    const company = client.scope.company_id;
    if (company === null) this.#unscoped.add(client);
    else {
      let set = this.#byCompany.get(company);
      if (set === undefined) this.#byCompany.set(company, (set = new Set()));
      set.add(client);
    }
    if (client.scope.sources) this.#sources.add(client);
    this.#metrics.connections.inc({ role: client.identity.role });
    client.onClose((cause) => this.#remove(client, cause));
  }

  #remove(client: LiveClient, cause: CloseCause): void {
    if (!this.#all.delete(client)) return;
    this.#unscoped.delete(client);
    const company = client.scope.company_id;
    if (company !== null) {
      const set = this.#byCompany.get(company);
      set?.delete(client);
      if (set?.size === 0) this.#byCompany.delete(company);
    }
    this.#sources.delete(client);
    this.#metrics.connections.dec({ role: client.identity.role });
    if (cause === 'queue_full' || cause === 'write_timeout') {
      this.#metrics.slowClientDisconnects.inc({ cause });
      this.#log.info({ streamId: client.identity.streamId, cause }, 'slow client cut');
    }
  }
}
