// The backend's whole configuration, validated once at start (CONTRACT §8). Nothing else
// reads process.env. A bad value throws ConfigError with one line naming the setting.
import { createPublicKey, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SettingError } from '@live-calls/protocol';
import { parseSimulatorConfig, type SimulatorConfig } from '@live-calls/simulator';
import { PUBLIC_KEY_ALGORITHMS, type PublicKeyAlgorithm, type TokenKeys } from './auth/tokens.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
  }
}

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_HISTORY_EVENTS = 100_000;
export const DEFAULT_HEARTBEAT_MS = 15_000;
export const DEFAULT_STATS_INTERVAL_MS = 5_000;
export const DEFAULT_SYNC_INTERVAL_MS = 30_000;
export const DEFAULT_RETRY_MS = 2_000;
export const DEFAULT_CLIENT_MAX_QUEUED_BYTES = 1024 * 1024;
export const DEFAULT_CLIENT_MAX_WRITE_WAIT_MS = 5_000;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  port: number;
  host: string;
  logLevel: LogLevel;
  /** Redis and NATS together, or neither (embedded mode). */
  mode: { kind: 'embedded' } | { kind: 'distributed'; redisUrl: string; natsUrl: string };
  /** Replay log length in events. */
  historyEvents: number;
  heartbeatMs: number;
  /** How often streams get their `stats` event (STATS_INTERVAL_MS; CONTRACT §6: 5 s). */
  statsIntervalMs: number;
  /** The bridges' sync interval; a source is stale after 3 of them without a sync. */
  syncIntervalMs: number;
  /** The `retry:` hint sent to EventSource clients. */
  retryMs: number;
  clientMaxQueuedBytes: number;
  clientMaxWriteWaitMs: number;
  /** Directory with the dashboard build, served at `/` when it exists. */
  staticDir: string;
  auth: AuthConfig;
  /** Fastify's trustProxy: which proxies' X-Forwarded-* to believe (TRUST_PROXY). */
  trustProxy: boolean | string;
  /** Origins allowed to call the API cross-origin (CORS_ORIGINS); empty = same-origin only. */
  corsOrigins: readonly string[];
  /** Embedded mode with EMBEDDED_SIMULATOR=on (default): the simulator feeding the bus. */
  simulator: SimulatorConfig | null;
}

export interface AuthConfig {
  keys: TokenKeys;
  /** Local users (login); null when sessions come only from an outside identity provider. */
  usersFile: string | null;
  /** Embedded demo mode: built-in demo users and a per-process random secret. */
  demo: boolean;
  sessionTtlS: number;
}

export const DEFAULT_SESSION_TTL_S = 12 * 3600;
const MIN_SECRET_BYTES = 32;

type Env = Readonly<Record<string, string | undefined>>;

function intSetting(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be an integer from ${min} to ${max}, got '${raw}'`);
  }
  return value;
}

function urlSetting(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  for (const part of raw.split(',')) {
    let url: URL;
    try {
      url = new URL(part.trim());
    } catch {
      throw new ConfigError(name, `is not a URL: '${raw}'`);
    }
    if (!protocols.includes(url.protocol)) {
      throw new ConfigError(name, `must use ${protocols.join(' or ')}, got '${url.protocol}'`);
    }
  }
  return raw;
}

function authSetting(env: Env, embedded: boolean): AuthConfig {
  const secret = env.JWT_SECRET || undefined;
  const publicKey = env.JWT_PUBLIC_KEY || undefined;
  const usersFile = env.USERS_FILE || null;
  const sessionTtlS = intSetting(env, 'SESSION_TTL_S', DEFAULT_SESSION_TTL_S, 60, 30 * 24 * 3600);
  if (secret !== undefined && publicKey !== undefined) {
    throw new ConfigError('JWT_PUBLIC_KEY', 'set JWT_SECRET or JWT_PUBLIC_KEY, not both');
  }
  if (secret !== undefined) {
    if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
      throw new ConfigError('JWT_SECRET', `must be at least ${MIN_SECRET_BYTES} bytes`);
    }
    return {
      keys: { kind: 'secret', secret: new TextEncoder().encode(secret) },
      usersFile,
      demo: false,
      sessionTtlS,
    };
  }
  if (publicKey !== undefined) {
    if (usersFile !== null)
      throw new ConfigError('USERS_FILE', 'local logins need JWT_SECRET to issue sessions');
    const algorithm = env.JWT_ALGORITHM ?? 'RS256';
    if (!(PUBLIC_KEY_ALGORITHMS as readonly string[]).includes(algorithm)) {
      throw new ConfigError(
        'JWT_ALGORITHM',
        `must be one of ${PUBLIC_KEY_ALGORITHMS.join(', ')}, got '${algorithm}'`,
      );
    }
    let pem = publicKey;
    if (!pem.trimStart().startsWith('-----BEGIN')) {
      try {
        pem = readFileSync(publicKey, 'utf8');
      } catch {
        throw new ConfigError('JWT_PUBLIC_KEY', 'is neither a PEM public key nor a readable file');
      }
    }
    try {
      createPublicKey(pem);
    } catch {
      throw new ConfigError('JWT_PUBLIC_KEY', 'is not a valid PEM public key');
    }
    return {
      keys: { kind: 'public', pem, algorithm: algorithm as PublicKeyAlgorithm },
      usersFile: null,
      demo: false,
      sessionTtlS,
    };
  }
  if (!embedded || usersFile !== null) {
    throw new ConfigError(
      'JWT_SECRET',
      `required (at least ${MIN_SECRET_BYTES} bytes), or JWT_PUBLIC_KEY`,
    );
  }
  return {
    keys: { kind: 'secret', secret: randomBytes(32) },
    usersFile: null,
    demo: true,
    sessionTtlS,
  };
}

function trustProxySetting(env: Env): boolean | string {
  const raw = env.TRUST_PROXY ?? 'loopback';
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (!/^[A-Za-z0-9.:/,\s-]+$/.test(raw))
    throw new ConfigError('TRUST_PROXY', `must be true, false or addresses/CIDRs, got '${raw}'`);
  return raw;
}

function corsSetting(env: Env): string[] {
  const raw = env.CORS_ORIGINS ?? '';
  const origins = raw
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const origin of origins) {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new ConfigError('CORS_ORIGINS', `'${origin}' is not an origin`);
    }
    if (url.origin !== origin || origin === '*')
      throw new ConfigError(
        'CORS_ORIGINS',
        `'${origin}' must be an exact origin like https://noc.example.com`,
      );
  }
  return origins;
}

