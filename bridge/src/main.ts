// Entry point (`pnpm --dir bridge start`): config from the environment, then run until
// SIGTERM/SIGINT. A bad setting prints one line naming it and exits 1.
import { SettingError } from '@live-calls/protocol';
import { pino } from 'pino';
import { startBridge } from './bridge.js';
import { parseConfig, type BridgeConfig } from './config.js';

let config: Readonly<BridgeConfig>;
try {
  config = parseConfig(process.env);
} catch (err) {
  if (!(err instanceof SettingError)) throw err;
  process.stderr.write(`live-calls bridge: ${err.message}\n`);
  process.exit(1);
}

const log = pino({ level: config.logLevel, base: { service: 'bridge', source: config.sourceId } });
log.info({ pbx: config.pbx, nats: config.natsUrl }, 'bridge starting');

const bridge = await startBridge(config, log);
let stopping = false;

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  // Second line of defence: never hang on shutdown longer than the flush bound allows.
  const guard = setTimeout(() => {
    log.error('shutdown timed out');
    process.exit(1);
  }, config.shutdownTimeoutMs + 5_000);
  guard.unref();
  try {
    await bridge.close();
    log.info('stopped');
  } catch (err) {
    log.error({ err }, 'shutdown failed');
    process.exitCode = 1;
  }
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void shutdown(signal));
}
