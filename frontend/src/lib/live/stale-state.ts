// What the page says while the stream is not live: since when the figures are stale and
// when the next attempt is due. The table is frozen at the moment the stream was lost, so
// nothing on the wall pretends to be current.
import type { ConnectionView } from './connection-tracker.js';
import { formatZoned, type ZoneChoice } from './time-zone.js';

/** The stream is not delivering: reconnecting, offline, or live but silent. */
export function isStale(connection: ConnectionView): boolean {
  return connection.failingSince !== null || connection.silent;
}

export interface StaleNotice {
  /** `Offline since 14:03:27 UTC`. */
  headline: string;
  /** `Retrying in 4 s` / `Retrying…`. */
  retry: string;
}

export function staleNotice(
  connection: ConnectionView,
  localNow: number,
  zone: ZoneChoice,
): StaleNotice | null {
  if (!isStale(connection)) return null;
  const since = connection.failingSince ?? connection.lastEventAt ?? localNow;
  const word = connection.state === 'offline' ? 'Offline' : 'Connection lost';
  const retry =
    connection.retryAt === null
      ? 'Retrying…'
      : `Retrying in ${secondsUntil(connection.retryAt, localNow)} s`;
  return { headline: `${word} since ${formatZoned(since, zone)}`, retry };
}

/** `⚠ OFFLINE · 122 active · Live calls`: a stale tab is told apart in the tab strip. */
export function pageTitle(active: number, stale: boolean): string {
  return `${stale ? '⚠ OFFLINE · ' : ''}${active} active · Live calls`;
}

/** Seconds until `at` for a countdown; at least 1 while it is in the future. */
export function secondsUntil(at: number, now: number): number {
  return Math.max(1, Math.ceil((at - now) / 1000));
}
