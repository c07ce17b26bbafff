// Real processes for the browser tests, each on a free loopback port and stopped by the test
// that started it: the backend (embedded demo mode, or distributed against private Redis and
// NATS), the bridge with its call simulator, redis-server, nats-server, and Caddy in front
// with the project's own Caddyfile. A missing build or Debian package fails the test with
// one line saying what to do — these tests are never skipped.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILD_DIR, REPO_ROOT } from './browser.ts';

export const BACKEND_ENTRY = join(REPO_ROOT, 'backend', 'dist', 'server.js');
export const USERS_CLI = join(REPO_ROOT, 'backend', 'dist', 'cli', 'users.js');
export const BRIDGE_ENTRY = join(REPO_ROOT, 'bridge', 'dist', 'main.js');
export const CADDYFILE = join(REPO_ROOT, 'infra', 'caddy', 'Caddyfile');

/** Throws unless `path` exists: builds are a precondition, not a reason to skip. */
export function requireBuilt(path: string): void {
  if (!existsSync(path)) {
    const relative = path.startsWith(REPO_ROOT) ? path.slice(REPO_ROOT.length + 1) : path;
    throw new Error(`${relative} missing: run pnpm build (from the repo root)`);
  }
}

const BINARIES = {
  caddy: { path: '/usr/bin/caddy', pkg: 'caddy' },
  'redis-server': { path: '/usr/bin/redis-server', pkg: 'redis-server' },
  'nats-server': { path: '/usr/sbin/nats-server', pkg: 'nats-server' },
} as const;

