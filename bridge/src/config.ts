// The bridge's whole configuration, read from the environment once at start with protocol's
// settings readers (docs/interface/configuration.md).
// Nothing else reads process.env. A bad value stops the process with one line naming it.
import { hostname } from 'node:os';
import {
  DEFAULT_SYNC_INTERVAL_MS,
  SOURCE_PATTERN,
  SettingError,
  choiceSetting,
  hostPortSetting,
  integerSetting,
  shownValue,
  sourceSetting,
  textSetting,
  urlSetting,
  type Env,
} from '@live-calls/protocol';
import { parseSimulatorConfig, type SimulatorConfig } from '@live-calls/simulator';

export type PbxKind = 'kamailio' | 'simulator';

export interface BridgeConfig {
  /** One URL, or a comma-separated list of the servers of one cluster. */
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

const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
const DEFAULT_RPC_URL = 'http://127.0.0.1:5071/RPC';

/** SOURCE_ID, by default the host name: one bridge runs beside each PBX. */
function sourceId(env: Env): string {
  if (textSetting(env, 'SOURCE_ID') !== undefined) return sourceSetting(env, 'SOURCE_ID', '');
  const host = hostname().split('.')[0] ?? '';
  if (SOURCE_PATTERN.test(host)) return host;
  throw new SettingError('SOURCE_ID', `is required (host name ${shownValue(host)} is not usable)`);
}

const DAY_MS = 86_400_000;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Reads and validates every setting. Throws SettingError (one-line message) on a bad one. */
export function parseConfig(env: Env): Readonly<BridgeConfig> {
  const pbx = choiceSetting<PbxKind>(env, 'PBX', ['kamailio', 'simulator'], 'kamailio');
  const source = sourceId(env);
  const simulator =
    pbx === 'simulator' ? parseSimulatorConfig({ ...env, SOURCE_ID: source }) : null;
  const config: BridgeConfig = {
    natsUrl: urlSetting(env, 'NATS_URL', ['nats:', 'tls:', 'ws:', 'wss:']) ?? DEFAULT_NATS_URL,
    sourceId: source,
    pbx,
    kamailioEvapi: hostPortSetting(env, 'KAMAILIO_EVAPI', '127.0.0.1:8448'),
    kamailioRpcUrl: urlSetting(env, 'KAMAILIO_RPC_URL', ['http:', 'https:']) ?? DEFAULT_RPC_URL,
    rpcTimeoutMs: integerSetting(env, 'KAMAILIO_RPC_TIMEOUT_MS', 10_000, 100, 300_000),
    syncIntervalMs: integerSetting(env, 'SYNC_INTERVAL_MS', DEFAULT_SYNC_INTERVAL_MS, 100, DAY_MS),
    evapiMaxFrameBytes: integerSetting(
      env,
      'EVAPI_MAX_FRAME_BYTES',
      65_536,
      1024,
      16 * 1024 * 1024,
    ),
    reconnectMaxMs: integerSetting(env, 'RECONNECT_MAX_MS', 5_000, 100, 300_000),
    healthHost: textSetting(env, 'HEALTH_HOST') ?? '127.0.0.1',
    healthPort: integerSetting(env, 'HEALTH_PORT', 9465, 0, 65535),
    cdr: {
      bufferMax: integerSetting(env, 'CDR_BUFFER_MAX', 100_000, 1, 10_000_000),
      maxAgeMs: integerSetting(env, 'CDR_MAX_AGE_MS', 30 * DAY_MS, 0, 3650 * DAY_MS),
      maxBytes: integerSetting(env, 'CDR_MAX_BYTES', 0, 0, Number.MAX_SAFE_INTEGER),
      duplicateWindowMs: integerSetting(env, 'CDR_DUPLICATE_WINDOW_MS', 10 * 60_000, 1000, DAY_MS),
      replicas: integerSetting(env, 'CDR_REPLICAS', 1, 1, 5),
    },
    shutdownTimeoutMs: integerSetting(env, 'SHUTDOWN_TIMEOUT_MS', 5_000, 0, 600_000),
    logLevel: choiceSetting(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    simulator,
  };
  return Object.freeze({
    ...config,
    kamailioEvapi: Object.freeze(config.kamailioEvapi),
    cdr: Object.freeze(config.cdr),
  });
}
