// Redis (master, replica, three Sentinels) and a three-node NATS cluster started from the
// kit's own files in infra/redis/ and infra/nats/, on free ports of this machine: the
// production addresses and ports are rewritten, placeholders filled in, nothing else changed.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { closeAll, freePort, waitUntil } from '@live-calls/test-services';
import { INFRA } from './paths.js';
import { render } from './render.js';
import { startServer, type ServerProcess } from './server-process.js';

const run = promisify(execFile);

export const REDIS_MASTER_NAME = 'live-calls';

/** `redis-cli` against 127.0.0.1:port with a password; the reply as text, errors included. */
export async function redisCli(
  port: number,
  password: string | null,
  ...args: string[]
): Promise<string> {
  const auth = password === null ? [] : ['--no-auth-warning', '-a', password];
  const { stdout } = await run('redis-cli', [
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    ...auth,
    ...args,
  ]);
  return stdout.trim();
}

export interface KitRedis {
  readonly masterPort: number;
  readonly replicaPort: number;
  readonly sentinelPorts: readonly number[];
  /** REDIS_SENTINELS for the services. */
  readonly sentinels: string;
  readonly password: string;
  readonly sentinelPassword: string;
  close(): Promise<void>;
}

export async function startKitRedis(passwords: {
  redis: string;
  sentinel: string;
}): Promise<KitRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'live-calls-kit-redis-'));
  const redisConf = readFileSync(`${INFRA}redis/redis.conf`, 'utf8');
  const sentinelConf = readFileSync(`${INFRA}redis/sentinel.conf`, 'utf8');
  const [masterPort, replicaPort, ...sentinelPorts] = (await Promise.all(
    Array.from({ length: 5 }, () => freePort()),
  )) as [number, number, number, number, number];
  const servers: ServerProcess[] = [];
  const close = async () => {
    await closeAll(servers);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const redisNode = async (name: string, port: number, replicaOf?: number) => {
      const home = join(dir, name);
      mkdirSync(home);
      const replacements: [string, string][] = [
        ['bind 10.0.0.31 127.0.0.1', 'bind 127.0.0.1'],
        ['port 6379', `port ${port}`],
        ['dir /var/lib/redis', `dir ${home}`],
        ['@REDIS_PASSWORD@', passwords.redis],
      ];
      if (replicaOf !== undefined)
        replacements.push(['# replicaof 10.0.0.31 6379', `replicaof 127.0.0.1 ${replicaOf}`]);
      const conf = join(home, 'redis.conf');
      writeFileSync(conf, render(redisConf, replacements));
      servers.push(
        await startServer({
          name,
          command: 'redis-server',
          args: [conf],
          port,
          logFile: join(home, 'log'),
        }),
      );
    };
    await redisNode('master', masterPort);
    await redisNode('replica', replicaPort, masterPort);
    await Promise.all(
      sentinelPorts.map(async (port, i) => {
        const home = join(dir, `sentinel-${i + 1}`);
        mkdirSync(home);
        const conf = join(home, 'sentinel.conf');
        writeFileSync(
          conf,
          render(sentinelConf, [
            ['bind 10.0.0.33 127.0.0.1', 'bind 127.0.0.1'],
            ['port 26379', `port ${port}`],
            ['dir /var/lib/redis', `dir ${home}`],
            ['10.0.0.31 6379 2', `127.0.0.1 ${masterPort} 2`],
            ['@REDIS_PASSWORD@', passwords.redis],
            ['@SENTINEL_PASSWORD@', passwords.sentinel],
          ]),
        );
        servers.push(
          await startServer({
            name: `sentinel-${i + 1}`,
            command: 'redis-server',
            args: [conf, '--sentinel'],
            port,
            logFile: join(home, 'log'),
          }),
        );
      }),
    );
    // The Sentinels find each other and the replica through the master's hello channel.
    await waitUntil(
      async () =>
        (
          await Promise.all(
            sentinelPorts.map((port) =>
              redisCli(port, passwords.sentinel, 'SENTINEL', 'CKQUORUM', REDIS_MASTER_NAME),
            ),
          )
        ).every((reply) => reply.startsWith('OK 3 usable Sentinels')),
      { what: 'the three Sentinels to agree on a quorum', timeoutMs: 30_000, intervalMs: 250 },
    );
  } catch (err) {
    await close();
    throw err;
  }
  return {
    masterPort,
    replicaPort,
    sentinelPorts,
    sentinels: sentinelPorts.map((port) => `127.0.0.1:${port}`).join(','),
    password: passwords.redis,
    sentinelPassword: passwords.sentinel,
    close,
  };
}