function simulatorSetting(env: Env): SimulatorConfig {
  try {
    return Object.freeze(parseSimulatorConfig(env));
  } catch (err) {
    if (err instanceof SettingError) throw new ConfigError(err.setting, err.message);
    throw err;
  }
}

const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../../frontend/build', import.meta.url));

export function parseConfig(env: Env): Config {
  const redisUrl = urlSetting(env, 'REDIS_URL', ['redis:', 'rediss:']);
  const natsUrl = urlSetting(env, 'NATS_URL', ['nats:', 'tls:', 'ws:', 'wss:']);
  if ((redisUrl === undefined) !== (natsUrl === undefined)) {
    const missing = redisUrl === undefined ? 'REDIS_URL' : 'NATS_URL';
    throw new ConfigError(
      missing,
      'REDIS_URL and NATS_URL are set together (or neither, for embedded mode)',
    );
  }
  const logLevel = env.LOG_LEVEL ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(
      'LOG_LEVEL',
      `must be one of ${LOG_LEVELS.join(', ')}, got '${logLevel}'`,
    );
  }
  const host = env.HOST ?? DEFAULT_HOST;
  if (host.trim() === '') throw new ConfigError('HOST', 'must not be empty');
  const staticDir = env.STATIC_DIR ?? DEFAULT_STATIC_DIR;
  const simulator = env.EMBEDDED_SIMULATOR ?? 'on';
  if (simulator !== 'on' && simulator !== 'off') {
    throw new ConfigError('EMBEDDED_SIMULATOR', `must be on or off, got '${simulator}'`);
  }
  const embedded = redisUrl === undefined;
  return Object.freeze({
    port: intSetting(env, 'PORT', DEFAULT_PORT, 0, 65535),
    host,
    logLevel: logLevel as LogLevel,
    mode:
      redisUrl !== undefined && natsUrl !== undefined
        ? { kind: 'distributed' as const, redisUrl, natsUrl }
        : { kind: 'embedded' as const },
    historyEvents: intSetting(env, 'HISTORY_EVENTS', DEFAULT_HISTORY_EVENTS, 100, 10_000_000),
    heartbeatMs: intSetting(env, 'HEARTBEAT_MS', DEFAULT_HEARTBEAT_MS, 100, 300_000),
    statsIntervalMs: intSetting(env, 'STATS_INTERVAL_MS', DEFAULT_STATS_INTERVAL_MS, 100, 300_000),
    syncIntervalMs: intSetting(env, 'SYNC_INTERVAL_MS', DEFAULT_SYNC_INTERVAL_MS, 100, 3_600_000),
    retryMs: intSetting(env, 'SSE_RETRY_MS', DEFAULT_RETRY_MS, 100, 600_000),
    clientMaxQueuedBytes: intSetting(
      env,
      'CLIENT_MAX_QUEUED_BYTES',
      DEFAULT_CLIENT_MAX_QUEUED_BYTES,
      16 * 1024,
      1024 * 1024 * 1024,
    ),
    clientMaxWriteWaitMs: intSetting(
      env,
      'CLIENT_MAX_WRITE_WAIT_MS',
      DEFAULT_CLIENT_MAX_WRITE_WAIT_MS,
      100,
      60_000,
    ),
    staticDir: isAbsolute(staticDir) ? staticDir : resolve(staticDir),
    auth: Object.freeze(authSetting(env, embedded)),
    trustProxy: trustProxySetting(env),
    corsOrigins: Object.freeze(corsSetting(env)),
    simulator: embedded && simulator === 'on' ? simulatorSetting(env) : null,
  });
}
