// The bridge's whole configuration, read from the environment once at start (CONTRACT §8).
// Nothing else reads process.env. A bad value stops the process with one line naming it.
import { hostname } from 'node:os';
import { DEFAULT_SYNC_INTERVAL_MS, SOURCE_PATTERN } from '@live-calls/protocol';
import { parseSimulatorConfig, type SimulatorConfig } from '@live-calls/simulator';

export type PbxKind = 'kamailio' | 'simulator';

export interface BridgeConfig {
  natsUrl: string;
  sourceId: string;
  pbx: PbxKind;
  kamailioEvapi: { host: string; port: number };
  kamailioRpcUrl: string;
  rpcTimeoutMs: number;
  syncIntervalMs: number;
  /** Largest evapi frame accepted; bigger ones are skipped and counted. */
  evapiMaxFrameBytes: number;
  /** Cap of the evapi reconnect backoff. */
  reconnectMaxMs: number;
  healthHost: string;
  /** 0 picks a free port (logged at start). */
  healthPort: number;
  cdr: {
    /** Max CDRs held in memory while JetStream is unreachable; more are dropped and counted. */
    bufferMax: number;
    /** Stream limits used when the bridge creates the CDR stream (0 = unlimited). */
    maxAgeMs: number;
    maxBytes: number;
    duplicateWindowMs: number;
    replicas: number;
  };
  /** How long shutdown may spend flushing CDRs before it gives up. */
  shutdownTimeoutMs: number;
  logLevel: string;
  /** Only when pbx is 'simulator'. */
  simulator: SimulatorConfig | null;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function shown(raw: string): string {
  const cut = raw.length > 60 ? `${raw.slice(0, 60)}…` : raw;
  return `'${JSON.stringify(cut).slice(1, -1)}'`;
}

function value(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  const n = /^[0-9]+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(
      name,
      `${name} must be an integer in [${min}, ${max}], got ${shown(raw)}`,
    );
  }
  return n;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `${name} must be one of ${allowed.join(', ')}, got ${shown(raw)}`);
  }
  return raw as T;
}

function url(env: Env, name: string, fallback: string, protocols: readonly string[]): string {
  const raw = value(env, name) ?? fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `${name} must be a URL, got ${shown(raw)}`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(
      name,
      `${name} must be a ${protocols.map((p) => p.slice(0, -1)).join(' or ')} URL, got ${shown(raw)}`,
    );
  }
  return raw;
}

function hostPort(env: Env, name: string, fallback: string): { host: string; port: number } {
  const raw = value(env, name) ?? fallback;
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/.exec(raw);
  const port = match ? Number(match[2]) : 0;
  if (!match || port < 1 || port > 65535) {
    throw new ConfigError(name, `${name} must be host:port, got ${shown(raw)}`);
  }
  return { host: (match[1] ?? '').replace(/^\[|\]$/g, ''), port };
}

function sourceId(env: Env): string {
  const raw = value(env, 'SOURCE_ID');
  if (raw === undefined) {
    // Default to the host name: one bridge runs beside each PBX.
    const host = hostname().split('.')[0] ?? '';
    if (SOURCE_PATTERN.test(host)) return host;
    throw new ConfigError(
      'SOURCE_ID',
      `SOURCE_ID is required (host name ${shown(host)} is not usable)`,
    );
  }
  if (!SOURCE_PATTERN.test(raw)) {
    throw new ConfigError(
      'SOURCE_ID',
      `SOURCE_ID must match [A-Za-z0-9_.-]{1,64}, got ${shown(raw)}`,
    );
  }
  return raw;
}

const DAY_MS = 86_400_000;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Reads and validates every setting. Throws ConfigError (one-line message) on a bad one. */
export function parseConfig(env: Env): Readonly<BridgeConfig> {
  const pbx = oneOf<PbxKind>(env, 'PBX', ['kamailio', 'simulator'], 'kamailio');
  const source = sourceId(env);
  let simulator: SimulatorConfig | null = null;
  if (pbx === 'simulator') {
    try {
      simulator = parseSimulatorConfig({ ...env, SOURCE_ID: source });
    } catch (err) {
      const variable = (err as { variable?: unknown }).variable;
      throw new ConfigError(
        typeof variable === 'string' ? variable : 'SIM',
        err instanceof Error ? err.message : String(err),
      );
    }
  }
  const config: BridgeConfig = {
    natsUrl: url(env, 'NATS_URL', 'nats://127.0.0.1:4222', ['nats:', 'tls:', 'ws:', 'wss:']),
    sourceId: source,
    pbx,
    kamailioEvapi: hostPort(env, 'KAMAILIO_EVAPI', '127.0.0.1:8448'),
    kamailioRpcUrl: url(env, 'KAMAILIO_RPC_URL', 'http://127.0.0.1:5071/RPC', ['http:', 'https:']),
    rpcTimeoutMs: integer(env, 'KAMAILIO_RPC_TIMEOUT_MS', 10_000, 100, 300_000),
    syncIntervalMs: integer(env, 'SYNC_INTERVAL_MS', DEFAULT_SYNC_INTERVAL_MS, 100, DAY_MS),
    evapiMaxFrameBytes: integer(env, 'EVAPI_MAX_FRAME_BYTES', 65_536, 1024, 16 * 1024 * 1024),
    reconnectMaxMs: integer(env, 'RECONNECT_MAX_MS', 5_000, 100, 300_000),
    healthHost: value(env, 'HEALTH_HOST') ?? '127.0.0.1',
    healthPort: integer(env, 'HEALTH_PORT', 9465, 0, 65535),
    cdr: {
      bufferMax: integer(env, 'CDR_BUFFER_MAX', 100_000, 1, 10_000_000),
      maxAgeMs: integer(env, 'CDR_MAX_AGE_MS', 30 * DAY_MS, 0, 3650 * DAY_MS),
      maxBytes: integer(env, 'CDR_MAX_BYTES', 0, 0, Number.MAX_SAFE_INTEGER),
      duplicateWindowMs: integer(env, 'CDR_DUPLICATE_WINDOW_MS', 10 * 60_000, 1000, DAY_MS),
      replicas: integer(env, 'CDR_REPLICAS', 1, 1, 5),
    },
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 5_000, 0, 600_000),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    simulator,
  };
  return Object.freeze({
    ...config,
    kamailioEvapi: Object.freeze(config.kamailioEvapi),
    cdr: Object.freeze(config.cdr),
  });
}
