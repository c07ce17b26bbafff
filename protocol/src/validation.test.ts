import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES, type CallRecord } from './record.js';
import { callEventSubject, CALL_SYNC_SUBJECT } from './subjects.js';
import { validRecordArb } from './testing/arbitraries.js';
import { parseCallEvent, parseSync, REJECT_REASONS, validateRecord } from './validation.js';

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** Mutations that break the record's rules (docs/interface/record.md), each with the reason it must produce. */
const breakers: Array<{
  name: string;
  applies?: (r: CallRecord) => boolean;
  mutate: (r: Record<string, unknown>) => void;
  reason: string;
}> = [
  { name: 'unknown version', mutate: (r) => (r.v = 2), reason: 'bad_version' },
  { name: 'missing version', mutate: (r) => delete r.v, reason: 'bad_version' },
  { name: 'bad source', mutate: (r) => (r.source = 'a b'), reason: 'bad_field:source' },
  { name: 'long source', mutate: (r) => (r.source = 'x'.repeat(65)), reason: 'bad_field:source' },
  { name: 'empty call_id', mutate: (r) => (r.call_id = ''), reason: 'bad_field:call_id' },
  {
    name: 'long call_id',
    mutate: (r) => (r.call_id = 'c'.repeat(257)),
    reason: 'bad_field:call_id',
  },
  {
    name: 'id not source:call_id',
    mutate: (r) => (r.id = `x${String(r.id)}`),
    reason: 'bad_field:id',
  },
  { name: 'zero seq', mutate: (r) => (r.seq = 0), reason: 'bad_field:seq' },
  { name: 'fractional seq', mutate: (r) => (r.seq = 1.5), reason: 'bad_field:seq' },
  { name: 'string seq', mutate: (r) => (r.seq = '3'), reason: 'bad_field:seq' },
  { name: 'unknown phase', mutate: (r) => (r.phase = 'hold'), reason: 'bad_field:phase' },
  { name: 'negative ts', mutate: (r) => (r.ts = -1), reason: 'bad_field:ts' },
  { name: 'numeric company', mutate: (r) => (r.company_id = 7), reason: 'bad_field:company_id' },
  { name: 'empty company', mutate: (r) => (r.company_id = ''), reason: 'bad_field:company_id' },
  { name: 'bad direction', mutate: (r) => (r.direction = 'up'), reason: 'bad_field:direction' },
  { name: 'from not object', mutate: (r) => (r.from = '123'), reason: 'bad_field:from' },
  { name: 'from.user missing', mutate: (r) => (r.from = {}), reason: 'bad_field:from' },
  {
    name: 'to.user too long',
    mutate: (r) => (r.to = { user: 'u'.repeat(257) }),
    reason: 'bad_field:to',
  },
  {
    name: 'unknown party key',
    mutate: (r) => (r.to = { user: '1', x: 1 }),
    reason: 'bad_field:to',
  },
  { name: 'numeric trunk', mutate: (r) => (r.trunk = 5), reason: 'bad_field:trunk' },
  {
    name: 'string created_at',
    mutate: (r) => (r.created_at = 'now'),
    reason: 'bad_field:created_at',
  },
  {
    name: 'missing answered_at',
    mutate: (r) => delete r.answered_at,
    reason: 'bad_field:answered_at',
  },
  { name: 'string held', mutate: (r) => (r.held = 'yes'), reason: 'bad_field:held' },
  { name: 'array sip', mutate: (r) => (r.sip = []), reason: 'bad_field:sip' },
  { name: 'unknown field', mutate: (r) => (r.extra = 1), reason: 'unknown_field' },
  {
    name: 'end on active call',
    applies: (r) => r.phase !== 'ended',
    mutate: (r) => (r.end = { reason: 'bye' }),
    reason: 'bad_field:end',
  },
  {
    name: 'ended without end',
    applies: (r) => r.phase === 'ended',
    mutate: (r) => delete r.end,
    reason: 'bad_field:end',
  },
  {
    name: 'bad end reason',
    applies: (r) => r.phase === 'ended',
    mutate: (r) => (r.end = { reason: 'hangup' }),
    reason: 'bad_field:end',
  },
  {
    name: 'sip_code out of range',
    applies: (r) => r.phase === 'ended',
    mutate: (r) => (r.end = { reason: 'failed', sip_code: 99 }),
    reason: 'bad_field:end',
  },
  {
    name: 'end.by not a string',
    applies: (r) => r.phase === 'ended',
    mutate: (r) => (r.end = { reason: 'terminated', by: 42 as unknown as string }),
    reason: 'bad_field:end',
  },
];

