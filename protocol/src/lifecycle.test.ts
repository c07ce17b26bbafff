import { describe, expect, it } from 'vitest';
import { isLaterPhase, PHASE_RANK, reapedRecord } from './lifecycle.js';
import { PHASES, type CallRecord } from './record.js';

describe('phase order', () => {
  it('ranks the phases in the order PHASES lists them', () => {
    expect(PHASES.map((phase) => PHASE_RANK[phase])).toEqual([0, 1, 2, 3]);
  });

  it('never lets a phase go back or repeat', () => {
    expect(isLaterPhase('ringing', 'setup')).toBe(true);
    expect(isLaterPhase('ended', 'answered')).toBe(true);
    expect(isLaterPhase('setup', 'ringing')).toBe(false);
    expect(isLaterPhase('answered', 'answered')).toBe(false);
  });
});

describe('reapedRecord', () => {
  const call: CallRecord = {
    v: 1,
    id: 'pbx-1:abc',
    source: 'pbx-1',
    call_id: 'abc',
    seq: 4,
    phase: 'answered',
    ts: 1_000,
    company_id: 'acme',
    direction: 'inbound',
    from: { user: '100' },
    to: { user: '200' },
    trunk: null,
    created_at: 900,
    answered_at: 950,
    ended_at: null,
  };

  it('ends the call one version later, keeping what the call was', () => {
    const reaped = reapedRecord(call, 5_000);
    expect(reaped).toEqual({
      ...call,
      seq: 5,
      phase: 'ended',
      ts: 5_000,
      ended_at: 5_000,
      end: { reason: 'reaped' },
    });
    expect(call.phase).toBe('answered');
  });
});
