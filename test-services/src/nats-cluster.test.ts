import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { startNatsCluster, type NatsCluster } from './nats-cluster.js';

async function connectTo(
  servers: string,
  options: Partial<ConnectionOptions> = {},
): Promise<NatsConnection> {
  const connection = await connect({
    servers,
    reconnectTimeWait: 50,
    maxReconnectAttempts: -1,
    ...options,
  });
  onTestFinished(() => connection.close());
  return connection;
}

async function routeCount(monitorUrl: string): Promise<number> {
  const response = await fetch(`${monitorUrl}/routez`);
  return ((await response.json()) as { num_routes: number }).num_routes;
}

/** Subscribes through `subscriber`, publishes through `publisher`, returns what arrived. */
async function relay(
  publisher: NatsConnection,
  subscriber: NatsConnection,
  subject: string,
): Promise<string[]> {
  const received: string[] = [];
  subscriber.subscribe(subject, {
    callback: (_error, msg) => {
      received.push(msg.string());
    },
  });
  await subscriber.flush();
  // Interest crosses the routes asynchronously: publish until the other node knows of it.
  await vi.waitFor(async () => {
    publisher.publish(subject, 'hello');
    await publisher.flush();
    await subscriber.flush();
    expect(received.length).toBeGreaterThan(0);
  });
  return received;
}

describe('startNatsCluster({ user, pass })', () => {
  let cluster: NatsCluster;
  const credentials = { user: 'wall', pass: 'p@ss "word"' };

  beforeAll(async () => {
    cluster = await startNatsCluster(credentials);
  });

  afterAll(async () => {
    await cluster.close();
  });

  it('forms one cluster of three nodes, each with a route to the other two', async () => {
    expect(cluster.nodes).toHaveLength(3);
    expect(cluster.url).toBe(
      cluster.nodes.map((node) => `nats://127.0.0.1:${node.port}`).join(','),
    );
    expect(cluster.user).toBe('wall');
    expect(cluster.pass).toBe('p@ss "word"');
    expect(new Set(cluster.nodes.map((node) => node.name)).size).toBe(3);
    for (const node of cluster.nodes) expect(await routeCount(node.monitorUrl)).toBe(2);
  });

  it('carries a message published on node A to a subscriber on node C', async () => {
    const [a, , c] = cluster.nodes;
    const publisher = await connectTo(a?.url ?? '', credentials);
    const subscriber = await connectTo(c?.url ?? '', credentials);
    expect(subscriber.info?.server_name).toBe(c?.name);
    expect(subscriber.info?.jetstream).toBe(true);
    expect(await relay(publisher, subscriber, 'calls.across')).toContain('hello');
  });

  it('refuses a connection without credentials or with a wrong password', async () => {
    const url = cluster.nodes[0]?.url ?? '';
    await expect(connect({ servers: url, reconnect: false })).rejects.toThrow(
      /Authorization Violation/i,
    );
    await expect(
      connect({ servers: url, reconnect: false, user: 'wall', pass: 'wrong' }),
    ).rejects.toThrow(/Authorization Violation/i);
  });

  it('keeps serving on two nodes after kill -9 of the third, JetStream included, and it rejoins', async () => {
    const [a, b, c] = cluster.nodes;
    if (a === undefined || b === undefined || c === undefined)
      throw new Error('three nodes expected');
    const client = await connectTo(a.url, credentials);
    const jsm = await jetstreamManager(client);
    await jsm.streams.add({ name: 'CHAOS', subjects: ['chaos.>'], num_replicas: 3 });
    const js = jetstream(client);
    await js.publish('chaos.before', 'kept');

    await b.kill();
    await cluster.waitUntilFormed();

    const subscriber = await connectTo(c.url, credentials);
    expect(await relay(client, subscriber, 'calls.after-kill')).toContain('hello');
    // A replicated stream keeps its quorum with two of three nodes; when the killed node led
    // the stream, the other two elect a new stream leader first (a separate Raft group from
    // the meta leader that waitUntilFormed awaits), and until then a publish has no responder.
    await vi.waitFor(
      async () => {
        const leader = (await jsm.streams.info('CHAOS')).cluster?.leader;
        expect([a.name, c.name]).toContain(leader);
      },
      { timeout: 15_000, interval: 100 },
    );
    const ack = await js.publish('chaos.after', 'also kept');
    expect(ack.seq).toBe(2);

    await b.start(); // resolves once it has rejoined
    expect(await routeCount(b.monitorUrl)).toBe(2);
    const onRestarted = await connectTo(b.url, credentials);
    expect(await relay(onRestarted, subscriber, 'calls.after-restart')).toContain('hello');
    // Nothing written while it was away is lost. Right after the rejoin the stream's info has
    // once (in CI) still counted one message: the replicas converge, the count is awaited.
    await vi.waitFor(async () => expect((await jsm.streams.info('CHAOS')).state.messages).toBe(2), {
      timeout: 15_000,
      interval: 200,
    });
  });
});

describe('startNatsCluster({ token, jetstream: false })', () => {
  it('forms a core NATS cluster that admits only the token', async () => {
    const cluster = await startNatsCluster({ token: 'wall-token', jetstream: false });
    onTestFinished(() => cluster.close());
    expect(cluster.jetstream).toBe(false);
    expect(cluster.token).toBe('wall-token');
    const [a, , c] = cluster.nodes;
    await expect(connect({ servers: a?.url ?? '', reconnect: false })).rejects.toThrow(
      /Authorization Violation/i,
    );
    const publisher = await connectTo(a?.url ?? '', { token: 'wall-token' });
    const subscriber = await connectTo(c?.url ?? '', { token: 'wall-token' });
    expect(await relay(publisher, subscriber, 'calls.token')).toContain('hello');
    expect(publisher.info?.jetstream).toBeFalsy();
  });

  it('rejects credentials nats-server cannot take together', async () => {
    await expect(startNatsCluster({ user: 'u' })).rejects.toThrow(/user and pass together/);
    await expect(startNatsCluster({ user: 'u', pass: 'p', token: 't' })).rejects.toThrow(
      /not both/,
    );
  });
});
