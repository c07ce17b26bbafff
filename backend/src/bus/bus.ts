// The message bus between bridges and backends (docs/interface/nats.md): core NATS in production, an
// in-process bus in embedded mode. Handlers get raw bytes; validation is the ingester's.
export type BusHandler = (subject: string, data: Uint8Array) => void;

/** Answers one request (embedded mode's stand-in for a bridge); never throws. */
export type BusResponder = (data: Uint8Array) => Promise<string>;

/** Why a request got no answer: nobody listens, nobody answered in time, or the bus failed. */
export type BusRequestFailure = 'no_responders' | 'timeout' | 'failed';

export class BusRequestError extends Error {
  override readonly name = 'BusRequestError';
  constructor(
    readonly kind: BusRequestFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface BusSubscription {
  /**
   * Stops taking messages after handling every one already on its way to this member (so a
   * queue group loses nothing while a member leaves); resolves when done.
   */
  drain(): Promise<void>;
}

export interface Bus {
  /** Subscribes in a queue group: each message goes to one member of the group. */
  subscribe(subject: string, queue: string, handler: BusHandler): BusSubscription;
  publish(subject: string, data: Uint8Array | string): void;
  /**
   * Core request/reply: the first answer to `data` on `subject` within `timeoutMs`. Rejects
   * with BusRequestError when there is none.
   */
  request(subject: string, data: string, timeoutMs: number): Promise<Uint8Array>;
  /** Resolves once the server has processed everything sent so far (subscriptions included). */
  flush(): Promise<void>;
  readonly connected: boolean;
  /** Drains subscriptions and closes the connection. */
  close(): Promise<void>;
  /**
   * Settles when the connection is gone for good (not by `close()`): the server refused the
   * credentials on a reconnect, say. The process cannot serve without it and should exit.
   */
  readonly lost: Promise<Error>;
}
