// Real processes for the browser tests: the backend in embedded mode (memory engine and
// call simulator, as `pnpm --dir backend start` runs it) and Caddy in front of it with the
// project's own Caddyfile. Each on a free port, each stopped by the test that started it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILD_DIR, REPO_ROOT } from './browser.ts';

export const BACKEND_ENTRY = join(REPO_ROOT, 'backend', 'dist', 'server.js');
export const CADDYFILE = join(REPO_ROOT, 'infra', 'caddy', 'Caddyfile');

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

async function waitForHttp(url: string, timeoutMs: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Service {
  url: string;
  port: number;
  /** Output so far, for failure messages. */
  log(): string;
  stop(): Promise<void>;
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
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

export function backendBuilt(): boolean {
  return existsSync(BACKEND_ENTRY);
}

/** The backend in embedded demo mode: no REDIS_URL, no NATS_URL. */
export async function startBackend(
  port: number,
  env: Record<string, string> = {},
): Promise<Service> {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    ...env,
  };
  delete childEnv.REDIS_URL;
  delete childEnv.NATS_URL;
  const child = spawn(process.execPath, [BACKEND_ENTRY], {
    cwd: join(REPO_ROOT, 'backend'),
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = capture(child);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/healthz`, 20_000, child);
  } catch (error) {
    await stopChild(child);
    throw new Error(`backend did not start: ${String(error)}\n${log()}`, { cause: error });
  }
  return { url, port, log, stop: () => stopChild(child) };
}

export function caddyAvailable(): boolean {
  return existsSync('/usr/bin/caddy');
}

/** Caddy with infra/caddy/Caddyfile in front of `backendPort`. */
export async function startCaddy(port: number, backendPort: number): Promise<Service> {
  const home = await mkdtemp(join(tmpdir(), 'live-calls-caddy-'));
  const child = spawn('caddy', ['run', '--config', CADDYFILE, '--adapter', 'caddyfile'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      HOME: home,
      XDG_DATA_HOME: join(home, 'data'),
      XDG_CONFIG_HOME: join(home, 'config'),
      LIVE_CALLS_ADDRESS: `http://127.0.0.1:${port}`,
      LIVE_CALLS_BACKEND: `127.0.0.1:${backendPort}`,
      LIVE_CALLS_FRONTEND: BUILD_DIR,
      CADDY_ADMIN: 'off',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = capture(child);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/`, 10_000, child);
  } catch (error) {
    await stopChild(child);
    throw new Error(`caddy did not start: ${String(error)}\n${log()}`, { cause: error });
  }
  return {
    url,
    port,
    log,
    stop: async () => {
      await stopChild(child);
      await rm(home, { recursive: true, force: true });
    },
  };
}
