// What the browser tests run, on top of @live-calls/test-services: the backend (embedded
// demo mode, or distributed against private Redis and NATS), the bridge with its call
// simulator, and Caddy in front with the project's own Caddyfile. A missing build or Debian
// package fails the test with one line saying what to do — these tests are never skipped.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startCaddy, startNodeService, type ManagedService } from '@live-calls/test-services';
import { BUILD_DIR, REPO_ROOT, requireBuilt } from './browser.ts';

const BACKEND_ENTRY = join(REPO_ROOT, 'backend', 'dist', 'server.js');
const USERS_CLI = join(REPO_ROOT, 'backend', 'dist', 'cli', 'users.js');
const BRIDGE_ENTRY = join(REPO_ROOT, 'bridge', 'dist', 'main.js');
const CADDYFILE = join(REPO_ROOT, 'infra', 'caddy', 'Caddyfile');

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
 * Ready means /readyz answers 200 (store, bus and ingest up). `restart()` brings it back on
 * the same port with the same settings.
 */
export function startBackend(env: Record<string, string> = {}): Promise<ManagedService> {
  requireBuilt(BACKEND_ENTRY);
  return startNodeService({
    name: 'backend',
    entry: BACKEND_ENTRY,
    cwd: join(REPO_ROOT, 'backend'),
    env: (port) => cleanEnv({ PORT: String(port), HOST: '127.0.0.1', ...env }),
    readyPath: '/readyz',
  });
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
  let output = '';
  const keep = (chunk: Buffer) => (output += chunk.toString());
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.stdin.end(`${password}\n`);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`users add ${username} failed (${code}): ${output}`);
}

/**
 * The bridge with `PBX=simulator`, publishing to `natsUrl` like a real PBX bridge; its port
 * is the health endpoint's. `pause()` holds the feed still.
 */
export function startBridge(
  natsUrl: string,
  env: Record<string, string> = {},
): Promise<ManagedService> {
  requireBuilt(BRIDGE_ENTRY);
  return startNodeService({
    name: 'bridge',
    entry: BRIDGE_ENTRY,
    cwd: join(REPO_ROOT, 'bridge'),
    env: (port) =>
      cleanEnv({
        PBX: 'simulator',
        NATS_URL: natsUrl,
        HEALTH_HOST: '127.0.0.1',
        HEALTH_PORT: String(port),
        ...env,
      }),
    readyPath: '/readyz',
  });
}

/**
 * Caddy with infra/caddy/Caddyfile (configured through its environment placeholders)
 * serving frontend/build and proxying /api to the backend on `backendPort`.
 */
export function startProxy(backendPort: number): Promise<ManagedService> {
  requireBuilt(join(BUILD_DIR, 'index.html'));
  return startCaddy({
    caddyfile: CADDYFILE,
    cwd: REPO_ROOT,
    env: (url) => ({
      LIVE_CALLS_ADDRESS: url,
      LIVE_CALLS_BACKEND: `127.0.0.1:${backendPort}`,
      LIVE_CALLS_FRONTEND: BUILD_DIR,
      CADDY_ADMIN: 'off',
    }),
  });
}
