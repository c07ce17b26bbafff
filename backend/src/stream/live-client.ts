// One open SSE stream: its scope, its position in the log, and a socket written with
// bounds. A client that cannot keep up is cut (it resumes when it comes back), so one slow
// reader never holds memory or time that others need.
import type { ServerResponse } from 'node:http';
import type { Role, Scope } from '@live-calls/protocol';
import type { LogEvent } from '../store/live-store.js';

export type CloseCause =
  'client_left' | 'queue_full' | 'write_timeout' | 'shutdown' | 'session_expired' | 'start_failed';

export interface ClientLimits {
  maxQueuedBytes: number;
  maxWriteWaitMs: number;
  /** Live events held while the stream starts (snapshot or replay in flight). */
  maxStartBuffer: number;
}

export interface ClientIdentity {
  streamId: string;
  role: Role;
  scope: Scope;
  /** Token expiry, ms since epoch; Infinity when none. */
  expiresAt: number;
}

export class LiveClient {
  /** Position of the last event delivered: events of another epoch or not after it are skipped. */
  epoch: string | undefined;
  seq = 0;
  state: 'starting' | 'live' | 'closed' = 'starting';
  /** Events that arrived while starting, delivered once the start position is known. */
  startBuffer: { epoch: string; event: LogEvent }[] = [];
  /** Frames waiting for this batch's single coalesced write. */
  pending: string[] = [];
  bytesWritten = 0;
  #drainTimer: NodeJS.Timeout | undefined;
  #onClose: ((cause: CloseCause) => void) | undefined;

  constructor(
    readonly identity: ClientIdentity,
    readonly res: ServerResponse,
    private readonly limits: ClientLimits,
  ) {}

  get scope(): Scope {
    return this.identity.scope;
  }

  onClose(listener: (cause: CloseCause) => void): void {
    this.#onClose = listener;
  }

  /**
   * Takes a live event the client may see: buffered while starting, queued for this batch's
   * write when live. True when it is the first frame queued since the last flush.
   */
  offer(epoch: string, event: LogEvent, frame: string): boolean {
    if (this.state === 'starting') {
      if (this.startBuffer.length >= this.limits.maxStartBuffer) {
        this.close('queue_full');
        return false;
      }
      this.startBuffer.push({ epoch, event });
      return false;
    }
    if (this.state !== 'live' || epoch !== this.epoch || event.seq <= this.seq) return false;
    this.seq = event.seq;
    this.pending.push(frame);
    return this.pending.length === 1;
  }

  /** Writes everything pending in one socket write, within the bounds. */
  flush(): number {
    if (this.pending.length === 0 || this.state === 'closed') return 0;
    const chunk = this.pending.length === 1 ? (this.pending[0] ?? '') : this.pending.join('');
    this.pending = [];
    return this.write(chunk);
  }

  /** Writes a chunk now; returns bytes written (0 if the client was cut instead). */
  write(chunk: string): number {
    if (this.state === 'closed' || this.res.destroyed) return 0;
    if (this.res.writableLength > this.limits.maxQueuedBytes) {
      this.close('queue_full');
      return 0;
    }
    const ok = this.res.write(chunk);
    this.bytesWritten += chunk.length;
    if (!ok && this.#drainTimer === undefined && this.state === 'live') this.#awaitDrain();
    return chunk.length;
  }

  #awaitDrain(): void {
    this.#drainTimer = setTimeout(() => this.close('write_timeout'), this.limits.maxWriteWaitMs);
    this.res.once('drain', () => {
      clearTimeout(this.#drainTimer);
      this.#drainTimer = undefined;
    });
  }

  /** Ends the stream; `cause` says why. Safe to call more than once. */
  close(cause: CloseCause): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.#drainTimer);
    this.pending = [];
    this.startBuffer = [];
    if (cause === 'queue_full' || cause === 'write_timeout') this.res.destroy();
    else if (!this.res.writableEnded) this.res.end();
    this.#onClose?.(cause);
  }
}
