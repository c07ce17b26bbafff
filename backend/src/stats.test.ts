// Stats (the `stats` event and `GET /api/v1/live/stats`) against a brute-force
// recomputation from the very records published, on both engines; the stream's `stats`
// event per scope; two instances on one Redis agreeing.
import {
  decide,
  emits,
  type CallRecord,
  type Direction,
  type StatsPayload,
} from '@live-calls/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { TestCall } from './testing/call-factory.js';
import { SseClient } from './testing/sse-client.js';
import {
  ADMIN_AUTH,
  authHeaders,
  ENGINES,
  get,
  payload,
  startStack,
  type TestStack,
} from './testing/test-stack.js';

const COMPANIES = ['acme', 'globex', 'initech', null] as const;
const TRUNKS = ['carrier-a', 'carrier-b', '', null] as const;
const DIRECTIONS: readonly Direction[] = ['inbound', 'outbound', 'internal', 'unknown'];

/** A seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Random lifecycles — ringing, answered and talking, answered and hung up, failed or reaped
 * before an answer, seen only at their end (failed, or answered earlier); some move trunk or
 * company on the way — interleaved in one publish order
 * (each call's own events in order), with duplicates and stale repeats mixed in.
 */
function lifecycles(seed: number, calls: number): CallRecord[] {
  const rnd = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const now = Date.now();
  const queues: CallRecord[][] = [];
  for (let i = 0; i < calls; i++) {
    const call = new TestCall({ company: pick(COMPANIES), callId: `s${seed}-${i}` });
    call.record.direction = pick(DIRECTIONS);
    call.record.trunk = pick(TRUNKS);
    const created = now - Math.floor(rnd() * 60_000);
    call.record.created_at = created;
    const records: CallRecord[] = [];
    const step = (phase: CallRecord['phase'], patch: Partial<CallRecord> = {}) => {
      const record = { ...call.next(phase, { ts: created + records.length }), ...patch };
      Object.assign(call.record, patch);
      records.push(record);
    };
    const fate = rnd();
    if (fate < 0.07) {
      step('ended', { end: { reason: 'failed', sip_code: 503 }, ended_at: created + 5 });
    } else if (fate < 0.1) {
      // Its earlier events were lost: first seen at the end of an answered call.
      const answeredAt = created + 1_000;
      step('ended', { answered_at: answeredAt, end: { reason: 'bye' }, ended_at: answeredAt + 9 });
    } else {
      step('setup');
      if (fate < 0.2) {
        /* stays in setup */
      } else if (fate < 0.35) {
        step('ringing');
      } else if (fate < 0.5) {
        step('ringing');
        const reason = rnd() < 0.2 ? 'reaped' : 'cancel';
        step('ended', { end: { reason }, ended_at: created + 10 });
      } else {
        if (rnd() < 0.7) step('ringing');
        const answeredAt = created + 1_000 + Math.floor(rnd() * 5_000);
        const move: Partial<CallRecord> =
          rnd() < 0.1
            ? { company_id: pick(COMPANIES) }
            : rnd() < 0.1
              ? { trunk: pick(TRUNKS) }
              : {};
        step('answered', { answered_at: answeredAt, ...move });
        if (rnd() < 0.3) step('answered', { held: true });
        if (fate < 0.8) {
          const talk = Math.floor(rnd() * 300_000);
          step('ended', { end: { reason: 'bye' }, ended_at: answeredAt + talk });
        }
      }
    }
    // Repeats: a duplicate of one event, or an old one arriving late.
    if (rnd() < 0.2 && records.length > 1) records.push(pick(records));
    queues.push(records);
  }
  const order: CallRecord[] = [];
  while (queues.length > 0) {
    const i = Math.floor(rnd() * queues.length);
    const record = queues[i]!.shift()!;
    order.push(record);
    if (queues[i]!.length === 0) queues.splice(i, 1);
  }
  return order;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * The brute force: replays the records with the protocol's decide() and counts everything
 * from scratch for one scope (null = all). Windows all fall inside the last minute. An
 * attempt counts for CPS when its call is first seen, and for ASR once it has concluded:
 * answered, or ended without ever being answered — in the scope of the record that
 * concluded it.
 */
function expected(records: readonly CallRecord[], company: string | null): StatsPayload {
  const calls = new Map<string, CallRecord>();
  const answered = new Set<string>();
  const concluded = new Set<string>();
  const inScope = (r: CallRecord) => company === null || r.company_id === company;
  const activeCount = () =>
    [...calls.values()].filter((r) => r.phase !== 'ended' && inScope(r)).length;
  let attempts = 0;
  let done = 0;
  let answers = 0;
  let talkMs = 0;
  let talked = 0;
  let peak = 0;
  for (const record of records) {
    const stored = calls.get(record.id);
    if (!emits(decide(stored, record))) continue;
    calls.set(record.id, record);
    const counted = inScope(record);
    if (stored === undefined && counted) attempts++;
    if (record.answered_at !== null && !answered.has(record.id)) {
      answered.add(record.id);
      if (counted) answers++;
    }
    if (!concluded.has(record.id) && (answered.has(record.id) || record.phase === 'ended')) {
      concluded.add(record.id);
      if (counted) done++;
    }
    if (record.phase === 'ended' && record.answered_at !== null && record.ended_at !== null) {
      if (counted) {
        talkMs += record.ended_at - record.answered_at;
        talked++;
      }
    }
    peak = Math.max(peak, activeCount());
  }
  const active = [...calls.values()].filter((r) => r.phase !== 'ended' && inScope(r));
  const stats: StatsPayload = {
    active: active.length,
    by_phase: { setup: 0, ringing: 0, answered: 0 },
    by_direction: { inbound: 0, outbound: 0, internal: 0, unknown: 0 },
    by_company: company === null ? {} : { [company]: active.length },
    by_trunk: {},
    cps_1m: round(attempts / 60, 2),
    // No cap: an answer concludes its attempt, so answers ≤ done.
    asr_15m: done === 0 ? null : round((answers / done) * 100, 1),
    acd_15m: talked === 0 ? null : round(talkMs / talked / 1000, 1),
    peak_1h: { active: peak, at: null },
  };
  for (const r of active) {
    if (r.phase !== 'ended') stats.by_phase[r.phase]++;
    stats.by_direction[r.direction]++;
    const trunk = r.trunk ?? '';
    stats.by_trunk[trunk] = (stats.by_trunk[trunk] ?? 0) + 1;
    if (company === null) {
      const c = r.company_id ?? '';
      stats.by_company[c] = (stats.by_company[c] ?? 0) + 1;
    }
  }
  return stats;
}

/** Everything but the peak's time, which only the server knows; that one within bounds. */
function expectStats(actual: StatsPayload, want: StatsPayload, from: number, to: number): void {
  const { peak_1h: peak, ...rest } = actual;
  const { peak_1h: wantPeak, ...wantRest } = want;
  expect(rest).toEqual(wantRest);
  expect(peak.active).toBe(wantPeak.active);
  if (peak.active > 0) {
    expect(peak.at).toBeGreaterThanOrEqual(from);
    expect(peak.at).toBeLessThanOrEqual(to);
  }
}

async function statsOf(
  url: string,
  query = '',
  headers: Record<string, string> = ADMIN_AUTH,
): Promise<StatsPayload> {
  const response = await get(`${url}/api/v1/live/stats${query}`, headers);
  expect(response.status).toBe(200);
  expect(response.headers.get('cache-control')).toBe('no-store');
  return (await response.json()) as StatsPayload;
}

describe.each(ENGINES)('stats (%s engine)', (engine) => {
  let stack: TestStack | undefined;
  const clients: SseClient[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await stack?.close();
    stack = undefined;
  });

  it('agree with a brute-force recomputation from the same records, per scope and role', async () => {
    stack = await startStack(engine, { SYNC_INTERVAL_MS: '600000' });
    const url = stack.backends[0]!.url;
    const empty = await statsOf(url);
    expectStats(empty, expected([], null), 0, 0);

    const records = lifecycles(engine === 'redis' ? 7 : 11, 600);
    const from = Date.now();
    for (const record of records) stack.publish(record);
    await stack.flush();
    const to = Date.now();

    expectStats(await statsOf(url), expected(records, null), from, to);
    for (const company of ['acme', 'globex']) {
      const want = expected(records, company);
      expectStats(await statsOf(url, `?company_id=${company}`), want, from, to);
      // A user of that company sees the same, asking or not.
      const user = await authHeaders('user', company);
      expectStats(await statsOf(url, '', user), want, from, to);
      expectStats(await statsOf(url, `?company_id=${company}`, user), want, from, to);
    }
    // A company with no calls at all.
    expectStats(await statsOf(url, '?company_id=nobody'), expected(records, 'nobody'), from, to);

    const other = await get(
      `${url}/api/v1/live/stats?company_id=acme`,
      await authHeaders('user', 'globex'),
    );
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ error: { code: 'forbidden' } });
    expect((await fetch(`${url}/api/v1/live/stats`)).status).toBe(401);
    expect((await get(`${url}/api/v1/live/stats?company_id=`)).status).toBe(400);
  });

  it('ASR counts concluded attempts: calls ringing do not lower it, an unanswered end does, an answered call counts once', async () => {
    stack = await startStack(engine, { SYNC_INTERVAL_MS: '600000' });
    const url = stack.backends[0]!.url;
    const publish = async (...records: CallRecord[]) => {
      for (const record of records) stack!.publish(record);
      await stack!.flush();
    };
    // A fresh wall: twenty calls in setup or ringing have not failed.
    const ringing = Array.from({ length: 20 }, (_, i) => new TestCall({ callId: `ring${i}` }));
    await publish(...ringing.map((c, i) => c.next(i % 2 === 0 ? 'setup' : 'ringing')));
    expect(await statsOf(url)).toMatchObject({ active: 20, asr_15m: null });
    const answered = new TestCall({ callId: 'ans' });
    const answer = answered.next('answered');
    answered.record.answered_at = answer.answered_at;
    await publish(answered.next('ringing'), answer);
    expect((await statsOf(url)).asr_15m).toBe(100);
    // A ringing call ends unanswered: a failed attempt.
    await publish(ringing[1]!.next('ended', { reason: 'cancel' }));
    expect((await statsOf(url)).asr_15m).toBe(50);
    // The answered call hangs up (a repeat of its answer first): still one attempt, one answer.
    await publish(answered.next('answered'), answered.next('ended'));
    expect(await statsOf(url)).toMatchObject({ asr_15m: 50, active: 19 });
    // First seen at its end, never answered: one more failed attempt; CPS counts every call.
    await publish(new TestCall({ callId: 'late' }).next('ended', { reason: 'failed' }));
    expect(await statsOf(url)).toMatchObject({
      asr_15m: 33.3,
      cps_1m: Math.round((22 / 60) * 100) / 100,
    });
  });

  it('pushes a stats event (no id) to every stream with its scope’s numbers', async () => {
    stack = await startStack(engine, { SYNC_INTERVAL_MS: '600000', STATS_INTERVAL_MS: '200' });
    const url = stack.backends[0]!.url;
    const records = lifecycles(3, 150);
    for (const record of records) stack.publish(record);
    await stack.flush();

    const open = async (headers: Record<string, string>, query: Record<string, string> = {}) => {
      const c = new SseClient(url, headers);
      clients.push(c);
      await c.connect({ query });
      return c;
    };
    const all = await open(ADMIN_AUTH);
    const narrowed = await open(ADMIN_AUTH, { company_id: 'acme' });
    const user = await open(await authHeaders('user', 'globex'));
    for (const [c, company] of [
      [all, null],
      [narrowed, 'acme'],
      [user, 'globex'],
    ] as const) {
      const [event] = await c.waitForEvents('stats', 1);
      expect(event!.id).toBeUndefined();
      const stats = payload<StatsPayload>(event!);
      expectStats(stats, expected(records, company), 0, Date.now());
    }
    // The push repeats; a stats event never moves the stream's last id.
    await all.waitForEvents('stats', 2);
    expect(all.lastEventId).toBe(all.events.find((e) => e.event === 'snapshot')!.id);
  });
});

describe('stats on several instances', () => {
  let stack: TestStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('every instance on one Redis reports the same numbers', async () => {
    stack = await startStack('redis', { SYNC_INTERVAL_MS: '600000' });
    const second = await stack.addBackend();
    const records = lifecycles(5, 400);
    const from = Date.now();
    for (const record of records) stack.publish(record);
    await stack.flush();
    const to = Date.now();
    for (const query of ['', '?company_id=initech']) {
      const [a, b] = await Promise.all(
        [stack.backends[0]!.url, second.url].map((url) => statsOf(url, query)),
      );
      expect(b).toEqual(a);
    }
    // Instances apply their share of the events concurrently, so the order — and with it the
    // running peak — may differ from the publish order; everything else may not.
    const { peak_1h: peak, ...rest } = await statsOf(second.url);
    const { peak_1h: _peak, ...want } = expected(records, null);
    expect(rest).toEqual(want);
    expect(peak.active).toBeGreaterThanOrEqual(want.active);
    expect(peak.at).toBeGreaterThanOrEqual(from);
    expect(peak.at).toBeLessThanOrEqual(to);
  });
});
