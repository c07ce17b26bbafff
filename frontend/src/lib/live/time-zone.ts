// Every time the dashboard shows says its zone: the browser's own, or UTC when the view
// asks for it (`?tz=utc`, so a link shows the same clock to everyone).
export type ZoneChoice = 'local' | 'utc';

export function zoneFromQuery(query: URLSearchParams): ZoneChoice {
  return query.get('tz')?.toLowerCase() === 'utc' ? 'utc' : 'local';
}

export interface ZonedTime {
  /** `14:03:27`, or `2026-11-29 14:03:27` with the date. */
  time: string;
  /** `UTC`, or the browser's offset from it at that moment: `UTC+1`, `UTC-5`, `UTC+5:30`. */
  zone: string;
}

const two = (n: number) => String(n).padStart(2, '0');

/**
 * The zone as an offset rather than a name (`CET`, `GMT+1`): Intl's zone names cost the
 * first paint 100–140 ms on their first use (ICU loads its zone data), and the offset is as
 * clear on a wall shared across zones.
 */
function zoneLabel(date: Date, zone: ZoneChoice): string {
  const east = zone === 'utc' ? 0 : -date.getTimezoneOffset();
  if (east === 0) return 'UTC';
  const minutes = Math.abs(east) % 60;
  return `UTC${east > 0 ? '+' : '-'}${Math.floor(Math.abs(east) / 60)}${minutes === 0 ? '' : `:${two(minutes)}`}`;
}

export function zonedTime(ms: number, zone: ZoneChoice, withDate = false): ZonedTime {
  const d = new Date(ms);
  const utc = zone === 'utc';
  const clock = utc
    ? `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`
    : `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  const date = utc
    ? `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`
    : `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  return { time: withDate ? `${date} ${clock}` : clock, zone: zoneLabel(d, zone) };
}

/** `14:03:27 UTC`: a time with its zone, for text. */
export function formatZoned(ms: number, zone: ZoneChoice, withDate = false): string {
  const { time, zone: name } = zonedTime(ms, zone, withDate);
  return `${time} ${name}`;
}
