// When the log's epoch changes under open streams (Redis flushed or restarted empty, a new
// memory engine), their positions name events that no longer exist: each live stream gets a
// fresh `snapshot` (reason `epoch_changed`), one store read per scope, then goes on live.
import type { Logger } from '../logger.js';
import type { LiveStore, RecordView } from '../store/live-store.js';
import type { ClientRegistry } from './client-registry.js';
import type { LiveClient } from './live-client.js';
import { recordViewOf, type StreamStarter } from './stream-start.js';

export class EpochResync {
  readonly #store: LiveStore;
  readonly #clients: ClientRegistry;
  readonly #starter: StreamStarter;
  readonly #log: Logger;
  #current: string | undefined;
  /** Epochs this instance has seen replaced; a stream still at one of them is behind. */
  readonly #past = new Set<string>();

  constructor(store: LiveStore, clients: ClientRegistry, starter: StreamStarter, log: Logger) {
    this.#store = store;
    this.#clients = clients;
    this.#starter = starter;
    this.#log = log;
  }

  /** The epoch of the newest batch seen; undefined before the first. */
  get current(): string | undefined {
    return this.#current;
  }

  /** Notes a batch's epoch; true when it differs from the last one (the first included). */
  observe(epoch: string): boolean {
    const previous = this.#current;
    if (epoch === previous) return false;
    this.#current = epoch;
    if (previous !== undefined) {
      this.#past.add(previous);
      void this.#resyncAll(epoch);
    }
    return true;
  }

  /** Goes live, and resynchronises a stream that finished starting in an epoch already replaced. */
  goLive(client: LiveClient): void {
    this.#starter.goLive(client);
    if (this.#current !== undefined && client.epoch !== undefined && this.#past.has(client.epoch))
      void this.#resyncAll(this.#current);
  }

  async #resyncAll(epoch: string): Promise<void> {
    const groups = new Map<
      string,
      { company: string | null; view: RecordView; clients: LiveClient[] }
    >();
    for (const client of this.#clients.all()) {
      if (client.epoch === epoch || !client.restart()) continue;
      const company = client.scope.company_id;
      const view = recordViewOf(client);
      const key = `${view}\u0000${company ?? ''}`;
      const group = groups.get(key) ?? { company, view, clients: [] };
      group.clients.push(client);
      groups.set(key, group);
    }
    for (const { company, view, clients } of groups.values()) {
      try {
        const snapshot = await this.#store.snapshot(company, view);
        for (const client of clients) {
          if (client.state !== 'starting') continue;
          client.write(this.#starter.snapshotFrame(client, 'epoch_changed', snapshot));
          this.goLive(client);
        }
      } catch (err) {
        this.#log.warn(
          { err: (err as Error).message },
          'resync after epoch change failed; cutting streams',
        );
        for (const client of clients) client.close('start_failed');
      }
    }
  }
}
