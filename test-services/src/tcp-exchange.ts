import { connect } from 'node:net';

/**
 * Connects to 127.0.0.1:port, sends `request` (if any) and collects the reply until
 * `isComplete` accepts it. Rejects on connection errors, early close or timeout.
 */
export function tcpExchange(
  port: number,
  request: string | undefined,
  isComplete: (received: string) => boolean,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    let settled = false;
    const socket = connect({ host: '127.0.0.1', port });
    const finish = (error: Error | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(received);
    };
    const timer = setTimeout(
      () => finish(new Error(`no complete reply from 127.0.0.1:${port} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.setEncoding('utf8');
    socket.once('connect', () => {
      if (request !== undefined) socket.write(request);
    });
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (isComplete(received)) finish(undefined);
    });
    socket.once('error', (error) => finish(error));
    socket.once('close', () =>
      finish(new Error(`127.0.0.1:${port} closed the connection before replying`)),
    );
  });
}

/** The first CRLF-terminated line of a reply is complete. */
export function hasLine(received: string): boolean {
  return received.includes('\r\n');
}

export function firstLine(received: string): string {
  return received.split('\r\n', 1)[0] ?? '';
}
