// The open streams of this instance, indexed by what they may see, so the fan-out finds an
// event's readers without scanning every client.
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { CloseCause, LiveClient } from './live-client.js';

const NONE: ReadonlySet<LiveClient> = new Set();

export interface StreamLimits {
  perUser: number;
  perIp: number;
}

export type StreamLimit = 'user' | 'ip';

function bump(counts: Map<string, number>, key: string, by: 1 | -1): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
}

function most(counts: ReadonlyMap<string, number>): number {
  let max = 0;
  for (const n of counts.values()) if (n > max) max = n;
  return max;
}

export class ClientRegistry {
  readonly #metrics: Metrics;
  readonly #log: Logger;
  readonly #limits: StreamLimits;
  /** Open streams per session subject and per client address. */
  readonly #perUser = new Map<string, number>();
  readonly #perIp = new Map<string, number>();
  readonly #all = new Set<LiveClient>();
  /** Clients that see every company's calls. */
  readonly #unscoped = new Set<LiveClient>();
  /** Clients narrowed to one company, by company. */
  readonly #byCompany = new Map<string, Set<LiveClient>>();
  /** Clients that see `source` events. */
  readonly #sources = new Set<LiveClient>();

  constructor(metrics: Metrics, log: Logger, limits: StreamLimits) {
    this.#metrics = metrics;
    this.#log = log;
    this.#limits = limits;
    metrics.sources.busiestStreamOwners = () => ({
      user: most(this.#perUser),
      ip: most(this.#perIp),
    });
  }

  /** The limit a new stream of `sub` from `ip` would break, or null when it may open. */
  limitReached(sub: string, ip: string): StreamLimit | null {
    if ((this.#perUser.get(sub) ?? 0) >= this.#limits.perUser) return 'user';
    if ((this.#perIp.get(ip) ?? 0) >= this.#limits.perIp) return 'ip';
    return null;
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
    bump(this.#perUser, client.identity.sub, 1);
    bump(this.#perIp, client.identity.ip, 1);
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
    bump(this.#perUser, client.identity.sub, -1);
    bump(this.#perIp, client.identity.ip, -1);
    this.#metrics.connections.dec({ role: client.identity.role });
    if (cause === 'queue_full' || cause === 'write_timeout') {
      this.#metrics.slowClientDisconnects.inc({ cause });
      this.#log.info({ streamId: client.identity.streamId, cause }, 'slow client cut');
    }
  }
}
