// Assembles one bridge from a validated config: NATS connection, publishers, CDR writer,
// the PBX source and the health endpoint. Owns all of them; close() shuts them down in
// order (stop the source, flush CDRs within the bound, drain NATS, stop HTTP).
import type { CallRecord } from '@live-calls/protocol';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { CdrWriter } from './cdr-writer.js';
import type { BridgeConfig } from './config.js';
import { HealthServer, type HealthReport } from './health-server.js';
import { KamailioSource } from './kamailio-source.js';
import { BridgeMetrics } from './metrics.js';
import { NatsPublisher } from './nats-publisher.js';
import type { PbxSource } from './pbx-source.js';
import type { RecordSink } from './record-sink.js';
import { SeqClock } from './seq-clock.js';
import { SimulatorSource } from './simulator-source.js';

export interface Bridge {
  readonly config: Readonly<BridgeConfig>;
  readonly metrics: BridgeMetrics;
  readonly source: PbxSource;
  readonly nats: NatsConnection;
  readonly cdr: CdrWriter;
  /** The port the health endpoint listens on. */
  readonly healthPort: number;
  report(): HealthReport;
  close(): Promise<void>;
}

type NatsState = 'connected' | 'disconnected' | 'reconnecting' | 'closed';

export async function startBridge(
  config: Readonly<BridgeConfig>,
  log: Logger,
  opts: { defaultMetrics?: boolean } = {},
): Promise<Bridge> {
  const metrics = new BridgeMetrics({ defaultMetrics: opts.defaultMetrics ?? true });
  let natsState: NatsState = 'disconnected';
  // Filled in once NATS is up; the health endpoint answers before that.
  const parts: { source?: PbxSource; cdr?: CdrWriter } = {};

  const report = (): HealthReport => {
    const pbx = parts.source?.health();
    return {
      source: config.sourceId,
      pbx: {
        kind: config.pbx,
        connected: pbx?.connected ?? false,
        state: pbx?.state ?? 'not started',
        ...(pbx?.detail === undefined ? {} : { detail: pbx.detail }),
      },
      nats: { connected: natsState === 'connected', state: natsState },
      last_sync_at: pbx?.lastSyncAt ?? null,
      active_calls: pbx?.activeCalls ?? 0,
      cdr_pending: parts.cdr?.pending ?? 0,
      counters: {
        cdr_dropped: counterValue(metrics.cdrDropped),
        syncs: counterValue(metrics.syncs),
        evapi_frames: counterValue(metrics.evapiFrames),
        evapi_rejected: counterValue(metrics.evapiRejected),
        pbx_connects: counterValue(metrics.pbxConnects),
      },
    };
  };

  // Health first: while NATS is still unreachable, /readyz says so.
  const health = new HealthServer(report, metrics.registry);
  const healthPort = await health.listen(config.healthHost, config.healthPort);
  log.info({ host: config.healthHost, port: healthPort }, 'health endpoint listening');

  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: config.natsUrl.split(',').map((server) => server.trim()),
      name: `live-calls-bridge/${config.sourceId}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      waitOnFirstConnect: true,
      pingInterval: 10_000,
    });
  } catch (err) {
    await health.close();
    throw err;
  }
  natsState = 'connected';
  metrics.natsConnected.set(1);
  log.info({ server: nc.getServer() }, 'connected to NATS');

  const publisher = new NatsPublisher(nc, config.sourceId, metrics);
  const cdrWriter = new CdrWriter(nc, config.cdr, metrics, log.child({ part: 'cdr' }));
  parts.cdr = cdrWriter;
  const sink: RecordSink = {
    record(record: CallRecord) {
      publisher.publishRecord(record);
      if (record.phase === 'ended') cdrWriter.write(record);
    },
    sync(active, ts) {
      publisher.publishSync(active, ts);
    },
  };

  const pbxSource: PbxSource =
    config.pbx === 'simulator' && config.simulator
      ? new SimulatorSource(
          config.simulator,
          config.syncIntervalMs,
          sink,
          metrics,
          log.child({ part: 'simulator' }),
        )
      : new KamailioSource(
          {
            source: config.sourceId,
            evapi: config.kamailioEvapi,
            rpcUrl: config.kamailioRpcUrl,
            rpcTimeoutMs: config.rpcTimeoutMs,
            syncIntervalMs: config.syncIntervalMs,
            maxFrameBytes: config.evapiMaxFrameBytes,
            reconnectMaxMs: config.reconnectMaxMs,
            seq: new SeqClock(),
          },
          sink,
          metrics,
          log.child({ part: 'kamailio' }),
        );
  parts.source = pbxSource;

  const statusLoop = (async () => {
    for await (const status of nc.status()) {
      switch (status.type) {
        case 'disconnect':
          natsState = 'disconnected';
          metrics.natsConnected.set(0);
          log.warn({ server: status.server }, 'NATS connection lost');
          break;
        case 'reconnecting':
          natsState = 'reconnecting';
          break;
        case 'reconnect':
          natsState = 'connected';
          metrics.natsConnected.set(1);
          log.info({ server: status.server }, 'NATS reconnected');
          cdrWriter.nudge();
          // The backend may have missed events while the bus was away.
          pbxSource.requestSync('nats reconnect');
          break;
        case 'close':
          natsState = 'closed';
          metrics.natsConnected.set(0);
          break;
        default:
          break;
      }
    }
  })();

  pbxSource.start();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await pbxSource.close();
      const flushed = await cdrWriter.flush(config.shutdownTimeoutMs);
      if (!flushed) {
        log.error({ pending: cdrWriter.pending }, 'shutdown: CDRs not acknowledged in time, lost');
      }
      cdrWriter.close();
      try {
        await nc.drain();
      } catch {
        await nc.close();
      }
      await statusLoop;
      await health.close();
    })();
    return closing;
  };

  return {
    config,
    metrics,
    source: pbxSource,
    nats: nc,
    cdr: cdrWriter,
    healthPort,
    report,
    close,
  };
}

interface CounterLike {
  get(): Promise<{ values: { value: number }[] }> | { values: { value: number }[] };
}

/** Sum over all label sets; prom-client counters answer synchronously. */
function counterValue(counter: CounterLike): number {
  const data = counter.get();
  if (data instanceof Promise) return 0;
  return data.values.reduce((sum, v) => sum + v.value, 0);
}
