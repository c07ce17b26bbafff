import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { closeAll, type Closable } from './close-all.js';
import { ManagedProcess, launchServer, type ServerSpec } from './managed-process.js';
import type { ManagedService } from './managed-service.js';
import { redisCommand } from './redis-command.js';
import {
  isRedisProcess,
  launchRedis,
  type RedisServer,
  type RedisService,
} from './redis-service.js';
import { isRespArray, respText, type RespValue } from './resp.js';
import { sentinelConfig } from './sentinel-config.js';
import { waitUntil } from './wait-until.js';

export interface RedisHaOptions {
  /** The name Sentinel monitors the master under (`REDIS_MASTER_NAME`). Default `lc-master`. */
  readonly masterName?: string;
  /** `requirepass`/`masterauth` on master and replica, `sentinel auth-pass` on the Sentinels. */
  readonly password?: string;
  /** `requirepass` on the Sentinels. */
  readonly sentinelPassword?: string;
  /** Sentinel's `down-after-milliseconds`. Default 1000. */
  readonly downAfterMs?: number;
  /** Sentinel's `failover-timeout`. Default 3000. */
  readonly failoverTimeoutMs?: number;
}

export interface FailoverReport {
  /** From the master's SIGKILL until a Sentinel names the promoted replica, which answers as master. */
  readonly promotedMs: number;
  /** From the SIGKILL until every running Sentinel names it. */
  readonly agreedMs: number;
  /** The killed master, now stopped; `restartOldMasterAsReplica()` brings it back. */
  readonly oldMaster: RedisService;
  readonly newMaster: RedisService;
}

/** A Redis master, its replica and three Sentinels (quorum 2), on free ports. */
export interface RedisHa {
  readonly masterName: string;
  /** `127.0.0.1:PORT` of each Sentinel. */
  readonly sentinels: readonly string[];
  /** The `REDIS_SENTINELS` value: `127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3`. */
  readonly sentinelList: string;
  /** `redis://127.0.0.1:PORT` of each Sentinel. */
  readonly sentinelUrls: readonly string[];
  /** The Sentinel processes, to kill or pause one. */
  readonly sentinelNodes: readonly ManagedService[];
  readonly password: string | undefined;
  readonly sentinelPassword: string | undefined;
  /** The data node the Sentinels name as master; the two swap after a failover. */
  master(): RedisService;
  /** The other data node (stopped after a failover until `restartOldMasterAsReplica()`). */
  replica(): RedisService;
  /** kill -9 the master and wait for Sentinel to promote the replica. */
  failover(): Promise<FailoverReport>;
  /**
   * A failover that loses acknowledged writes, as asynchronous replication allows: the
   * replica is stopped (SIGSTOP) and cut off (`CLIENT KILL TYPE replica`), `write()` runs
   * against the master alone, the master is killed (SIGKILL), the replica continued and
   * promoted. What `write()` wrote is gone from the new master.
   */
  loseWritesOnFailover(write: () => Promise<void>): Promise<FailoverReport>;
  /**
   * SIGSTOP the master for `ms`, then SIGCONT. Longer than `downAfterMs`, the Sentinels
   * promote the replica meanwhile and demote the old master once it is back (about 8 s
   * later); resolves once that has settled.
   */
  pauseMaster(ms: number): Promise<{ readonly failedOver: boolean }>;
  /** After a failover, starts the killed master as a replica of the new one; resolves once in sync. */
  restartOldMasterAsReplica(): Promise<void>;
  /**
   * Resolves once every running Sentinel names the same master, free of down and failover
   * flags, that node answers as master, and the replica (if running) is in sync with it and
   * healthy in every Sentinel's view. Default timeout 30 s.
   */
  waitUntilSettled(timeoutMs?: number): Promise<void>;
  /** Stops every process and deletes the temp dirs; idempotent. */
  close(): Promise<void>;
}

const SENTINELS = 3;
const QUORUM = 2;
// Sentinel needs a majority of all Sentinels to authorize a failover, whatever the quorum.
const MAJORITY = Math.floor(SENTINELS / 2) + 1;
const DEFAULT_MASTER_NAME = 'lc-master';
const DEFAULT_DOWN_AFTER_MS = 1_000;
const DEFAULT_FAILOVER_TIMEOUT_MS = 3_000;
// A failover takes a few seconds; demoting a resumed old master about 8 s more.
const SETTLE_TIMEOUT_MS = 30_000;
const PROMOTION_TIMEOUT_MS = 30_000;
const PROBE_TIMEOUT_MS = 1_000;
const SENTINEL_CONF = 'sentinel.conf';

