// The table's filters, and their round trip through the URL query so a view can be
// shared as a link and survives a reload.
import { DIRECTIONS, type CallRecord, type Direction, type Phase } from '@live-calls/protocol';
import { durationMs } from './call-timing.js';

export type NumberMatch = 'contains' | 'prefix';

export interface CallFilter {
  /** Empty: every company. `null` inside: calls without a company. */
  companies: ReadonlySet<string | null>;
  trunks: ReadonlySet<string | null>;
  directions: ReadonlySet<Direction>;
  /** Ended calls are never listed, so only active phases filter. */
  phases: ReadonlySet<Exclude<Phase, 'ended'>>;
  /** Digits or user part, matched against from and to (user and display name). */
  number: string;
  numberMatch: NumberMatch;
  /** Seconds; 0 = no minimum. */
  minDurationS: number;
}

export const EMPTY_FILTER: CallFilter = Object.freeze({
  companies: new Set<string | null>(),
  trunks: new Set<string | null>(),
  directions: new Set<Direction>(),
  phases: new Set<Exclude<Phase, 'ended'>>(),
  number: '',
  numberMatch: 'contains',
  minDurationS: 0,
});

/** How `null` (no company / no trunk) is spelled in the URL. */
const NONE_TOKEN = '-';
const ACTIVE_PHASES = ['setup', 'ringing', 'answered'] as const;
const MAX_NUMBER_CHARS = 64;

function nullableList(raw: string | null): Set<string | null> {
  const out = new Set<string | null>();
  if (!raw) return out;
  for (const part of raw.split(',')) {
    const value = part.trim();
    if (value) out.add(value === NONE_TOKEN ? null : value);
  }
  return out;
}

function enumList<T extends string>(raw: string | null, allowed: readonly T[]): Set<T> {
  const out = new Set<T>();
  if (!raw) return out;
  for (const part of raw.split(',')) {
    const value = part.trim();
    if ((allowed as readonly string[]).includes(value)) out.add(value as T);
  }
  return out;
}

/** Reads a filter from a query string; unknown or malformed values are ignored, never fatal. */
export function filterFromQuery(query: URLSearchParams): CallFilter {
  const min = Number(query.get('min') ?? '0');
  return {
    companies: nullableList(query.get('company')),
    trunks: nullableList(query.get('trunk')),
    directions: enumList(query.get('dir'), DIRECTIONS),
    phases: enumList(query.get('phase'), ACTIVE_PHASES),
    number: (query.get('q') ?? '').trim().slice(0, MAX_NUMBER_CHARS),
    numberMatch: query.get('match') === 'prefix' ? 'prefix' : 'contains',
    minDurationS: Number.isFinite(min) && min > 0 ? Math.floor(min) : 0,
  };
}

const FILTER_KEYS = ['company', 'trunk', 'dir', 'phase', 'q', 'match', 'min'] as const;

function joinList(values: Iterable<string | null>): string {
  return [...values].map((v) => (v === null ? NONE_TOKEN : v)).join(',');
}

/**
 * Writes a filter into a copy of `query`, leaving its other keys (sort, wall mode) alone
 * and omitting defaults so shared links stay short.
 */
export function filterToQuery(filter: CallFilter, query: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams(query);
  for (const key of FILTER_KEYS) out.delete(key);
  if (filter.companies.size) out.set('company', joinList(filter.companies));
  if (filter.trunks.size) out.set('trunk', joinList(filter.trunks));
  if (filter.directions.size) out.set('dir', [...filter.directions].join(','));
  if (filter.phases.size) out.set('phase', [...filter.phases].join(','));
  if (filter.number) out.set('q', filter.number);
  if (filter.number && filter.numberMatch === 'prefix') out.set('match', 'prefix');
  if (filter.minDurationS > 0) out.set('min', String(filter.minDurationS));
  return out;
}

export function isFilterActive(filter: CallFilter): boolean {
  return (
    filter.companies.size > 0 ||
    filter.trunks.size > 0 ||
    filter.directions.size > 0 ||
    filter.phases.size > 0 ||
    filter.number !== '' ||
    filter.minDurationS > 0
  );
}

/** Lower-cased, and without the separators people type into numbers (`+49 (30) 12-34`). */
function normalizeNumber(text: string): string {
  return text.toLowerCase().replace(/[\s()\-.]/g, '');
}

/**
 * Compiles a filter into one predicate. Called once per view rebuild, so the per-call work
 * is a few set lookups and at most four string searches. A `fading` call (hung up, still on
 * screen) skips the phase and duration tests: its row must fade where it is, not vanish.
 */
export function compileFilter(
  filter: CallFilter,
): (call: CallRecord, now: number, fading?: boolean) => boolean {
  const needle = normalizeNumber(filter.number);
  const prefix = filter.numberMatch === 'prefix';
  const matches = (text: string | undefined): boolean => {
    if (text === undefined || text === '') return false;
    const hay = normalizeNumber(text);
    return prefix ? hay.startsWith(needle) : hay.includes(needle);
  };
  const minMs = filter.minDurationS * 1000;
  const { companies, trunks, directions, phases } = filter;
  return (call, now, fading = false) => {
    if (companies.size && !companies.has(call.company_id)) return false;
    if (trunks.size && !trunks.has(call.trunk)) return false;
    if (directions.size && !directions.has(call.direction)) return false;
    if (!fading && phases.size && (call.phase === 'ended' || !phases.has(call.phase))) {
      return false;
    }
    if (
      needle &&
      !matches(call.from.user) &&
      !matches(call.to.user) &&
      !matches(call.from.display) &&
      !matches(call.to.display)
    ) {
      return false;
    }
    if (!fading && minMs > 0 && durationMs(call, now) < minMs) return false;
    return true;
  };
}

/** A copy of `set` with `value` added or removed. */
export function toggled<T>(set: ReadonlySet<T>, value: T): Set<T> {
  const out = new Set(set);
  if (out.has(value)) out.delete(value);
  else out.add(value);
  return out;
}
