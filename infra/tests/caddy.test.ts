// infra/caddy/Caddyfile as Caddy reads it for a production site (`caddy adapt`, no server):
// a host name gives HTTPS on :443 for that name; every backend is balanced by least_conn and
// health-checked on /readyz, actively and passively; /metrics never reaches a backend.
// (deployment.test.ts runs the same file in front of two backends.)
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { INFRA, REPO } from './lib/paths.js';

const run = promisify(execFile);

interface Route {
  match?: { host?: string[]; path?: string[] }[];
  handle?: Handler[];
}
interface Handler {
  handler: string;
  routes?: Route[];
  upstreams?: { dial: string }[];
  load_balancing?: { selection_policy?: { policy: string }; try_duration?: number };
  health_checks?: {
    active?: { uri: string; interval: number; expect_status: number };
    passive?: { fail_duration: number; max_fails: number; unhealthy_status: number[] };
  };
  status_code?: number;
  flush_interval?: number;
}

async function adapt(env: Record<string, string>): Promise<{ listen: string[]; routes: Route[] }> {
  const { stdout } = await run(
    'caddy',
    ['adapt', '--config', `${INFRA}caddy/Caddyfile`, '--adapter', 'caddyfile'],
    {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...env },
    },
  );
  const config = JSON.parse(stdout) as {
    apps: { http: { servers: Record<string, { listen: string[]; routes: Route[] }> } };
  };
  const servers = Object.values(config.apps.http.servers);
  expect(servers).toHaveLength(1);
  return servers[0]!;
}

/** Every handler in the route tree, depth first. */
function handlers(routes: Route[]): Handler[] {
  return routes.flatMap((route) =>
    (route.handle ?? []).flatMap((h) => [h, ...handlers(h.routes ?? [])]),
  );
}

const SECOND = 1e9;

describe('infra/caddy/Caddyfile for a production site', () => {
  const site = adapt({
    LIVE_CALLS_ADDRESS: 'noc.example.com',
    LIVE_CALLS_BACKEND: '10.0.0.21:8080 10.0.0.22:8080',
    LIVE_CALLS_FRONTEND: '/opt/live-calls/frontend/build',
  });

  it('serves HTTPS on :443 for the host name (automatic HTTPS)', async () => {
    const { listen, routes } = await site;
    expect(listen).toEqual([':443']);
    expect(routes[0]?.match).toEqual([{ host: ['noc.example.com'] }]);
  });

  it('balances by open connections over every backend, health-checked on /readyz', async () => {
    const proxies = handlers((await site).routes).filter((h) => h.handler === 'reverse_proxy');
    expect(proxies).toHaveLength(1);
    const proxy = proxies[0]!;
    expect(proxy.upstreams).toEqual([{ dial: '10.0.0.21:8080' }, { dial: '10.0.0.22:8080' }]);
    expect(proxy.load_balancing?.selection_policy).toEqual({ policy: 'least_conn' });
    expect(proxy.load_balancing?.try_duration).toBe(5 * SECOND);
    expect(proxy.health_checks?.active).toMatchObject({
      uri: '/readyz',
      interval: 2 * SECOND,
      expect_status: 200,
    });
    expect(proxy.health_checks?.passive).toEqual({
      fail_duration: 3 * SECOND,
      max_fails: 1,
      unhealthy_status: [503],
    });
    // Streams are flushed as they come without it; with it Caddy would not cancel a stream
    // whose browser went away.
    expect(proxy.flush_interval).toBeUndefined();
  });

  it('answers /metrics itself with 404', async () => {
    const metrics = (await site).routes
      .flatMap((r) => r.handle ?? [])
      .flatMap((h) => h.routes ?? [])
      .find((r) => r.match?.some((m) => m.path?.includes('/metrics')));
    expect(handlers(metrics ? [metrics] : [])).toContainEqual(
      expect.objectContaining({ handler: 'static_response', status_code: 404 }),
    );
  });
});
