import { validateRecord } from '@live-calls/protocol';
import type { CallRecord } from '@live-calls/protocol';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SIMULATOR_CONFIG } from './config.js';
import type { SimulatorConfig } from './config.js';
import { CallSimulator } from './simulator.js';

const START = 1_760_000_000_000;
const MIN = 60_000;

function config(overrides: Partial<SimulatorConfig> = {}): SimulatorConfig {
  return { ...DEFAULT_SIMULATOR_CONFIG, ...overrides };
}

const E164 = /^\+[1-9][0-9]{7,14}$/;
const EXTENSION = /^[0-9]{2,6}$/;

/**
 * Follows a simulator's output the way the backend would and checks every invariant the
 * brief promises, after every advance() and every record.
 */
class Observer {
  /** Last record per call, ended ones included. */
  readonly last = new Map<string, CallRecord>();
  /** Calls not ended, in setup order: what active() must list. */
  readonly open = new Map<string, CallRecord>();
  records = 0;
  setups = 0;
  ended = 0;
  maxOpen = 0;
  #clock: number;

  constructor(
    readonly sim: CallSimulator,
    startMs: number,
    readonly opts: { validate?: boolean; checkActiveEvery?: number } = {},
  ) {
    this.#clock = startMs;
  }

  advanceTo(nowMs: number): CallRecord[] {
    const batch = this.sim.advance(nowMs);
    let prevTs = this.#clock;
    for (const r of batch) {
      if (r.ts <= this.#clock || r.ts > nowMs) throw new Error(`ts ${r.ts} outside the window`);
      if (r.ts < prevTs) throw new Error('batch not in ts order');
      prevTs = r.ts;
      this.#apply(r);
    }
    if (nowMs > this.#clock) this.#clock = nowMs;
    if (this.sim.activeCount !== this.open.size) throw new Error('activeCount is off');
    return batch;
  }

  checkActive(): void {
    const active = this.sim.active();
    expect(active.map((r) => r.id)).toEqual([...this.open.keys()]);
    expect(active).toEqual([...this.open.values()]);
  }

  #apply(r: CallRecord): void {
    this.records++;
    if (this.opts.validate !== false) {
      const result = validateRecord(r);
      if (!result.ok) throw new Error(`invalid record: ${result.detail}`);
    }
    const prev = this.last.get(r.id);
    if (prev === undefined) {
      if (r.phase !== 'setup' || r.seq !== 1)
        throw new Error(`call starts with ${r.phase}/${r.seq}`);
      if (r.created_at !== r.ts) throw new Error('created_at is not the setup time');
      checkParties(r);
      this.setups++;
    } else {
      if (prev.phase === 'ended') throw new Error('event after ended');
      if (r.seq !== prev.seq + 1) throw new Error(`seq ${prev.seq} → ${r.seq}`);
      if (r.ts < prev.ts) throw new Error('ts went back within a call');
      if (!phaseMayFollow(prev.phase, r.phase)) throw new Error(`${prev.phase} → ${r.phase}`);
      for (const key of ['created_at', 'company_id', 'direction', 'trunk', 'call_id'] as const) {
        if (r[key] !== prev[key]) throw new Error(`${key} changed within a call`);
      }
      if (JSON.stringify([r.from, r.to]) !== JSON.stringify([prev.from, prev.to])) {
        throw new Error('parties changed within a call');
      }
    }
    if (r.id !== `${r.source}:${r.call_id}`) throw new Error('bad id');
    if (r.answered_at !== null && r.phase === 'answered' && prev?.phase !== 'answered') {
      if (r.answered_at !== r.ts) throw new Error('answered_at is not the answer time');
    }
    if (
      (r.phase === 'setup' || r.phase === 'ringing') !== (r.answered_at === null) &&
      r.phase !== 'ended'
    ) {
      throw new Error('answered_at set before the answer');
    }
    if ((r.held !== undefined) !== (r.answered_at !== null))
      throw new Error('held outside answered');
    if (r.phase === 'ended') {
      if (r.ended_at !== r.ts) throw new Error('ended_at is not the end time');
      const answered = r.answered_at !== null;
      if (answered !== (r.end?.reason === 'bye' || r.end?.reason === 'timeout')) {
        throw new Error(`end ${r.end?.reason} with answered_at ${r.answered_at}`);
      }
      this.open.delete(r.id);
      this.ended++;
    } else {
      if (r.ended_at !== null || r.end !== undefined) throw new Error('end on an active call');
      this.open.set(r.id, r);
    }
    this.last.set(r.id, r);
    this.maxOpen = Math.max(this.maxOpen, this.open.size);
  }
}

function phaseMayFollow(prev: CallRecord['phase'], next: CallRecord['phase']): boolean {
  switch (prev) {
    case 'setup':
      return next === 'ringing' || next === 'ended';
    case 'ringing':
      return next === 'answered' || next === 'ended';
    case 'answered':
      return next === 'answered' || next === 'ended'; // a repeat is a hold or resume
    case 'ended':
      return false;
  }
}

function checkParties(r: CallRecord): void {
  const ok =
    r.direction === 'inbound'
      ? E164.test(r.from.user) && E164.test(r.to.user) && r.trunk !== null
      : r.direction === 'outbound'
        ? EXTENSION.test(r.from.user) && E164.test(r.to.user) && r.trunk !== null
        : r.direction === 'internal' &&
          EXTENSION.test(r.from.user) &&
          EXTENSION.test(r.to.user) &&
          r.from.user !== r.to.user &&
          r.trunk === null;
  if (!ok) throw new Error(`parties disagree with ${r.direction}: ${JSON.stringify(r)}`);
  if (!/^[0-9a-f]{20}-[0-9a-z]+@[0-9.]+$/.test(r.call_id)) throw new Error(`call_id ${r.call_id}`);
  const sip = r.sip ?? {};
  if (typeof sip.from_tag !== 'string' || 'to_tag' in sip) throw new Error('sip tags at setup');
}

/** Runs a simulator in fixed steps and returns its observer. */
function run(cfg: SimulatorConfig, durationMs: number, stepMs: number, opts = {}): Observer {
  const obs = new Observer(new CallSimulator(cfg, START), START, opts);
  for (let t = START + stepMs; t <= START + durationMs; t += stepMs) obs.advanceTo(t);
  return obs;
}

describe('CallSimulator', () => {
  it('keeps every invariant, and active() in step, for any config and advance times', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.nat(),
          cps: fc.double({ min: 0.2, max: 40, noNaN: true }),
          maxActive: fc.integer({ min: 1, max: 400 }),
          companies: fc.integer({ min: 0, max: 20 }),
          trunks: fc.integer({ min: 1, max: 6 }),
        }),
        fc.array(
          fc.oneof(fc.integer({ min: -1000, max: 2000 }), fc.integer({ min: 1, max: 120_000 })),
          {
            maxLength: 40,
          },
        ),
        (overrides, steps) => {
          const cfg = config(overrides);
          const obs = new Observer(new CallSimulator(cfg, START), START);
          let t = START;
          for (const step of steps) {
            t += step; // a step back must simply yield nothing
            obs.advanceTo(t);
            expect(obs.sim.activeCount).toBeLessThanOrEqual(cfg.maxActive);
            obs.checkActive();
          }
          expect(obs.maxOpen).toBeLessThanOrEqual(cfg.maxActive);
          expect(obs.setups).toBe(obs.sim.attempts - obs.sim.skipped);
        },
      ),
      { numRuns: 40 },
    );
  }, 60_000);

  it('is deterministic by seed, whatever the advance() granularity', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.array(fc.integer({ min: 1, max: 30_000 }), { minLength: 1, maxLength: 20 }),
        (seed, steps) => {
          const cfg = config({ seed, cps: 5 });
          const end = START + steps.reduce((a, b) => a + b, 0);
          const chunked = new CallSimulator(cfg, START);
          const all: CallRecord[] = [];
          let t = START;
          for (const step of steps) all.push(...chunked.advance((t += step)));
          const whole = new CallSimulator(cfg, START);
          expect(all).toEqual(whole.advance(end));
          expect(chunked.active()).toEqual(whole.active());
        },
      ),
      { numRuns: 25 },
    );
    const a = new CallSimulator(config({ seed: 1 }), START).advance(START + 5 * MIN);
    const b = new CallSimulator(config({ seed: 2 }), START).advance(START + 5 * MIN);
    expect(a.length).toBeGreaterThan(0);
    expect(a).not.toEqual(b);
  }, 60_000);

  it('gives different Call-IDs after a restart with the same seed', () => {
    const first = new CallSimulator(config(), START).advance(START + MIN);
    const later = new CallSimulator(config(), START + 3_600_000).advance(START + 3_600_000 + MIN);
    const ids = new Set(first.map((r) => r.id));
    expect(later.some((r) => ids.has(r.id))).toBe(false);
  });

  describe('one simulated hour at 20 cps', () => {
    const cps = 20;
    const hour = 60 * MIN;
    let obs: Observer;
    let calls: CallRecord[];
    beforeAll(() => {
      obs = run(config({ seed: 2024, cps, maxActive: 5000 }), hour, 1000);
      calls = [...obs.last.values()];
    }, 60_000);

    it('arrives at the configured rate', () => {
      expect(obs.sim.skipped).toBe(0);
      const rate = obs.sim.attempts / (hour / 1000);
      expect(rate).toBeGreaterThan(cps * 0.98);
      expect(rate).toBeLessThan(cps * 1.02);
      expect(obs.setups).toBe(obs.sim.attempts);
      // Poisson: the count per second has variance ≈ mean.
      const perSecond = new Map<number, number>();
      for (const r of calls) {
        const s = Math.floor((r.created_at ?? 0) / 1000);
        perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
      }
      const counts = [...perSecond.values()];
      const mean = obs.setups / 3600;
      const variance = counts.reduce((a, c) => a + (c - mean) ** 2, 0) / 3600;
      expect(variance / mean).toBeGreaterThan(0.85);
      expect(variance / mean).toBeLessThan(1.15);
    });

    it('answers ~60 % of attempts with an ACD of ~3 min', () => {
      // Calls set up two minutes before the end know their outcome.
      const settled = calls.filter((r) => (r.created_at ?? 0) <= START + hour - 2 * MIN);
      const asr = settled.filter((r) => r.answered_at !== null).length / settled.length;
      expect(asr).toBeGreaterThan(0.55);
      expect(asr).toBeLessThan(0.65);
      // Calls set up in the first 20 min have nearly all ended (talk > 40 min is rare).
      const early = calls.filter(
        (r) =>
          r.phase === 'ended' && r.answered_at !== null && (r.created_at ?? 0) < START + 20 * MIN,
      );
      const acdS =
        early.reduce((a, r) => a + ((r.ended_at ?? 0) - (r.answered_at ?? 0)), 0) /
        early.length /
        1000;
      expect(acdS).toBeGreaterThan(150);
      expect(acdS).toBeLessThan(210);
    });

    it('mixes directions, tenants, trunks and end causes', () => {
      const share = (pred: (r: CallRecord) => boolean) => calls.filter(pred).length / calls.length;
      expect(share((r) => r.company_id === null)).toBeGreaterThan(0.03);
      expect(share((r) => r.company_id === null)).toBeLessThan(0.07);
      expect(new Set(calls.map((r) => r.company_id)).size).toBe(9);
      expect(new Set(calls.map((r) => r.trunk)).size).toBe(5);
      expect(share((r) => r.direction === 'internal')).toBeGreaterThan(0.1);
      const reasons = new Set(calls.map((r) => r.end?.reason));
      expect(reasons).toEqual(new Set(['bye', 'cancel', 'failed', 'timeout', undefined]));
      expect(share((r) => r.held === true)).toBeGreaterThan(0);
      const failedBeforeRinging = calls.filter(
        (r) =>
          r.phase === 'ended' &&
          r.seq === 2 &&
          (r.end?.sip_code === 404 || r.end?.sip_code === 503),
      );
      expect(failedBeforeRinging.length).toBeGreaterThan(0);
      expect(Math.max(...calls.map((r) => JSON.stringify(r).length))).toBeLessThan(2048);
    });

    it('lists exactly the calls not ended', () => {
      obs.checkActive();
      expect(obs.sim.activeCount).toBeGreaterThan(1000);
      expect(obs.setups).toBe(obs.ended + obs.sim.activeCount);
    });
  });

  it('respects maxActive, skipping arrivals beyond it', () => {
    const obs = run(config({ seed: 5, cps: 50, maxActive: 100 }), 10 * MIN, 250);
    expect(obs.maxOpen).toBe(100);
    expect(obs.sim.skipped).toBeGreaterThan(0);
    expect(obs.setups).toBe(obs.sim.attempts - obs.sim.skipped);
    obs.checkActive();
  });

  it('handles 200 cps for 10 simulated minutes at maxActive 5000', () => {
    const obs = run(config({ seed: 9, cps: 200, maxActive: 5000 }), 10 * MIN, 100, {
      validate: true,
    });
    const sim = obs.sim;
    expect(sim.attempts).toBeGreaterThan(200 * 600 * 0.97);
    expect(sim.attempts).toBeLessThan(200 * 600 * 1.03);
    expect(obs.maxOpen).toBe(5000);
    expect(sim.activeCount).toBeLessThanOrEqual(5000);
    expect(obs.setups).toBe(sim.attempts - sim.skipped);
    expect(obs.setups).toBe(obs.ended + sim.activeCount);
    obs.checkActive();
  }, 60_000);

  it('skipArrivals() pauses arrivals but lets calls in progress play out', () => {
    const sim = new CallSimulator(config({ cps: 20 }), START);
    sim.advance(START + MIN);
    const before = sim.attempts;
    sim.skipArrivals(START + 3 * 3_600_000);
    const burst = sim.advance(START + 3 * 3_600_000);
    expect(sim.attempts).toBe(before);
    expect(burst.every((r) => r.phase !== 'setup')).toBe(true);
    expect(sim.activeCount).toBe(0);
    expect(sim.advance(START + 3 * 3_600_000 + MIN).some((r) => r.phase === 'setup')).toBe(true);
  });

  it('hangup() ends a call now as terminated by the operator; its script stops there', () => {
    const sim = new CallSimulator(config({ seed: 11, cps: 20 }), START);
    const first = sim.advance(START + 30_000);
    const target = sim.active().find((r) => r.phase === 'answered') ?? sim.active()[0];
    if (target === undefined) throw new Error('no active call');
    const ended = sim.hangup(target.id, 'op-1');
    expect(ended).toMatchObject({
      id: target.id,
      phase: 'ended',
      seq: target.seq + 1,
      ts: START + 30_000,
      ended_at: START + 30_000,
      created_at: target.created_at,
      answered_at: target.answered_at,
      end: { reason: 'terminated', by: 'op-1' },
    });
    expect(validateRecord(ended).ok).toBe(true);
    expect(sim.active().map((r) => r.id)).not.toContain(target.id);
    expect(sim.activeCount).toBe(sim.active().length);
    // Neither a second hang-up nor the rest of its script brings anything more.
    expect(sim.hangup(target.id, 'op-1')).toBeUndefined();
    expect(sim.hangup('sim:unknown', 'op-1')).toBeUndefined();
    sim.skipArrivals(START + 3 * 3_600_000);
    const later = sim.advance(START + 3 * 3_600_000);
    expect(later.length).toBeGreaterThan(0);
    expect(later.filter((r) => r.id === target.id)).toEqual([]);
    expect(first.length).toBeGreaterThan(0);
  });

  it('rejects a bad config or start time', () => {
    expect(() => new CallSimulator(config({ cps: 500 }), START)).toThrow(/SIM_CPS/);
    expect(() => new CallSimulator(config(), Number.NaN)).toThrow(RangeError);
    expect(() => new CallSimulator(config(), START).advance(Number.NaN)).toThrow(RangeError);
    expect(() => new CallSimulator(config(), START).advance(Infinity)).toThrow(RangeError);
  });
});
