// Runs Debian's Kamailio with the shipped infra/kamailio/kamailio.cfg on free loopback
// ports, for integration tests. The process is a group leader so a SIGKILL takes its
// worker children with it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createSocket } from 'node:dgram';
import { freePort, waitForPort } from '@live-calls/test-services';

const KAMAILIO_CFG = resolve(import.meta.dirname, '../../../infra/kamailio/kamailio.cfg');

export interface KamailioOptions {
  /** Dialog timeout in seconds (DLG_TIMEOUT define). */
  dlgTimeout?: number;
}

/** A UDP port that was free a moment ago. */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const { port } = socket.address();
  socket.close();
  return port;
}

export class KamailioProcess {
  readonly dir: string;
  readonly logFile: string;
  #child: ChildProcess | undefined;
  #log: WriteStream | undefined;

  private constructor(
    readonly sipPort: number,
    readonly evapiPort: number,
    readonly rpcPort: number,
    readonly opts: KamailioOptions,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'live-calls-kamailio-'));
    this.logFile = join(this.dir, 'kamailio.log');
  }

  static async start(opts: KamailioOptions = {}): Promise<KamailioProcess> {
    const k = new KamailioProcess(await freeUdpPort(), await freePort(), await freePort(), opts);
    await k.start();
    return k;
  }

  get evapi(): string {
    return `127.0.0.1:${this.evapiPort}`;
  }

  get rpcUrl(): string {
    return `http://127.0.0.1:${this.rpcPort}/RPC`;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  async start(): Promise<void> {
    if (this.#child) return;
    const args = [
      '-DD',
      '-E',
      '-f',
      KAMAILIO_CFG,
      '-Y',
      this.dir,
      '-A',
      'LISTEN_IP=127.0.0.1',
      '-A',
      `SIP_PORT=${this.sipPort}`,
      '-A',
      `RPC_PORT=${this.rpcPort}`,
      '-A',
      `EVAPI_BIND="127.0.0.1:${this.evapiPort}"`,
      '-A',
      `DLG_TIMEOUT=${this.opts.dlgTimeout ?? 3600}`,
      '-A',
      'LOG_LEVEL=2',
    ];
    this.#log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn('kamailio', args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(this.#log, { end: false });
    child.stderr.pipe(this.#log, { end: false });
    this.#child = child;
    child.once('exit', () => {
      if (this.#child === child) this.#child = undefined;
    });
    try {
      await waitForPort(this.evapiPort, 10_000);
      await waitForPort(this.rpcPort, 10_000);
    } catch (err) {
      await this.kill();
      throw new Error(`kamailio did not start: ${this.log().slice(-2000)}`, { cause: err });
    }
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  async #signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    if (!child || child.pid === undefined) return;
    const exited = once(child, 'exit');
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
    await exited;
    this.#child = undefined;
  }

  /** SIGKILL to the whole process group: a crash. */
  kill(): Promise<void> {
    return this.#signal('SIGKILL');
  }

  stop(): Promise<void> {
    return this.#signal('SIGTERM');
  }

  async close(): Promise<void> {
    await this.kill();
    this.#log?.end();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
