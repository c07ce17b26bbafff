// One open SSE stream: its scope, its position in the log, and a socket written with
// bounds. A client that cannot keep up is cut (it resumes when it comes back), so one slow
// reader never holds memory or time that others need. The client owns its state: others
// move it only through these methods.
import type { Writable } from 'node:stream';
import { canSee, type Role, type Scope } from '@live-calls/protocol';
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
  /** The session's subject: streams are counted per user. */
  sub: string;
  /** The client's address as the proxy reports it: streams are counted per address too. */
  ip: string;
  role: Role;
  scope: Scope;
  /** Token expiry, ms since epoch; Infinity when none. */
  expiresAt: number;
}

/** A live event that arrived while the stream was starting. */
export interface BufferedEvent {
  epoch: string;
  event: LogEvent;
}

export type ClientState = 'starting' | 'live' | 'closed';

/**
 * Up to this many parts a flush joins them into one string; more (a stream going live with
 * the thousand events it buffered) are written corked, one write of the same parts, without a
 * joined copy per stream.
 */
const JOIN_PARTS = 64;

export class LiveClient {
  readonly identity: ClientIdentity;
  /** Which of the heartbeat's phases pings this stream (the hub spreads streams over them). */
  readonly pingPhase: number;
  /** Where the stream's bytes go: the connection's socket, its response head already sent. */
  readonly #sink: Writable;
  readonly #limits: ClientLimits;
  /** Told the size of every coalesced write (the fan-out's metrics). */
  readonly #onFlush: (bytes: number) => void;
  /** Position of the last event delivered: events of another epoch or not after it are skipped. */
  #epoch: string | undefined;
  #seq = 0;
  #state: ClientState = 'starting';
  #startBuffer: BufferedEvent[] = [];
  /**
   * Frames (or a batch's shared chunk) waiting for this batch's single coalesced write: none,
   * one (most flushes; no array), or several. An array per flush lived from one batch of the
   * stream's to its next, long enough to be promoted: the largest share of the old-generation
   * garbage of a portal with 5,000 streams (sampling heap profile), and so of its mark-compacts.
   */
  #pending: string | Buffer | (string | Buffer)[] | undefined;
  #drainTimer: NodeJS.Timeout | undefined;
  #onClose: ((cause: CloseCause) => void) | undefined;

  constructor(
    identity: ClientIdentity,
    sink: Writable,
    limits: ClientLimits,
    onFlush: (bytes: number) => void,
    pingPhase = 0,
  ) {
    this.identity = identity;
    this.pingPhase = pingPhase;
    this.#sink = sink;
    this.#limits = limits;
    this.#onFlush = onFlush;
  }

  get scope(): Scope {
    return this.identity.scope;
  }

  get state(): ClientState {
    return this.#state;
  }

  get epoch(): string | undefined {
    return this.#epoch;
  }

  get seq(): number {
    return this.#seq;
  }

  /** Whether this stream may see `event` at all (its company, or a source event). */
  sees(event: LogEvent): boolean {
    return event.name === 'source'
      ? this.scope.sources
      : canSee(this.scope, { company_id: event.company });
  }

  onClose(listener: (cause: CloseCause) => void): void {
    this.#onClose = listener;
  }

  /** Where the snapshot or replay being sent leaves this stream. */
  startAt(epoch: string, seq: number): void {
    this.#epoch = epoch;
    this.#seq = seq;
  }

