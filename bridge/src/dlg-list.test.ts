import { readFile } from 'node:fs/promises';
import { validateRecord, type CallRecord } from '@live-calls/protocol';
import { describe, expect, it } from 'vitest';
import { CallTracker } from './call-tracker.js';
import { DlgListError, parseDlgList } from './dlg-list.js';
import { decodeKamailioEvent } from './kamailio-event.js';
import { SeqClock } from './seq-clock.js';

const fixture = JSON.parse(
  await readFile(new URL('./testing/fixtures/kamailio-5.6-capture.json', import.meta.url), 'utf8'),
) as { 'dlg.list': unknown };

describe('parseDlgList', () => {
  it('reads the Kamailio 5.6 capture: answered and ringing kept, deleted skipped', () => {
    const { dialogs, deleted, malformed } = parseDlgList(fixture['dlg.list']);
    expect(deleted).toBe(1);
    expect(malformed).toBe(0);
    expect(dialogs).toEqual([
      {
        callId: '0e4a5771be813b50@acc',
        state: 4,
        phase: 'answered',
        from: { user: '+15550001', uri: 'sip:+15550001@127.0.0.1' },
        to: { user: 'alice', uri: 'sip:alice@127.0.0.1' },
        fromTag: '72d3a6ae',
        toTag: '6fdccf80',
        createdAt: 1795360429000,
        answeredAt: 1795360430000,
        company: 'acme',
        trunk: 'carrier-a',
        direction: 'unknown',
      },
      {
        callId: '32c359daa8555c1b@acc',
        state: 2,
        phase: 'ringing',
        from: { user: '+15550001', uri: 'sip:+15550001@127.0.0.1' },
        to: { user: 'ringforever', uri: 'sip:ringforever@127.0.0.1' },
        fromTag: '6ea61615',
        toTag: null,
        createdAt: 1795360429000,
        answeredAt: null,
        company: 'globex',
        trunk: 'carrier-b',
        direction: 'unknown',
      },
    ]);
  });

  it('treats a missing or empty result as no dialogs', () => {
    expect(parseDlgList({ jsonrpc: '2.0', id: 1 }).dialogs).toEqual([]);
    expect(parseDlgList({ jsonrpc: '2.0', result: [], id: 1 }).dialogs).toEqual([]);
  });

  it('refuses an RPC error or a result that is not a list', () => {
    expect(() => parseDlgList({ error: { code: -32601, message: 'Method Not Found' } })).toThrow(
      DlgListError,
    );
    expect(() => parseDlgList({ result: { nope: 1 } })).toThrow(DlgListError);
    expect(() => parseDlgList('x')).toThrow(DlgListError);
  });

  it('skips and counts malformed entries', () => {
    const result = parseDlgList({
      result: [{ 'call-id': 'a', state: 4 }, { state: 4 }, 7, { 'call-id': 'b', state: 9 }],
    });
    expect(result.dialogs.map((d) => d.callId)).toEqual(['a']);
    expect(result.malformed).toBe(3);
  });

  it('keeps the most advanced entry of a Call-ID listed twice', () => {
    const result = parseDlgList({
      result: [
        { 'call-id': 'a', state: 2 },
        { 'call-id': 'a', state: 4, start_ts: 10 },
      ],
    });
    expect(result.dialogs).toHaveLength(1);
    expect(result.dialogs[0]?.phase).toBe('answered');
  });
});

