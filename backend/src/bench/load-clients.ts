// SSE load clients for the benchmark: many streams in one process, each parsing only what
// it must — ids, to prove nothing is lost or repeated, and on a sample the publish time
// carried in the payload, for latency.
import { request } from 'node:http';

export interface ClientStats {
  events: number;
  lost: number;
  duplicated: number;
}

/** The publish time rides in the caller's display name, which every role may see. */
const TIME_KEY = '"display":"bt:';

export class LoadClients {
  readonly latencies: number[] = [];
  readonly stats: ClientStats[] = [];
  #sockets: { destroy(): void }[] = [];
  /** Streams that have had their opening (snapshot or replay) and so deliver live events. */
  #live = 0;
  measuring = false;

  /**
   * Opens `count` streams to `url`; every `sampleEvery`-th records latencies. Streams that see
   * every event also check that ids are consecutive (`checkSequence`); scoped ones cannot.
   */
  async open(
    url: string,
    count: number,
    sampleEvery = 10,
    headers: Record<string, string> = {},
    checkSequence = true,
  ): Promise<void> {
    const opened: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      opened.push(this.#openOne(url, i % sampleEvery === 0, headers, checkSequence));
      if (i % 200 === 199) await Promise.all(opened.splice(0));
    }
    await Promise.all(opened);
  }

  #openOne(
    url: string,
    sample: boolean,
    headers: Record<string, string>,
    checkSequence: boolean,
  ): Promise<void> {
    const stats: ClientStats = { events: 0, lost: 0, duplicated: 0 };
    this.stats.push(stats);
    let lastSeq = -1;
    let opened = false;
    let rest = '';
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        { headers: { accept: 'text/event-stream', ...headers }, agent: false },
        (res) => {
          res.setEncoding('latin1');
          res.on('data', (chunk: string) => {
            const now = performance.timeOrigin + performance.now();
            const text = rest + chunk;
            const end = text.lastIndexOf('\n\n');
            if (end < 0) {
              rest = text;
              return;
            }
            rest = text.slice(end + 2);
            let at = 0;
            while ((at = text.indexOf('id: ', at)) >= 0 && at < end) {
              const colon = text.indexOf(':', at + 4);
              const nl = text.indexOf('\n', at);
              const seq = Number(text.slice(colon + 1, nl));
              const isCall = text.startsWith('event: call.', nl + 1);
              if (isCall && this.measuring) {
                stats.events++;
                if (lastSeq >= 0 && seq <= lastSeq) stats.duplicated++;
                else if (checkSequence && lastSeq >= 0 && seq !== lastSeq + 1) {
                  if (seq <= lastSeq) stats.duplicated++;
                  else stats.lost += seq - lastSeq - 1;
                }
                if (sample) {
                  const t = text.indexOf(TIME_KEY, nl);
                  if (t >= 0)
                    this.latencies.push(
                      now -
                        Number(
                          text.slice(t + TIME_KEY.length, text.indexOf('"', t + TIME_KEY.length)),
                        ),
                    );
                }
              }
              if (isCall || text.startsWith('event: snapshot', nl + 1)) lastSeq = seq;
              if (!opened) {
                opened = true;
                this.#live++;
              }
              at = nl;
            }
          });
          resolve();
        },
      );
      req.on('error', reject);
      req.end();
      this.#sockets.push(req);
    });
  }

  /**
   * Resolves once every stream has had its opening: 200 streams opened at once get 200
   * snapshots, and live events queue behind them; a measurement started earlier measures that.
   */
  async whenLive(timeoutMs = 60_000): Promise<void> {
    const until = performance.now() + timeoutMs;
    while (this.#live < this.stats.length) {
      if (performance.now() > until)
        throw new Error(`${this.stats.length - this.#live} streams never had their opening`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  reset(): void {
    this.latencies.length = 0;
    for (const s of this.stats) {
      s.events = 0;
      s.lost = 0;
      s.duplicated = 0;
    }
  }

  close(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets = [];
  }
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
