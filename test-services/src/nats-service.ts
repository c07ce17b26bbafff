import { randomUUID } from 'node:crypto';
import {
  ManagedProcess,
  launchServer,
  type ServerHome,
  type ServerSpec,
} from './managed-process.js';
import type { ManagedService } from './managed-service.js';
import { firstLine, hasLine, tcpExchange } from './tcp-exchange.js';

export interface NatsService extends ManagedService {
  /** JetStream store dir (`-sd`); kept across restarts, deleted by close(). */
  readonly storeDir: string;
}

export interface NatsOptions {
  /** Enable JetStream with file storage in the temp dir. Default true. */
  readonly jetstream?: boolean;
}

const PROBE_TIMEOUT_MS = 1_000;

interface ServerInfo {
  readonly server_name?: unknown;
  readonly jetstream?: unknown;
}

function natsSpec(serverName: string, jetstream: boolean): ServerSpec {
  return {
    name: 'nats-server',
    executable: { binary: 'nats-server', debianPackage: 'nats-server' },
    scheme: 'nats',
    args: (port, dir) => [
      '-a',
      '127.0.0.1',
      '-p',
      String(port),
      '-n',
      serverName,
      ...(jetstream ? ['-js', '-sd', dir] : []),
    ],
    // The INFO greeting names the server, which proves the answer comes from our child;
    // nats-server restores JetStream streams before it accepts clients.
    isReady: async (port) => {
      try {
        const line = firstLine(await tcpExchange(port, undefined, hasLine, PROBE_TIMEOUT_MS));
        if (!line.startsWith('INFO ')) return false;
        const info = JSON.parse(line.slice('INFO '.length)) as ServerInfo;
        return info.server_name === serverName && (!jetstream || info.jetstream === true);
      } catch {
        return false;
      }
    },
  };
}

class NatsServer extends ManagedProcess implements NatsService {
  readonly storeDir: string;

  constructor(home: ServerHome) {
    super(home);
    this.storeDir = home.dir;
  }
}

/** A private nats-server on a free port; with JetStream (the default) its store survives restarts. */
export function startNats(options: NatsOptions = {}): Promise<NatsService> {
  const serverName = `live-calls-test-${randomUUID()}`;
  return launchServer(
    natsSpec(serverName, options.jetstream ?? true),
    (home) => new NatsServer(home),
  );
}
