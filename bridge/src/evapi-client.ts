// TCP client for Kamailio's evapi module: keeps one connection up, reconnecting with
// capped exponential backoff, and hands every netstring frame to its owner. evapi drops
// events while nobody is connected, so the owner resyncs on every `connected`.
import { Socket } from 'node:net';
import { backoffDelay } from '@live-calls/protocol';
import { NetstringDecoder, encodeNetstring, type NetstringError } from './netstring.js';

export type EvapiState =
  | { state: 'connecting'; attempt: number }
  | { state: 'connected'; since: number }
  | { state: 'waiting'; retryAt: number; lastError: string }
  | { state: 'closed' };

export interface EvapiHandlers {
  /** Called synchronously for every frame, in stream order. `receivedAt` is performance.now(). */
  frame(data: Uint8Array, receivedAt: number): void;
  oversized(length: number): void;
  framingLost(reason: NetstringError): void;
  connected(): void;
  disconnected(reason: string): void;
}

export interface EvapiClientOptions {
  host: string;
  port: number;
  maxFrameBytes: number;
  /** First reconnect delay (default 100 ms). */
  minBackoffMs?: number;
  /** Cap of the reconnect delay (the bridge's RECONNECT_MAX_MS). */
  maxBackoffMs: number;
  connectTimeoutMs?: number;
}

const DEFAULT_MIN_BACKOFF_MS = 100;

export class EvapiClient {
  readonly #opts: Required<EvapiClientOptions>;
  readonly #handlers: EvapiHandlers;
  #socket: Socket | undefined;
  #timer: NodeJS.Timeout | undefined;
  #attempt = 0;
  #state: EvapiState = { state: 'connecting', attempt: 0 };
  #closed = false;

  constructor(opts: EvapiClientOptions, handlers: EvapiHandlers) {
    this.#opts = {
      minBackoffMs: DEFAULT_MIN_BACKOFF_MS,
      connectTimeoutMs: 5_000,
      ...opts,
    };
    this.#handlers = handlers;
  }

  get state(): EvapiState {
    return this.#state;
  }

  get connected(): boolean {
    return this.#state.state === 'connected';
  }

  start(): void {
    if (this.#closed || this.#socket || this.#timer) return;
    this.#connect();
  }

  /** Sends one message to Kamailio (evapi:message-received). False when not connected. */
  send(payload: string): boolean {
    if (!this.#socket || this.#state.state !== 'connected') return false;
    return this.#socket.write(encodeNetstring(payload));
  }

  /** Drops the current connection (framing lost, stuck peer); a reconnect follows. */
  reconnect(reason: string): void {
    this.#socket?.destroy(new Error(reason));
  }

  close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#state = { state: 'closed' };
    const socket = this.#socket;
    if (!socket || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  #connect(): void {
    this.#timer = undefined;
    this.#attempt++;
    this.#state = { state: 'connecting', attempt: this.#attempt };
    const decoder = new NetstringDecoder(this.#opts.maxFrameBytes);
    const socket = new Socket();
    this.#socket = socket;
    let lastError = 'connection closed';
    let wasConnected = false;

    socket.setNoDelay(true);
    socket.setTimeout(this.#opts.connectTimeoutMs, () => {
      socket.destroy(new Error('connect timeout'));
    });
    socket.once('connect', () => {
      socket.setTimeout(0);
      // Kamailio never writes unless there is an event: only TCP keepalive notices a
      // half-open connection (PBX host gone without a FIN).
      socket.setKeepAlive(true, 10_000);
      wasConnected = true;
      this.#attempt = 0;
      this.#state = { state: 'connected', since: Date.now() };
      this.#handlers.connected();
    });
    socket.on('data', (chunk: Buffer) => {
      const receivedAt = performance.now();
      for (const item of decoder.push(chunk)) {
        if (item.kind === 'frame') this.#handlers.frame(item.data, receivedAt);
        else if (item.kind === 'oversized') this.#handlers.oversized(item.length);
        else {
          this.#handlers.framingLost(item.reason);
          socket.destroy(new Error(`evapi framing lost: ${item.reason}`));
          return;
        }
      }
    });
    socket.on('error', (err) => {
      lastError = err.message;
    });
    socket.once('close', () => {
      if (this.#socket === socket) this.#socket = undefined;
      if (wasConnected) this.#handlers.disconnected(lastError);
      if (this.#closed) return;
      const delay = backoffDelay(this.#attempt, {
        minMs: this.#opts.minBackoffMs,
        maxMs: this.#opts.maxBackoffMs,
      });
      this.#state = { state: 'waiting', retryAt: Date.now() + delay, lastError };
      this.#timer = setTimeout(() => this.#connect(), delay);
    });
    socket.connect(this.#opts.port, this.#opts.host);
  }
}
