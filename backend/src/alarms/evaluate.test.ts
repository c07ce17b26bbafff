import type { AlarmPayload, AlarmSeverity, SourceStatus } from '@live-calls/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ALARM_RULES, type AlarmRules, type LevelRule } from './alarm-rules.js';
import {
  alarmCompany,
  evaluateAlarms,
  levelOf,
  type AlarmInputs,
  type AlarmTransition,
  type StoredAlarm,
} from './evaluate.js';

const NOW = 1_800_000_000_000;
const OPTIONS = { now: NOW, staleAfterMs: 90_000 };
const RANK: Record<AlarmSeverity | 'none', number> = { none: 0, warning: 1, critical: 2 };
const rank = (s: AlarmSeverity | null) => RANK[s ?? 'none'];

function inputs(partial: Partial<AlarmInputs> = {}): AlarmInputs {
  return {
    trunkActive: new Map(),
    trunkRatio: new Map(),
    globalRatio: { done: 0, ans: 0 },
    companyCps: new Map(),
    sources: [],
    longCalls: [],
    longCallsComplete: true,
    active: new Map(),
    ...partial,
  };
}

/** The active alarms after the transitions, as the store would hold them. */
function applied(
  active: ReadonlyMap<string, StoredAlarm>,
  transitions: readonly AlarmTransition[],
): Map<string, StoredAlarm> {
  const next = new Map(active);
  for (const t of transitions) {
    expect(next.get(t.id)?.json ?? null).toBe(t.expected);
    if (t.next === null) next.delete(t.id);
    else next.set(t.id, { json: JSON.stringify(t.next), alarm: t.next });
  }
  return next;
}

const rules = (partial: Partial<AlarmRules>): AlarmRules => ({
  ...DEFAULT_ALARM_RULES,
  ...partial,
});

describe('levelOf', () => {
  const levels = fc
    .tuple(
      fc.double({ min: 0.01, max: 1000, noNaN: true }),
      fc.double({ min: 0.01, max: 1000, noNaN: true }),
    )
    .map(([a, b]): LevelRule => ({ warning: Math.min(a, b), critical: Math.max(a, b) }));
  const held = fc.constantFrom<AlarmSeverity | null>(null, 'warning', 'critical');
  const value = fc.double({ min: 0, max: 2000, noNaN: true });

  it('without a level held, is exactly the highest threshold reached (above) or undercut (below)', () => {
    fc.assert(
      fc.property(levels, value, (l, v) => {
        const expected = v >= l.critical ? 'critical' : v >= l.warning ? 'warning' : null;
        expect(levelOf(l, 'above', v, null)).toBe(expected);
        const asr = { warning: l.critical, critical: l.warning };
        const below = v < asr.critical ? 'critical' : v < asr.warning ? 'warning' : null;
        expect(levelOf(asr, 'below', v, null)).toBe(below);
      }),
    );
  });

  it('rises with the value (above) and never falls below the level reached without one held', () => {
    fc.assert(
      fc.property(levels, value, value, held, (l, a, b, h) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(rank(levelOf(l, 'above', lo, h))).toBeLessThanOrEqual(
          rank(levelOf(l, 'above', hi, h)),
        );
        expect(rank(levelOf(l, 'above', a, h))).toBeGreaterThanOrEqual(
          rank(levelOf(l, 'above', a, null)),
        );
      }),
    );
  });

  it('keeps a held level within 10 % of its threshold, and drops it beyond', () => {
    const l = { warning: 80, critical: 95 };
    expect(levelOf(l, 'above', 90, 'critical')).toBe('critical');
    expect(levelOf(l, 'above', 85, 'critical')).toBe('warning');
    expect(levelOf(l, 'above', 72, 'warning')).toBe('warning');
    expect(levelOf(l, 'above', 71.9, 'warning')).toBeNull();
    expect(levelOf(l, 'above', 90, null)).toBe('warning');
    const asr = { warning: 40, critical: 25 };
    expect(levelOf(asr, 'below', 27, 'critical')).toBe('critical');
    expect(levelOf(asr, 'below', 27, null)).toBe('warning');
    expect(levelOf(asr, 'below', 43.9, 'warning')).toBe('warning');
    expect(levelOf(asr, 'below', 44, 'warning')).toBeNull();
    expect(levelOf(asr, 'below', 40, null)).toBeNull();
  });
});

