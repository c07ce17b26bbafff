import { reapedRecord, type CallRecord } from '@live-calls/protocol';
import { describe, expect, it } from 'vitest';
import { TestCall } from '../testing/call-factory.js';
import {
  BUCKET_MS,
  StatsLedger,
  statsFrom,
  type LedgerCall,
  type RawStats,
  type WindowCounts,
} from './stats-ledger.js';

const T0 = 1_800_000_000_000; // a bucket and minute boundary

/** Applies records like the memory engine does, keeping the stored state per call. */
function feed(ledger: StatsLedger, records: readonly CallRecord[], now: number): void {
  const stored = new Map<string, LedgerCall>();
  for (const record of records) {
    const before = stored.get(record.id);
    const answered = ledger.apply(before, record, now);
    stored.set(record.id, { record, answered });
  }
}

const raw = (
  live: Record<string, number>,
  windows: [number, Partial<WindowCounts>][] = [],
  peaks: RawStats['peaks'] = [],
): RawStats => ({
  live: new Map(Object.entries(live)),
  windows: new Map(
    windows.map(([b, c]) => [b, { att: 0, done: 0, ans: 0, talk_ms: 0, talked: 0, ...c }]),
  ),
  peaks,
});

describe('statsFrom', () => {
  it('is all zeros and nulls without any calls', () => {
    expect(statsFrom(raw({}), null, T0)).toEqual({
      active: 0,
      by_phase: { setup: 0, ringing: 0, answered: 0 },
      by_direction: { inbound: 0, outbound: 0, internal: 0, unknown: 0 },
      by_company: {},
      by_trunk: {},
      cps_1m: 0,
      asr_15m: null,
      acd_15m: null,
      peak_1h: { active: 0, at: null },
    });
  });

  it('splits live fields, shows only the own company for a company scope', () => {
    const live = {
      active: 3,
      'phase:ringing': 1,
      'phase:answered': 2,
      'dir:inbound': 3,
      'trunk:': 1,
      'trunk:t1': 2,
      'company:acme': 2,
      'company:': 1,
    };
    const all = statsFrom(raw(live), null, T0);
    expect(all.by_company).toEqual({ acme: 2, '': 1 });
    expect(all.by_trunk).toEqual({ '': 1, t1: 2 });
    expect(all.by_phase).toEqual({ setup: 0, ringing: 1, answered: 2 });
    expect(statsFrom(raw({ active: 2 }), 'acme', T0).by_company).toEqual({ acme: 2 });
    expect(statsFrom(raw({}), 'acme', T0).by_company).toEqual({ acme: 0 });
  });

  it('CPS covers 60 s: six buckets and the covered share of the seventh, rounded to 2 places', () => {
    const b = T0 / BUCKET_MS;
    const windows: [number, Partial<WindowCounts>][] = [
      [b - 6, { att: 60 }],
      [b - 5, { att: 10 }],
      [b, { att: 7 }],
      [b + 1, { att: 1000 }], // the future is not counted
    ];
    // Right at a bucket's start the seventh bucket is still wholly inside the minute.
    expect(statsFrom(raw({}, windows), null, T0).cps_1m).toBe(Math.round((77 / 60) * 100) / 100);
    // Half-way through, half of it.
    expect(statsFrom(raw({}, windows), null, T0 + BUCKET_MS / 2).cps_1m).toBe(
      Math.round((47 / 60) * 100) / 100,
    );
  });

  it('ASR (answered / concluded attempts) and ACD over 90 buckets, rounded to 1 place', () => {
    const b = T0 / BUCKET_MS;
    const windows: [number, Partial<WindowCounts>][] = [
      [b - 90, { done: 100, ans: 0 }], // outside
      [b - 89, { att: 7, done: 2, ans: 1, talk_ms: 10_000, talked: 1 }],
      [b, { att: 50, done: 1, ans: 0, talk_ms: 5_333, talked: 2 }],
    ];
    const stats = statsFrom(raw({}, windows), null, T0);
    // Attempts first seen (57) do not enter ASR: only the 3 concluded.
    expect(stats.asr_15m).toBe(33.3);
    expect(stats.acd_15m).toBe(5.1);
    // Attempts only, none concluded yet: no ASR rather than 0 %.
    expect(statsFrom(raw({}, [[b, { att: 40 }]]), null, T0).asr_15m).toBeNull();
    // Buckets written before `done` existed can hold more answers: never above 100 %.
    expect(statsFrom(raw({}, [[b, { done: 1, ans: 3 }]]), null, T0).asr_15m).toBe(100);
  });

  it('peak: the highest minute of the last hour (earliest on ties), or the current count', () => {
    const m = T0 / 60_000;
    const peaks = [
      { minute: m - 61, count: 99, at: T0 - 61 * 60_000 }, // outside the hour
      { minute: m - 30, count: 7, at: T0 - 30 * 60_000 },
      { minute: m - 10, count: 7, at: T0 - 10 * 60_000 },
      { minute: m, count: 3, at: T0 },
    ];
    expect(statsFrom(raw({ active: 2 }, [], peaks), null, T0).peak_1h).toEqual({
      active: 7,
      at: T0 - 30 * 60_000,
    });
    expect(statsFrom(raw({ active: 4 }, [], []), null, T0).peak_1h).toEqual({
      active: 4,
      at: T0,
    });
  });
});

