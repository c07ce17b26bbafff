// Embedded mode only: the call simulator publishes onto the in-process bus exactly what a
// bridge would publish on NATS (events and periodic syncs), through the same ingest path.
import { CallSimulator, runSimulator, type SimulatorConfig } from '@live-calls/bridge/simulator';
import { CALL_SYNC_SUBJECT, callEventSubject, type SyncMessage } from '@live-calls/protocol';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';

export default fp<{ config: Config; simulator: SimulatorConfig }>(
  (app, { config, simulator: simulatorConfig }, done) => {
    const simulator = new CallSimulator(simulatorConfig, Date.now());
    let run: { stop(): void } | undefined;
    let syncTimer: NodeJS.Timeout | undefined;
    let syncCount = 0;
    const sync = () => {
      const message: SyncMessage = {
        v: 1,
        source: simulatorConfig.source,
        ts: Date.now(),
        sync_id: `demo-${++syncCount}`,
        part: 1,
        parts: 1,
        calls: simulator.active(),
      };
      app.bus.publish(CALL_SYNC_SUBJECT, JSON.stringify(message));
    };
    app.addHook('onReady', (ready) => {
      app.log.info(
        { simulator: simulatorConfig },
        'embedded mode: call simulator feeding the in-process bus',
      );
      run = runSimulator(simulator, (record) =>
        app.bus.publish(callEventSubject(record.phase), JSON.stringify(record)),
      );
      sync();
      syncTimer = setInterval(sync, config.syncIntervalMs);
      syncTimer.unref();
      ready();
    });
    app.addHook('preClose', (closed) => {
      run?.stop();
      clearInterval(syncTimer);
      closed();
    });
    done();
  },
  { name: 'demo-feed', dependencies: ['bus', 'ingest'] },
);