export interface NatsPasswords {
  route: string;
  backend: string;
  bridge: string;
  sys: string;
}

export interface KitNats {
  readonly clientPorts: readonly number[];
  readonly monitorPorts: readonly number[];
  /** NATS_URL for a user of the kit's config: every node, credentials in each URL. */
  urlFor(user: string, password: string): string;
  close(): Promise<void>;
}

/** The kit's nats-server.conf for one node on this machine. */
export function renderNatsNode(
  template: string,
  node: {
    name: string;
    clientPort: number;
    monitorPort: number;
    clusterPort: number;
    storeDir: string;
  },
  clusterPorts: readonly number[],
  passwords: NatsPasswords,
): string {
  return render(template, [
    ['@SERVER_NAME@', node.name],
    ['listen: 0.0.0.0:4222', `listen: 127.0.0.1:${node.clientPort}`],
    ['http: 127.0.0.1:8222', `http: 127.0.0.1:${node.monitorPort}`],
    ['listen: 0.0.0.0:6222', `listen: 127.0.0.1:${node.clusterPort}`],
    ...clusterPorts.map((port, i): [string, string] => [
      `10.0.0.4${i + 1}:6222`,
      `127.0.0.1:${port}`,
    ]),
    ['store_dir: /var/lib/nats/jetstream', `store_dir: ${JSON.stringify(node.storeDir)}`],
    ['@ROUTE_PASSWORD@', passwords.route],
    ['@BACKEND_PASSWORD@', passwords.backend],
    ['@BRIDGE_PASSWORD@', passwords.bridge],
    ['@SYS_PASSWORD@', passwords.sys],
  ]);
}

async function monitor(port: number, path: string): Promise<Record<string, unknown> | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    return response.ok ? ((await response.json()) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export async function startKitNats(passwords: NatsPasswords): Promise<KitNats> {
  const dir = mkdtempSync(join(tmpdir(), 'live-calls-kit-nats-'));
  const template = readFileSync(`${INFRA}nats/nats-server.conf`, 'utf8');
  const ports = await Promise.all(Array.from({ length: 9 }, () => freePort()));
  const nodes = [0, 1, 2].map((i) => ({
    name: `nats-${i + 1}`,
    clientPort: ports[i * 3] as number,
    monitorPort: ports[i * 3 + 1] as number,
    clusterPort: ports[i * 3 + 2] as number,
    storeDir: join(dir, `nats-${i + 1}`, 'jetstream'),
  }));
  const servers: ServerProcess[] = [];
  const close = async () => {
    await closeAll(servers);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(
      nodes.map(async (node) => {
        mkdirSync(join(dir, node.name));
        const conf = join(dir, node.name, 'nats-server.conf');
        writeFileSync(
          conf,
          renderNatsNode(
            template,
            node,
            nodes.map((n) => n.clusterPort),
            passwords,
          ),
        );
        servers.push(
          await startServer({
            name: node.name,
            command: 'nats-server',
            args: ['-c', conf],
            port: node.clientPort,
            logFile: join(dir, node.name, 'log'),
          }),
        );
      }),
    );
    // Every node routed to the two others, and JetStream's meta group has a leader.
    await waitUntil(
      async () => {
        const states = await Promise.all(
          nodes.map(async (node) => ({
            routes: (await monitor(node.monitorPort, '/routez'))?.num_routes,
            jetstream: await monitor(node.monitorPort, '/healthz?js-enabled-only=true'),
            meta: (await monitor(node.monitorPort, '/jsz'))?.meta_cluster as
              { leader?: string } | undefined,
          })),
        );
        return states.every(
          (s) => s.routes === 2 && s.jetstream !== undefined && (s.meta?.leader ?? '') !== '',
        );
      },
      {
        what: 'the NATS cluster to form with a JetStream leader',
        timeoutMs: 30_000,
        intervalMs: 250,
      },
    );
  } catch (err) {
    await close();
    throw err;
  }
  return {
    clientPorts: nodes.map((n) => n.clientPort),
    monitorPorts: nodes.map((n) => n.monitorPort),
    urlFor: (user, password) =>
      nodes.map((n) => `nats://${user}:${password}@127.0.0.1:${n.clientPort}`).join(','),
    close,
  };
}