/**
 * Starts master, replica and three Sentinels, and resolves once the Sentinels know each
 * other and the replica, so a failover can happen. Without persistence.
 */
export async function startRedisHa(options: RedisHaOptions = {}): Promise<RedisHa> {
  const masterName = options.masterName ?? DEFAULT_MASTER_NAME;
  const { password, sentinelPassword } = options;
  const topology: Topology = { masterPort: undefined };
  // Asked at every start: a node the Sentinels demoted comes back as a replica.
  const replicaOf = (ownPort: number): number | undefined =>
    topology.masterPort === ownPort ? undefined : topology.masterPort;
  const started: Closable[] = [];
  try {
    const master = await launchRedis({ password, replicaOf });
    started.push(master);
    topology.masterPort = master.port;
    const replica = await launchRedis({ password, replicaOf });
    started.push(replica);

    const spec = sentinelSpec({
      masterName,
      masterPort: master.port,
      masterPassword: password,
      sentinelPassword,
      downAfterMs: options.downAfterMs ?? DEFAULT_DOWN_AFTER_MS,
      failoverTimeoutMs: options.failoverTimeoutMs ?? DEFAULT_FAILOVER_TIMEOUT_MS,
    });
    const launches = await Promise.allSettled(
      Array.from({ length: SENTINELS }, () =>
        launchServer(spec, (home) => new ManagedProcess(home)),
      ),
    );
    const sentinels: ManagedProcess[] = [];
    for (const launch of launches) {
      if (launch.status === 'fulfilled') sentinels.push(launch.value);
    }
    started.push(...sentinels);
    const failed = launches.find((launch) => launch.status === 'rejected');
    if (failed !== undefined) throw failed.reason;

    const ha = new RedisHaCluster({
      masterName,
      password,
      sentinelPassword,
      topology,
      nodes: [master, replica],
      sentinels,
    });
    await ha.waitUntilSettled();
    return ha;
  } catch (error) {
    await closeAll(started).catch(() => undefined);
    throw error;
  }
}

interface Topology {
  /** The port the Sentinels last agreed on as master. */
  masterPort: number | undefined;
}

interface SentinelSpecOptions {
  readonly masterName: string;
  readonly masterPort: number;
  readonly masterPassword: string | undefined;
  readonly sentinelPassword: string | undefined;
  readonly downAfterMs: number;
  readonly failoverTimeoutMs: number;
}

function sentinelSpec(options: SentinelSpecOptions): ServerSpec {
  return {
    name: 'redis-sentinel',
    executable: { binary: 'redis-server', debianPackage: 'redis-server' },
    scheme: 'redis',
    // The config file must stay writable: Sentinel rewrites it with what it learns.
    args: (_port, dir) => [join(dir, SENTINEL_CONF), '--sentinel'],
    prepare: (port, dir) =>
      writeFile(
        join(dir, SENTINEL_CONF),
        sentinelConfig({ ...options, port, dir, quorum: QUORUM }),
      ),
    isReady: (port, pid) => isRedisProcess(port, pid, options.sentinelPassword),
  };
}

interface ClusterParts {
  readonly masterName: string;
  readonly password: string | undefined;
  readonly sentinelPassword: string | undefined;
  readonly topology: Topology;
  readonly nodes: readonly [RedisServer, RedisServer];
  readonly sentinels: readonly ManagedProcess[];
}

interface TopologyStatus {
  readonly settled: boolean;
  readonly masterPort: number | undefined;
  /** What each Sentinel and data node said, for the timeout message. */
  readonly seen: readonly string[];
}

class RedisHaCluster implements RedisHa {
  readonly masterName: string;
  readonly sentinels: readonly string[];
  readonly sentinelList: string;
  readonly sentinelUrls: readonly string[];
  readonly sentinelNodes: readonly ManagedProcess[];
  readonly password: string | undefined;
  readonly sentinelPassword: string | undefined;
  readonly #topology: Topology;
  readonly #nodes: readonly [RedisServer, RedisServer];

  constructor(parts: ClusterParts) {
    this.masterName = parts.masterName;
    this.password = parts.password;
    this.sentinelPassword = parts.sentinelPassword;
    this.#topology = parts.topology;
    this.#nodes = parts.nodes;
    this.sentinelNodes = parts.sentinels;
    this.sentinels = parts.sentinels.map((sentinel) => `127.0.0.1:${sentinel.port}`);
    this.sentinelList = this.sentinels.join(',');
    this.sentinelUrls = parts.sentinels.map((sentinel) => sentinel.url);
  }

  master(): RedisServer {
    const [first, second] = this.#nodes;
    return first.port === this.#topology.masterPort ? first : second;
  }