  /**
   * Starting → live: returns the events buffered meanwhile that come after the start
   * position and are visible, for the caller to frame and `offer`.
   */
  goLive(): BufferedEvent[] {
    const buffered = this.#startBuffer;
    this.#startBuffer = [];
    if (this.#state !== 'starting') return [];
    this.#state = 'live';
    return buffered.filter(
      ({ epoch, event }) => epoch === this.#epoch && event.seq > this.#seq && this.sees(event),
    );
  }

  /** Live → starting again, to be resynchronised (the epoch changed). False if not live. */
  restart(): boolean {
    if (this.#state !== 'live') return false;
    this.#state = 'starting';
    return true;
  }

  /**
   * Takes a live event the client may see: buffered while starting, queued for this batch's
   * write when live. True when it is the first frame queued since the last flush.
   */
  offer(epoch: string, event: LogEvent, frame: string): boolean {
    if (this.#state === 'starting') {
      if (this.#startBuffer.length >= this.#limits.maxStartBuffer) {
        this.close('queue_full');
        return false;
      }
      this.#startBuffer.push({ epoch, event });
      return false;
    }
    if (this.#state !== 'live' || epoch !== this.#epoch || event.seq <= this.#seq) return false;
    this.#seq = event.seq;
    return this.#queue(frame);
  }

  /** True when this live stream is exactly at a batch's start, so the whole batch is its next chunk. */
  awaits(epoch: string, firstSeq: number): boolean {
    return this.#state === 'live' && epoch === this.#epoch && this.#seq < firstSeq;
  }

  /**
   * Queues a whole batch's chunk (after `awaits` said yes); the position moves to its end. The
   * chunk is encoded once and shared by every stream at the batch's start.
   */
  offerChunk(chunk: Buffer, lastSeq: number): void {
    this.#seq = lastSeq;
    this.#queue(chunk);
  }

  /** Queues a frame that is not a log event (ping, stats) for the next flush. */
  offerFrame(frame: string): void {
    if (this.#state === 'live') this.#queue(frame);
  }

  /** Adds a part to the next flush; true when it is the first since the last one. */
  #queue(part: string | Buffer): boolean {
    const pending = this.#pending;
    if (pending === undefined) this.#pending = part;
    else if (Array.isArray(pending)) pending.push(part);
    else this.#pending = [pending, part];
    return pending === undefined;
  }

  /** Writes everything pending in one socket write, within the bounds. */
  flush(): void {
    const pending = this.#pending;
    if (pending === undefined || this.#state === 'closed') return;
    this.#pending = undefined;
    let bytes: number;
    if (!Array.isArray(pending)) bytes = this.write(pending);
    else if (pending.length > JOIN_PARTS) bytes = this.#writeParts(pending);
    else bytes = this.write(joined(pending));
    if (bytes > 0) this.#onFlush(bytes);
  }

  /** Writes a chunk now; returns bytes written (0 if the client was cut instead). */
  write(chunk: string | Buffer): number {
    if (!this.#mayWrite()) return 0;
    this.#wrote(this.#sink.write(chunk));
    return chunk.length;
  }

  /** Writes parts as one corked write (the socket sends them together). */
  #writeParts(parts: readonly (string | Buffer)[]): number {
    if (!this.#mayWrite()) return 0;
    let bytes = 0;
    let ok = true;
    this.#sink.cork();
    for (const part of parts) {
      ok = this.#sink.write(part);
      bytes += part.length;
    }
    this.#sink.uncork();
    this.#wrote(ok);
    return bytes;
  }

  /** False when the stream is gone, or is cut now for holding too much unsent. */
  #mayWrite(): boolean {
    if (this.#state === 'closed' || this.#sink.destroyed) return false;
    if (this.#sink.writableLength > this.#limits.maxQueuedBytes) {
      this.close('queue_full');
      return false;
    }
    return true;
  }

  /** After a write the socket did not take at once, the stream has a while to drain it. */
  #wrote(ok: boolean): void {
    if (!ok && this.#drainTimer === undefined && this.#state === 'live') this.#awaitDrain();
  }

  /**
   * Writes a chunk of a stream's opening (snapshot or replay) and, when the socket is
   * backed up, waits for it to drain, so an opening never queues more than one chunk
   * beyond the socket's own buffer. False when the client is gone or was cut for not
   * draining within the write wait.
   */
  async send(chunk: string | Buffer): Promise<boolean> {
    if (this.#state === 'closed') return false;
    if (chunk.length > 0 && this.write(chunk) === 0) return false;
    if (this.#sink.writableLength === 0 || !this.#sink.writableNeedDrain) return true;
    const drained = await new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.#sink.off('drain', onDrain);
        this.#sink.off('close', onClose);
        resolve(ok);
      };
      const onDrain = () => done(true);
      const onClose = () => done(false);
      const timer = setTimeout(() => done(false), this.#limits.maxWriteWaitMs);
      this.#sink.on('drain', onDrain);
      this.#sink.on('close', onClose);
    });
    if (!drained) this.close(this.#sink.destroyed ? 'client_left' : 'write_timeout');
    return drained && this.state !== 'closed';
  }

  #awaitDrain(): void {
    this.#drainTimer = setTimeout(() => this.close('write_timeout'), this.#limits.maxWriteWaitMs);
    this.#sink.once('drain', () => {
      clearTimeout(this.#drainTimer);
      this.#drainTimer = undefined;
    });
  }

  /** Ends the stream; `cause` says why. Safe to call more than once. */
  close(cause: CloseCause): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearTimeout(this.#drainTimer);
    this.#pending = undefined;
    this.#startBuffer = [];
    if (cause === 'queue_full' || cause === 'write_timeout') this.#sink.destroy();
    else if (!this.#sink.writableEnded) this.#sink.end();
    this.#onClose?.(cause);
  }
}

/** Pending parts as one chunk: a string unless a shared (already encoded) chunk is among them. */
function joined(parts: (string | Buffer)[]): string | Buffer {
  if (parts.every((part) => typeof part === 'string')) return parts.join('');
  return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)));
}
