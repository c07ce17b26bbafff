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
 */
export function releaseResponse(res: ServerResponse): void {
  res.removeAllListeners('finish');
  res.removeAllListeners('error');
  res.on('error', ignore);
  for (const name of res.getHeaderNames()) res.removeHeader(name);
}
