// Builds valid call records with per-call seq, for tests and benchmarks.
import {
  callEventSubject,
  type CallRecord,
  type EndReason,
  type Phase,
} from '@live-calls/protocol';

export interface CallOptions {
  source?: string;
  company?: string | null;
  callId?: string;
  at?: number;
}

export class TestCall {
  seq = 0;
  readonly record: CallRecord;

  constructor(options: CallOptions = {}) {
    const source = options.source ?? 'pbx-1';
    const callId = options.callId ?? `c-${Math.random().toString(36).slice(2, 12)}`;
    const at = options.at ?? Date.now();
    this.record = {
      v: 1,
      id: `${source}:${callId}`,
      source,
      call_id: callId,
      seq: 0,
      phase: 'setup',
      ts: at,
      company_id: options.company === undefined ? 'acme' : options.company,
      direction: 'inbound',
      from: { user: '+15550100' },
      to: { user: '+15550199' },
      trunk: 'carrier-a',
      created_at: at,
      answered_at: null,
      ended_at: null,
      sip: { from_tag: 'ft1', to_tag: 'tt1' },
    };
  }

  /** The next record of this call in `phase` (seq + 1), or at an explicit seq. */
  next(phase: Phase, options: { seq?: number; ts?: number; reason?: EndReason } = {}): CallRecord {
    this.seq = options.seq ?? this.seq + 1;
    const ts = options.ts ?? Date.now();
    const record: CallRecord = { ...this.record, seq: this.seq, phase, ts };
    if (phase === 'answered') record.answered_at = ts;
    if (phase === 'ended') {
      record.ended_at = ts;
      record.end = { reason: options.reason ?? 'bye' };
    }
    return record;
  }
}

export function subjectOf(record: CallRecord): string {
  return callEventSubject(record.phase);
}
