import { connect } from 'node:net';
import { DEFAULT_WAIT_TIMEOUT_MS, waitUntil } from './wait-until.js';

const CONNECT_TIMEOUT_MS = 1_000;

/** Resolves once 127.0.0.1:port accepts a TCP connection; rejects after `timeoutMs`. */
export async function waitForPort(
  port: number,
  timeoutMs: number = DEFAULT_WAIT_TIMEOUT_MS,
): Promise<void> {
  await waitUntil(() => acceptsConnection(port, Math.min(CONNECT_TIMEOUT_MS, timeoutMs)), {
    what: `127.0.0.1:${port} to accept a connection`,
    timeoutMs,
  });
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