describe('reconcile', () => {
  it('adds missed calls, reaps lost ones, keeps ones changed after the request', () => {
    let now = 1_795_360_500_000;
    const tracker = new CallTracker({ source: 'pbx-1', seq: new SeqClock(() => now) });
    const event = (callId: string) => {
      const decoded = decodeKamailioEvent(
        JSON.stringify({
          event: 'setup',
          call_id: callId,
          ts: 1795360000,
          from_user: 'a',
          to_user: 'b',
        }),
      );
      if (!decoded.ok) throw new Error(decoded.detail);
      return decoded.event;
    };
    // A call the PBX no longer has, known since before the request.
    tracker.apply(event('gone@x'), now - 10);
    // The ringing call of the fixture, known to the bridge only at setup.
    tracker.apply(event('32c359daa8555c1b@acc'), now - 10);
    const requestedAt = now;
    now += 5;
    // A call that started after dlg.list was requested.
    tracker.apply(event('new@x'), now);

    const { dialogs } = parseDlgList(fixture['dlg.list']);
    const result = tracker.reconcile(dialogs, requestedAt, now);

    expect(result.reaped.map((r) => [r.call_id, r.end?.reason, r.ended_at])).toEqual([
      ['gone@x', 'reaped', requestedAt],
    ]);
    expect(result.changed.map((r) => [r.call_id, r.phase])).toEqual([
      ['0e4a5771be813b50@acc', 'answered'],
      ['32c359daa8555c1b@acc', 'ringing'],
    ]);
    expect(result.active.map((r) => r.call_id).sort()).toEqual([
      '0e4a5771be813b50@acc',
      '32c359daa8555c1b@acc',
      'new@x',
    ]);
    for (const record of [...result.active, ...result.reaped]) {
      expect(validateRecord(record).ok).toBe(true);
    }
    const added = result.changed[0];
    expect(added).toMatchObject({
      company_id: 'acme',
      trunk: 'carrier-a',
      created_at: 1795360429000,
      answered_at: 1795360430000,
      ts: requestedAt,
    });
    // The ringing call keeps what the bridge knew and takes the tenant from the PBX.
    expect(result.changed[1]).toMatchObject({ company_id: 'globex', from: { user: 'a' } });
    expect(tracker.activeCount).toBe(3);
    // A second identical sync changes nothing.
    const again = tracker.reconcile(dialogs, now + 1, now + 2);
    expect(again.changed).toEqual([]);
    expect(again.reaped.map((r) => r.call_id)).toEqual(['new@x']);
  });

  it('after a restart: a restored call still listed keeps its record, a lost one is reaped', () => {
    const now = 1_795_360_500_000;
    const { dialogs } = parseDlgList(fixture['dlg.list']);
    const up = dialogs.find((d) => d.phase === 'answered');
    expect(up).toBeDefined();
    // What the previous process had published, more exact than dlg.list's whole seconds.
    const published: CallRecord = {
      v: 1,
      id: `pbx-1:${up?.callId ?? ''}`,
      source: 'pbx-1',
      call_id: up?.callId ?? '',
      seq: 1_795_360_430_123_000,
      phase: 'answered',
      ts: 1795360430123,
      company_id: 'acme',
      direction: 'inbound',
      from: { user: '+15550001', display: 'Alice' },
      to: { user: 'bob' },
      trunk: 'carrier-a',
      created_at: 1795360429321,
      answered_at: 1795360430123,
      ended_at: null,
      sip: { from_tag: 'f1', to_tag: 't1', src: 'udp:10.0.0.9:5060' },
    };
    const lost: CallRecord = {
      ...published,
      id: 'pbx-1:lost@x',
      call_id: 'lost@x',
      seq: published.seq + 7,
    };
    const closed: CallRecord = {
      ...published,
      id: 'pbx-1:closed@x',
      call_id: 'closed@x',
      phase: 'ended',
      ended_at: 1795360440000,
      end: { reason: 'bye' },
    };
    const foreign: CallRecord = { ...lost, source: 'pbx-2', id: 'pbx-2:lost@x' };
    const tracker = new CallTracker({ source: 'pbx-1', seq: new SeqClock(() => now) });
    expect(tracker.restore([published, lost, closed, foreign], now)).toBe(3);
    expect(tracker.activeCount).toBe(2);

    const result = tracker.reconcile(dialogs, now, now + 3);
    // Still up: not announced again, listed in the sync exactly as published.
    expect(result.changed.map((r) => r.call_id)).not.toContain(published.call_id);
    expect(result.active.find((r) => r.call_id === published.call_id)).toEqual(published);
    // Gone while no bridge ran: reaped as of the sync, with a seq above the old one.
    expect(result.reaped).toHaveLength(1);
    expect(result.reaped[0]).toMatchObject({
      call_id: 'lost@x',
      phase: 'ended',
      ended_at: now,
      end: { reason: 'reaped' },
      created_at: lost.created_at,
      answered_at: lost.answered_at,
      sip: lost.sip,
    });
    expect(result.reaped[0]?.seq).toBeGreaterThan(lost.seq);
    // An ended call is a tombstone: a late event about it changes nothing.
    const late = decodeKamailioEvent(
      JSON.stringify({ event: 'bye', call_id: 'closed@x', ts: 1795360441 }),
    );
    if (!late.ok) throw new Error(late.detail);
    expect(tracker.apply(late.event, now + 4)).toBeUndefined();
    // A restored call the tracker already knows is not taken twice.
    expect(tracker.restore([published], now + 5)).toBe(0);
  });
});
