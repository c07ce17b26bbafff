// The backend's whole configuration, validated once at start with protocol's settings
// readers (docs/interface/configuration.md). Nothing else reads process.env. A bad value
// throws SettingError with one line naming the setting.
import { createPublicKey, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  choiceSetting,
  hostPortListSetting,
  natsSettings,
  type NatsSettings,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_STATS_INTERVAL_MS,
  DEFAULT_SYNC_INTERVAL_MS,
  integerSetting,
  LOG_LEVELS,
  type LogLevel,
  SettingError,
  shownValue,
  textSetting,
  urlSetting,
  type Env,
} from '@live-calls/protocol';
import { parseSimulatorConfig, type SimulatorConfig } from '@live-calls/simulator';
import { PUBLIC_KEY_ALGORITHMS, type PublicKeyAlgorithm, type TokenKeys } from './auth/tokens.js';
import { DEFAULT_ALARM_RULES, parseAlarmsFile, type AlarmRules } from './alarms/alarm-rules.js';

const DEFAULT_PORT = 8080;
const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_HISTORY_EVENTS = 100_000;
const DEFAULT_RETRY_MS = 2_000;
const DEFAULT_CLIENT_MAX_QUEUED_BYTES = 1024 * 1024;
const DEFAULT_CLIENT_MAX_WRITE_WAIT_MS = 5_000;
const DEFAULT_SESSION_TTL_S = 12 * 3600;
const DEFAULT_MAX_STREAMS_PER_USER = 20;
const DEFAULT_MAX_STREAMS_PER_IP = 200;
const MIN_SECRET_BYTES = 32;
const DEFAULT_ALARMS_INTERVAL_MS = 5_000;

export interface Config {
  port: number;
  host: string;
  logLevel: LogLevel;
  /** Redis and NATS together, or neither (embedded mode). */
  mode: { kind: 'embedded' } | { kind: 'distributed'; redis: RedisTarget; nats: NatsSettings };
  /** Replay log length in events. */
  historyEvents: number;
  heartbeatMs: number;
  /** How often streams get their `stats` event (STATS_INTERVAL_MS). */
  statsIntervalMs: number;
  /** The bridges' sync interval; a source is stale after 3 of them without a sync. */
  syncIntervalMs: number;
  /** The `retry:` hint sent to EventSource clients. */
  retryMs: number;
  clientMaxQueuedBytes: number;
  clientMaxWriteWaitMs: number;
  /** Open streams one session subject may hold on this instance (MAX_STREAMS_PER_USER). */
  maxStreamsPerUser: number;
  /** Open streams one client address may hold on this instance (MAX_STREAMS_PER_IP). */
  maxStreamsPerIp: number;
  /** When set, `/metrics` answers only `Authorization: Bearer <token>` (METRICS_TOKEN). */
  metricsToken: string | null;
  /** Directory with the dashboard build, served at `/` when it exists. */
  staticDir: string;
  auth: AuthConfig;
  /** Fastify's trustProxy: which proxies' X-Forwarded-* to believe (TRUST_PROXY). */
  trustProxy: boolean | string;
  /** Origins allowed to call the API cross-origin (CORS_ORIGINS); empty = same-origin only. */
  corsOrigins: readonly string[];
  /** Embedded mode with EMBEDDED_SIMULATOR=on (default): the simulator feeding the bus. */
  simulator: SimulatorConfig | null;
  /** JetStream stream AUDIT, created when missing (AUDIT_MAX_MSGS, AUDIT_MAX_AGE_DAYS, AUDIT_REPLICAS). */
  audit: { maxMsgs: number; maxAgeMs: number; replicas: number };
  /** The alarm rules: ALARMS_FILE over the defaults (docs/interface/alarms.md). */
  alarms: AlarmRules;
  /** How often the alarm rules are evaluated (ALARMS_INTERVAL_MS). */
  alarmsIntervalMs: number;
}

/** Where Redis is: one URL (ACL user and password in it, `rediss://` for TLS), or Sentinel. */
export type RedisTarget =
  | { kind: 'url'; url: string }
  | {
      kind: 'sentinel';
      sentinels: { host: string; port: number }[];
      masterName: string;
      password: string | undefined;
      sentinelPassword: string | undefined;
    };

export interface AuthConfig {
  keys: TokenKeys;
  /** Local users (login); null when sessions come only from an outside identity provider. */
  usersFile: string | null;
  /** Embedded demo mode: built-in demo users and a per-process random secret. */
  demo: boolean;
  sessionTtlS: number;
}