  replica(): RedisServer {
    const [first, second] = this.#nodes;
    return first.port === this.#topology.masterPort ? second : first;
  }

  async failover(): Promise<FailoverReport> {
    await this.#expectFailoverPossible('failover()');
    const oldMaster = this.master();
    await oldMaster.kill();
    return this.#awaitPromotion(oldMaster, Date.now());
  }

  async loseWritesOnFailover(write: () => Promise<void>): Promise<FailoverReport> {
    await this.#expectFailoverPossible('loseWritesOnFailover()');
    const oldMaster = this.master();
    const replica = this.replica();
    // A replica that merely sleeps still reads what sits in its socket once continued; cutting
    // its link is what keeps the writes from it.
    await replica.pause();
    try {
      const killed = await oldMaster.command('CLIENT', 'KILL', 'TYPE', 'replica');
      if (killed !== 1)
        throw new Error(
          `CLIENT KILL TYPE replica on ${oldMaster.url} cut ${respText(killed)} links, not 1`,
        );
      await write();
      await oldMaster.kill();
    } catch (error) {
      await replica.resume();
      throw error;
    }
    const killedAt = Date.now();
    await replica.resume();
    return this.#awaitPromotion(oldMaster, killedAt);
  }

  async pauseMaster(ms: number): Promise<{ readonly failedOver: boolean }> {
    const master = this.master();
    await master.pause();
    try {
      await delay(ms);
    } finally {
      await master.resume();
    }
    await this.waitUntilSettled();
    return { failedOver: this.master() !== master };
  }

  async restartOldMasterAsReplica(): Promise<void> {
    // Started with --replicaof the current master (see replicaOf in startRedisHa).
    await this.replica().start();
    await this.waitUntilSettled();
  }