describe('evaluateAlarms', () => {
  const carrier = rules({ trunks: new Map([['carrier-a', { capacity: 100 }]]) });

  it('raises, escalates keeping since, de-escalates and clears a trunk at its capacity', () => {
    const at = (active: number, stored: Map<string, StoredAlarm>, now = NOW) =>
      evaluateAlarms(
        carrier,
        inputs({ trunkActive: new Map([['carrier-a', active]]), active: stored }),
        {
          ...OPTIONS,
          now,
        },
      );
    expect(at(79, new Map())).toEqual([]);
    const raise = at(80, new Map());
    expect(raise).toHaveLength(1);
    expect(raise[0]).toMatchObject({
      id: 'trunk_utilisation:trunk:carrier-a',
      expected: null,
      event: {
        state: 'raised',
        severity: 'warning',
        subject: { kind: 'trunk', id: 'carrier-a' },
        value: 0.8,
        threshold: 0.8,
        since: NOW,
      },
    });
    expect(raise[0]!.event.message).toContain('carrier-a');
    let stored = applied(new Map(), raise);
    expect(at(80, stored)).toEqual([]);
    const up = at(96, stored, NOW + 5000);
    expect(up[0]?.event).toMatchObject({
      state: 'raised',
      severity: 'critical',
      threshold: 0.95,
      since: NOW,
    });
    stored = applied(stored, up);
    const down = at(50, stored, NOW + 10_000);
    expect(down[0]?.event).toMatchObject({
      state: 'cleared',
      severity: 'critical',
      value: 0.5,
      since: NOW,
    });
    expect(down[0]?.next).toBeNull();
    expect(applied(stored, down).size).toBe(0);
  });

  it('judges trunk utilisation only for trunks with a capacity', () => {
    const result = evaluateAlarms(
      rules({}),
      inputs({ trunkActive: new Map([['other', 10_000]]) }),
      OPTIONS,
    );
    expect(result).toEqual([]);
  });

  it('judges ASR per trunk and over all calls only from min_attempts on, and clears below it', () => {
    const few = inputs({
      globalRatio: { done: 49, ans: 0 },
      trunkRatio: new Map([['t1', { done: 49, ans: 0 }]]),
    });
    expect(evaluateAlarms(rules({}), few, OPTIONS)).toEqual([]);
    const many = inputs({
      globalRatio: { done: 100, ans: 30 },
      trunkRatio: new Map([
        ['t1', { done: 50, ans: 10 }],
        ['t2', { done: 50, ans: 20 }],
      ]),
    });
    const raised = evaluateAlarms(rules({}), many, OPTIONS);
    expect(raised.map((t) => [t.id, t.event.severity, t.event.value])).toEqual([
      ['asr_15m:global:*', 'warning', 30],
      ['asr_15m:trunk:t1', 'critical', 20],
    ]);
    const stored = applied(new Map(), raised);
    const quiet = evaluateAlarms(rules({}), inputs({ active: stored }), OPTIONS);
    expect(quiet.map((t) => [t.id, t.event.state])).toEqual([
      ['asr_15m:global:*', 'cleared'],
      ['asr_15m:trunk:t1', 'cleared'],
    ]);
    expect(quiet[1]!.event.message).toMatch(/fewer than the 50/);
  });

  it('raises CPS per company with a company subject, and clears when its attempts stop', () => {
    const raised = evaluateAlarms(
      rules({}),
      inputs({
        companyCps: new Map([
          ['acme', 12],
          ['globex', 1],
        ]),
      }),
      OPTIONS,
    );
    expect(raised.map((t) => t.event)).toMatchObject([
      {
        id: 'company_cps_1m:company:acme',
        severity: 'critical',
        subject: { kind: 'company', id: 'acme' },
      },
    ]);
    expect(alarmCompany(raised[0]!.event)).toBe('acme');
    const cleared = evaluateAlarms(
      rules({}),
      inputs({ active: applied(new Map(), raised) }),
      OPTIONS,
    );
    expect(cleared[0]?.event).toMatchObject({ state: 'cleared', value: 0 });
  });

  it('raises source_stale (critical) only for a source that was up and went stale', () => {
    const sources: SourceStatus[] = [
      { source: 'pbx-1', state: 'stale', last_sync_at: NOW - 120_000, active: 3 },
      { source: 'pbx-2', state: 'stale', last_sync_at: null, active: 0 },
      { source: 'pbx-3', state: 'up', last_sync_at: NOW, active: 0 },
    ];
    const raised = evaluateAlarms(rules({}), inputs({ sources }), OPTIONS);
    expect(raised.map((t) => t.event)).toMatchObject([
      { id: 'source_stale:source:pbx-1', severity: 'critical', value: 120, threshold: 90 },
    ]);
    expect(alarmCompany(raised[0]!.event)).toBeNull();
    const off = evaluateAlarms(
      rules({ source_stale: false }),
      inputs({ sources, active: applied(new Map(), raised) }),
      OPTIONS,
    );
    expect(off.map((t) => t.event.state)).toEqual(['cleared']);
  });

  it('raises long_call per call, escalates, clears when the call ends, and keeps unread ones', () => {
    const r = rules({ long_call: { warning: 60, critical: 120 } });
    const call = { id: 'pbx-1:abc', company: 'acme', answered_at: NOW - 61_000 };
    const raised = evaluateAlarms(r, inputs({ longCalls: [call] }), OPTIONS);
    expect(raised[0]?.event).toMatchObject({
      id: 'long_call:call:pbx-1:abc',
      severity: 'warning',
      value: 61,
      threshold: 60,
      subject: { kind: 'call', id: 'pbx-1:abc' },
    });
    const stored = applied(new Map(), raised);
    const later = evaluateAlarms(r, inputs({ longCalls: [call], active: stored }), {
      ...OPTIONS,
      now: NOW + 60_000,
    });
    expect(later[0]?.event).toMatchObject({ severity: 'critical', since: NOW });
    expect(
      evaluateAlarms(r, inputs({ active: stored, longCallsComplete: false }), OPTIONS),
    ).toEqual([]);
    const ended = evaluateAlarms(r, inputs({ active: stored }), OPTIONS);
    expect(ended[0]?.event).toMatchObject({ state: 'cleared', value: 61 });
  });

  it('clears the alarms of a rule turned off', () => {
    const raised = evaluateAlarms(
      carrier,
      inputs({ trunkActive: new Map([['carrier-a', 100]]) }),
      OPTIONS,
    );
    const off = evaluateAlarms(
      { ...carrier, trunk_utilisation: null },
      inputs({ trunkActive: new Map([['carrier-a', 100]]), active: applied(new Map(), raised) }),
      OPTIONS,
    );
    expect(off.map((t) => t.event.state)).toEqual(['cleared']);
  });

  // Random aggregates, evaluated from random earlier aggregates: the transitions are exact.
  const trunkNames = fc.constantFrom('t1', 't2', 't3');
  const companyNames = fc.constantFrom('acme', 'globex', 'initech');
  const world = fc.record({
    trunkActive: fc.dictionary(trunkNames, fc.integer({ min: 0, max: 30 })),
    trunkRatio: fc.dictionary(
      trunkNames,
      fc
        .integer({ min: 0, max: 200 })
        .chain((done) =>
          fc.record({ done: fc.constant(done), ans: fc.integer({ min: 0, max: done }) }),
        ),
    ),
    global: fc
      .integer({ min: 0, max: 400 })
      .chain((done) =>
        fc.record({ done: fc.constant(done), ans: fc.integer({ min: 0, max: done }) }),
      ),
    cps: fc.dictionary(
      companyNames,
      fc.double({ min: 0, max: 20, noNaN: true }).map((x) => Math.round(x * 100) / 100),
    ),
    stale: fc.subarray(['pbx-1', 'pbx-2']),
    longAgo: fc.array(fc.integer({ min: 0, max: 30_000 }), { maxLength: 4 }),
  });
  const ruleSet = fc.record({
    capacity: fc.integer({ min: 1, max: 25 }),
    util: fc.tuple(
      fc.double({ min: 0.1, max: 1.2, noNaN: true }),
      fc.double({ min: 0.1, max: 1.2, noNaN: true }),
    ),
    asr: fc.tuple(
      fc.integer({ min: 0, max: 100 }),
      fc.integer({ min: 0, max: 100 }),
      fc.integer({ min: 1, max: 60 }),
    ),
    cps: fc.tuple(
      fc.double({ min: 0.1, max: 15, noNaN: true }),
      fc.double({ min: 0.1, max: 15, noNaN: true }),
    ),
    long: fc.tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 })),
    off: fc.subarray([
      'trunk_utilisation',
      'asr_15m',
      'company_cps_1m',
      'source_stale',
      'long_call',
    ] as const),
  });

  function makeRules(r: {
    capacity: number;
    util: [number, number];
    asr: [number, number, number];
    cps: [number, number];
    long: [number, number];
    off: readonly string[];
  }): AlarmRules {
    const lohi = ([a, b]: [number, number]) => ({
      warning: Math.min(a, b),
      critical: Math.max(a, b),
    });
    return {
      trunks: new Map([
        ['t1', { capacity: r.capacity }],
        ['t2', { capacity: r.capacity + 5 }],
      ]),
      trunk_utilisation: r.off.includes('trunk_utilisation') ? null : lohi(r.util),
      asr_15m: r.off.includes('asr_15m')
        ? null
        : {
            warning: Math.max(r.asr[0], r.asr[1]),
            critical: Math.min(r.asr[0], r.asr[1]),
            min_attempts: r.asr[2],
          },
      company_cps_1m: r.off.includes('company_cps_1m') ? null : lohi(r.cps),
      source_stale: !r.off.includes('source_stale'),
      long_call: r.off.includes('long_call') ? null : lohi(r.long),
    };
  }

  function inputsOf(
    w: {
      trunkActive: Record<string, number>;
      trunkRatio: Record<string, { done: number; ans: number }>;
      global: { done: number; ans: number };
      cps: Record<string, number>;
      stale: string[];
      longAgo: number[];
    },
    active: Map<string, StoredAlarm>,
    now: number,
  ): AlarmInputs {
    return inputs({
      trunkActive: new Map(Object.entries(w.trunkActive)),
      trunkRatio: new Map(Object.entries(w.trunkRatio)),
      globalRatio: w.global,
      companyCps: new Map(Object.entries(w.cps).filter(([, v]) => v > 0)),
      sources: w.stale.map((source) => ({
        source,
        state: 'stale',
        last_sync_at: now - 100_000,
        active: 0,
      })),
      longCalls: w.longAgo.map((ago, i) => ({
        id: `pbx:${i}`,
        company: null,
        answered_at: now - ago * 1000,
      })),
      active,
    });
  }

  it('makes each change once: every transition changes its alarm, and evaluating again changes nothing', () => {
    fc.assert(
      fc.property(ruleSet, world, world, (r, before, after) => {
        const alarmRules = makeRules(r);
        const first = evaluateAlarms(alarmRules, inputsOf(before, new Map(), NOW), OPTIONS);
        const active = applied(new Map(), first);
        const now = NOW + 5000;
        const second = evaluateAlarms(alarmRules, inputsOf(after, active, now), {
          ...OPTIONS,
          now,
        });
        expect(new Set(second.map((t) => t.id)).size).toBe(second.length);
        for (const t of second) {
          const was = active.get(t.id)?.alarm;
          expect(t.event.id).toBe(t.id);
          if (t.next === null) {
            expect(was).toBeDefined();
            expect(t.event).toMatchObject({
              state: 'cleared',
              severity: was!.severity,
              since: was!.since,
            });
          } else {
            expect(t.next).toBe(t.event);
            expect(t.event.state).toBe('raised');
            expect(t.event.severity).not.toBe(was?.severity);
            expect(t.event.since).toBe(was?.since ?? now);
          }
        }
        const settled = applied(active, second);
        expect(
          evaluateAlarms(alarmRules, inputsOf(after, settled, now), { ...OPTIONS, now }),
        ).toEqual([]);
        for (const { alarm } of settled.values()) {
          if (alarm.rule === 'source_stale') expect(alarm.severity).toBe('critical');
          expect(alarmRules[alarm.rule]).toBeTruthy();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the payload shape of the contract on every event', () => {
    fc.assert(
      fc.property(ruleSet, world, (r, w) => {
        for (const t of evaluateAlarms(makeRules(r), inputsOf(w, new Map(), NOW), OPTIONS)) {
          const e: AlarmPayload = t.event;
          expect(Object.keys(e).sort()).toEqual([
            'id',
            'message',
            'rule',
            'severity',
            'since',
            'state',
            'subject',
            'threshold',
            'value',
          ]);
          expect(e.id).toBe(`${e.rule}:${e.subject.kind}:${e.subject.id}`);
          expect(Number.isFinite(e.value) && Number.isFinite(e.threshold)).toBe(true);
        }
      }),
    );
  });
});
