// The kit's Redis and NATS configurations, started as written (addresses, ports and
// placeholders rewritten for this machine): Redis refuses to evict and persists, the replica
// follows the master, three Sentinels reach their quorum of 2; `nats-server -t` accepts the
// cluster config, three nodes form a cluster, and each user may do exactly its service's job.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { waitUntil } from '@live-calls/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REDIS_MASTER_NAME,
  redisCli,
  renderNatsNode,
  startKitNats,
  startKitRedis,
  type KitNats,
  type KitRedis,
} from './lib/kit-engines.js';
import { INFRA } from './lib/paths.js';

const run = promisify(execFile);
const REDIS_PASSWORD = 'redis-pass-for-the-kit-check';
const SENTINEL_PASSWORD = 'sentinel-pass-for-the-kit-check';
const NATS_PASSWORDS = {
  route: 'route-pass',
  backend: '5backend-pass',
  bridge: 'bridge-pass',
  sys: 'sys-pass',
};

describe('infra/redis: master, replica and three Sentinels', () => {
  let redis: KitRedis;
  beforeAll(async () => {
    redis = await startKitRedis({ redis: REDIS_PASSWORD, sentinel: SENTINEL_PASSWORD });
  });
  afterAll(() => redis?.close());

  it('never evicts, and persists with an append-only file written every second', async () => {
    const get = (name: string) => redisCli(redis.masterPort, REDIS_PASSWORD, 'CONFIG', 'GET', name);
    expect(await get('maxmemory-policy')).toBe('maxmemory-policy\nnoeviction');
    expect(await get('appendonly')).toBe('appendonly\nyes');
    expect(await get('appendfsync')).toBe('appendfsync\neverysec');
  });

  it('answers no one without the password', async () => {
    expect(await redisCli(redis.masterPort, null, 'PING')).toMatch(/^NOAUTH/);
    expect(await redisCli(redis.sentinelPorts[0]!, null, 'PING')).toMatch(/^NOAUTH/);
    expect(await redisCli(redis.masterPort, REDIS_PASSWORD, 'PING')).toBe('PONG');
  });

  it('has the replica following the master with the shared password', async () => {
    await waitUntil(
      async () =>
        (await redisCli(redis.replicaPort, REDIS_PASSWORD, 'INFO', 'replication')).includes(
          'master_link_status:up',
        ),
      { what: 'the replica to link up', timeoutMs: 10_000 },
    );
    expect(await redisCli(redis.masterPort, REDIS_PASSWORD, 'INFO', 'replication')).toMatch(
      /connected_slaves:1/,
    );
  });

  it('has three Sentinels that can authorize a failover with a quorum of 2', async () => {
    for (const port of redis.sentinelPorts) {
      expect(
        await redisCli(port, SENTINEL_PASSWORD, 'SENTINEL', 'CKQUORUM', REDIS_MASTER_NAME),
      ).toMatch(/^OK 3 usable Sentinels\. Quorum and failover authorization can be reached/);
      const master = (
        await redisCli(port, SENTINEL_PASSWORD, 'SENTINEL', 'MASTER', REDIS_MASTER_NAME)
      ).split('\n');
      expect(master[master.indexOf('quorum') + 1]).toBe('2');
      expect(master[master.indexOf('num-slaves') + 1]).toBe('1');
    }
  });
});

describe('infra/nats: a three-node cluster with accounts', () => {
  let nats: KitNats;
  beforeAll(async () => {
    nats = await startKitNats(NATS_PASSWORDS);
  });
  afterAll(() => nats?.close());

  it('passes nats-server -t', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'live-calls-nats-t-'));
    try {
      const conf = join(dir, 'nats-server.conf');
      writeFileSync(
        conf,
        renderNatsNode(
          readFileSync(`${INFRA}nats/nats-server.conf`, 'utf8'),
          {
            name: 'nats-1',
            clientPort: 4222,
            monitorPort: 8222,
            clusterPort: 6222,
            storeDir: join(dir, 'js'),
          },
          [6222, 6223, 6224],
          NATS_PASSWORDS,
        ),
      );
      const { stdout, stderr } = await run('nats-server', ['-t', '-c', conf]);
      expect(`${stdout}${stderr}`).toMatch(/configuration file .* is valid/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a client without credentials', async () => {
    await expect(
      connect({ servers: `127.0.0.1:${nats.clientPorts[0]}`, reconnect: false }),
    ).rejects.toThrow(/Authorization Violation/i);
  });

  it('lets the bridge user publish call events that the backend user receives on another node', async () => {
    const backend = await connect({
      servers: `127.0.0.1:${nats.clientPorts[0]}`,
      user: 'backend',
      pass: NATS_PASSWORDS.backend,
    });
    const bridge = await connect({
      servers: `127.0.0.1:${nats.clientPorts[2]}`,
      user: 'bridge',
      pass: NATS_PASSWORDS.bridge,
    });
    try {
      const received: string[] = [];
      const sub = backend.subscribe('call.events.>', {
        queue: 'ingest',
        callback: (_err, msg) => {
          received.push(msg.subject);
        },
      });
      await backend.flush();
      // Interest travels over the routes before the publish can reach it.
      await waitUntil(
        async () => {
          bridge.publish('call.events.ringing', 'x');
          await bridge.flush();
          return received.length > 0;
        },
        { what: 'a call event across the cluster', timeoutMs: 10_000, intervalMs: 100 },
      );
      expect(received[0]).toBe('call.events.ringing');
      sub.unsubscribe();
    } finally {
      await Promise.all([backend.close(), bridge.close()]);
    }
  });

  it('denies the backend user any publish and the bridge user any subscription but its inbox', async () => {
    const violations: string[] = [];
    const backend = await connect({
      servers: `127.0.0.1:${nats.clientPorts[1]}`,
      user: 'backend',
      pass: NATS_PASSWORDS.backend,
    });
    const bridge = await connect({
      servers: `127.0.0.1:${nats.clientPorts[1]}`,
      user: 'bridge',
      pass: NATS_PASSWORDS.bridge,
    });
    try {
      for (const nc of [backend, bridge])
        void (async () => {
          for await (const status of nc.status())
            if (status.type === 'error') violations.push(String(status.error));
        })();
      backend.publish('call.events.ringing', 'x');
      bridge.subscribe('call.events.>', { callback: () => undefined });
      await Promise.all([backend.flush(), bridge.flush()]);
      await waitUntil(() => violations.length >= 2, {
        what: 'two permission violations',
        timeoutMs: 5_000,
      });
      expect(violations.join('\n')).toMatch(/publish to "call\.events\.ringing"/i);
      expect(violations.join('\n')).toMatch(/subscription to "call\.events\.>"/i);
    } finally {
      await Promise.all([backend.close(), bridge.close()]);
    }
  });
});