describe('StatsLedger', () => {
  it('counts live calls per scope and takes a call off when it moves and ends', () => {
    const ledger = new StatsLedger();
    const a = new TestCall({ company: 'acme', at: T0 });
    const b = new TestCall({ company: null, at: T0 });
    const records = [a.next('setup'), b.next('setup'), a.next('ringing'), a.next('answered')];
    feed(ledger, records, T0);
    const all = statsFrom(ledger.raw(null, T0), null, T0);
    expect(all).toMatchObject({
      active: 2,
      by_phase: { setup: 1, ringing: 0, answered: 1 },
      by_company: { acme: 1, '': 1 },
      by_trunk: { 'carrier-a': 2 },
      by_direction: { inbound: 2 },
      peak_1h: { active: 2, at: T0 },
    });
    expect(statsFrom(ledger.raw('acme', T0), 'acme', T0)).toMatchObject({
      active: 1,
      by_company: { acme: 1 },
      by_phase: { answered: 1 },
    });
  });

  it('an attempt once per call, an answer once, talk from the answered end', () => {
    const ledger = new StatsLedger();
    const stored = new Map<string, LedgerCall>();
    const apply = (record: CallRecord, now: number) =>
      stored.set(record.id, {
        record,
        answered: ledger.apply(stored.get(record.id), record, now),
      });
    const a = new TestCall({ company: 'acme', at: T0 });
    apply(a.next('setup', { ts: T0 }), T0);
    apply(a.next('answered', { ts: T0 + 1_000 }), T0 + 1_000);
    // answered_at stays set on later events: not a second answer.
    apply({ ...a.next('answered', { ts: T0 + 2_000 }), answered_at: T0 + 1_000 }, T0 + 2_000);
    apply({ ...a.next('ended', { ts: T0 + 31_000 }), answered_at: T0 + 1_000 }, T0 + 31_000);
    // A failed call seen only at its end: an attempt, no answer, no talk.
    const failed = new TestCall({ company: 'acme', at: T0 });
    apply(failed.next('ended', { ts: T0 + 31_000, reason: 'failed' }), T0 + 31_000);
    const now = T0 + 40_000;
    const stats = statsFrom(ledger.raw('acme', now), 'acme', now);
    expect(stats).toMatchObject({
      active: 0,
      asr_15m: 50,
      acd_15m: 30,
      cps_1m: Math.round((2 / 60) * 100) / 100,
      peak_1h: { active: 1, at: T0 },
    });
  });

  it('ASR counts concluded attempts: ringing calls do not lower it, each call concludes once', () => {
    const ledger = new StatsLedger();
    const stored = new Map<string, LedgerCall>();
    const apply = (record: CallRecord, now: number) =>
      stored.set(record.id, {
        record,
        answered: ledger.apply(stored.get(record.id), record, now),
      });
    const asr = (now: number, company: string | null = null) =>
      statsFrom(ledger.raw(company, now), company, now).asr_15m;
    const trunk = (now: number) => {
      const sum = { done: 0, ans: 0 };
      for (const trunks of ledger.rawAlarmWindows(now).trunkWindows.values()) {
        const counts = trunks.get('carrier-a');
        sum.done += counts?.done ?? 0;
        sum.ans += counts?.ans ?? 0;
      }
      return sum;
    };
    // Fifty calls in setup or ringing, none concluded: no ASR yet, not 0 %.
    const ringing = Array.from({ length: 50 }, (_, i) => new TestCall({ callId: `r${i}`, at: T0 }));
    for (const [i, call] of ringing.entries())
      apply(call.next(i % 2 === 0 ? 'setup' : 'ringing', { ts: T0 }), T0);
    expect(asr(T0)).toBeNull();
    expect(ledger.rawAlarmWindows(T0).windows.get(T0 / BUCKET_MS)).toEqual({ done: 0, ans: 0 });
    // One answered: 100 %, however many still ring.
    const a = new TestCall({ callId: 'a', at: T0 });
    apply(a.next('ringing', { ts: T0 }), T0);
    apply(a.next('answered', { ts: T0 + 1_000 }), T0 + 1_000);
    a.record.answered_at = T0 + 1_000;
    expect(asr(T0 + 1_000)).toBe(100);
    // Its end (answered_at still set) and a repeat of the answer do not count again.
    apply(a.next('answered', { ts: T0 + 2_000 }), T0 + 2_000);
    apply(a.next('ended', { ts: T0 + 3_000 }), T0 + 3_000);
    expect(asr(T0 + 3_000)).toBe(100);
    expect(trunk(T0 + 3_000)).toEqual({ done: 1, ans: 1 });
    // A ringing call that ends unanswered lowers it.
    apply(ringing[1]!.next('ended', { ts: T0 + 4_000, reason: 'cancel' }), T0 + 4_000);
    expect(asr(T0 + 4_000)).toBe(50);
    // A call first seen at its end, failed: one attempt, concluded once.
    apply(new TestCall({ callId: 'f', at: T0 }).next('ended', { reason: 'failed' }), T0 + 5_000);
    expect(asr(T0 + 5_000)).toBe(33.3);
    // A call first seen answered and ended: one attempt, one answer.
    const late = new TestCall({ callId: 'l', at: T0 });
    late.record.answered_at = T0;
    apply(late.next('ended', { ts: T0 + 6_000 }), T0 + 6_000);
    expect(asr(T0 + 6_000)).toBe(50);
    // A reaped call that was never answered is a failed attempt.
    apply(reapedRecord(stored.get(ringing[0]!.record.id)!.record, T0 + 7_000), T0 + 7_000);
    expect(asr(T0 + 7_000)).toBe(40);
    expect(trunk(T0 + 7_000)).toEqual({ done: 5, ans: 2 });
    // CPS still counts every call first seen: 50 + a + f + l.
    expect(statsFrom(ledger.raw(null, T0 + 7_000), null, T0 + 7_000).cps_1m).toBe(
      Math.round((53 / 60) * 100) / 100,
    );
    // The history minute says the same.
    const minute = ledger.rawHistory(null, T0 + 7_000, 1).minutes.get(T0 / 60_000);
    expect(minute).toMatchObject({ att: 53, done: 5, ans: 2 });
  });

  it('forgets windows after 15 minutes and peaks after an hour', () => {
    const ledger = new StatsLedger();
    const a = new TestCall({ at: T0 });
    feed(ledger, [a.next('setup')], T0);
    const later = T0 + 61 * 60_000;
    const stats = statsFrom(ledger.raw(null, later), null, later);
    expect(stats).toMatchObject({ active: 1, cps_1m: 0, asr_15m: null });
    expect(stats.peak_1h).toEqual({ active: 1, at: later });
    feed(ledger, [new TestCall({ at: later }).next('ended')], later + BUCKET_MS);
    expect(ledger.raw(null, later + BUCKET_MS).windows.size).toBe(1);
  });
});
