// Process entry: configuration, logger, listen, and graceful shutdown. Everything else is
// the app plugin.
import Fastify from 'fastify';
import { app, serverOptions } from './app.js';
import { SettingError } from '@live-calls/protocol';
import { parseConfig } from './config.js';

const SHUTDOWN_DEADLINE_MS = 10_000;

async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.env);
  } catch (err) {
    if (err instanceof SettingError) {
      process.stderr.write(`live-calls backend: invalid configuration: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const server = Fastify(serverOptions(config));
  await server.register(app, config);

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    server.log.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      server.log.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        server.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  void server.bus.lost.then((err) => {
    if (closing) return;
    server.log.fatal({ err: err.message }, 'the bus connection is gone for good; exiting');
    process.exit(1);
  });
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));

  const address = await server.listen({ port: config.port, host: config.host });
  server.log.info({ address, mode: config.mode.kind }, 'live-calls backend listening');
}

await main();