  async waitUntilSettled(timeoutMs: number = SETTLE_TIMEOUT_MS): Promise<void> {
    const status = await waitUntil(() => this.#status(), {
      what: `the Sentinels of ${this.masterName} to agree on a master with its replica in sync`,
      timeoutMs,
      accept: (status) => status.settled,
    });
    this.#topology.masterPort = status.masterPort;
  }

  close(): Promise<void> {
    // Sentinels first (closeAll goes last to first), so none reacts to the data nodes stopping.
    return closeAll([...this.#nodes, ...this.sentinelNodes]);
  }

  async #expectFailoverPossible(operation: string): Promise<void> {
    const running = this.#runningSentinels().length;
    if (running < MAJORITY) {
      throw new Error(
        `${operation} needs at least ${MAJORITY} of the ${SENTINELS} Sentinels running, a majority; running: ${running}`,
      );
    }
    if (!this.replica().running) {
      throw new Error(
        `${operation} needs a running replica; after a failover call restartOldMasterAsReplica() first`,
      );
    }
    await this.waitUntilSettled();
  }

  /** Waits until the Sentinels have promoted the other node of `oldMaster`. */
  async #awaitPromotion(oldMaster: RedisServer, killedAt: number): Promise<FailoverReport> {
    const candidate = this.#nodes.find((node) => node !== oldMaster) ?? oldMaster;
    let promotedAt: number | undefined;
    await waitUntil(
      async () => {
        const sentinels = this.#runningSentinels();
        const [named, role] = await Promise.all([
          Promise.all(sentinels.map((sentinel) => this.#namedMaster(sentinel))),
          this.#role(candidate),
        ]);
        const naming = named.filter((port) => port === candidate.port).length;
        const seen = {
          sentinels: sentinels.map(
            (sentinel, index) => `${sentinel.url} names port ${named[index]}`,
          ),
          [candidate.url]: role,
        };
        if (role[0] !== 'master' || naming === 0) return { ...seen, agreed: false };
        promotedAt ??= Date.now();
        return { ...seen, agreed: naming === named.length };
      },
      {
        what: `Sentinel to promote the replica ${candidate.url} of ${this.masterName}`,
        timeoutMs: PROMOTION_TIMEOUT_MS,
        accept: (state) => state.agreed,
      },
    );
    const agreedAt = Date.now();
    this.#topology.masterPort = candidate.port;
    return {
      promotedMs: (promotedAt ?? agreedAt) - killedAt,
      agreedMs: agreedAt - killedAt,
      oldMaster,
      newMaster: candidate,
    };
  }

  async #status(): Promise<TopologyStatus> {
    const seen: string[] = [];
    const sentinels = this.#runningSentinels();
    if (sentinels.length === 0)
      return { settled: false, masterPort: undefined, seen: ['no Sentinel running'] };
    const views = await Promise.all(sentinels.map((sentinel) => this.#sentinelView(sentinel)));
    const masterPort = views[0]?.masterPort;
    let settled = true;
    for (const view of views) {
      seen.push(view.said);
      const agrees = view.masterPort !== undefined && view.masterPort === masterPort;
      if (!agrees || view.masterFlags !== 'master') settled = false;
    }
    const master = this.#nodes.find((node) => node.port === masterPort);
    const replica = this.#nodes.find((node) => node !== master);
    if (master === undefined || replica === undefined) return { settled: false, masterPort, seen };

    const masterRole = await this.#role(master);
    seen.push(`${master.url}: ROLE ${JSON.stringify(masterRole)}`);
    if (masterRole[0] !== 'master') settled = false;
    if (replica.running) {
      const replicaRole = await this.#role(replica);
      seen.push(`${replica.url}: ROLE ${JSON.stringify(replicaRole)}`);
      if (
        replicaRole[0] !== 'slave' ||
        Number(replicaRole[2]) !== master.port ||
        replicaRole[3] !== 'connected'
      )
        settled = false;
      // A Sentinel that still flags the replica down would not promote it.
      if (views.some((view) => view.replicaFlags.get(replica.port) !== 'slave')) settled = false;
    } else {
      seen.push(`${replica.url}: stopped`);
    }
    return { settled, masterPort, seen };
  }

  async #sentinelView(sentinel: ManagedProcess): Promise<SentinelView> {
    try {
      const [master, replicas] = await Promise.all([
        this.#sentinelCommand(sentinel, 'SENTINEL', 'MASTER', this.masterName),
        this.#sentinelCommand(sentinel, 'SENTINEL', 'REPLICAS', this.masterName),
      ]);
      const fields = pairs(master);
      const replicaFlags = new Map<number, string>();
      if (isRespArray(replicas)) {
        for (const entry of replicas) {
          const replica = pairs(entry);
          replicaFlags.set(Number(replica.get('port')), replica.get('flags') ?? '');
        }
      }
      const masterPort = Number(fields.get('port'));
      const masterFlags = fields.get('flags') ?? '';
      const replicasSaid = [...replicaFlags].map(([port, flags]) => `${port} ${flags}`).join(', ');
      return {
        masterPort: Number.isInteger(masterPort) ? masterPort : undefined,
        masterFlags,
        replicaFlags,
        said: `Sentinel ${sentinel.url}: master ${masterPort} (${masterFlags}), replicas [${replicasSaid}]`,
      };
    } catch (error) {
      const said = `Sentinel ${sentinel.url}: ${String(error)}`;
      return { masterPort: undefined, masterFlags: '', replicaFlags: new Map(), said };
    }
  }

  async #namedMaster(sentinel: ManagedProcess): Promise<number | undefined> {
    try {
      const address = await this.#sentinelCommand(
        sentinel,
        'SENTINEL',
        'GET-MASTER-ADDR-BY-NAME',
        this.masterName,
      );
      return isRespArray(address) ? Number(address[1]) : undefined;
    } catch {
      return undefined;
    }
  }

  /** ROLE's reply as an array; a server that does not answer yields ['unreachable']. */
  async #role(node: RedisServer): Promise<readonly RespValue[]> {
    if (!node.running) return ['stopped'];
    try {
      const role = await redisCommand(node.port, ['ROLE'], {
        password: this.password,
        timeoutMs: PROBE_TIMEOUT_MS,
      });
      return isRespArray(role) ? role : [respText(role)];
    } catch (error) {
      return ['unreachable', String(error)];
    }
  }

  #sentinelCommand(sentinel: ManagedProcess, ...args: string[]): Promise<RespValue> {
    return redisCommand(sentinel.port, args, {
      password: this.sentinelPassword,
      timeoutMs: PROBE_TIMEOUT_MS,
    });
  }

  #runningSentinels(): ManagedProcess[] {
    return this.sentinelNodes.filter((sentinel) => sentinel.running);
  }
}

interface SentinelView {
  readonly masterPort: number | undefined;
  readonly masterFlags: string;
  /** Sentinel's flags of each replica it knows, by port ('slave' when healthy). */
  readonly replicaFlags: ReadonlyMap<number, string>;
  readonly said: string;
}

/** A flat `[key, value, key, value …]` reply as a map. */
function pairs(reply: RespValue): Map<string, string> {
  const map = new Map<string, string>();
  if (!isRespArray(reply)) return map;
  for (let index = 0; index + 1 < reply.length; index += 2) {
    map.set(respText(reply[index] ?? null), respText(reply[index + 1] ?? null));
  }
  return map;
}
