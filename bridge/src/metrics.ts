// The bridge's Prometheus metrics, on a Registry of its own (never prom-client's global
// one, so two bridges in one test process do not collide).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class BridgeMetrics {
  readonly registry = new Registry();

  readonly evapiFrames = new Counter({
    name: 'bridge_evapi_frames_total',
    help: 'evapi frames received from the PBX',
    registers: [this.registry],
  });

  readonly evapiRejected = new Counter({
    name: 'bridge_evapi_rejected_total',
    help: 'evapi frames skipped, by reason (bad_json, unknown_event, unknown_field, bad_field, oversized)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly framingLost = new Counter({
    name: 'bridge_evapi_framing_lost_total',
    help: 'times the evapi byte stream broke its framing and the bridge reconnected',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly pbxConnects = new Counter({
    name: 'bridge_pbx_connects_total',
    help: 'successful connections to the PBX event socket',
    registers: [this.registry],
  });

  readonly pbxConnected = new Gauge({
    name: 'bridge_pbx_connected',
    help: '1 while the PBX event socket is connected',
    registers: [this.registry],
  });

  readonly natsConnected = new Gauge({
    name: 'bridge_nats_connected',
    help: '1 while NATS is connected',
    registers: [this.registry],
  });

  readonly published = new Counter({
    name: 'bridge_events_published_total',
    help: 'call records published to call.events.<phase>',
    labelNames: ['phase'] as const,
    registers: [this.registry],
  });

  readonly eventLatency = new Histogram({
    name: 'bridge_event_latency_seconds',
    help: 'time from an evapi frame arriving to its record handed to NATS',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05],
    registers: [this.registry],
  });

  readonly controlRequests = new Counter({
    name: 'bridge_control_requests_total',
    help: 'operator actions (hang-ups) answered, by result (ok, not_found, pbx_error, bad_request, unsupported)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly syncs = new Counter({
    name: 'bridge_syncs_total',
    help: 'call.sync rounds, by result',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly syncParts = new Counter({
    name: 'bridge_sync_parts_total',
    help: 'call.sync parts published',
    registers: [this.registry],
  });

  readonly lastSync = new Gauge({
    name: 'bridge_last_sync_timestamp_seconds',
    help: 'when the last complete call.sync was published',
    registers: [this.registry],
  });

  readonly reaped = new Counter({
    name: 'bridge_calls_reaped_total',
    help: 'calls ended by the bridge because the PBX no longer listed them',
    registers: [this.registry],
  });

  readonly activeCalls = new Gauge({
    name: 'bridge_active_calls',
    help: 'calls the bridge believes are up',
    registers: [this.registry],
  });

  readonly cdrAcked = new Counter({
    name: 'bridge_cdr_acked_total',
    help: 'CDRs acknowledged by JetStream (duplicates included)',
    registers: [this.registry],
  });

  readonly cdrDuplicates = new Counter({
    name: 'bridge_cdr_duplicates_total',
    help: 'CDRs JetStream already had (same message id)',
    registers: [this.registry],
  });

  readonly cdrRetries = new Counter({
    name: 'bridge_cdr_retries_total',
    help: 'CDR publish attempts that failed and will be retried',
    registers: [this.registry],
  });

  readonly cdrDropped = new Counter({
    name: 'bridge_cdr_dropped_total',
    help: 'CDRs dropped because the in-memory buffer was full',
    registers: [this.registry],
  });

  readonly cdrBuffered = new Gauge({
    name: 'bridge_cdr_buffered',
    help: 'CDRs waiting for a JetStream acknowledgement',
    registers: [this.registry],
  });

  readonly publishHeld = new Gauge({
    name: 'bridge_publish_held',
    help: 'call events held by the bridge while NATS is away',
    registers: [this.registry],
  });

  readonly publishBuffered = new Counter({
    name: 'bridge_publish_buffered_total',
    help: 'call events held while NATS was away, sent once it came back',
    registers: [this.registry],
  });

  readonly publishDropped = new Counter({
    name: 'bridge_publish_dropped_total',
    help: 'messages not published, by kind (event, sync) and reason (buffer_full: the hold buffer was full; disconnected: a sync while NATS was away, replaced by the one after the reconnect; closed: connection closed; error: refused by the client)',
    labelNames: ['kind', 'reason'] as const,
    registers: [this.registry],
  });

  readonly stateWrites = new Counter({
    name: 'bridge_state_writes_total',
    help: 'writes to the state bucket, by op (put, delete) and result (ok, error: will be retried)',
    labelNames: ['op', 'result'] as const,
    registers: [this.registry],
  });

  readonly stateSkipped = new Counter({
    name: 'bridge_state_skipped_total',
    help: 'state writes never sent because a newer one for the same call replaced them',
    registers: [this.registry],
  });

  readonly stateDropped = new Counter({
    name: 'bridge_state_dropped_total',
    help: 'state writes dropped because the write buffer was full, by op',
    labelNames: ['op'] as const,
    registers: [this.registry],
  });

  readonly statePending = new Gauge({
    name: 'bridge_state_pending',
    help: 'calls whose state write is waiting or in flight',
    registers: [this.registry],
  });

  readonly stateRestored = new Counter({
    name: 'bridge_state_restored_total',
    help: 'calls read back from the state bucket at start, by what they were (active, ended: CDR not yet stored, invalid: skipped)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly stateLoads = new Counter({
    name: 'bridge_state_loads_total',
    help: 'reads of the state bucket at start, by result (ok, failed: started without it)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    // Every series of a closed label set exists from the start, at 0.
    for (const reason of ['buffer_full', 'closed', 'error'] as const) {
      this.publishDropped.inc({ kind: 'event', reason }, 0);
    }
    for (const reason of ['disconnected', 'closed', 'error'] as const) {
      this.publishDropped.inc({ kind: 'sync', reason }, 0);
    }
    for (const op of ['put', 'delete'] as const) {
      for (const result of ['ok', 'error'] as const) this.stateWrites.inc({ op, result }, 0);
      this.stateDropped.inc({ op }, 0);
    }
    for (const kind of ['active', 'ended', 'invalid'] as const) {
      this.stateRestored.inc({ kind }, 0);
    }
    for (const result of ['ok', 'failed'] as const) this.stateLoads.inc({ result }, 0);
  }
}
