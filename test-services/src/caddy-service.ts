import { join } from 'node:path';
import { answersOk } from './http-probe.js';
import { ManagedProcess, launchServer } from './managed-process.js';
import type { ManagedService } from './managed-service.js';

export interface CaddyOptions {
  /**
   * A Caddyfile whose site address comes from an environment placeholder (`{$ADDRESS}`),
   * since the port is picked here. It should switch the admin endpoint off (`admin off`)
   * or onto a free port: two instances on the default localhost:2019 collide.
   */
  readonly caddyfile: string;
  /** Placeholders the Caddyfile reads, given the URL (`http://127.0.0.1:PORT`) to serve. */
  env?(url: string): Record<string, string>;
  /** Caddy is ready once `GET <url><readyPath>` answers 2xx. Default `/`. */
  readonly readyPath?: string;
  /** Caddy resolves relative paths in the Caddyfile against this; default this process's. */
  readonly cwd?: string;
}

/**
 * `caddy run` with a Caddyfile on a free port. HOME and the XDG dirs point into the temp
 * dir, so Caddy's state (certificates, autosaved config) never lands in the user's home.
 */
export function startCaddy(options: CaddyOptions): Promise<ManagedService> {
  return launchServer(
    {
      name: 'caddy',
      executable: { binary: 'caddy', debianPackage: 'caddy' },
      scheme: 'http',
      args: () => ['run', '--config', options.caddyfile, '--adapter', 'caddyfile'],
      env: (port, dir) => ({
        ...process.env,
        HOME: dir,
        XDG_DATA_HOME: join(dir, 'data'),
        XDG_CONFIG_HOME: join(dir, 'config'),
        ...options.env?.(`http://127.0.0.1:${port}`),
      }),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      isReady: (port) => answersOk(`http://127.0.0.1:${port}${options.readyPath ?? '/'}`),
    },
    (home) => new ManagedProcess(home),
  );
}
