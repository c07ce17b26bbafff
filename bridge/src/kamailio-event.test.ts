import { validateRecord, type CallRecord } from '@live-calls/protocol';
import { describe, expect, it } from 'vitest';
import { CallTracker } from './call-tracker.js';
import {
  decodeKamailioEvent,
  q850Cause,
  unquoteDisplay,
  uriUser,
  type KamailioEvent,
} from './kamailio-event.js';
import { SeqClock } from './seq-clock.js';

// Real frames emitted by infra/kamailio/kamailio.cfg on Kamailio 5.6.3.
const CALL = '9fba8918b052@live-calls-test';
const PARTIES = {
  call_id: CALL,
  from_user: '+15550001',
  from_uri: 'sip:+15550001@127.0.0.1',
  to_user: 'bob',
  to_uri: 'sip:bob@127.0.0.1',
  from_display: '"Alice \\"A\\""',
  from_tag: 'ef440b58e281',
  company: 'acme',
  trunk: 'carrier-a',
};
const SETUP = {
  event: 'setup',
  ts: 1795361031.2214789,
  ...PARTIES,
  src: 'udp:127.0.0.1:58032',
  ruri: 'sip:bob@127.0.0.1:48458',
};
const RINGING = {
  event: 'ringing',
  ts: 1795361031.2234199,
  ...PARTIES,
  code: 180,
  reason: 'Ringing',
  to_tag: '29c01e934de0',
};
const ANSWERED = { ...RINGING, event: 'answered', ts: 1795361031.274704, code: 200, reason: 'OK' };
const BYE = {
  event: 'bye',
  ts: 1795361031.3166039,
  call_id: CALL,
  from_uri: 'sip:+15550001@127.0.0.1',
  to_uri: 'sip:bob@127.0.0.1',
  from_tag: 'ef440b58e281',
  to_tag: '29c01e934de0',
  by: 'callee',
  company: 'acme',
  trunk: 'carrier-a',
};

function decode(raw: object): KamailioEvent {
  const result = decodeKamailioEvent(JSON.stringify(raw));
  if (!result.ok) throw new Error(`${result.reason}: ${result.detail}`);
  return result.event;
}

function tracker(): CallTracker {
  let t = 1_795_361_031_000;
  return new CallTracker({ source: 'pbx-1', seq: new SeqClock(() => t++) });
}

function valid(record: CallRecord | undefined): CallRecord {
  expect(record).toBeDefined();
  const result = validateRecord(record);
  if (!result.ok) throw new Error(`${result.reason}: ${result.detail}`);
  return result.value;
}

describe('decodeKamailioEvent', () => {
  it('decodes a setup frame', () => {
    expect(decode(SETUP)).toEqual({
      event: 'setup',
      callId: CALL,
      ts: 1795361031221,
      from: { user: '+15550001', display: 'Alice "A"', uri: 'sip:+15550001@127.0.0.1' },
      to: { user: 'bob', uri: 'sip:bob@127.0.0.1' },
      fromTag: 'ef440b58e281',
      company: 'acme',
      trunk: 'carrier-a',
      direction: 'unknown',
      src: 'udp:127.0.0.1:58032',
      ruri: 'sip:bob@127.0.0.1:48458',
    });
  });

  it.each([
    ['not json', 'bad_json'],
    ['[1,2]', 'bad_json'],
    [JSON.stringify({ ...SETUP, event: 'transfer' }), 'unknown_event'],
    [JSON.stringify({ ...SETUP, colour: 'red' }), 'unknown_field'],
    [JSON.stringify({ ...SETUP, call_id: '' }), 'bad_field'],
    [JSON.stringify({ ...SETUP, call_id: 'x'.repeat(257) }), 'bad_field'],
    [JSON.stringify({ ...SETUP, ts: 'now' }), 'bad_field'],
    [JSON.stringify({ ...RINGING, code: 99 }), 'bad_field'],
    [JSON.stringify({ ...RINGING, code: undefined }), 'bad_field'],
    [JSON.stringify({ ...SETUP, from_user: 5 }), 'bad_field'],
  ])('rejects %s as %s', (payload, reason) => {
    expect(decodeKamailioEvent(payload)).toMatchObject({ ok: false, reason });
  });

  it('rejects invalid UTF-8', () => {
    expect(decodeKamailioEvent(new Uint8Array([0x7b, 0xff, 0x7d]))).toMatchObject({
      ok: false,
      reason: 'bad_json',
    });
  });

  it('clips over-long parties instead of dropping the event', () => {
    const event = decode({ ...SETUP, from_user: 'x'.repeat(1000) });
    expect(event.from.user).toHaveLength(256);
  });

  it('reads helpers right', () => {
    expect(uriUser('sip:+1555@host;user=phone')).toBe('+1555');
    expect(uriUser('sips:alice@example.com')).toBe('alice');
    expect(uriUser('sip:example.com')).toBe('');
    expect(uriUser('tel:+15551234;phone-context=x')).toBe('+15551234');
    expect(unquoteDisplay('"Bob \\\\ B"')).toBe('Bob \\ B');
    expect(unquoteDisplay('Bob')).toBe('Bob');
    expect(q850Cause('Q.850;cause=17;text="User busy"')).toBe(17);
    expect(q850Cause('SIP;cause=487, Q.850 ; cause=16')).toBe(16);
    expect(q850Cause('SIP;cause=480')).toBeUndefined();
  });
});

