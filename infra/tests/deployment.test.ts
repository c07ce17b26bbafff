// The deployment the guide (docs/deploy.md) describes, on this machine: Redis master, replica
// and three Sentinels and a three-node NATS cluster from infra/redis/ and infra/nats/; two
// backends and a bridge configured from the example env files (addresses and secrets
// filled in); a user added with the users command; Caddy from infra/caddy/Caddyfile in front;
// Prometheus from infra/prometheus/. Checked: streams through Caddy spread over both
// backends; one backend stopped with SIGTERM is taken out and its clients resume exactly on
// the other; started again it is taken back and gets new streams; Prometheus scrapes every
// target with the kit's config and evaluates every rule; every metric the rules and the
// dashboard use exists; the bridge's JetStream stream and bucket have three replicas.
//
// Needs `pnpm build` (it runs backend/dist/server.js, bridge/dist/main.js and the users command).
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  closeAll,
  freePort,
  startCaddy,
  startNodeService,
  waitUntil,
  type ManagedService,
} from '@live-calls/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeSettings, readEnvFile } from './lib/env-file.js';
import { startKitNats, startKitRedis, type KitNats, type KitRedis } from './lib/kit-engines.js';
import { BACKEND_ENTRY, BRIDGE_ENTRY, INFRA, REPO, USERS_CLI, requireBuild } from './lib/paths.js';
import { writePrometheusConfig } from './lib/prometheus-config.js';
import { alertRules, dashboardExprs, exposedNames, metricNames } from './lib/promql.js';
import { orderProblems, ResumingClient } from './lib/resuming-client.js';
import { startServer, type ServerProcess } from './lib/server-process.js';

const REDIS_PASSWORDS = {
  redis: 'redis-pass-of-the-deploy-check',
  sentinel: 'sentinel-pass-of-the-check',
};
// The backend's starts with digits: a known trap for NATS URLs, handled by the services.
const NATS_PASSWORDS = {
  route: 'route-pass',
  backend: '8backend-pass',
  bridge: 'bridge-pass',
  sys: 'sys-pass',
};
const JWT_SECRET = 'a-session-secret-of-at-least-32-bytes-for-the-check';
const METRICS_TOKEN = 'metrics-token-of-the-deploy-check';
const USER = { name: 'alice', password: 'alice-wall-password' };
const STREAMS = 8;

function exampleEnv(service: 'backend' | 'bridge'): {
  set: Record<string, string>;
  documented: Set<string>;
} {
  const entries = readEnvFile(readFileSync(`${INFRA}systemd/${service}.env.example`, 'utf8'));
  return { set: activeSettings(entries), documented: new Set(entries.map((e) => e.name)) };
}

/** The example file's settings with this machine's addresses and secrets; only documented names. */
function serviceEnv(
  service: 'backend' | 'bridge',
  overrides: Record<string, string>,
): NodeJS.ProcessEnv {
  const example = exampleEnv(service);
  for (const name of Object.keys(overrides))
    if (!example.documented.has(name)) throw new Error(`${name} is not in ${service}.env.example`);
  return { PATH: process.env.PATH ?? '', ...example.set, ...overrides };
}

/** `pnpm --dir backend users add <name> --role noc` as the guide runs it: password on stdin. */
async function addUser(usersFile: string): Promise<string> {
  const child = spawn(process.execPath, [USERS_CLI, 'add', USER.name, '--role', 'noc'], {
    env: { PATH: process.env.PATH ?? '', USERS_FILE: usersFile },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stdin.end(`${USER.password}\n`);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`users add failed: ${output}`);
  return output.trim();
}

async function metricsText(url: string, token?: string): Promise<string> {
  const response = await fetch(
    url,
    token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } },
  );
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.text();
}

