// Embedded mode only: the call simulator publishes onto the in-process bus exactly what a
// bridge would publish on NATS (events and periodic syncs), through the same ingest path, and
// answers hang-up requests (call.control.<source>) as a bridge in PBX=simulator mode does.
import { CallSimulator, runSimulator, type SimulatorConfig } from '@live-calls/simulator';
import {
  CALL_SYNC_SUBJECT,
  buildSyncParts,
  callControlSubject,
  callEventSubject,
  parseControlRequest,
  type ControlReply,
} from '@live-calls/protocol';
import fp from 'fastify-plugin';
import type { BusSubscription } from '../bus/bus.js';
import { MemoryBus } from '../bus/memory-bus.js';
import type { Config } from '../config.js';

const decoder = new TextDecoder();

export default fp<{ config: Config; simulator: SimulatorConfig }>(
  (app, { config, simulator: simulatorConfig }, done) => {
    const simulator = new CallSimulator(simulatorConfig, Date.now());
    let run: { stop(): void } | undefined;
    let syncTimer: NodeJS.Timeout | undefined;
    let syncCount = 0;
    let control: BusSubscription | undefined;
    const hangup = (data: Uint8Array): ControlReply => {
      const request = parseControlRequest(simulatorConfig.source, decoder.decode(data));
      if (!request.ok)
        return { ok: false, error: { code: 'bad_request', message: request.message } };
      const record = simulator.hangup(request.value.id, request.value.by);
      if (record === undefined) {
        return { ok: false, error: { code: 'not_found', message: 'no such active call' } };
      }
      app.bus.publish(callEventSubject(record.phase), JSON.stringify(record));
      return { ok: true };
    };
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
      // Embedded mode only: the demo answers hang-ups on the in-process bus, as a bridge would.
      if (!(app.bus instanceof MemoryBus))
        throw new Error('the demo feed needs the in-process bus');
      control = app.bus.serve(callControlSubject(simulatorConfig.source), 'demo-feed', (data) =>
        Promise.resolve(JSON.stringify(hangup(data))),
      );
      sync();
      syncTimer = setInterval(sync, config.syncIntervalMs);
      syncTimer.unref();
      ready();
    });
    app.addHook('preClose', async () => {
      run?.stop();
      clearInterval(syncTimer);
      await control?.drain();
    });
    done();
  },
  { name: 'demo-feed', dependencies: ['bus', 'ingest'] },
);
