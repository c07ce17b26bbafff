// Concurrent calls over the last hour, for the chart. The server keeps one sample per
// minute (GET /api/v1/live/history, docs/interface/http.md), so a new screen starts with a
// full curve; the tab adds its own count every 5 s on top, finer than a minute, and keeps it
// in localStorage so a wall screen that reloads keeps its fine curve too.

export interface HistoryPoint {
  /** Server time, ms. */
  t: number;
  active: number;
}

export const HISTORY_SPAN_MS = 60 * 60_000;
const SAMPLE_EVERY_MS = 5_000;

/** One minute of GET /api/v1/live/history. */
export interface MinuteSample {
  /** Start of the minute, server time, ms. */
  t: number;
  /** The highest concurrency in the minute. */
  active: number;
  answered: number;
  cps: number;
  /** Null in a minute without attempts. */
  asr: number | null;
}

export class ConcurrencyHistory {
  #points: HistoryPoint[] = [];

  get points(): readonly HistoryPoint[] {
    return this.#points;
  }

  /** Adds a sample unless the last one is younger than the sample interval. */
  add(t: number, active: number): boolean {
    const last = this.#points.at(-1);
    if (last !== undefined && t - last.t < SAMPLE_EVERY_MS) return false;
    this.#points.push({ t, active });
    this.#trim(t);
    return true;
  }

  #trim(now: number): void {
    const from = now - HISTORY_SPAN_MS;
    let drop = 0;
    while (drop < this.#points.length && this.#points[drop]!.t < from) drop++;
    if (drop > 0) this.#points = this.#points.slice(drop);
  }

  serialize(): string {
    return JSON.stringify(this.#points.map((p) => [p.t, p.active]));
  }

  /** Restores saved points, keeping only well-formed ones inside the span. */
  restore(text: string | null, now: number): void {
    if (!text) return;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return;
    }
    if (!Array.isArray(raw)) return;
    const points: HistoryPoint[] = [];
    for (const item of raw) {
      if (!Array.isArray(item)) continue;
      const [t, active] = item as unknown[];
      if (typeof t === 'number' && typeof active === 'number' && t <= now) {
        points.push({ t, active });
      }
    }
    points.sort((a, b) => a.t - b.t);
    this.#points = points;
    this.#trim(now);
  }

  clear(): void {
    this.#points = [];
  }
}

/** The highest point of a window and when it was reached. */
export function peakOf(points: readonly HistoryPoint[]): HistoryPoint | null {
  let peak: HistoryPoint | null = null;
  for (const p of points) if (peak === null || p.active > peak.active) peak = p;
  return peak;
}

/**
 * The chart's curve: the tab's own samples, with the server's minutes filling where the tab
 * was not watching. A server minute is left out when the tab sampled near its start (within
 * two sample intervals), since the tab's finer curve already shows that moment; so the
 * minutes before the tab opened, and any gap while it was closed, come from the server.
 */
export function mergeHistory(
  minutes: readonly MinuteSample[],
  own: readonly HistoryPoint[],
): HistoryPoint[] {
  const near = 2 * SAMPLE_EVERY_MS;
  const out: HistoryPoint[] = [...own];
  for (const m of minutes) {
    if (!own.some((p) => Math.abs(p.t - m.t) <= near)) out.push({ t: m.t, active: m.active });
  }
  return out.sort((a, b) => a.t - b.t);
}

/** Drops server minutes that are not well-formed (a reply from another version, say). */
export function minuteSamples(raw: unknown): MinuteSample[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (m): m is MinuteSample =>
      typeof m === 'object' &&
      m !== null &&
      typeof (m as MinuteSample).t === 'number' &&
      typeof (m as MinuteSample).active === 'number' &&
      typeof (m as MinuteSample).cps === 'number' &&
      ((m as MinuteSample).asr === null || typeof (m as MinuteSample).asr === 'number'),
  );
}

/**
 * The top of a value axis: a round number a little above the highest value, from a fine
 * ladder (…, 500, 600, 800, 1000, …) so 518 calls get a 600 axis, not 1000.
 */
export function axisMax(value: number, floor = 4): number {
  const top = Math.max(floor, value) * 1.05;
  const step = 10 ** Math.floor(Math.log10(top));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * step >= top) return m * step;
  return 10 * step;
}
