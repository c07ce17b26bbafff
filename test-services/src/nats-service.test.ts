import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, type Status } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { startNats, type NatsService } from './nats-service.js';

async function connectTo(nats: NatsService): Promise<NatsConnection> {
  // Retry quickly and forever: the tests restart the server under the connection.
  const connection = await connect({
    servers: nats.url,
    reconnectTimeWait: 50,
    maxReconnectAttempts: -1,
  });
  onTestFinished(() => connection.close());
  return connection;
}

async function nextStatus(connection: NatsConnection, type: Status['type']): Promise<void> {
  for await (const status of connection.status()) {
    if (status.type === type) return;
  }
}

describe('startNats', () => {
  let nats: NatsService;

  beforeAll(async () => {
    nats = await startNats();
  });

  afterAll(async () => {
    await nats.close();
  });

  it('serves publish/subscribe on a private port', async () => {
    expect(nats.url).toBe(`nats://127.0.0.1:${nats.port}`);
    const nc = await connectTo(nats);
    const sub = nc.subscribe('calls.test', { max: 1, timeout: 5_000 });
    nc.publish('calls.test', 'hello');
    const received: string[] = [];
    for await (const msg of sub) received.push(msg.string());
    expect(received).toEqual(['hello']);
  });

  it('deduplicates JetStream publishes by message id', async () => {
    const nc = await connectTo(nats);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'DEDUP', subjects: ['dedup.>'] });
    const js = jetstream(nc);

    const first = await js.publish('dedup.call', 'started', { msgID: 'call-1:started' });
    const second = await js.publish('dedup.call', 'started', { msgID: 'call-1:started' });

    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    expect(second.seq).toBe(first.seq);
    expect((await jsm.streams.info('DEDUP')).state.messages).toBe(1);
  });

  it('restarts on the same port, and a connection reconnects and keeps its subscriptions', async () => {
    const nc = await connectTo(nats);
    const received: string[] = [];
    nc.subscribe('restart.test', {
      callback: (_error, msg) => {
        received.push(msg.string());
      },
    });
    nc.publish('restart.test', 'before');
    await vi.waitFor(() => expect(received).toEqual(['before']));
    const { port, pid } = nats;

    const reconnected = nextStatus(nc, 'reconnect');
    await nats.restart();
    await reconnected;

    expect(nats.port).toBe(port);
    expect(nats.pid).not.toBe(pid);
    nc.publish('restart.test', 'after');
    await vi.waitFor(() => expect(received).toEqual(['before', 'after']));
  });

  it('keeps JetStream data across a restart', async () => {
    const before = await connectTo(nats);
    const jsm = await jetstreamManager(before);
    await jsm.streams.add({ name: 'KEEP', subjects: ['keep.>'] });
    const js = jetstream(before);
    for (const n of [1, 2, 3]) await js.publish(`keep.${n}`, `message ${n}`);
    await before.close();
    const { storeDir } = nats;

    await nats.restart();

    expect(nats.storeDir).toBe(storeDir);
    expect(existsSync(join(storeDir, 'jetstream'))).toBe(true);
    const after = await connectTo(nats);
    const jsmAfter = await jetstreamManager(after);
    expect((await jsmAfter.streams.info('KEEP')).state.messages).toBe(3);
    expect((await jsmAfter.streams.getMessage('KEEP', { seq: 2 }))?.string()).toBe('message 2');
  });

  it('kill() crashes the server, and start() brings it back on the same port', async () => {
    const { port } = nats;
    await nats.kill();
    expect(nats.running).toBe(false);
    await nats.start();
    expect(nats.port).toBe(port);
    const nc = await connectTo(nats);
    await nc.flush();
  });
});

describe('startNats({ jetstream: false })', () => {
  it('runs core NATS without JetStream', async () => {
    const nats = await startNats({ jetstream: false });
    try {
      const nc = await connectTo(nats);
      await nc.flush();
      await expect(jetstreamManager(nc)).rejects.toThrow();
      expect(existsSync(join(nats.storeDir, 'jetstream'))).toBe(false);
    } finally {
      await nats.close();
    }
  });
});
