// fast-check arbitraries for valid records and call histories, shared by the property tests.
import fc from 'fast-check';
import { DIRECTIONS, END_REASONS, type CallRecord, type Phase } from '../record.js';

const token = fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/);
const time = fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 });
const party = fc.record(
  {
    user: fc.string({ maxLength: 20 }),
    display: fc.string({ maxLength: 20 }),
    uri: fc.string({ maxLength: 40 }),
  },
  { requiredKeys: ['user'] },
);

export const companyArb = fc.constantFrom('acme', 'globex', 'initech', 'umbrella', 'hooli');

export const validRecordArb: fc.Arbitrary<CallRecord> = fc
  .record({
    source: token,
    call_id: fc.string({ minLength: 1, maxLength: 64 }),
    seq: fc.integer({ min: 1, max: 1_000_000 }),
    phase: fc.constantFrom<Phase>('setup', 'ringing', 'answered', 'ended'),
    ts: time,
    company_id: fc.option(companyArb, { nil: null }),
    direction: fc.constantFrom(...DIRECTIONS),
    from: party,
    to: party,
    trunk: fc.option(token, { nil: null }),
    created_at: fc.option(time, { nil: null }),
    answered_at: fc.option(time, { nil: null }),
    ended_at: fc.option(time, { nil: null }),
    held: fc.option(fc.boolean(), { nil: undefined }),
    reason: fc.constantFrom(...END_REASONS),
    sip_code: fc.option(fc.integer({ min: 100, max: 699 }), { nil: undefined }),
    by: fc.option(fc.string({ minLength: 1, maxLength: 16 }), { nil: undefined }),
    sip: fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })), {
      nil: undefined,
    }),
  })
  .map(({ reason, sip_code, by, held, sip, ...r }) => {
    const record: CallRecord = { v: 1, id: `${r.source}:${r.call_id}`, ...r };
    if (held !== undefined) record.held = held;
    if (sip !== undefined) record.sip = sip;
    if (r.phase === 'ended') {
      record.end = sip_code === undefined ? { reason } : { reason, sip_code };
      if (reason === 'terminated' && by !== undefined) record.end.by = by;
    }
    return record;
  });

/** The in-order life of one call: setup, maybe ringing, maybe answered, maybe ended. */
export const callHistoryArb: fc.Arbitrary<CallRecord[]> = fc
  .record({
    base: validRecordArb,
    ringing: fc.boolean(),
    answered: fc.boolean(),
    ended: fc.boolean(),
  })
  .map(({ base, ringing, answered, ended }) => {
    const phases: Phase[] = ['setup'];
    if (ringing) phases.push('ringing');
    if (answered) phases.push('answered');
    if (ended) phases.push('ended');
    return phases.map((phase, i) => {
      const { end: _end, ...rest } = base;
      const record: CallRecord = { ...rest, phase, seq: i + 1, ts: base.ts + i * 1000 };
      if (phase === 'ended') record.end = { reason: 'bye' };
      return record;
    });
  });
