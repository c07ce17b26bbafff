import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCaddy } from './caddy-service.js';
import type { ManagedService } from './managed-service.js';
import { waitForPort } from './wait-for-port.js';

// Site address and greeting from placeholders, as a deployment's Caddyfile would have them.
const CADDYFILE = `{
	admin off
}

{$ADDRESS} {
	respond "caddy says {$GREETING}" 200
}
`;

describe('startCaddy', () => {
  let dir: string;
  let caddy: ManagedService;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'live-calls-caddy-test-'));
    const caddyfile = join(dir, 'Caddyfile');
    await writeFile(caddyfile, CADDYFILE);
    caddy = await startCaddy({
      caddyfile,
      env: (url) => ({ ADDRESS: url, GREETING: 'hello' }),
    });
  });

  afterAll(async () => {
    await caddy?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the Caddyfile on a private port, configured through its placeholders', async () => {
    expect(caddy.url).toBe(`http://127.0.0.1:${caddy.port}`);
    const response = await fetch(`${caddy.url}/anything`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('caddy says hello');
  });

  it('restarts on the same port, and close() stops it and removes its home', async () => {
    const { pid } = caddy;
    await caddy.restart();
    expect(caddy.pid).not.toBe(pid);
    expect((await fetch(caddy.url)).status).toBe(200);

    const home = dirname(caddy.logFile);
    await caddy.close();
    expect(existsSync(home)).toBe(false);
    await expect(waitForPort(caddy.port, 200)).rejects.toThrow(/to accept a connection/);
  });
});