describe('translation to call records', () => {
  it('answered call: setup → ringing → answered → ended bye', () => {
    const t = tracker();
    const setup = valid(t.apply(decode(SETUP), 1));
    expect(setup).toMatchObject({
      id: `pbx-1:${CALL}`,
      source: 'pbx-1',
      phase: 'setup',
      company_id: 'acme',
      trunk: 'carrier-a',
      direction: 'unknown',
      from: { user: '+15550001', display: 'Alice "A"' },
      to: { user: 'bob' },
      created_at: 1795361031221,
      answered_at: null,
      ended_at: null,
    });
    expect(setup.sip).toMatchObject({ from_tag: 'ef440b58e281', src: 'udp:127.0.0.1:58032' });
    const ringing = valid(t.apply(decode(RINGING), 2));
    expect(ringing.phase).toBe('ringing');
    expect(ringing.seq).toBeGreaterThan(setup.seq);
    const answered = valid(t.apply(decode(ANSWERED), 3));
    expect(answered).toMatchObject({ phase: 'answered', answered_at: 1795361031275 });
    expect(answered.sip).toMatchObject({ to_tag: '29c01e934de0' });
    const ended = valid(t.apply(decode(BYE), 4));
    expect(ended).toMatchObject({
      phase: 'ended',
      end: { reason: 'bye' },
      ended_at: 1795361031317,
      created_at: 1795361031221,
      answered_at: 1795361031275,
      from: { user: '+15550001', display: 'Alice "A"' },
    });
    expect(ended.sip).toMatchObject({ hangup_by: 'callee' });
    expect(ended.seq).toBeGreaterThan(answered.seq);
    expect(t.activeCount).toBe(0);
  });

  it('terminate(): an operator hang-up ends the call once; the BYE that follows is stale', () => {
    const t = tracker();
    t.apply(decode(SETUP), 1);
    const answered = valid(t.apply(decode(ANSWERED), 2));
    expect(t.activeRecord(CALL)).toEqual(answered);
    const ended = valid(t.terminate(CALL, 'op-alice', 1_795_361_032_000));
    expect(ended).toMatchObject({
      phase: 'ended',
      ts: 1_795_361_032_000,
      ended_at: 1_795_361_032_000,
      answered_at: answered.answered_at,
      company_id: 'acme',
      end: { reason: 'terminated', by: 'op-alice' },
    });
    expect(ended.seq).toBeGreaterThan(answered.seq);
    expect(t.activeCount).toBe(0);
    expect(t.activeRecord(CALL)).toBeUndefined();
    expect(t.apply(decode(BYE), 4)).toBeUndefined();
    expect(t.terminate(CALL, 'op-alice', 5)).toBeUndefined();
    expect(t.terminate('unknown@x', 'op-alice', 5)).toBeUndefined();
  });

  it('busy: failed with the SIP code, reason and Q.850 cause', () => {
    const t = tracker();
    t.apply(decode(SETUP), 1);
    const ended = valid(
      t.apply(
        decode({
          ...SETUP,
          src: undefined,
          ruri: undefined,
          event: 'failed',
          code: 486,
          reason: 'Busy Here',
          reason_header: 'Q.850;cause=17',
        }),
        2,
      ),
    );
    expect(ended).toMatchObject({
      phase: 'ended',
      end: { reason: 'failed', sip_code: 486, sip_reason: 'Busy Here', q850: 17 },
      answered_at: null,
    });
  });

  it('cancel: ended with reason cancel and the 487', () => {
    const t = tracker();
    t.apply(decode(SETUP), 1);
    t.apply(decode(RINGING), 2);
    const ended = valid(
      t.apply(decode({ ...SETUP, event: 'cancel', code: 487, reason: 'Request Terminated' }), 3),
    );
    expect(ended.end).toEqual({
      reason: 'cancel',
      sip_code: 487,
      sip_reason: 'Request Terminated',
    });
  });

  it('dialog timeout: ended with reason timeout', () => {
    const t = tracker();
    t.apply(decode(SETUP), 1);
    t.apply(decode(ANSWERED), 2);
    const { by: _by, ...timeout } = { ...BYE, event: 'timeout' };
    const ended = valid(t.apply(decode(timeout), 3));
    expect(ended.end).toEqual({ reason: 'timeout' });
  });

  it('other failures: 404, 503 and tm’s own 408', () => {
    for (const [code, reason] of [
      [404, 'Not Found'],
      [503, 'Service Unavailable'],
      [408, 'Request Timeout'],
    ] as const) {
      const t = tracker();
      t.apply(decode(SETUP), 1);
      const ended = valid(t.apply(decode({ ...SETUP, event: 'failed', code, reason }), 2));
      expect(ended.end).toEqual({ reason: 'failed', sip_code: code, sip_reason: reason });
    }
  });

  it('ignores retransmissions, out-of-order and late events', () => {
    const t = tracker();
    expect(t.apply(decode(SETUP), 1)).toBeDefined();
    expect(t.apply(decode(SETUP), 2)).toBeUndefined();
    expect(t.apply(decode(ANSWERED), 3)?.phase).toBe('answered');
    expect(t.apply(decode(RINGING), 4)).toBeUndefined();
    expect(t.apply(decode(BYE), 5)?.phase).toBe('ended');
    expect(t.apply(decode(BYE), 6)).toBeUndefined();
    expect(t.apply(decode(ANSWERED), 7)).toBeUndefined();
    expect(t.apply(decode({ ...SETUP, ts: SETUP.ts + 1 }), 8)).toBeUndefined();
  });

  it('builds a whole record from an event for a call it never saw start', () => {
    const t = tracker();
    const answered = valid(t.apply(decode(ANSWERED), 1));
    expect(answered).toMatchObject({
      phase: 'answered',
      created_at: null,
      answered_at: 1795361031275,
      company_id: 'acme',
      from: { user: '+15550001' },
    });
  });

  it('takes direction from the dialog variable', () => {
    const t = tracker();
    expect(t.apply(decode({ ...SETUP, direction: 'Inbound' }), 1)?.direction).toBe('inbound');
    const t2 = tracker();
    expect(t2.apply(decode({ ...SETUP, direction: 'sideways' }), 1)?.direction).toBe('unknown');
  });

  it('seq keeps increasing across a restart (new tracker, same clock)', () => {
    let now = 1_795_361_031_000;
    const clock = () => now;
    const first = new CallTracker({ source: 'pbx-1', seq: new SeqClock(clock) });
    let last = 0;
    for (const raw of [SETUP, RINGING, ANSWERED]) last = first.apply(decode(raw), 1)?.seq ?? 0;
    now += 1; // the restart takes at least a millisecond
    const second = new CallTracker({ source: 'pbx-1', seq: new SeqClock(clock) });
    const after = second.apply(decode(BYE), 2);
    expect(after?.seq).toBeGreaterThan(last);
  });

  it('sweeps tombstones after their time', () => {
    const t = new CallTracker({ source: 'pbx-1', seq: new SeqClock(), tombstoneMs: 100 });
    t.apply(decode(SETUP), 0);
    t.apply(decode(BYE), 10);
    expect(t.sweep(50)).toBe(0);
    expect(t.sweep(111)).toBe(1);
    expect(t.size).toBe(0);
  });
});
