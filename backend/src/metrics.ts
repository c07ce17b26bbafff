// Every Prometheus metric the backend exposes, on its own registry (not prom-client's
// global one), created once per app and handed to whoever counts.
import { ALARM_RULES, ALARM_SEVERITIES, type AlarmPayload } from '@live-calls/protocol';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const registers = [registry];
  /** Read when Prometheus scrapes; set by whoever owns the thing measured. */
  const sources: {
    replayLogLength?: () => Promise<number>;
    /** The most streams one user and one client address hold open now. */
    busiestStreamOwners?: () => { user: number; ip: number };
    /** The active alarms in the store (every instance reports the same). */
    activeAlarms?: () => Promise<AlarmPayload[]>;
  } = {};
  return {
    sources,
    registry,
    eventsReceived: new Counter({
      name: 'live_events_received_total',
      help: 'Call event and sync messages received from the bus, by kind',
      labelNames: ['kind'] as const,
      registers,
    }),
    eventsApplied: new Counter({
      name: 'live_events_applied_total',
      help: 'Call records applied to the store, by outcome (created, updated, ended, stale, duplicate)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    eventsRejected: new Counter({
      name: 'live_events_rejected_total',
      help: 'Messages rejected by validation, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    eventsDropped: new Counter({
      name: 'live_events_dropped_total',
      help: 'Valid events dropped because the store stayed unavailable and the ingest queue was full',
      registers,
    }),
    ingestLatency: new Histogram({
      name: 'live_ingest_write_seconds',
      help: 'Time from receiving an event to its atomic write in the store',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    reconciles: new Counter({
      name: 'live_reconciles_total',
      help: 'Complete syncs reconciled, and calls they added or reaped',
      labelNames: ['result'] as const,
      registers,
    }),
    connections: new Gauge({
      name: 'live_stream_connections',
      help: 'Open SSE streams, by role',
      labelNames: ['role'] as const,
      registers,
    }),
    fanoutWrites: new Counter({
      name: 'live_fanout_writes_total',
      help: 'Socket writes made by the fan-out (coalesced per client per batch)',
      registers,
    }),
    fanoutBytes: new Counter({
      name: 'live_fanout_bytes_total',
      help: 'Bytes written to SSE clients',
      registers,
    }),
    slowClientDisconnects: new Counter({
      name: 'live_slow_client_disconnects_total',
      help: 'Streams closed because the client did not keep up, by cause',
      labelNames: ['cause'] as const,
      registers,
    }),
    replayLogLength: new Gauge({
      name: 'live_replay_log_events',
      help: 'Events the replay log holds (bounded by HISTORY_EVENTS)',
      registers,
      async collect() {
        if (sources.replayLogLength !== undefined)
          this.set(await sources.replayLogLength().catch(() => 0));
      },
    }),
    streamsRefused: new Counter({
      name: 'live_streams_refused_total',
      help: 'Streams refused with 429 because one user or one client address had too many open',
      labelNames: ['limit'] as const,
      registers,
    }),
    streamsPerOwnerMax: new Gauge({
      name: 'live_streams_per_owner_max',
      help: 'The most streams one user (limit="user") or one client address (limit="ip") holds open',
      labelNames: ['limit'] as const,
      registers,
      collect() {
        const busiest = sources.busiestStreamOwners?.();
        this.set({ limit: 'user' }, busiest?.user ?? 0);
        this.set({ limit: 'ip' }, busiest?.ip ?? 0);
      },
    }),
    alarmsActive: new Gauge({
      name: 'live_alarms_active',
      help: 'Active alarms by rule and severity, read from the store (the same on every instance)',
      labelNames: ['rule', 'severity'] as const,
      registers,
      async collect() {
        const active = await sources.activeAlarms?.().catch(() => undefined);
        if (active === undefined) return;
        for (const rule of ALARM_RULES)
          for (const severity of ALARM_SEVERITIES)
            this.set(
              { rule, severity },
              active.filter((a) => a.rule === rule && a.severity === severity).length,
            );
      },
    }),
    alarmEvaluation: new Histogram({
      name: 'live_alarm_evaluation_seconds',
      help: 'One round of the alarm rules on the instance holding the lease: read, judge, apply',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    resumes: new Counter({
      name: 'live_stream_starts_total',
      help: 'How streams started: replayed, or snapshot by reason',
      labelNames: ['outcome'] as const,
      registers,
    }),
    hangupRequests: new Counter({
      name: 'live_hangup_requests_total',
      help: 'Hang-up requests (POST /api/v1/calls/{id}/hangup) by result: ok, forbidden, rate_limited, not_found, conflict, pbx_error, unavailable',
      labelNames: ['result'] as const,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