function authSetting(env: Env, embedded: boolean): AuthConfig {
  const secret = textSetting(env, 'JWT_SECRET');
  const publicKey = textSetting(env, 'JWT_PUBLIC_KEY');
  const usersFile = textSetting(env, 'USERS_FILE') ?? null;
  const sessionTtlS = integerSetting(
    env,
    'SESSION_TTL_S',
    DEFAULT_SESSION_TTL_S,
    60,
    30 * 24 * 3600,
  );
  if (secret !== undefined && publicKey !== undefined) {
    throw new SettingError('JWT_PUBLIC_KEY', 'cannot be set together with JWT_SECRET');
  }
  if (secret !== undefined) {
    if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
      throw new SettingError('JWT_SECRET', `must be at least ${MIN_SECRET_BYTES} bytes`);
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
      throw new SettingError('USERS_FILE', 'needs JWT_SECRET: local logins issue sessions');
    const algorithm = choiceSetting<PublicKeyAlgorithm>(
      env,
      'JWT_ALGORITHM',
      PUBLIC_KEY_ALGORITHMS,
      'RS256',
    );
    let pem = publicKey;
    if (!pem.trimStart().startsWith('-----BEGIN')) {
      try {
        pem = readFileSync(publicKey, 'utf8');
      } catch {
        throw new SettingError('JWT_PUBLIC_KEY', 'is neither a PEM public key nor a readable file');
      }
    }
    try {
      createPublicKey(pem);
    } catch {
      throw new SettingError('JWT_PUBLIC_KEY', 'is not a valid PEM public key');
    }
    return {
      keys: { kind: 'public', pem, algorithm },
      usersFile: null,
      demo: false,
      sessionTtlS,
    };
  }
  if (!embedded || usersFile !== null) {
    throw new SettingError(
      'JWT_SECRET',
      `is required (at least ${MIN_SECRET_BYTES} bytes), or JWT_PUBLIC_KEY`,
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
    throw new SettingError(
      'TRUST_PROXY',
      `must be true, false or addresses/CIDRs, got ${shownValue(raw)}`,
    );
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
      throw new SettingError('CORS_ORIGINS', `has ${shownValue(origin)}, which is not an origin`);
    }
    if (url.origin !== origin || origin === '*')
      throw new SettingError(
        'CORS_ORIGINS',
        `has ${shownValue(origin)}; each must be an exact origin like https://noc.example.com`,
      );
  }
  return origins;
}

const MIN_METRICS_TOKEN_CHARS = 16;

function metricsTokenSetting(env: Env): string | null {
  const token = textSetting(env, 'METRICS_TOKEN');
  if (token === undefined) return null;
  if (token.length < MIN_METRICS_TOKEN_CHARS || !/^[\x21-\x7e]+$/.test(token))
    throw new SettingError(
      'METRICS_TOKEN',
      `must be at least ${MIN_METRICS_TOKEN_CHARS} printable characters without spaces`,
    );
  return token;
}

const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../../frontend/build', import.meta.url));

function redisSetting(env: Env): RedisTarget | undefined {
  const url = urlSetting(env, 'REDIS_URL', ['redis:', 'rediss:']);
  const sentinels = hostPortListSetting(env, 'REDIS_SENTINELS');
  const masterName = textSetting(env, 'REDIS_MASTER_NAME');
  const password = textSetting(env, 'REDIS_PASSWORD');
  const sentinelPassword = textSetting(env, 'REDIS_SENTINEL_PASSWORD');
  if (url !== undefined && sentinels !== undefined)
    throw new SettingError('REDIS_SENTINELS', 'cannot be used with REDIS_URL: choose one');
  if (sentinels === undefined) {
    if (masterName !== undefined)
      throw new SettingError('REDIS_MASTER_NAME', 'needs REDIS_SENTINELS');
    if (password !== undefined)
      throw new SettingError('REDIS_PASSWORD', 'is for Sentinel; put it in REDIS_URL instead');
    if (sentinelPassword !== undefined)
      throw new SettingError('REDIS_SENTINEL_PASSWORD', 'needs REDIS_SENTINELS');
    return url === undefined ? undefined : { kind: 'url', url };
  }
  if (masterName === undefined)
    throw new SettingError('REDIS_MASTER_NAME', 'is needed with REDIS_SENTINELS');
  return { kind: 'sentinel', sentinels, masterName, password, sentinelPassword };
}

function readableFile(name: string, path: string | undefined): void {
  if (path === undefined) return;
  try {
    readFileSync(path);
  } catch {
    throw new SettingError(name, `cannot read ${shownValue(path)}`);
  }
}

