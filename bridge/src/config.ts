// The bridge's whole configuration, read from the environment once at start with protocol's
// settings readers (docs/interface/configuration.md).
// Nothing else reads process.env. A bad value stops the process with one line naming it.
import { accessSync, constants, statSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  DEFAULT_SYNC_INTERVAL_MS,
  SOURCE_PATTERN,
  SettingError,
  choiceSetting,
  hostPortSetting,
  integerSetting,
  LOG_LEVELS,
  natsSettings,
  shownValue,
  sourceSetting,
  textSetting,
  urlSetting,
  type Env,
  type NatsSettings,
} from '@live-calls/protocol';
import { parseSimulatorConfig, type SimulatorConfig } from '@live-calls/simulator';

export type PbxKind = 'kamailio' | 'simulator';

export interface BridgeConfig {
  /** The servers of one NATS cluster and the credentials, taken out of NATS_URL and friends. */
  nats: NatsSettings;
  /** Bytes of call events held while NATS is away; more are dropped and counted. */
  natsBufferBytes: number;
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
  /** The bucket of calls the bridge has published, read back after a restart. */
  state: {
    /** Replicas when the bridge creates the bucket. */
    replicas: number;
    /** Writes held while JetStream is unreachable; more are dropped and counted. */
    bufferMax: number;
    /** How long start waits for the bucket before going on without what it holds. */
    loadTimeoutMs: number;
  };
  /** How long shutdown may spend flushing CDRs and state before it gives up. */
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

/** A file the bridge must read at start (NATS_CREDS, NATS_CA): checked here, read later. */
function readableFile(name: string, path: string): void {
  try {
    accessSync(path, constants.R_OK);
    if (!statSync(path).isFile()) throw new Error('not a file');
  } catch {
    throw new SettingError(name, `must name a readable file, got ${shownValue(path)}`);
  }
}

const DAY_MS = 86_400_000;
const MIB = 1024 * 1024;

/** Reads and validates every setting. Throws SettingError (one-line message) on a bad one. */
export function parseConfig(env: Env): Readonly<BridgeConfig> {
  const pbx = choiceSetting<PbxKind>(env, 'PBX', ['kamailio', 'simulator'], 'kamailio');
  const source = sourceId(env);
  const simulator =
    pbx === 'simulator' ? parseSimulatorConfig({ ...env, SOURCE_ID: source }) : null;
  // Never undefined: the bridge has a default URL.
  const nats = natsSettings(env, DEFAULT_NATS_URL) as NatsSettings;
  if (nats.credsFile !== undefined) readableFile('NATS_CREDS', nats.credsFile);
  if (nats.caFile !== undefined) readableFile('NATS_CA', nats.caFile);
  const config: BridgeConfig = {
    nats,
    natsBufferBytes: integerSetting(env, 'NATS_BUFFER_BYTES', 8 * MIB, 0, 1024 * MIB),
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
    state: {
      replicas: integerSetting(env, 'STATE_REPLICAS', 1, 1, 5),
      bufferMax: integerSetting(env, 'STATE_BUFFER_MAX', 100_000, 1, 10_000_000),
      loadTimeoutMs: integerSetting(env, 'STATE_LOAD_TIMEOUT_MS', 10_000, 0, 600_000),
    },
    shutdownTimeoutMs: integerSetting(env, 'SHUTDOWN_TIMEOUT_MS', 5_000, 0, 600_000),
    logLevel: choiceSetting(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    simulator,
  };
  return Object.freeze({
    ...config,
    nats: Object.freeze({ ...nats, servers: Object.freeze([...nats.servers]) as string[] }),
    kamailioEvapi: Object.freeze(config.kamailioEvapi),
    cdr: Object.freeze(config.cdr),
    state: Object.freeze(config.state),
  });
}
