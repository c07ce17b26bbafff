import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { closeAll } from './close-all.js';
import { releasePort, reservePort } from './free-port.js';
import {
  ManagedProcess,
  launchServer,
  type ServerHome,
  type ServerSpec,
} from './managed-process.js';
import type { ManagedService } from './managed-service.js';
import { natsNodeConfig, type NatsAuth } from './nats-cluster-config.js';
import { firstLine, hasLine, tcpExchange } from './tcp-exchange.js';
import { waitUntil } from './wait-until.js';

export interface NatsClusterOptions {
  /** JetStream on every node, clustered (file storage in each node's temp dir). Default true. */
  readonly jetstream?: boolean;
  /** Clients must connect with this user and `pass`. */
  readonly user?: string;
  readonly pass?: string;
  /** Clients must connect with this token; nats-server allows it only without user/pass. */
  readonly token?: string;
}

/** One node of the cluster: start() and restart() resolve once it has rejoined. */
export interface NatsClusterNode extends ManagedService {
  /** Its `server_name`. */
  readonly name: string;
  readonly clusterPort: number;
  /** `http://127.0.0.1:PORT`, nats-server's monitoring endpoint (`/varz`, `/routez`, `/jsz`). */
  readonly monitorUrl: string;
  /** JetStream store; kept across restarts, deleted by close(). */
  readonly storeDir: string;
}

/** Three nats-server nodes forming one cluster on free ports. */
export interface NatsCluster {
  /** The cluster's name (`cluster { name }`). */
  readonly name: string;
  readonly nodes: readonly NatsClusterNode[];
  /** Every node's client URL, comma-separated, without credentials (a `NATS_URL` value). */
  readonly url: string;
  readonly urls: readonly string[];
  readonly user: string | undefined;
  readonly pass: string | undefined;
  readonly token: string | undefined;
  readonly jetstream: boolean;
  /**
   * Resolves once every running node has a route to every other running node and, with
   * JetStream and at least two nodes running, all follow one meta leader and are current.
   * Default timeout 20 s.
   */
  waitUntilFormed(timeoutMs?: number): Promise<void>;
  /** Stops every node, deletes the temp dirs; idempotent. */
  close(): Promise<void>;
}

const NODES = 3;
const FORM_TIMEOUT_MS = 20_000;
const PROBE_TIMEOUT_MS = 1_000;
const CONFIG_FILE = 'nats.conf';

/**
 * Starts three nats-server nodes with routes to each other and resolves once the cluster
 * has formed. Options for credentials apply to clients; routes stay open on 127.0.0.1.
 */
export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsCluster> {
  const auth = authOf(options);
  const jetstream = options.jetstream ?? true;
  const clusterName = `lc-${randomUUID().slice(0, 8)}`;
  const extraPorts: number[] = [];
  const formation = new Formation(jetstream);
  try {
    const clusterPorts: number[] = [];
    const monitorPorts: number[] = [];
    for (let index = 0; index < NODES; index++) {
      clusterPorts.push(await reservePort());
      monitorPorts.push(await reservePort());
    }
    extraPorts.push(...clusterPorts, ...monitorPorts);

    const launches = await Promise.allSettled(
      clusterPorts.map((clusterPort, index) => {
        const name = `${clusterName}-n${index + 1}`;
        const monitorPort = monitorPorts[index] ?? 0;
        const spec = nodeSpec(name, (clientPort, dir) =>
          natsNodeConfig({
            serverName: name,
            clusterName,
            clientPort,
            clusterPort,
            monitorPort,
            routePorts: clusterPorts.filter((port) => port !== clusterPort),
            auth,
            storeDir: jetstream ? dir : undefined,
          }),
        );
        return launchServer(spec, (home) => {
          const node = new ClusterNode(home, { name, clusterPort, monitorPort }, formation);
          formation.nodes[index] = node;
          return node;
        });
      }),
    );
    const failed = launches.find((launch) => launch.status === 'rejected');
    if (failed !== undefined) throw failed.reason;

    const cluster = new Cluster({ name: clusterName, jetstream, options, formation, extraPorts });
    await cluster.waitUntilFormed();
    return cluster;
  } catch (error) {
    await closeAll(formation.nodes).catch(() => undefined);
    for (const port of extraPorts) releasePort(port);
    throw error;
  }
}