/** The Debian binary's path; throws naming the package when it is not installed. */
export function requireBinary(name: keyof typeof BINARIES): string {
  const { path, pkg } = BINARIES[name];
  if (existsSync(path)) return path;
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const onPath = found.stdout.trim();
  if (found.status === 0 && onPath !== '') return onPath;
  throw new Error(`${name} not found: apt-get install ${pkg}`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

async function waitFor(
  what: string,
  ready: () => Promise<boolean>,
  timeoutMs: number,
  child: ChildProcess,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what}: process exited (${child.exitCode ?? child.signalCode})`);
    }
    if (await ready()) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const httpOk = (url: string) => async () => {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false; // Not listening yet.
  }
};

export interface Service {
  url: string;
  port: number;
  /** Output so far, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export interface ProcessService extends Service {
  /** Freezes (SIGSTOP) or thaws (SIGCONT) the process, e.g. to hold a feed still. */
  pause(): void;
  resume(): void;
}

function capture(child: ChildProcess): () => string {
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => out;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGCONT'); // In case a test left it paused.
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Starts `command`, waits for `ready`, and wraps it as a Service (stop = SIGTERM). */
async function launchService(
  what: string,
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; url: string; port: number; timeoutMs: number },
  ready: (log: () => string) => () => Promise<boolean>,
  cleanup: () => Promise<void> = async () => {},
): Promise<ProcessService> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = capture(child);
  try {
    await waitFor(what, ready(log), options.timeoutMs, child);
  } catch (error) {
    await stopChild(child);
    await cleanup();
    throw new Error(`${what} did not start: ${String(error)}\n${log()}`, { cause: error });
  }
  return {
    url: options.url,
    port: options.port,
    log,
    stop: async () => {
      await stopChild(child);
      await cleanup();
    },
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
  };
}

// Settings a developer's shell may carry that would change what a test starts.
const INHERITED_SETTINGS = [
  'PORT',
  'HOST',
  'REDIS_URL',
  'NATS_URL',
  'JWT_SECRET',
  'JWT_PUBLIC_KEY',
  'JWT_ALGORITHM',
  'USERS_FILE',
  'SESSION_TTL_S',
  'SOURCE_ID',
  'PBX',
  'HEALTH_PORT',
];

function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env };
  for (const name of INHERITED_SETTINGS) delete out[name];
  for (const name of Object.keys(out)) if (name.startsWith('SIM_')) delete out[name];
  return { ...out, ...env };
}

/**
 * The backend as `pnpm --dir backend start` runs it, configured only by `env`: embedded
 * demo mode (memory engine, simulator, demo users) unless `env` has REDIS_URL and NATS_URL.
 * Ready means /readyz answers 200 (store, bus and ingest up).
 */
export async function startBackend(
  port: number,
  env: Record<string, string> = {},
): Promise<ProcessService> {
  requireBuilt(BACKEND_ENTRY);
  const url = `http://127.0.0.1:${port}`;
  return launchService(
    'backend',
    process.execPath,
    [BACKEND_ENTRY],
    {
      cwd: join(REPO_ROOT, 'backend'),
      env: cleanEnv({ PORT: String(port), HOST: '127.0.0.1', ...env }),
      url,
      port,
      timeoutMs: 20_000,
    },
    () => httpOk(`${url}/readyz`),
  );
}

/** Adds a local user to `usersFile` with the backend's own CLI (password on stdin). */
export async function addUser(
  usersFile: string,
  username: string,
  password: string,
  role: 'admin' | 'operator' | 'noc' | 'user',
  company?: string,
): Promise<void> {
  requireBuilt(USERS_CLI);
  const args = [USERS_CLI, 'add', username, '--role', role];
  if (company !== undefined) args.push('--company', company);
  const child = spawn(process.execPath, args, {
    env: cleanEnv({ USERS_FILE: usersFile }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const log = capture(child);
  child.stdin.end(`${password}\n`);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`users add ${username} failed (${code}): ${log()}`);
}

/** The bridge with `PBX=simulator`, publishing to `natsUrl` like a real PBX bridge. */
export async function startBridge(
  natsUrl: string,
  env: Record<string, string> = {},
): Promise<ProcessService> {
  requireBuilt(BRIDGE_ENTRY);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return launchService(
    'bridge',
    process.execPath,
    [BRIDGE_ENTRY],
    {
      cwd: join(REPO_ROOT, 'bridge'),
      env: cleanEnv({
        PBX: 'simulator',
        NATS_URL: natsUrl,
        HEALTH_HOST: '127.0.0.1',
        HEALTH_PORT: String(port),
        ...env,
      }),
      url,
      port,
      timeoutMs: 20_000,
    },
    () => httpOk(`${url}/readyz`),
  );
}

/** A private redis-server without persistence. */
export async function startRedis(): Promise<ProcessService> {
  const binary = requireBinary('redis-server');
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'live-calls-redis-'));
  const args = ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'];
  return launchService(
    'redis-server',
    binary,
    [...args, '--dir', dir],
    { cwd: dir, env: process.env, url: `redis://127.0.0.1:${port}`, port, timeoutMs: 10_000 },
    (log) => () => Promise.resolve(log().includes('Ready to accept connections')),
    () => rm(dir, { recursive: true, force: true }),
  );
}

/** A private nats-server with JetStream (the bridge writes CDRs to it). */
export async function startNats(): Promise<ProcessService> {
  const binary = requireBinary('nats-server');
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'live-calls-nats-'));
  return launchService(
    'nats-server',
    binary,
    ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir],
    { cwd: dir, env: process.env, url: `nats://127.0.0.1:${port}`, port, timeoutMs: 10_000 },
    (log) => () => Promise.resolve(log().includes('Server is ready')),
    () => rm(dir, { recursive: true, force: true }),
  );
}

/**
 * Caddy with infra/caddy/Caddyfile (configured through its environment placeholders)
 * serving frontend/build and proxying /api to `backendPort`.
 */
export async function startCaddy(port: number, backendPort: number): Promise<ProcessService> {
  const binary = requireBinary('caddy');
  requireBuilt(join(BUILD_DIR, 'index.html'));
  const home = await mkdtemp(join(tmpdir(), 'live-calls-caddy-'));
  const url = `http://127.0.0.1:${port}`;
  return launchService(
    'caddy',
    binary,
    ['run', '--config', CADDYFILE, '--adapter', 'caddyfile'],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        HOME: home,
        XDG_DATA_HOME: join(home, 'data'),
        XDG_CONFIG_HOME: join(home, 'config'),
        LIVE_CALLS_ADDRESS: url,
        LIVE_CALLS_BACKEND: `127.0.0.1:${backendPort}`,
        LIVE_CALLS_FRONTEND: BUILD_DIR,
        CADDY_ADMIN: 'off',
      },
      url,
      port,
      timeoutMs: 10_000,
    },
    () => httpOk(`${url}/`),
    () => rm(home, { recursive: true, force: true }),
  );
}

/** Stops what was started, last first, even when one of them fails to stop. */
export async function stopAll(services: (Service | null | undefined)[]): Promise<void> {
  for (const service of [...services].reverse()) {
    try {
      await service?.stop();
    } catch (error) {
      console.error('stop failed:', error);
    }
  }
}