describe('validateRecord', () => {
  it('accepts every valid record and returns an equal copy', () => {
    fc.assert(
      fc.property(validRecordArb, (record) => {
        const result = validateRecord(JSON.parse(JSON.stringify(record)));
        expect(result).toEqual({ ok: true, value: record });
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects every schema-breaking mutation with its reason', () => {
    fc.assert(
      fc.property(validRecordArb, fc.constantFrom(...breakers), (record, breaker) => {
        fc.pre(breaker.applies?.(record) ?? true);
        const mutated = JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
        breaker.mutate(mutated);
        const result = validateRecord(mutated);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.reason).toBe(breaker.reason);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives a reason from the closed set whatever keys a sender invents', () => {
    fc.assert(
      fc.property(
        validRecordArb,
        fc.string({ minLength: 1, maxLength: 300 }),
        fc.jsonValue(),
        (record, key, value) => {
          const mutated = { ...JSON.parse(JSON.stringify(record)), [key]: value } as unknown;
          const result = validateRecord(mutated);
          if (!result.ok) expect(REJECT_REASONS).toContain(result.reason);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('rejects non-objects', () => {
    for (const value of [null, 1, 'x', [], true]) {
      expect(validateRecord(value)).toMatchObject({ ok: false, reason: 'bad_field:record' });
    }
  });
});

describe('parseCallEvent', () => {
  it('accepts a valid record on its own phase subject', () => {
    fc.assert(
      fc.property(validRecordArb, (record) => {
        expect(parseCallEvent(callEventSubject(record.phase), encode(record))).toEqual({
          ok: true,
          value: record,
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects a phase that differs from the subject', () => {
    fc.assert(
      fc.property(
        validRecordArb,
        fc.constantFrom('setup', 'ringing', 'answered', 'ended' as const),
        (record, phase) => {
          fc.pre(phase !== record.phase);
          expect(parseCallEvent(callEventSubject(phase), encode(record))).toMatchObject({
            ok: false,
            reason: 'phase_mismatch',
          });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('rejects oversize, non-JSON and unknown subjects', () => {
    const [record] = fc.sample(validRecordArb, { numRuns: 1, seed: 2 });
    const big = { ...record!, sip: { pad: 'x'.repeat(MAX_RECORD_BYTES) } };
    expect(parseCallEvent(callEventSubject(big.phase), encode(big))).toMatchObject({
      reason: 'too_large',
    });
    expect(parseCallEvent('call.events.setup', '{nope')).toMatchObject({ reason: 'bad_json' });
    expect(parseCallEvent('call.events.hold', encode(record))).toMatchObject({
      reason: 'bad_subject',
    });
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.string(), fc.uint8Array({ maxLength: 300 }), (subject, bytes) => {
        expect(parseCallEvent(subject, bytes).ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseSync', () => {
  const sync = (calls: CallRecord[], extra: Record<string, unknown> = {}) => ({
    v: 1,
    source: calls[0]?.source ?? 'pbx-1',
    ts: 1_700_000_000_000,
    sync_id: 's1',
    part: 1,
    parts: 1,
    calls,
    ...extra,
  });

  it('accepts a source list of active calls', () => {
    const calls = fc
      .sample(validRecordArb, { numRuns: 5, seed: 4 })
      .filter((r) => r.phase !== 'ended')
      .map((r) => ({ ...r, source: 'pbx-1', id: `pbx-1:${r.call_id}` }));
    const result = parseSync(CALL_SYNC_SUBJECT, encode(sync(calls)));
    expect(result).toEqual({ ok: true, value: sync(calls) });
  });

  it('rejects foreign sources, ended calls, bad parts', () => {
    const [r] = fc.sample(validRecordArb, { numRuns: 1, seed: 5 });
    const active = { ...r!, phase: 'setup' as const, end: undefined };
    delete active.end;
    expect(parseSync(CALL_SYNC_SUBJECT, encode(sync([active], { source: 'other' })))).toMatchObject(
      {
        reason: 'bad_field:calls',
      },
    );
    const ended = { ...r!, phase: 'ended' as const, end: { reason: 'bye' as const } };
    expect(parseSync(CALL_SYNC_SUBJECT, encode(sync([ended])))).toMatchObject({
      reason: 'bad_field:calls',
    });
    expect(parseSync(CALL_SYNC_SUBJECT, encode(sync([], { part: 2 })))).toMatchObject({
      reason: 'bad_field:part',
    });
    expect(parseSync('call.other', encode(sync([])))).toMatchObject({ reason: 'bad_subject' });
  });
});
