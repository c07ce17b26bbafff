// The stream's HTTP/1.1 response head, written straight to the connection. The stream never
// ends by itself, so Node's ServerResponse would keep the head it built — a string of ~70
// concatenated pieces — for the stream's whole life, and frame every write as a chunk. A
// body delimited by the connection's close needs neither (docs/adr/0013-stream-on-the-socket.md).
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

const FORBIDDEN = /[\r\n]/;

/** `HTTP/1.1 200 OK`, each header on its own line (arrays as repeated lines), `date`, blank line. */
export function responseHead(headers: OutgoingHttpHeaders, date: string): string {
  let head = 'HTTP/1.1 200 OK\r\n';
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) {
      const text = String(one);
      if (FORBIDDEN.test(name) || FORBIDDEN.test(text))
        throw new Error(`header ${JSON.stringify(name)} holds a line break`);
      head += `${name}: ${text}\r\n`;
    }
  }
  return `${head}date: ${date}\r\n\r\n`;
}

const ignore = (): void => {};

/**
 * Node's ServerResponse of a stream is never written to nor ended, so its 'finish' and
 * 'error' listeners never run; yet Fastify's among them hold the request, the reply and a
 * per-request logger alive for the stream's whole life, and the response keeps the header
 * list already sent in the head. Dropping both keeps ~1.5 KB less per open stream. The
 * response stays attached to the connection, so a request pipelined behind the stream waits
 * (forever) instead of being answered into it.
 *
 * Both are dropped whole, not entry by entry: an object that loses properties one `delete` at
 * a time turns into a dictionary of ~300 bytes that it keeps (two per stream, in a heap
 * snapshot of 2,000 idle streams). The listeners go with `removeAllListeners()` (a fresh
 * table; a stream's response has no others); the header list by Node's own slot for it when
 * it is there, header by header otherwise.
 */
export function releaseResponse(res: ServerResponse): void {
  res.removeAllListeners();
  res.on('error', ignore);
  const headers = Object.getOwnPropertySymbols(res).find((s) => s.description === 'kOutHeaders');
  const slot = res as unknown as Record<symbol, unknown>;
  if (headers !== undefined && typeof slot[headers] === 'object') slot[headers] = null;
  else for (const name of res.getHeaderNames()) res.removeHeader(name);
}
