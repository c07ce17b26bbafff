// When the log's epoch changes under open streams (Redis flushed or restarted empty, a new
// memory engine), their positions name events that no longer exist: each live stream gets a
// fresh `snapshot` (reason `epoch_changed`) — the reads are shared per scope — then goes on
// live.
import type { SnapshotReason } from '@live-calls/protocol';
import type { Logger } from '../logger.js';
import type { ClientRegistry } from './client-registry.js';
import type { LiveClient } from './live-client.js';
import type { StreamStarter } from './stream-start.js';

export class EpochResync {
  readonly #clients: ClientRegistry;
  readonly #starter: StreamStarter;
  readonly #log: Logger;
  #current: string | undefined;
  /** Epochs this instance has seen replaced; a stream still at one of them is behind. */
  readonly #past = new Set<string>();

  constructor(clients: ClientRegistry, starter: StreamStarter, log: Logger) {
    this.#clients = clients;
    this.#starter = starter;
    this.#log = log;
  }

  /** The epoch of the newest batch seen; undefined before the first. */
  get current(): string | undefined {
    return this.#current;
  }

  /** Notes a batch's epoch; on a change, resynchronises every live stream. */
  observe(epoch: string): void {
    const previous = this.#current;
    if (epoch === previous) return;
    this.#current = epoch;
    if (previous === undefined) return;
    this.#past.add(previous);
    this.#resyncAll(epoch);
  }

  /** Goes live, and resynchronises a stream that finished starting in an epoch already replaced. */
  goLive(client: LiveClient): void {
    this.#starter.goLive(client);
    if (this.#current !== undefined && client.epoch !== undefined && this.#past.has(client.epoch))
      this.#resyncAll(this.#current);
  }

  /**
   * Every live stream gets a fresh `snapshot` with reason `resume_expired`: events it should
   * have had are gone from the log before this instance could deliver them.
   */
  resyncAfterGap(): void {
    this.#log.warn('the replay log lost events before this instance delivered them; resyncing');
    for (const client of this.#clients.all()) {
      if (client.restart()) this.#resync(client, 'resume_expired');
    }
  }

  #resyncAll(epoch: string): void {
    for (const client of this.#clients.all()) {
      if (client.epoch === epoch || !client.restart()) continue;
      this.#resync(client, 'epoch_changed');
    }
  }

  #resync(client: LiveClient, reason: SnapshotReason): void {
    this.#starter.sendSnapshot(client, reason).then(
      (sent) => {
        if (sent) this.goLive(client);
      },
      (err: unknown) => {
        this.#log.warn({ err: (err as Error).message }, 'resync failed; cutting stream');
        client.close('start_failed');
      },
    );
  }
}
