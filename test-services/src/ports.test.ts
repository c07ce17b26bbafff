import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import { waitForPort } from './wait-for-port.js';

describe('freePort', () => {
  it('returns a port that can be bound on 127.0.0.1', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port }, resolve);
    });
    server.close();
  });
});

describe('waitForPort', () => {
  it('resolves once something starts listening', async () => {
    const port = await freePort();
    const server = createServer();
    const timer = setTimeout(() => server.listen({ host: '127.0.0.1', port }), 200);
    try {
      await waitForPort(port, 5_000);
    } finally {
      clearTimeout(timer);
      server.close();
    }
  });

  it('rejects after the timeout when nothing listens', async () => {
    const port = await freePort();
    await expect(waitForPort(port, 300)).rejects.toThrow(`127.0.0.1:${port}`);
  });
});
