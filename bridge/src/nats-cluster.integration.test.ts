// The bridge against real three-node NATS clusters (test-services' startNatsCluster): it
// authenticates with a user and password in NATS_URL or with NATS_TOKEN, stops with one line
// when NATS refuses it, and when the node it is connected to is killed it moves to another
// and every ended call still gets exactly one CDR (stream and state bucket on 3 replicas).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CDR_STREAM, type CallRecord } from '@live-calls/protocol';
import { startNatsCluster, type NatsCluster } from '@live-calls/test-services';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from './bridge.js';
import { parseConfig } from './config.js';
import { STATE_BUCKET, sourceToken } from './state-key.js';
import { metricValue } from './testing/metric-value.js';

const BRIDGE = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const USER = 'bridge';
const PASS = '7f3a:pass@word'; // digits first, a colon and an at sign: all must survive the URL
const TOKEN = 'tok-3c1e9f';
const silent = pino({ level: 'silent' });

/** Every server of the cluster with `userinfo@` in front of its host. */
function withUserinfo(cluster: NatsCluster, userinfo: string): string {
  return cluster.urls.map((url) => url.replace('nats://', `nats://${userinfo}@`)).join(',');
}

function simulatorBridge(env: Record<string, string>): Promise<Bridge> {
  return startBridge(
    parseConfig({
      PBX: 'simulator',
      SIM_CPS: '50',
      SYNC_INTERVAL_MS: '1000',
      HEALTH_PORT: '0',
      // Without JetStream nothing can be stored: neither wait for it at start nor at close.
      STATE_LOAD_TIMEOUT_MS: '0',
      SHUTDOWN_TIMEOUT_MS: '300',
      ...env,
    }),
    silent,
    { defaultMetrics: false },
  );
}

/** Resolves with the first call event a subscriber sees. */
async function firstEvent(nc: NatsConnection): Promise<CallRecord> {
  const sub = nc.subscribe('call.events.>', { max: 1 });
  for await (const msg of sub) return msg.json<CallRecord>();
  throw new Error('subscription closed without an event');
}

describe('user and password', () => {
  let cluster: NatsCluster;
  let bridge: Bridge | undefined;

  beforeAll(async () => {
    cluster = await startNatsCluster({ user: USER, pass: PASS, jetstream: false });
  }, 60_000);

  afterAll(async () => {
    await bridge?.close();
    await cluster?.close();
  }, 30_000);

  it('connects with user:pass@ in the URL of every server and publishes', async () => {
    const userinfo = `${encodeURIComponent(USER)}:${encodeURIComponent(PASS)}`;
    bridge = await simulatorBridge({
      SOURCE_ID: 'sim-auth',
      NATS_URL: withUserinfo(cluster, userinfo),
    });
    const observer = await connect({ servers: [...cluster.urls], user: USER, pass: PASS });
    try {
      expect((await firstEvent(observer)).source).toBe('sim-auth');
      expect(bridge.report().nats.connected).toBe(true);
    } finally {
      await observer.close();
    }
  }, 20_000);

  it.each([
    ['no credentials', ''],
    ['a wrong password', `${USER}:wrong@`],
  ])(
    'refuses to start with %s: Authorization Violation',
    async (_what, userinfo) => {
      const url = cluster.urls.map((u) => u.replace('nats://', `nats://${userinfo}`)).join(',');
      const started = Date.now();
      await expect(simulatorBridge({ SOURCE_ID: 'sim-refused', NATS_URL: url })).rejects.toThrow(
        /authorization violation/i,
      );
      expect(Date.now() - started).toBeLessThan(10_000);
    },
    20_000,
  );

  it('the bridge process stops with one line naming the refusal (exit 1)', async () => {
    if (!existsSync(BRIDGE)) throw new Error(`${BRIDGE} is missing: run pnpm build first`);
    const child = spawn(process.execPath, [BRIDGE], {
      env: {
        PATH: process.env.PATH ?? '',
        NATS_URL: cluster.url,
        SOURCE_ID: 'sim-refused',
        PBX: 'simulator',
        HEALTH_PORT: '0',
        LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^live-calls bridge: NATS .*authorization violation/i),
    ]);
    expect(stderr).not.toContain(PASS);
  }, 20_000);
});