function authOf(options: NatsClusterOptions): NatsAuth | undefined {
  const { user, pass, token } = options;
  if ((user === undefined) !== (pass === undefined)) {
    throw new Error('startNatsCluster: give user and pass together');
  }
  if (token !== undefined && user !== undefined) {
    throw new Error('startNatsCluster: nats-server takes a token or user/pass, not both');
  }
  if (token !== undefined) return { token };
  if (user !== undefined && pass !== undefined) return { user, pass };
  return undefined;
}

function nodeSpec(name: string, config: (port: number, dir: string) => string): ServerSpec {
  return {
    name: 'nats-server',
    executable: { binary: 'nats-server', debianPackage: 'nats-server' },
    scheme: 'nats',
    args: (_port, dir) => ['-c', join(dir, CONFIG_FILE)],
    prepare: (port, dir) => writeFile(join(dir, CONFIG_FILE), config(port, dir)),
    // The INFO greeting, sent before any authentication, names the server: it is ours.
    isReady: async (port) => {
      try {
        const line = firstLine(await tcpExchange(port, undefined, hasLine, PROBE_TIMEOUT_MS));
        if (!line.startsWith('INFO ')) return false;
        const info = JSON.parse(line.slice('INFO '.length)) as { server_name?: unknown };
        return info.server_name === name;
      } catch {
        return false;
      }
    },
  };
}

interface NodePorts {
  readonly name: string;
  readonly clusterPort: number;
  readonly monitorPort: number;
}

class ClusterNode extends ManagedProcess implements NatsClusterNode {
  readonly name: string;
  readonly clusterPort: number;
  readonly monitorUrl: string;
  readonly storeDir: string;
  readonly #formation: Formation;

  constructor(home: ServerHome, ports: NodePorts, formation: Formation) {
    super(home);
    this.name = ports.name;
    this.clusterPort = ports.clusterPort;
    this.monitorUrl = `http://127.0.0.1:${ports.monitorPort}`;
    this.storeDir = home.dir;
    this.#formation = formation;
  }

  override async start(): Promise<void> {
    await super.start();
    await this.#formation.wait(FORM_TIMEOUT_MS);
  }

  override async restart(): Promise<void> {
    await super.restart();
    await this.#formation.wait(FORM_TIMEOUT_MS);
  }
}

interface NodeView {
  readonly node: ClusterNode;
  readonly serverId: string | undefined;
  readonly routeIds: readonly string[];
  readonly metaLeader: string | undefined;
  /** Names of the meta group's other members this node (as leader) sees as current. */
  readonly currentPeers: readonly string[];
  readonly said: string;
}

interface FormationStatus {
  readonly formed: boolean;
  readonly seen: readonly string[];
}

/** Whether the running nodes form one cluster, from their monitoring endpoints. */
class Formation {
  /** Filled as the nodes are created, at their index. */
  readonly nodes: ClusterNode[] = [];
  readonly #jetstream: boolean;

  constructor(jetstream: boolean) {
    this.#jetstream = jetstream;
  }

