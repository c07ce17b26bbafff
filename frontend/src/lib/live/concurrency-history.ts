// Concurrent calls over the last hour, for the chart. The API has no history
// endpoint, so the tab samples its own count and keeps it in localStorage: a wall screen
// that reloads keeps its curve.

export interface HistoryPoint {
  /** Server time, ms. */
  t: number;
  active: number;
}

export const HISTORY_SPAN_MS = 60 * 60_000;
const SAMPLE_EVERY_MS = 5_000;

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
