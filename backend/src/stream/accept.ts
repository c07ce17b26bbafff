// Whether a request's Accept header admits an event stream. Lenient, as a stream-only route
// should be: no header, `*/*`, `text/*` and `text/event-stream` all do, unless refused with
// `q=0`; the most specific range that matches decides.
const RANGES: Readonly<Record<string, number>> = {
  'text/event-stream': 3,
  'text/*': 2,
  '*/*': 1,
};

export function acceptsEventStream(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  let best = 0;
  let refused = false;
  for (const entry of accept.split(',')) {
    const [range = '', ...params] = entry.split(';').map((part) => part.trim());
    const specificity = RANGES[range.toLowerCase()] ?? 0;
    if (specificity <= best) continue;
    best = specificity;
    refused = params.some((param) => /^q=0(\.0{0,3})?$/i.test(param.replace(/\s/g, '')));
  }
  return best > 0 && !refused;
}
