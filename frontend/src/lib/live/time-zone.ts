// Every time the dashboard shows says its zone: the browser's own, or UTC when the view
// asks for it (`?tz=utc`, so a link shows the same clock to everyone).
export type ZoneChoice = 'local' | 'utc';

export function zoneFromQuery(query: URLSearchParams): ZoneChoice {
  return query.get('tz')?.toLowerCase() === 'utc' ? 'utc' : 'local';
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: ZoneChoice, withDate: boolean): Intl.DateTimeFormat {
  const key = `${zone}|${withDate}`;
  let found = formatters.get(key);
  if (found === undefined) {
    found = new Intl.DateTimeFormat('en-GB', {
      ...(withDate ? { year: 'numeric', month: '2-digit', day: '2-digit' } : {}),
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
      ...(zone === 'utc' ? { timeZone: 'UTC' } : {}),
    });
    formatters.set(key, found);
  }
  return found;
}

export interface ZonedTime {
  /** `14:03:27`, or `2026-11-29 14:03:27` with the date. */
  time: string;
  /** `UTC`, `CET`, `GMT+1`: what the browser calls the zone at that moment. */
  zone: string;
}

export function zonedTime(ms: number, zone: ZoneChoice, withDate = false): ZonedTime {
  const parts = formatter(zone, withDate).formatToParts(new Date(ms));
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? '';
  const clock = `${part('hour')}:${part('minute')}:${part('second')}`;
  const name = part('timeZoneName');
  return {
    time: withDate ? `${part('year')}-${part('month')}-${part('day')} ${clock}` : clock,
    zone: name === 'GMT' && zone === 'utc' ? 'UTC' : name,
  };
}

/** `14:03:27 UTC`: a time with its zone, for text. */
export function formatZoned(ms: number, zone: ZoneChoice, withDate = false): string {
  const { time, zone: name } = zonedTime(ms, zone, withDate);
  return `${time} ${name}`;
}
