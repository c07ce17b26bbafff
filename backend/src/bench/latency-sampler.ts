// A light process that reads a few streams for latency while the bulk of a run's streams live
// in the load generator. The load generator holds thousands of sockets in one Node process; its
// own major GCs (tens of ms over ~90 MB of heap) and bursts of reads land in its latencies as if
// the server had been late. Streams read here are served exactly like the bulk ones; a process
// with little to do reads them when the bytes arrive.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LoadClients, type ClientStats } from './load-clients.js';

type Command =
  | {
      op: 'open';
      url: string;
      count: number;
      headers: Record<string, string>;
      checkSequence: boolean;
    }
  | { op: 'whenLive' }
  | { op: 'measure' }
  | { op: 'stop' };

interface Report {
  latencies: number[];
  stats: ClientStats[];
}

type Reply = { ok: true; report?: Report } | { ok: false; error: string };

/** The parent's handle on a sampler process. */
export class LatencySampler {
  readonly #child: ChildProcess;
  #queue = Promise.resolve<Reply>({ ok: true });

  private constructor(child: ChildProcess) {
    this.#child = child;
  }

  static start(): LatencySampler {
    const child = fork(fileURLToPath(import.meta.url), ['--child'], { stdio: 'inherit' });
    return new LatencySampler(child);
  }

  /** Opens `count` streams, every one sampled. */
  async open(
    url: string,
    count: number,
    headers: Record<string, string>,
    checkSequence = true,
  ): Promise<void> {
    await this.#send({ op: 'open', url, count, headers, checkSequence });
  }

  async whenLive(): Promise<void> {
    await this.#send({ op: 'whenLive' });
  }

  /** Forgets what was read so far and starts counting. */
  async measure(): Promise<void> {
    await this.#send({ op: 'measure' });
  }

  /** Stops counting, closes the streams and the process, and returns what was read. */
  async stop(): Promise<Report> {
    const reply = await this.#send({ op: 'stop' });
    this.#child.disconnect();
    return reply.ok && reply.report !== undefined ? reply.report : { latencies: [], stats: [] };
  }

  #send(command: Command): Promise<Reply> {
    const next = this.#queue.then(
      () =>
        new Promise<Reply>((resolve, reject) => {
          this.#child.once('message', (reply: Reply) =>
            reply.ok ? resolve(reply) : reject(new Error(reply.error)),
          );
          this.#child.send(command);
        }),
    );
    this.#queue = next.catch(() => ({ ok: true }) as const);
    return next;
  }
}

function serve(): void {
  const load = new LoadClients();
  process.on('message', (command: Command) => {
    void (async (): Promise<Reply> => {
      switch (command.op) {
        case 'open':
          await load.open(command.url, command.count, 1, command.headers, command.checkSequence);
          return { ok: true };
        case 'whenLive':
          await load.whenLive();
          return { ok: true };
        case 'measure':
          load.reset();
          load.measuring = true;
          return { ok: true };
        case 'stop':
          load.measuring = false;
          load.close();
          return { ok: true, report: { latencies: load.latencies, stats: load.stats } };
      }
    })().then(
      (reply) => process.send?.(reply),
      (err: unknown) => process.send?.({ ok: false, error: (err as Error).message }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}

if (process.argv.includes('--child')) serve();
