// A bare core-NATS publisher for the browser benchmarks: the text protocol over one TCP
// socket (INFO, CONNECT, PUB, PING/PONG), so the frontend's e2e code needs no NATS client
// package. It publishes like a bridge does — core NATS, at most once — and `flush()` is a
// PING answered by PONG, which the server sends only after it has processed every PUB
// before it.
import { connect, type Socket } from 'node:net';

export interface NatsPublisher {
  /** Queues one message; call `flush()` to know the server has it. */
  publish(subject: string, payload: string): void;
  /** Resolves when the server has processed everything published so far. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 5_000;
const FLUSH_TIMEOUT_MS = 30_000;

export async function connectPublisher(natsUrl: string): Promise<NatsPublisher> {
  const url = new URL(natsUrl);
  const socket: Socket = connect({ host: url.hostname, port: Number(url.port || 4222) });
  socket.setEncoding('utf8');
  let buffer = '';
  let failure: Error | null = null;
  const pongWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  let greeted: (() => void) | null = null;

  const fail = (error: Error): void => {
    failure ??= error;
    for (const waiter of pongWaiters.splice(0)) waiter.reject(error);
  };
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (line.startsWith('INFO ')) greeted?.();
      else if (line === 'PING') socket.write('PONG\r\n');
      else if (line === 'PONG') pongWaiters.shift()?.resolve();
      else if (line.startsWith('-ERR')) fail(new Error(`nats: ${line}`));
    }
  });
  socket.on('error', (error) => fail(error));
  socket.on('close', () => fail(new Error('nats: connection closed')));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`nats: no INFO from ${natsUrl} within ${CONNECT_TIMEOUT_MS} ms`)),
      CONNECT_TIMEOUT_MS,
    );
    greeted = () => {
      clearTimeout(timer);
      greeted = null;
      resolve();
    };
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  socket.write(
    `CONNECT ${JSON.stringify({ verbose: false, pedantic: false, lang: 'node', version: '0', protocol: 1, name: 'live-calls-bench' })}\r\n`,
  );

  const flush = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (failure) {
        reject(failure);
        return;
      }
      const timer = setTimeout(
        () => reject(new Error(`nats: no PONG within ${FLUSH_TIMEOUT_MS} ms`)),
        FLUSH_TIMEOUT_MS,
      );
      pongWaiters.push({
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      socket.write('PING\r\n');
    });
  await flush();

  return {
    publish(subject, payload) {
      if (failure) throw failure;
      socket.write(`PUB ${subject} ${Buffer.byteLength(payload)}\r\n${payload}\r\n`);
    },
    flush,
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.destroyed) {
          resolve();
          return;
        }
        socket.once('close', () => resolve());
        socket.end();
      }),
  };
}