describe('token', () => {
  let cluster: NatsCluster;

  beforeAll(async () => {
    cluster = await startNatsCluster({ token: TOKEN, jetstream: false });
  }, 60_000);

  afterAll(async () => {
    await cluster?.close();
  }, 30_000);

  it.each([
    ['NATS_TOKEN', (c: NatsCluster) => ({ NATS_URL: c.url, NATS_TOKEN: TOKEN })],
    ['token@ in the URL', (c: NatsCluster) => ({ NATS_URL: withUserinfo(c, TOKEN) })],
  ])(
    'connects with %s',
    async (_what, env) => {
      const bridge = await simulatorBridge({ SOURCE_ID: 'sim-token', ...env(cluster) });
      const observer = await connect({ servers: [...cluster.urls], token: TOKEN });
      try {
        expect((await firstEvent(observer)).source).toBe('sim-token');
      } finally {
        await observer.close();
        await bridge.close();
      }
    },
    20_000,
  );

  it('refuses to start without it', async () => {
    await expect(
      simulatorBridge({ SOURCE_ID: 'sim-token', NATS_URL: cluster.url }),
    ).rejects.toThrow(/authorization violation/i);
  }, 20_000);
});

describe('a node of a three-node JetStream cluster killed under the bridge', () => {
  const SOURCE = 'sim-failover';
  let cluster: NatsCluster;
  let observer: NatsConnection;
  let bridge: Bridge | undefined;

  beforeAll(async () => {
    cluster = await startNatsCluster({ user: USER, pass: PASS, jetstream: true });
    observer = await connect({
      servers: [...cluster.urls],
      user: USER,
      pass: PASS,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 200,
    });
  }, 60_000);

  afterAll(async () => {
    await bridge?.close();
    await observer?.close();
    await cluster?.close();
  }, 30_000);

  it('moves to another node and every ended call still gets exactly one CDR', async () => {
    const ended = new Set<string>();
    observer.subscribe('call.events.ended', {
      callback: (_err, msg) => {
        ended.add(msg.json<CallRecord>().id);
      },
    });
    await observer.flush();
    bridge = await simulatorBridge({
      SOURCE_ID: SOURCE,
      SIM_CPS: '100',
      NATS_URL: withUserinfo(cluster, `${USER}:${encodeURIComponent(PASS)}`),
      CDR_REPLICAS: '3',
      STATE_REPLICAS: '3',
      STATE_LOAD_TIMEOUT_MS: '10000',
      SHUTDOWN_TIMEOUT_MS: '15000',
    });
    const b = bridge;
    const acked = () => metricValue(b.metrics.cdrAcked);
    await expect.poll(acked, { timeout: 20_000 }).toBeGreaterThan(20);

    const server = b.nats.getServer();
    const node = cluster.nodes.find((n) => server.endsWith(`:${n.port}`));
    expect(node).toBeDefined();
    await node?.kill();
    await expect
      .poll(() => b.report().nats.connected && b.nats.getServer() !== server, { timeout: 10_000 })
      .toBe(true);
    const ackedAtKill = await acked();
    await expect.poll(acked, { timeout: 20_000 }).toBeGreaterThan(ackedAtKill + 20);

    await b.close();
    bridge = undefined;
    // The JetStream API needs a meta leader again for the reads below.
    await cluster.waitUntilFormed();
    expect(await metricValue(b.metrics.cdrDropped)).toBe(0);
    expect(b.cdr.pending).toBe(0);
    expect(b.state.pending).toBe(0);

    const jsm = await jetstreamManager(observer);
    const stream = await jsm.streams.info(CDR_STREAM);
    expect(stream.config.num_replicas).toBe(3);
    const ids: string[] = [];
    for (let seq = stream.state.first_seq; seq <= stream.state.last_seq; seq++) {
      const msg = await jsm.streams.getMessage(CDR_STREAM, { seq });
      if (msg !== null) ids.push(msg.header.get('Nats-Msg-Id'));
    }
    // One CDR per call: the ones acked, each once; every ended call seen on the bus has one.
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(
      (await metricValue(b.metrics.cdrAcked)) - (await metricValue(b.metrics.cdrDuplicates)),
    );
    expect(ended.size).toBeGreaterThan(40);
    for (const id of ended) expect(ids).toContain(id);

    // The state bucket (3 replicas) still holds only the calls that had not ended.
    const bucket = await jsm.streams.info(`KV_${STATE_BUCKET}`);
    expect(bucket.config.num_replicas).toBe(3);
    const prefix = `$KV.${STATE_BUCKET}.${sourceToken(SOURCE)}.`;
    const held = await jsm.streams.info(`KV_${STATE_BUCKET}`, { subjects_filter: `${prefix}>` });
    const subjects = Object.keys(held.state.subjects ?? {});
    expect(subjects.length).toBeGreaterThan(0); // calls still up when the bridge stopped
    for (const subject of subjects) {
      const msg = await jsm.streams.getMessage(`KV_${STATE_BUCKET}`, { last_by_subj: subject });
      const record = msg?.json<CallRecord>();
      expect(record?.phase).toMatch(/^(setup|ringing|answered)$/);
      expect(ids).not.toContain(record?.id);
    }
  }, 90_000);
});
