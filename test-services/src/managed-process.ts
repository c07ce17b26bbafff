import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceStartError } from './errors.js';
import { findBinary } from './find-binary.js';
import { releasePort, reservePort } from './free-port.js';
import { readLogTail } from './log-tail.js';
import type { ManagedService } from './managed-service.js';
import { registry } from './resource-registry.js';
import { waitUntil } from './wait-until.js';

export const START_TIMEOUT_MS = 10_000;
export const STOP_TIMEOUT_MS = 5_000;

export type Executable =
  /** A Debian binary, looked up on PATH and in the sbin dirs; missing, it names the package. */
  | { readonly binary: string; readonly debianPackage: string }
  /** A file known to exist, such as this process's own Node binary. */
  | { readonly path: string };

/** What differs between servers: how to find, start and probe them. */
export interface ServerSpec {
  /** Names the server in messages, its log file and its temp dir. */
  readonly name: string;
  readonly executable: Executable;
  readonly scheme: string;
  /** Asked at every start, so a server may start differently next time (as a replica, say). */
  args(port: number, dir: string): readonly string[];
  /** Runs once, before the first start: writes a config file into the temp dir, say. */
  prepare?(port: number, dir: string): Promise<void>;
  /** The child's whole environment; without it, this process's. */
  env?(port: number, dir: string): NodeJS.ProcessEnv;
  /** Working directory of the child; without it, this process's. */
  readonly cwd?: string;
  /** How long a start may take before it fails (default 10 s). */
  readonly startTimeoutMs?: number;
  /**
   * True once the server listening on `port` is the process `pid` and serves requests.
   * Checking the identity matters where the protocol allows it: if another test worker
   * grabbed the port, our server exits while theirs answers, and a bare "port accepts"
   * probe would report success.
   */
  isReady(port: number, pid: number): Promise<boolean>;
}

export interface ServerHome {
  readonly spec: ServerSpec;
  /** Absolute path of the executable. */
  readonly command: string;
  readonly port: number;
  readonly dir: string;
}

interface RunningChild {
  readonly process: ChildProcess;
  readonly pid: number | undefined;
  readonly exited: Promise<void>;
  spawnError?: Error;
}

/**
 * Creates the temp dir and port for a server, builds the service object with `create`
 * and starts it. Nothing is left behind if the first start fails.
 */
export async function launchServer<T extends ManagedProcess>(
  spec: ServerSpec,
  create: (home: ServerHome) => T,
): Promise<T> {
  const { executable } = spec;
  const command =
    'path' in executable
      ? executable.path
      : await findBinary(executable.binary, executable.debianPackage);
  const dir = await mkdtemp(join(tmpdir(), `live-calls-${spec.name}-`));
  registry().dirs.add(dir);
  const port = await reservePort();
  const service = create({ spec, command, port, dir });
  try {
    await spec.prepare?.(port, dir);
    await service.start();
  } catch (error) {
    await service.close();
    throw error;
  }
  return service;
}

/** One server process, restartable on the same port and data dir until close(). */
export class ManagedProcess implements ManagedService {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly logFile: string;
  readonly #spec: ServerSpec;
  readonly #command: string;
  #child: RunningChild | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  // Operations run one after another, so a restart never races a stop or a close.
  #queue: Promise<unknown> = Promise.resolve();

