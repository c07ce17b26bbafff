import { ManagedProcess, launchServer, type ServerSpec } from './managed-process.js';
import type { ManagedService } from './managed-service.js';
import { firstLine, hasLine, tcpExchange } from './tcp-exchange.js';

export interface RedisService extends ManagedService {
  /** FLUSHALL: empties every database. */
  flush(): Promise<void>;
}

const PROBE_TIMEOUT_MS = 1_000;
const COMMAND_TIMEOUT_MS = 5_000;
const PROCESS_ID = /\r\nprocess_id:(\d+)\r\n/;

const redisSpec: ServerSpec = {
  name: 'redis-server',
  executable: { binary: 'redis-server', debianPackage: 'redis-server' },
  scheme: 'redis',
  // No persistence: tests want a clean server after every restart, and no stray dump files.
  args: (port, dir) => [
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
  ],
  isReady: async (port, pid) => {
    try {
      // INFO rather than PING: its process_id proves the answer comes from our child.
      const reply = await tcpExchange(
        port,
        'INFO server\r\n',
        (received) => PROCESS_ID.test(received) || (received.startsWith('-') && hasLine(received)),
        PROBE_TIMEOUT_MS,
      );
      return Number(PROCESS_ID.exec(reply)?.[1]) === pid;
    } catch {
      return false;
    }
  },
};

class RedisServer extends ManagedProcess implements RedisService {
  async flush(): Promise<void> {
    const reply = firstLine(
      await tcpExchange(this.port, 'FLUSHALL\r\n', hasLine, COMMAND_TIMEOUT_MS),
    );
    if (reply !== '+OK') throw new Error(`FLUSHALL on ${this.url} answered ${reply}`);
  }
}

/** A private redis-server on a free port, without persistence, in its own temp dir. */
export function startRedis(): Promise<RedisService> {
  return launchServer(redisSpec, (home) => new RedisServer(home));
}