/** A gauge's value on one /metrics page (the first series whose labels contain `labels`). */
function gauge(text: string, name: string, labels = ''): number {
  for (const line of text.split('\n'))
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      if (line.includes(labels)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  return 0;
}

describe('the deployment kit, end to end', () => {
  let dir: string;
  let redis: KitRedis;
  let nats: KitNats;
  const backends: ManagedService[] = [];
  let bridge: ManagedService;
  let caddy: ManagedService;
  let caddyAdmin: string;
  let prometheus: ServerProcess | undefined;
  let cookie: string;
  const clients: ResumingClient[] = [];

  const streamsOn = async (backend: ManagedService) =>
    gauge(
      await metricsText(`${backend.url}/metrics`, METRICS_TOKEN),
      'live_stream_connections',
      'role="noc"',
    );
  const healthyInCaddy = async (backend: ManagedService) =>
    gauge(
      await metricsText(`http://${caddyAdmin}/metrics`),
      'caddy_reverse_proxy_upstreams_healthy',
      `upstream="127.0.0.1:${backend.port}"`,
    );
  /**
   * Opens streams one after the other, each once the one before has started: Caddy counts a
   * stream from its request on, so each choice of least_conn sees every stream before it.
   */
  const openStreams = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const client = new ResumingClient(caddy.url, { cookie });
      clients.push(client);
      client.start();
      await waitUntil(() => client.current?.start.startsWith('snapshot') ?? false, {
        what: 'the new stream to start',
        timeoutMs: 15_000,
      });
    }
  };

  beforeAll(async () => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'live-calls-deploy-'));
    [redis, nats] = await Promise.all([
      startKitRedis(REDIS_PASSWORDS),
      startKitNats(NATS_PASSWORDS),
    ]);
    // The guide's backup of the users file is a plain copy; the backends run on a restored one.
    const written = join(dir, 'users.json');
    expect(await addUser(written)).toBe(`added alice (noc) in ${written}`);
    const usersFile = join(dir, 'users.restored.json');
    copyFileSync(written, usersFile);
    for (const name of ['backend-a', 'backend-b'])
      backends.push(
        await startNodeService({
          name,
          entry: BACKEND_ENTRY,
          readyPath: '/readyz',
          env: (port) =>
            serviceEnv('backend', {
              HOST: '127.0.0.1',
              PORT: String(port),
              TRUST_PROXY: '127.0.0.1',
              REDIS_SENTINELS: redis.sentinels,
              REDIS_PASSWORD: redis.password,
              REDIS_SENTINEL_PASSWORD: redis.sentinelPassword,
              NATS_URL: nats.urlFor('backend', NATS_PASSWORDS.backend),
              JWT_SECRET,
              USERS_FILE: usersFile,
              METRICS_TOKEN,
              LOG_LEVEL: 'warn',
              SSE_RETRY_MS: '300',
              HEARTBEAT_MS: '1000',
              SYNC_INTERVAL_MS: '2000',
            }),
        }),
      );
    bridge = await startNodeService({
      name: 'bridge',
      entry: BRIDGE_ENTRY,
      readyPath: '/readyz',
      env: (port) =>
        serviceEnv('bridge', {
          NATS_URL: nats.urlFor('bridge', NATS_PASSWORDS.bridge),
          PBX: 'simulator',
          SIM_CPS: '20',
          SIM_MAX_ACTIVE: '300',
          SYNC_INTERVAL_MS: '2000',
          HEALTH_PORT: String(port),
          LOG_LEVEL: 'warn',
        }),
    });
    caddyAdmin = `127.0.0.1:${await freePort()}`;
    caddy = await startCaddy({
      caddyfile: `${INFRA}caddy/Caddyfile`,
      cwd: REPO,
      readyPath: '/readyz',
      env: (url) => ({
        LIVE_CALLS_ADDRESS: url,
        LIVE_CALLS_BACKEND: backends.map((b) => `127.0.0.1:${b.port}`).join(' '),
        LIVE_CALLS_FRONTEND: `${REPO}frontend/build`,
        CADDY_ADMIN: caddyAdmin,
      }),
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.stop()));
    await closeAll([redis, nats, ...backends, bridge, caddy, prometheus]);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('signs in through Caddy as the user the users command added', async () => {
    const response = await fetch(`${caddy.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: USER.name, password: USER.password }),
    });
    expect(response.status).toBe(204);
    cookie = /lc_session=[^;]+/.exec(response.headers.get('set-cookie') ?? '')![0];
    const me = await fetch(`${caddy.url}/api/v1/auth/me`, { headers: { cookie } });
    expect(await me.json()).toMatchObject({ sub: USER.name, role: 'noc' });
  });

  it('keeps /metrics off the public site and behind METRICS_TOKEN on the backends', async () => {
    expect((await fetch(`${caddy.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${backends[0]!.url}/metrics`)).status).toBe(401);
    expect(await metricsText(`${backends[0]!.url}/metrics`, METRICS_TOKEN)).toMatch(/^# HELP /m);
  });

  it('spreads streams over both backends (least_conn)', async () => {
    await openStreams(STREAMS);
    await waitUntil(
      async () => (await streamsOn(backends[0]!)) + (await streamsOn(backends[1]!)) === STREAMS,
      {
        what: 'every stream to be counted',
      },
    );
    expect([await streamsOn(backends[0]!), await streamsOn(backends[1]!)]).toEqual([
      STREAMS / 2,
      STREAMS / 2,
    ]);
  });

  it('takes a backend stopped with SIGTERM out of rotation; its clients resume exactly on the other', async () => {
    const [leaving, staying] = backends as [ManagedService, ManagedService];
    const stopped = performance.now();
    await leaving.stop();
    const stopS = (performance.now() - stopped) / 1000;
    // Requests go on through Caddy while it is gone.
    for (let i = 0; i < 10; i++)
      expect((await fetch(`${caddy.url}/api/v1/auth/me`, { headers: { cookie } })).status).toBe(
        200,
      );
    await waitUntil(async () => (await streamsOn(staying)) === STREAMS, {
      what: `all ${STREAMS} streams on the remaining backend`,
      timeoutMs: 20_000,
    });
    await waitUntil(async () => (await healthyInCaddy(leaving)) === 0, {
      what: "Caddy's health check to mark the stopped backend down",
    });
    const reconnects = clients.flatMap((c) => c.connections.slice(1));
    const served = reconnects.filter((c) => c.status === 200);
    console.log(
      `SIGTERM to exit: ${stopS.toFixed(1)} s; ${served.length} streams came back through Caddy, ` +
        `${reconnects.length - served.length} refused on the way`,
    );
    expect(stopS).toBeLessThan(10);
    expect(served.length).toBe(STREAMS / 2);
    await waitUntil(() => served.every((c) => c.start !== 'pending'), {
      what: 'the resumed streams to start',
    });
    expect(served.map((c) => c.start)).toEqual(served.map(() => 'resumed'));
    for (const client of clients) expect(orderProblems(client.ids)).toEqual([]);
  });

  it('takes it back once it is started again, and it gets the new streams', async () => {
    const [returning, staying] = backends as [ManagedService, ManagedService];
    await returning.start();
    await waitUntil(async () => (await healthyInCaddy(returning)) === 1, {
      what: "Caddy's health check to take the backend back",
    });
    await openStreams(STREAMS);
    await waitUntil(
      async () => (await streamsOn(returning)) + (await streamsOn(staying)) === 2 * STREAMS,
      {
        what: 'every stream to be counted',
      },
    );
    // least_conn: the new streams go to the backend with fewer, until both hold as many.
    expect([await streamsOn(returning), await streamsOn(staying)]).toEqual([STREAMS, STREAMS]);
    for (const client of clients) expect(orderProblems(client.ids)).toEqual([]);
  });

  it('Prometheus with the kit config scrapes every target and evaluates every rule', async () => {
    const promDir = join(dir, 'prometheus');
    const config = writePrometheusConfig(mkdtempSync(`${promDir}-`), {
      backends: [`127.0.0.1:${backends[0]!.port}`, `127.0.0.1:${backends[1]!.port}`],
      // pbx-2's bridge is not running: its target is down, and its alert pending.
      bridges: [`127.0.0.1:${bridge.port}`, `127.0.0.1:${await freePort()}`],
      caddyAdmin,
      metricsToken: METRICS_TOKEN,
    });
    const port = await freePort();
    prometheus = await startServer({
      name: 'prometheus',
      command: 'prometheus',
      args: [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      port,
      logFile: join(dir, 'prometheus.log'),
    });
    // The port opens before the storage and the rules are loaded.
    await waitUntil(
      async () =>
        (await fetch(`http://127.0.0.1:${port}/-/ready`).catch(() => undefined))?.ok ?? false,
      { what: 'Prometheus to be ready', timeoutMs: 20_000 },
    );
    const api = async <T>(path: string): Promise<T> =>
      ((await (await fetch(`http://127.0.0.1:${port}/api/v1/${path}`)).json()) as { data: T }).data;
    type Target = { labels: Record<string, string>; health: string; lastError: string };
    const targets = await waitUntil(
      async () => (await api<{ activeTargets: Target[] }>('targets')).activeTargets,
      {
        what: 'every target scraped once',
        accept: (t) => t.length === 5 && t.every((x) => x.health !== 'unknown'),
        timeoutMs: 20_000,
      },
    );
    expect(
      targets
        .map((t) => `${t.labels.job} ${t.labels.source ?? ''} ${t.health}`.replace('  ', ' '))
        .sort(),
    ).toEqual([
      'caddy up',
      'live-calls-backend up',
      'live-calls-backend up',
      'live-calls-bridge pbx-1 up',
      'live-calls-bridge pbx-2 down',
    ]);
    type Rule = { name: string; health: string; lastError?: string; lastEvaluation: string };
    const rules = await waitUntil(
      async () =>
        (await api<{ groups: { rules: Rule[] }[] }>('rules')).groups.flatMap((g) => g.rules),
      {
        what: 'every rule evaluated',
        accept: (r) => r.length > 0 && r.every((x) => !x.lastEvaluation.startsWith('0001')),
        timeoutMs: 20_000,
      },
    );
    expect(rules.length).toBe(alertRules().length);
    expect(rules.filter((r) => r.health !== 'ok')).toEqual([]);
    type Alert = { labels: Record<string, string>; state: string };
    const alerts = await waitUntil(async () => (await api<{ alerts: Alert[] }>('alerts')).alerts, {
      what: 'the down bridge to raise its alert',
      accept: (a) => a.some((x) => x.labels.alertname === 'LiveCallsBridgeDown'),
      timeoutMs: 10_000,
    });
    const raised = alerts.map((a) => `${a.labels.alertname} ${a.labels.source ?? ''} ${a.state}`);
    expect(raised).toContain('LiveCallsBridgeDown pbx-2 pending');
    // Nothing else: the simulator bridge counts as a connected PBX.
    expect(raised.filter((a) => a !== 'LiveCallsBridgeDown pbx-2 pending')).toEqual([]);
  });

  it('has every metric the alert rules and the dashboard use on a backend, the bridge or Caddy', async () => {
    const exposed = new Set([
      ...exposedNames(await metricsText(`${backends[0]!.url}/metrics`, METRICS_TOKEN)),
      ...exposedNames(await metricsText(`${bridge.url}/metrics`)),
      ...exposedNames(await metricsText(`http://${caddyAdmin}/metrics`)),
      'up', // Prometheus's own, per target
    ]);
    const used = new Set(
      [...alertRules().map((r) => r.expr), ...dashboardExprs()].flatMap((e) => [...metricNames(e)]),
    );
    expect(used.size).toBeGreaterThan(20);
    expect([...used].filter((name) => !exposed.has(name))).toEqual([]);
  });

  it('has the bridge keep its CDRs and state with three replicas (CDR_REPLICAS, STATE_REPLICAS)', async () => {
    type Stream = {
      name: string;
      config: { num_replicas: number };
      state: { messages: number; bytes: number };
    };
    type Jsz = { account_details?: { stream_detail?: Stream[] }[] };
    const streams = await waitUntil(
      async () => {
        const jsz = (await (
          await fetch(
            `http://127.0.0.1:${nats.monitorPorts[0]}/jsz?accounts=true&streams=true&config=true`,
          )
        ).json()) as Jsz;
        return (jsz.account_details ?? []).flatMap((a) => a.stream_detail ?? []);
      },
      {
        what: 'CDRs in the CDR stream',
        accept: (s) => s.some((x) => x.name === 'CDR' && x.state.messages > 0),
        timeoutMs: 20_000,
      },
    );
    const byName = new Map(streams.map((s) => [s.name, s]));
    expect(byName.get('CDR')?.config.num_replicas).toBe(3);
    expect(byName.get('KV_LIVE_CALLS_BRIDGE')?.config.num_replicas).toBe(3);
    const cdr = byName.get('CDR')!.state;
    const perCdr = cdr.bytes / cdr.messages;
    console.log(`CDR stream: ${cdr.messages} CDRs, ${Math.round(perCdr)} bytes each on disk`);
    // docs/deploy.md and nats-server.conf size the stream at ~1 KB per CDR.
    expect(perCdr).toBeLessThan(1500);
  });
});
