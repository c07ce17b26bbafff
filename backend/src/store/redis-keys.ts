// Redis key layout of the live store. One logical database per deployment; every backend
// instance shares it. (Single Redis or Sentinel; the Lua scripts build per-call keys, so
// Redis Cluster is not supported: docs/adr/0003-ordering-and-resume-in-redis.md.)
export const KEYS = {
  epoch: 'live:epoch',
  /** The replication id of the dataset the epoch was made on (see redis-scripts.ts). */
  epochLineage: 'live:epoch:lineage',
  seq: 'live:seq',
  log: 'live:log',
  sources: 'live:sources',
  activeCalls: 'active_calls',
  /** + `<company>`: active calls of one tenant. */
  companyCallsPrefix: 'active_calls:company:',
  /** + `<source>`: active calls of one PBX node. */
  sourceCallsPrefix: 'active_calls:source:',
  /** + `<id>`: hash with seq, phase, company, source; kept as a tombstone once ended. */
  callPrefix: 'call:',
  /** Hash: id → record JSON, active calls only (one HVALS is the whole snapshot). */
  activeJson: 'active_calls:json',
  /** Hash: id → record JSON as role `user` sees it (no `sip`), active calls only. */
  activeUserJson: 'active_calls:json:user',
  /**
   * Sorted set: answered active calls scored by answered_at (the long_call alarm reads the
   * oldest without scanning every call).
   */
  answeredCalls: 'active_calls:answered',
  /** + `<source>:<sync_id>`: parts of an incomplete sync. */
  syncPrefix: 'live:sync:',
  /**
   * Hash: live counts of all active calls (`active`, `phase:<p>`, `dir:<d>`, `trunk:<t>`,
   * `company:<c>`; '' for null) and the peak of each recent minute (`pk:<minute>` →
   * `<count>|<ms when reached>`).
   */
  statsLive: 'stats:live',
  /** + `<company>`: the same for one tenant's calls (no `company:` fields). */
  statsLiveCompanyPrefix: 'stats:live:c:',
  /**
   * + `<10-s bucket>`: `att`, `done` (concluded attempts), `ans`, `talk_ms`, `talked`, and
   * each `:<company>`; expires.
   */
  statsWindowPrefix: 'stats:w:',
  /** + `<10-s bucket>`: `done:<trunk>`, `ans:<trunk>` for the ASR alarm per trunk; expires. */
  statsTrunkWindowPrefix: 'stats:wt:',
  /**
   * + `<minute>`: the history's counters (stats/history.ts): `att`, `done`, `ans`, `pk`, `st`, and
   * each `:<company>`; expires 24 h after its last write.
   */
  statsMinutePrefix: 'stats:m:',
  /**
   * Sorted set: the full-view JSON of calls ended in the last 15 min, scored by the apply
   * time (ms); trimmed by age and count on write, expires when no call ends for 15 min.
   */
  recentEnded: 'recent:ended',
  /** + `<company>`: the same for one tenant's calls. */
  recentEndedCompanyPrefix: 'recent:ended:c:',
  /**
   * Hash: alarm id → the active alarm's JSON (docs/interface/alarms.md); deleted with the
   * log when a new epoch begins.
   */
  alarms: 'live:alarms',
  /** String: the instance that evaluates the alarm rules now, with a TTL (a lease). */
  alarmLease: 'live:alarms:lease',
} as const;
