import {
  ManagedProcess,
  launchServer,
  type ServerHome,
  type ServerSpec,
} from './managed-process.js';
import type { ManagedService } from './managed-service.js';
import { infoField, redisCommand } from './redis-command.js';

export interface RedisService extends ManagedService {
  /** FLUSHALL: empties every database. */
  flush(): Promise<void>;
}

export interface RedisNodeOptions {
  /** `requirepass` and `masterauth`: clients and the replication link must authenticate. */
  readonly password?: string | undefined;
  /** The master's port to replicate, asked at every start; undefined runs a master. */
  readonly replicaOf?: (ownPort: number) => number | undefined;
}

const PROBE_TIMEOUT_MS = 1_000;

/** True when the server on `port` is the process `pid` and answers (after AUTH, if given). */
export async function isRedisProcess(
  port: number,
  pid: number,
  password: string | undefined,
): Promise<boolean> {
  try {
    // INFO rather than PING: its process_id proves the answer comes from our child.
    const info = await redisCommand(port, ['INFO', 'server'], {
      password,
      timeoutMs: PROBE_TIMEOUT_MS,
    });
    return Number(infoField(info, 'process_id')) === pid;
  } catch {
    return false;
  }
}

function redisSpec(options: RedisNodeOptions): ServerSpec {
  const { password } = options;
  return {
    name: 'redis-server',
    executable: { binary: 'redis-server', debianPackage: 'redis-server' },
    scheme: 'redis',
    args: (port, dir) => {
      const masterPort = options.replicaOf?.(port);
      return [
        '--bind',
        '127.0.0.1',
        '--port',
        String(port),
        // No persistence: tests want a clean server after every restart, and no stray dump files.
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        // A replica's full sync starts at once instead of waiting 5 s for more replicas.
        '--repl-diskless-sync-delay',
        '0',
        ...(password === undefined ? [] : ['--requirepass', password, '--masterauth', password]),
        ...(masterPort === undefined ? [] : ['--replicaof', '127.0.0.1', String(masterPort)]),
      ];
    },
    isReady: (port, pid) => isRedisProcess(port, pid, password),
  };
}

export class RedisServer extends ManagedProcess implements RedisService {
  readonly #password: string | undefined;

  constructor(home: ServerHome, password: string | undefined) {
    super(home);
    this.#password = password;
  }

  async flush(): Promise<void> {
    await redisCommand(this.port, ['FLUSHALL'], { password: this.#password });
  }

  /** One command on this server, authenticated when it has a password. */
  command(...args: string[]): ReturnType<typeof redisCommand> {
    return redisCommand(this.port, args, { password: this.#password });
  }
}

/** A redis-server on a free port in its own temp dir, as a master or a replica. */
export function launchRedis(options: RedisNodeOptions = {}): Promise<RedisServer> {
  return launchServer(redisSpec(options), (home) => new RedisServer(home, options.password));
}

/** A private redis-server on a free port, without persistence, in its own temp dir. */
export function startRedis(): Promise<RedisService> {
  return launchRedis();
}
