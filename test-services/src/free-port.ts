import { createServer } from 'node:net';
import { registry } from './resource-registry.js';

/** A TCP port on 127.0.0.1 that was free a moment ago and is not held by a service object. */
export async function freePort(): Promise<number> {
  const held = registry().ports;
  for (;;) {
    const port = await portFromKernel();
    if (!held.has(port)) return port;
  }
}

/** freePort(), and marks the port as held until releasePort(). */
export async function reservePort(): Promise<number> {
  const port = await freePort();
  registry().ports.add(port);
  return port;
}

export function releasePort(port: number): void {
  registry().ports.delete(port);
}

// Port 0 lets the kernel pick at random from the ephemeral range, which keeps parallel
// test workers (separate processes, separate registries) from colliding in practice.
function portFromKernel(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      server.close((error) => {
        if (error) reject(error);
        else if (address === null || typeof address === 'string')
          reject(new Error(`unexpected listen address ${String(address)}`));
        else resolve(address.port);
      });
    });
  });
}
