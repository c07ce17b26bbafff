// The recent-ended index (docs/interface/http.md `GET /api/v1/live/recent`): the records of
// calls that ended in the last 15 min, by the backend's clock at apply time, at most
// RECENT_MAX per scope (all calls, and each company). The Redis engine keeps the same in
// sorted sets written by its apply step (redis-scripts.ts); this is the memory engine's.
import type { RecordView } from './live-store.js';

/** How long an ended call stays listed. */
export const RECENT_MS = 15 * 60_000;
/** The most ended calls kept per scope, newest kept. */
export const RECENT_MAX = 10_000;

interface RecentEntry {
  at: number;
  reason: string;
  data: string;
  userData: string | undefined;
}

export interface RecentQuery {
  company: string | null;
  view: RecordView;
  now: number;
  limit: number;
  /** Only calls that ended for this reason; all when undefined. */
  reason?: string;
}

/** Newest first, at most `limit`, from entries oldest first. */
export function newestFirst<T extends { at: number }>(
  entries: readonly T[],
  now: number,
  limit: number,
  keep: (entry: T) => boolean,
): T[] {
  const found: T[] = [];
  for (let i = entries.length - 1; i >= 0 && found.length < limit; i--) {
    const entry = entries[i]!;
    if (entry.at < now - RECENT_MS) break;
    if (keep(entry)) found.push(entry);
  }
  return found;
}

export class RecentEnded {
  /** Oldest first. */
  readonly #all: RecentEntry[] = [];
  readonly #companies = new Map<string, RecentEntry[]>();

  add(
    at: number,
    company: string | null,
    reason: string,
    views: Omit<RecentEntry, 'at' | 'reason'>,
  ): void {
    const entry: RecentEntry = { at, reason, ...views };
    this.#all.push(entry);
    trimmed(this.#all, at);
    if (company === null) return;
    const list = this.#companies.get(company) ?? [];
    list.push(entry);
    this.#companies.set(company, trimmed(list, at));
  }

  /** The records' JSON in the view asked for, newest first. */
  read(query: RecentQuery): string[] {
    const entries = query.company === null ? this.#all : (this.#companies.get(query.company) ?? []);
    return newestFirst(
      entries,
      query.now,
      query.limit,
      (entry) => query.reason === undefined || entry.reason === query.reason,
    ).map((entry) => (query.view === 'user' ? (entry.userData ?? entry.data) : entry.data));
  }

  /** Drops what has aged out everywhere, so idle companies do not keep theirs. */
  sweep(now: number): void {
    trimmed(this.#all, now);
    for (const [company, list] of this.#companies) {
      const kept = trimmed(list, now);
      if (kept.length === 0) this.#companies.delete(company);
      else this.#companies.set(company, kept);
    }
  }

  clear(): void {
    this.#all.length = 0;
    this.#companies.clear();
  }
}

/** The list without entries older than 15 min at `now` and beyond the newest RECENT_MAX. */
function trimmed(list: RecentEntry[], now: number): RecentEntry[] {
  let drop = Math.max(0, list.length - RECENT_MAX);
  while (drop < list.length && list[drop]!.at < now - RECENT_MS) drop++;
  if (drop > 0) list.splice(0, drop);
  return list;
}