  async wait(timeoutMs: number): Promise<void> {
    await waitUntil(() => this.#status(), {
      what: `the NATS cluster to form: routes between every running node${
        this.#jetstream ? ', one JetStream meta leader with current followers' : ''
      }`,
      timeoutMs,
      accept: (status) => status.formed,
    });
  }

  async #status(): Promise<FormationStatus> {
    const running = this.nodes.filter((node) => node.running);
    const views = await Promise.all(running.map((node) => view(node)));
    let formed = views.every((view) => view.serverId !== undefined);
    for (const view of views) {
      for (const other of views) {
        if (other !== view && !view.routeIds.includes(other.serverId ?? '')) formed = false;
      }
    }
    // The meta group needs a majority of all three nodes to elect its leader.
    if (this.#jetstream && running.length >= 2) {
      const leader = views[0]?.metaLeader;
      const leaderView = views.find((view) => view.node.name === leader);
      if (leaderView === undefined) formed = false;
      for (const view of views) {
        if (view.metaLeader !== leader) formed = false;
        if (view !== leaderView && !leaderView?.currentPeers.includes(view.node.name)) {
          formed = false;
        }
      }
    }
    return { formed, seen: views.map((view) => view.said) };
  }
}

interface Varz {
  readonly server_id?: string;
}
interface Routez {
  readonly routes?: readonly { readonly remote_id?: string }[] | null;
}
interface Jsz {
  readonly meta_cluster?: {
    readonly leader?: string;
    readonly replicas?: readonly { readonly name?: string; readonly current?: boolean }[] | null;
  };
}

async function view(node: ClusterNode): Promise<NodeView> {
  try {
    const [varz, routez, jsz] = await Promise.all([
      monitor<Varz>(node, '/varz'),
      monitor<Routez>(node, '/routez'),
      monitor<Jsz>(node, '/jsz'),
    ]);
    const routeIds = (routez.routes ?? []).map((route) => route.remote_id ?? '');
    const metaLeader = jsz.meta_cluster?.leader || undefined;
    const currentPeers = (jsz.meta_cluster?.replicas ?? [])
      .filter((replica) => replica.current === true)
      .map((replica) => replica.name ?? '');
    return {
      node,
      serverId: varz.server_id,
      routeIds,
      metaLeader,
      currentPeers,
      said:
        `${node.name}: ${routeIds.length} routes` +
        (metaLeader === undefined
          ? ''
          : `, meta leader ${metaLeader}, current [${currentPeers.join(', ')}]`),
    };
  } catch (error) {
    const said = `${node.name}: ${error instanceof Error ? error.message : String(error)}`;
    return {
      node,
      serverId: undefined,
      routeIds: [],
      metaLeader: undefined,
      currentPeers: [],
      said,
    };
  }
}

async function monitor<T>(node: ClusterNode, path: string): Promise<T> {
  const response = await fetch(`${node.monitorUrl}${path}`, {
    signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`${path} answered ${response.status}`);
  }
  return (await response.json()) as T;
}

interface ClusterParts {
  readonly name: string;
  readonly jetstream: boolean;
  readonly options: NatsClusterOptions;
  readonly formation: Formation;
  readonly extraPorts: readonly number[];
}

class Cluster implements NatsCluster {
  readonly name: string;
  readonly nodes: readonly NatsClusterNode[];
  readonly url: string;
  readonly urls: readonly string[];
  readonly user: string | undefined;
  readonly pass: string | undefined;
  readonly token: string | undefined;
  readonly jetstream: boolean;
  readonly #formation: Formation;
  readonly #extraPorts: readonly number[];
  #closing: Promise<void> | undefined;

  constructor(parts: ClusterParts) {
    this.name = parts.name;
    this.jetstream = parts.jetstream;
    this.user = parts.options.user;
    this.pass = parts.options.pass;
    this.token = parts.options.token;
    this.#formation = parts.formation;
    this.#extraPorts = parts.extraPorts;
    this.nodes = [...parts.formation.nodes];
    this.urls = this.nodes.map((node) => node.url);
    this.url = this.urls.join(',');
  }

  waitUntilFormed(timeoutMs: number = FORM_TIMEOUT_MS): Promise<void> {
    return this.#formation.wait(timeoutMs);
  }

  close(): Promise<void> {
    this.#closing ??= closeAll(this.nodes).finally(() => {
      for (const port of this.#extraPorts) releasePort(port);
    });
    return this.#closing;
  }
}
