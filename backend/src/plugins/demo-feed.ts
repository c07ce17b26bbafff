// Embedded mode only: the call simulator publishes onto the in-process bus exactly what a
// bridge would publish on NATS (events and periodic syncs), through the same ingest path.
import { CallSimulator, runSimulator, type SimulatorConfig } from '@live-calls/simulator';
import { CALL_SYNC_SUBJECT, buildSyncParts, callEventSubject } from '@live-calls/protocol';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';

export default fp<{ config: Config; simulator: SimulatorConfig }>(
  (app, { config, simulator: simulatorConfig }, done) => {
    const simulator = new CallSimulator(simulatorConfig, Date.now());
    let run: { stop(): void } | undefined;
    let syncTimer: NodeJS.Timeout | undefined;
    let syncCount = 0;
    const sync = () => {
      // Split like a bridge does: a big active list does not fit one part. Stamped with the
      // simulator's clock: the list is as of then (a later stamp would reap calls that
      // arrive in between).
      const parts = buildSyncParts(
        simulatorConfig.source,
        simulator.clockMs,
        `demo-${++syncCount}`,
        simulator.active(),
      );
      for (const part of parts) app.bus.publish(CALL_SYNC_SUBJECT, part);
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
