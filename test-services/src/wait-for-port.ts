import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

export const DEFAULT_WAIT_TIMEOUT_MS = 10_000;
const POLL_INTERVAL_MS = 50;
const CONNECT_TIMEOUT_MS = 1_000;

/** Resolves once 127.0.0.1:port accepts a TCP connection; rejects after `timeoutMs`. */
export async function waitForPort(
  port: number,
  timeoutMs: number = DEFAULT_WAIT_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const remaining = deadline - Date.now();
    if (await acceptsConnection(port, Math.min(CONNECT_TIMEOUT_MS, Math.max(remaining, 1)))) return;
    if (Date.now() >= deadline) {
      throw new Error(`127.0.0.1:${port} did not accept a connection within ${timeoutMs} ms`);
    }
    await delay(POLL_INTERVAL_MS);
  }
}

function acceptsConnection(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (accepted: boolean): void => {
      socket.destroy();
      resolve(accepted);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
