// Entry point (`pnpm --dir bridge start`): config from the environment, then run until
// SIGTERM/SIGINT. A bad setting prints one line naming it and exits 1; so does a NATS that
// refuses the credentials, at start or later (a supervisor restarts the process).
import { SettingError, natsServersText } from '@live-calls/protocol';
import { pino } from 'pino';
import { startBridge, type Bridge } from './bridge.js';
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
log.info({ pbx: config.pbx, nats: natsServersText(config.nats) }, 'bridge starting');

let bridge: Bridge;
try {
  bridge = await startBridge(config, log);
} catch (err) {
  const reason = err instanceof Error ? err.message : String(err);
  log.fatal({ err: reason }, 'cannot start');
  process.stderr.write(`live-calls bridge: ${reason}\n`);
  process.exit(1);
}
let stopping = false;

// nats.js closes the connection for good only when it gives up (a repeated authorization
// error); the bridge cannot work without it.
void bridge.nats.closed().then((err) => {
  if (stopping) return;
  log.fatal({ err: err?.message }, 'NATS connection closed');
  process.exit(1);
});

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