  constructor(home: ServerHome) {
    this.#spec = home.spec;
    this.#command = home.command;
    this.port = home.port;
    this.dir = home.dir;
    this.url = `${home.spec.scheme}://127.0.0.1:${home.port}`;
    this.logFile = join(home.dir, `${home.spec.name}.log`);
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  start(): Promise<void> {
    return this.#serialize(() => this.#start());
  }

  stop(): Promise<void> {
    return this.#serialize(() => this.#stop());
  }

  restart(): Promise<void> {
    return this.#serialize(async () => {
      await this.#stop();
      await this.#start();
    });
  }

  kill(): Promise<void> {
    return this.#serialize(() => this.#kill());
  }

  pause(): Promise<void> {
    return this.#serialize(() => this.#signal('SIGSTOP'));
  }

  resume(): Promise<void> {
    return this.#serialize(() => this.#signal('SIGCONT'));
  }

  close(): Promise<void> {
    this.#closing ??= this.#serialize(async () => {
      this.#closed = true;
      await this.#stop();
      await rm(this.dir, { recursive: true, force: true });
      registry().dirs.delete(this.dir);
      releasePort(this.port);
    });
    return this.#closing;
  }

  #serialize<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(operation);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #start(): Promise<void> {
    if (this.#closed) throw new Error(`${this.#spec.name} at ${this.url} is closed`);
    if (this.#child !== undefined) return;

    const args = this.#spec.args(this.port, this.dir);
    await appendFile(
      this.logFile,
      `--- ${new Date().toISOString()} live-calls test-services: ${this.#command} ${args.join(' ')}\n`,
    );
    const child = await this.#spawn(args);
    try {
      await this.#waitUntilReady(child);
    } catch (error) {
      await this.#kill();
      const reason = error instanceof Error ? error.message : String(error);
      throw new ServiceStartError(reason, this.logFile, await readLogTail(this.logFile), {
        cause: child.spawnError ?? error,
      });
    }
  }

  async #spawn(args: readonly string[]): Promise<RunningChild> {
    // The child writes straight into the log file: no pipes for the test process to drain.
    const log = await open(this.logFile, 'a');
    let server: ChildProcess;
    try {
      server = spawn(this.#command, args, {
        stdio: ['ignore', log.fd, log.fd],
        env: this.#spec.env?.(this.port, this.dir) ?? process.env,
        ...(this.#spec.cwd === undefined ? {} : { cwd: this.#spec.cwd }),
      });
    } finally {
      await log.close();
    }
    const children = registry().children;
    let onExited: () => void = () => undefined;
    const child: RunningChild = {
      process: server,
      pid: server.pid,
      exited: new Promise<void>((resolve) => (onExited = resolve)),
    };
    const gone = (): void => {
      children.delete(server);
      if (this.#child === child) this.#child = undefined;
      onExited();
    };
    server.once('exit', gone);
    server.on('error', (error) => {
      // Only a failed spawn means there is no process; other errors are failed kill() calls.
      if (server.pid === undefined) {
        child.spawnError = error;
        gone();
      }
    });
    if (server.pid !== undefined) {
      children.add(server);
      this.#child = child;
    }
    return child;
  }

  async #waitUntilReady(child: RunningChild): Promise<void> {
    const { name } = this.#spec;
    let exited = false;
    void child.exited.then(() => (exited = true));
    await waitUntil(
      async () => {
        if (exited) {
          const { exitCode, signalCode } = child.process;
          throw new Error(
            `${name} exited (code ${String(exitCode)}, signal ${String(signalCode)}) ` +
              `before serving ${this.url}`,
          );
        }
        return child.pid !== undefined && (await this.#spec.isReady(this.port, child.pid));
      },
      {
        what: `${name} to serve ${this.url}`,
        timeoutMs: this.#spec.startTimeoutMs ?? START_TIMEOUT_MS,
      },
    );
  }

  async #stop(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    // A paused process would hold SIGTERM until the SIGKILL five seconds later.
    child.process.kill('SIGCONT');
    child.process.kill('SIGTERM');
    const escalation = setTimeout(() => child.process.kill('SIGKILL'), STOP_TIMEOUT_MS);
    try {
      await child.exited;
    } finally {
      clearTimeout(escalation);
    }
  }

  async #kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    child.process.kill('SIGKILL');
    await child.exited;
  }

  #signal(signal: 'SIGSTOP' | 'SIGCONT'): Promise<void> {
    this.#child?.process.kill(signal);
    return Promise.resolve();
  }
}
