// The backend's whole configuration, validated once at start (CONTRACT §8). Nothing else
// reads process.env. A bad value throws ConfigError with one line naming the setting.
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  parseSimulatorConfig,
  SimulatorConfigError,
  type SimulatorConfig,
} from '@live-calls/bridge/simulator';

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
  /** The bridges' sync interval; a source is stale after 3 of them without a sync. */
  syncIntervalMs: number;
  /** The `retry:` hint sent to EventSource clients. */
  retryMs: number;
  clientMaxQueuedBytes: number;
  clientMaxWriteWaitMs: number;
  /** Directory with the dashboard build, served at `/` when it exists. */
  staticDir: string;
  /** Embedded mode with EMBEDDED_SIMULATOR=on (default): the simulator feeding the bus. */
  simulator: SimulatorConfig | null;
}

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

function simulatorSetting(env: Env): SimulatorConfig {
  try {
    return Object.freeze(parseSimulatorConfig(env));
  } catch (err) {
    if (err instanceof SimulatorConfigError) throw new ConfigError(err.variable, err.message);
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
    simulator: embedded && simulator === 'on' ? simulatorSetting(env) : null,
  });
}
