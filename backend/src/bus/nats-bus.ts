// The bus over core NATS. Connects with unlimited reconnects, including the first
// connection, so a NATS that is down at start is waited for, not a crash loop.
import { readFileSync } from 'node:fs';
import { natsServersText, type NatsSettings } from '@live-calls/protocol';
import { connect, credsAuthenticator, errors, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../logger.js';
import { BusRequestError, type Bus, type BusHandler, type BusSubscription } from './bus.js';

export class NatsBus implements Bus {
  #connected = true;

  private constructor(
    readonly connection: NatsConnection,
    log: Logger,
  ) {
    void this.#watch(log);
  }

  static async connect(
    settings: NatsSettings,
    log: Logger,
    name = 'live-calls-backend',
  ): Promise<NatsBus> {
    const { servers, user, pass, token, credsFile, caFile } = settings;
    log.info({ servers: natsServersText(settings) }, 'connecting to NATS');
    const connection = await connect({
      servers,
      user,
      pass,
      token,
      ...(credsFile === undefined
        ? {}
        : { authenticator: credsAuthenticator(readFileSync(credsFile)) }),
      ...(caFile === undefined ? {} : { tls: { caFile } }),
      name,
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      pingInterval: 10_000,
    });
    log.info({ server: connection.getServer() }, 'connected to NATS');
    return new NatsBus(connection, log);
  }

  async #watch(log: Logger): Promise<void> {
    for await (const status of this.connection.status()) {
      if (status.type === 'disconnect') {
        this.#connected = false;
        log.warn('NATS disconnected');
      } else if (status.type === 'reconnect') {
        this.#connected = true;
        log.info('NATS reconnected');
      } else if (status.type === 'slowConsumer') {
        log.warn({ status }, 'NATS slow consumer: messages dropped');
      }
    }
  }

  get connected(): boolean {
    return this.#connected && !this.connection.isClosed();
  }

  subscribe(subject: string, queue: string, handler: BusHandler): BusSubscription {
    const subscription = this.connection.subscribe(subject, {
      queue,
      callback: (err, msg) => {
        if (err === null) handler(msg.subject, msg.data);
      },
    });
    return { drain: () => subscription.drain() };
  }

  publish(subject: string, data: Uint8Array | string): void {
    this.connection.publish(subject, data);
  }

  async request(subject: string, data: string, timeoutMs: number): Promise<Uint8Array> {
    try {
      return (await this.connection.request(subject, data, { timeout: timeoutMs })).data;
    } catch (caught) {
      const err = caught instanceof Error ? caught : new Error(String(caught));
      if (
        err instanceof errors.NoRespondersError ||
        err.cause instanceof errors.NoRespondersError ||
        (err instanceof errors.RequestError && err.isNoResponders())
      ) {
        throw new BusRequestError('no_responders', `no responders on ${subject}`, { cause: err });
      }
      if (err instanceof errors.TimeoutError || err.cause instanceof errors.TimeoutError) {
        throw new BusRequestError('timeout', `no answer on ${subject} in ${timeoutMs} ms`, {
          cause: err,
        });
      }
      throw new BusRequestError('failed', `request on ${subject} failed`, { cause: err });
    }
  }

  flush(): Promise<void> {
    return this.connection.flush();
  }

  #closing = false;

  get lost(): Promise<Error> {
    return this.connection
      .closed()
      .then((err) =>
        this.#closing
          ? new Promise<Error>(() => undefined)
          : (err ?? new Error('NATS connection closed')),
      );
  }

  async close(): Promise<void> {
    this.#closing = true;
    if (this.connection.isClosed()) return;
    await this.connection.drain().catch(() => this.connection.close());
  }
}
