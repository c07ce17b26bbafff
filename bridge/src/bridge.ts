// Assembles one bridge from a validated config: NATS connection, publishers, CDR writer,
// the state bucket, the PBX source, the operator actions' responder and the health endpoint. Owns all of them. Start reads
// back the calls the previous process left in the state bucket before the PBX source
// starts, so the first sync reaps or keeps them; close() shuts down in order (stop the
// source, flush CDRs and state writes within the bound, drain NATS, stop HTTP).
import { natsServersText, type CallRecord } from '@live-calls/protocol';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { CallControl } from './call-control.js';
import { CallStateStore } from './call-state-store.js';
import { CdrWriter } from './cdr-writer.js';
import type { BridgeConfig } from './config.js';
import { HealthServer, type HealthReport } from './health-server.js';
import { KamailioSource } from './kamailio-source.js';
import { BridgeMetrics } from './metrics.js';
import { connectNats } from './nats-connection.js';
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
  readonly state: CallStateStore;
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
  const parts: { source?: PbxSource; cdr?: CdrWriter; state?: CallStateStore } = {};
  /** Calls read back from the state bucket; null until read, or when it could not be. */
  let restored: number | null = null;

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
      state: { restored, pending: parts.state?.pending ?? 0 },
    };
  };

  const counters = async (): Promise<Record<string, number>> => ({
    cdr_dropped: await counterValue(metrics.cdrDropped),
    publish_dropped: await counterValue(metrics.publishDropped),
    state_dropped: await counterValue(metrics.stateDropped),
    syncs: await counterValue(metrics.syncs),
    evapi_frames: await counterValue(metrics.evapiFrames),
    evapi_rejected: await counterValue(metrics.evapiRejected),
    pbx_connects: await counterValue(metrics.pbxConnects),
  });

  // Health first: while NATS is still unreachable, /readyz says so.
  const health = new HealthServer(report, counters, metrics.registry);
  const healthPort = await health.listen(config.healthHost, config.healthPort);
  log.info({ host: config.healthHost, port: healthPort }, 'health endpoint listening');

  let nc: NatsConnection;
  try {
    log.info({ servers: natsServersText(config.nats) }, 'connecting to NATS');
    nc = await connectNats(config.nats, `live-calls-bridge/${config.sourceId}`);
  } catch (err) {
    await health.close();
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`NATS ${natsServersText(config.nats)}: ${reason}`, { cause: err });
  }
  natsState = 'connected';
  metrics.natsConnected.set(1);
  log.info({ server: nc.getServer() }, 'connected to NATS');

  const publisher = new NatsPublisher(nc, config.sourceId, config.natsBufferBytes, metrics);
  const state = new CallStateStore(
    nc,
    config.sourceId,
    { replicas: config.state.replicas, bufferMax: config.state.bufferMax },
    metrics,
    log.child({ part: 'state' }),
  );
  parts.state = state;
  // A stored CDR closes the call: the state bucket forgets it.
  const cdrWriter = new CdrWriter(nc, config.cdr, metrics, log.child({ part: 'cdr' }), (record) =>
    state.remove(record),
  );
  parts.cdr = cdrWriter;
  const sink: RecordSink = {
    record(record: CallRecord) {
      publisher.publishRecord(record);
      state.save(record);
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
  let started = false;

  const statusLoop = (async () => {
    for await (const status of nc.status()) {
      switch (status.type) {
        case 'disconnect':
          natsState = 'disconnected';
          publisher.setConnected(false);
          cdrWriter.setConnected(false);
          state.setConnected(false);
          metrics.natsConnected.set(0);
          log.warn({ server: status.server }, 'NATS connection lost');
          break;
        case 'reconnecting':
          natsState = 'reconnecting';
          break;
        case 'reconnect':
          natsState = 'connected';
          publisher.setConnected(true);
          metrics.natsConnected.set(1);
          log.info({ server: status.server }, 'NATS reconnected');
          cdrWriter.setConnected(true);
          state.setConnected(true);
          // The backend may have missed events while the bus was away (not before the
          // source starts: its first sync must come after the restore).
          if (started) pbxSource.requestSync('nats reconnect');
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

  const previous = await state.load(config.state.loadTimeoutMs);
  if (previous !== undefined) {
    restored = previous.length;
    // Their CDRs may never have reached JetStream; the record id deduplicates them if they did.
    for (const record of previous) if (record.phase === 'ended') cdrWriter.write(record);
    pbxSource.restore(previous);
  }
  pbxSource.start();
  started = true;
  const control = new CallControl(
    nc,
    config.sourceId,
    pbxSource,
    metrics,
    log.child({ part: 'control' }),
  );

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await control.close();
      await pbxSource.close();
      const deadline = Date.now() + config.shutdownTimeoutMs;
      const flushed = await cdrWriter.flush(config.shutdownTimeoutMs);
      if (!flushed) {
        log.error(
          { pending: cdrWriter.pending },
          'shutdown: CDRs not acknowledged in time; the next start writes those the state bucket holds',
        );
      }
      cdrWriter.close();
      // What stays unwritten is repaired at the next start (a call ended since is reaped).
      if (!(await state.flush(Math.max(0, deadline - Date.now())))) {
        log.warn({ pending: state.pending }, 'shutdown: state writes not acknowledged in time');
      }
      state.close();
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
    state,
    healthPort,
    report,
    close,
  };
}

interface CounterLike {
  get(): Promise<{ values: { value: number }[] }>;
}

/** Sum over all label sets (prom-client reads metrics asynchronously). */
async function counterValue(counter: CounterLike): Promise<number> {
  const data = await counter.get();
  return data.values.reduce((sum, v) => sum + v.value, 0);
}