function alarmsSetting(env: Env): AlarmRules {
  const path = textSetting(env, 'ALARMS_FILE');
  if (path === undefined) return DEFAULT_ALARM_RULES;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new SettingError('ALARMS_FILE', `cannot read ${shownValue(path)}`);
  }
  return parseAlarmsFile(text);
}

export function parseConfig(env: Env): Config {
  const redis = redisSetting(env);
  const nats = natsSettings(env);
  if ((redis === undefined) !== (nats === undefined)) {
    throw new SettingError(
      redis === undefined ? 'REDIS_URL' : 'NATS_URL',
      'is needed too: Redis and NATS are set together (or neither, for embedded mode)',
    );
  }
  readableFile('NATS_CREDS', nats?.credsFile);
  readableFile('NATS_CA', nats?.caFile);
  const logLevel = choiceSetting(env, 'LOG_LEVEL', LOG_LEVELS, 'info');
  const host = env.HOST ?? DEFAULT_HOST;
  if (host.trim() === '') throw new SettingError('HOST', 'must not be empty');
  const staticDir = textSetting(env, 'STATIC_DIR') ?? DEFAULT_STATIC_DIR;
  const simulator = choiceSetting(env, 'EMBEDDED_SIMULATOR', ['on', 'off'], 'on');
  const embedded = redis === undefined;
  return Object.freeze({
    port: integerSetting(env, 'PORT', DEFAULT_PORT, 0, 65535),
    host,
    logLevel,
    mode:
      redis !== undefined && nats !== undefined
        ? { kind: 'distributed' as const, redis, nats }
        : { kind: 'embedded' as const },
    historyEvents: integerSetting(env, 'HISTORY_EVENTS', DEFAULT_HISTORY_EVENTS, 100, 10_000_000),
    heartbeatMs: integerSetting(env, 'HEARTBEAT_MS', DEFAULT_HEARTBEAT_MS, 100, 300_000),
    statsIntervalMs: integerSetting(
      env,
      'STATS_INTERVAL_MS',
      DEFAULT_STATS_INTERVAL_MS,
      100,
      300_000,
    ),
    syncIntervalMs: integerSetting(
      env,
      'SYNC_INTERVAL_MS',
      DEFAULT_SYNC_INTERVAL_MS,
      100,
      3_600_000,
    ),
    retryMs: integerSetting(env, 'SSE_RETRY_MS', DEFAULT_RETRY_MS, 100, 600_000),
    clientMaxQueuedBytes: integerSetting(
      env,
      'CLIENT_MAX_QUEUED_BYTES',
      DEFAULT_CLIENT_MAX_QUEUED_BYTES,
      16 * 1024,
      1024 * 1024 * 1024,
    ),
    clientMaxWriteWaitMs: integerSetting(
      env,
      'CLIENT_MAX_WRITE_WAIT_MS',
      DEFAULT_CLIENT_MAX_WRITE_WAIT_MS,
      100,
      60_000,
    ),
    maxStreamsPerUser: integerSetting(
      env,
      'MAX_STREAMS_PER_USER',
      DEFAULT_MAX_STREAMS_PER_USER,
      1,
      1_000_000,
    ),
    maxStreamsPerIp: integerSetting(
      env,
      'MAX_STREAMS_PER_IP',
      DEFAULT_MAX_STREAMS_PER_IP,
      1,
      1_000_000,
    ),
    metricsToken: metricsTokenSetting(env),
    staticDir: isAbsolute(staticDir) ? staticDir : resolve(staticDir),
    auth: Object.freeze(authSetting(env, embedded)),
    trustProxy: trustProxySetting(env),
    corsOrigins: Object.freeze(corsSetting(env)),
    simulator: embedded && simulator === 'on' ? parseSimulatorConfig(env) : null,
    audit: Object.freeze({
      maxMsgs: integerSetting(env, 'AUDIT_MAX_MSGS', 100_000, 100, 100_000_000),
      maxAgeMs: integerSetting(env, 'AUDIT_MAX_AGE_DAYS', 365, 1, 3650) * 86_400_000,
      replicas: integerSetting(env, 'AUDIT_REPLICAS', 1, 1, 5),
    }),
    alarms: alarmsSetting(env),
    alarmsIntervalMs: integerSetting(
      env,
      'ALARMS_INTERVAL_MS',
      DEFAULT_ALARMS_INTERVAL_MS,
      100,
      300_000,
    ),
  });
}
