import { answersOk } from './http-probe.js';
import { ManagedProcess, launchServer } from './managed-process.js';
import type { ManagedService } from './managed-service.js';

/** A Node service may wait for its stores and brokers before it reports ready. */
export const NODE_START_TIMEOUT_MS = 20_000;

export interface NodeServiceOptions {
  /** Names the service in messages, its log file and its temp dir. */
  readonly name: string;
  /** The script to run with this process's own Node binary. */
  readonly entry: string;
  readonly args?: readonly string[];
  /**
   * The child's whole environment, given the port it must serve HTTP on (on 127.0.0.1)
   * and its temp dir: how the service learns its port is the caller's to say.
   */
  env(port: number, dir: string): NodeJS.ProcessEnv;
  /** The service is ready once `GET http://127.0.0.1:PORT<readyPath>` answers 2xx. */
  readonly readyPath: string;
  readonly cwd?: string;
  /** Default NODE_START_TIMEOUT_MS. */
  readonly startTimeoutMs?: number;
}

/**
 * A Node HTTP service (a built `dist/main.js`, say) as its own process on a free port,
 * restartable on that port. Started as `node <entry>`, not through a package manager, so
 * stop() and kill() reach the service itself rather than a wrapper.
 */
export function startNodeService(options: NodeServiceOptions): Promise<ManagedService> {
  return launchServer(
    {
      name: options.name,
      executable: { path: process.execPath },
      scheme: 'http',
      args: () => [options.entry, ...(options.args ?? [])],
      env: (port, dir) => options.env(port, dir),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      startTimeoutMs: options.startTimeoutMs ?? NODE_START_TIMEOUT_MS,
      // HTTP carries no process id to check; an early exit of our child still fails the start.
      isReady: (port) => answersOk(`http://127.0.0.1:${port}${options.readyPath}`),
    },
    (home) => new ManagedProcess(home),
  );
}
