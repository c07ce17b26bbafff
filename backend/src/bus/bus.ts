// The message bus between bridges and backends (docs/interface/nats.md): core NATS in production, an
// in-process bus in embedded mode. Handlers get raw bytes; validation is the ingester's.
export type BusHandler = (subject: string, data: Uint8Array) => void;

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
