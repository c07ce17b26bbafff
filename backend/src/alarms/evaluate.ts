// Alarm evaluation, pure (docs/interface/alarms.md): from the aggregates the store keeps and
// the alarms active now, the transitions to make — raise, change severity, clear. The store
// applies them with compare-and-set against the stored alarm (docs/adr/0014-alarms-once-across-instances.md),
// so however many instances evaluate, each transition happens once.
//
// Hysteresis: a level that is held stays until the value falls back past the level by 10 %
// of it (ASR: rises above it by 10 %), so a value hovering at a threshold does not flap. A
// level not held needs the threshold itself. long_call only grows and source_stale is a
// state, so neither needs it.
import {
  alarmId,
  compareAlarms,
  type AlarmPayload,
  type AlarmRule,
  type AlarmSeverity,
  type AlarmSubject,
  type SourceStatus,
} from '@live-calls/protocol';
import { asrFrom } from '../stats/asr.js';
import { ALARM_DIRECTION, type AlarmRules, type LevelRule } from './alarm-rules.js';

export const HYSTERESIS = 0.1;

/** An alarm as the store holds it: the JSON compared on write, and what it says. */
export interface StoredAlarm {
  json: string;
  alarm: AlarmPayload;
}

/** ASR's counts (stats/asr.ts): attempts concluded, and the answered ones among them. */
export interface RatioCounts {
  done: number;
  ans: number;
}

export interface LongCall {
  id: string;
  company: string | null;
  answered_at: number;
}

/** The aggregates the rules judge, read from the store at one instant. */
export interface AlarmInputs {
  /** Active calls per trunk, for the trunks with a configured capacity. */
  trunkActive: ReadonlyMap<string, number>;
  /** Concluded attempts and answered calls over the ASR window, per trunk. */
  trunkRatio: ReadonlyMap<string, RatioCounts>;
  /** The same over all calls. */
  globalRatio: RatioCounts;
  /** Call attempts per second over the last minute, per company (2 decimals, as in stats). */
  companyCps: ReadonlyMap<string, number>;
  sources: readonly Pick<SourceStatus, 'source' | 'state' | 'last_sync_at'>[];
  /** Active calls answered at or before the long_call warning limit, oldest first. */
  longCalls: readonly LongCall[];
  /** False when `longCalls` was cut at its bound: long-call alarms not in it are kept. */
  longCallsComplete: boolean;
  /** The alarms active now, by id. */
  active: ReadonlyMap<string, StoredAlarm>;
}

export interface EvaluateOptions {
  now: number;
  /** A source is stale after this long without a sync (3 sync intervals). */
  staleAfterMs: number;
}

/** One change to make: store `next` (null: delete) if the stored alarm is still `expected`. */
export interface AlarmTransition {
  id: string;
  /** The stored JSON this replaces; null for a raise from nothing. */
  expected: string | null;
  /** The alarm stored after it; null when it clears. */
  next: AlarmPayload | null;
  /** The `alarm` event it emits. */
  event: AlarmPayload;
}

/** What a rule measured for one subject. */
interface Measure {
  rule: AlarmRule;
  subject: AlarmSubject;
  value: number;
  /** The level reached (with hysteresis), and its threshold; null: within limits. */
  severity: AlarmSeverity | null;
  threshold: number;
  /** A sentence about the value, without the level. */
  says: string;
}

const round = (value: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/** ASR in percent as the stats show it (1 decimal), null without concluded attempts. */
export function asrOf({ done, ans }: RatioCounts): number | null {
  return asrFrom(ans, done);
}

/**
 * The level a value reaches under a rule, given the level held now. Above-rules alarm at or
 * above a level, below-rules (ASR) strictly below it; a held level needs only to stay
 * within HYSTERESIS of its threshold.
 */
export function levelOf(
  levels: LevelRule,
  direction: 'above' | 'below',
  value: number,
  held: AlarmSeverity | null,
): AlarmSeverity | null {
  const reaches = (threshold: number, isHeld: boolean): boolean =>
    direction === 'above'
      ? value >= (isHeld ? threshold * (1 - HYSTERESIS) : threshold)
      : value < (isHeld ? threshold * (1 + HYSTERESIS) : threshold);
  if (reaches(levels.critical, held === 'critical')) return 'critical';
  if (reaches(levels.warning, held !== null)) return 'warning';
  return null;
}

const percent = (ratio: number): string => `${round(ratio * 100, 1)} %`;

function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s} s` : `${s} s`;
}

function measureLevels(
  rule: Exclude<AlarmRule, 'source_stale'>,
  levels: LevelRule,
  subject: AlarmSubject,
  value: number,
  active: ReadonlyMap<string, StoredAlarm>,
  says: string,
): Measure {
  const held = active.get(alarmId(rule, subject))?.alarm.severity ?? null;
  const severity = levelOf(levels, ALARM_DIRECTION[rule], value, held);
  return { rule, subject, value, severity, threshold: levels[severity ?? 'warning'], says };
}

/** The subject ids of one kind that a rule's active alarms are about. */
function subjectsOf(
  active: ReadonlyMap<string, StoredAlarm>,
  rule: AlarmRule,
  kind: AlarmSubject['kind'],
): string[] {
  const ids: string[] = [];
  for (const { alarm } of active.values())
    if (alarm.rule === rule && alarm.subject.kind === kind) ids.push(alarm.subject.id);
  return ids;
}

/** Every subject each rule in force measures now. */
function measure(rules: AlarmRules, inputs: AlarmInputs, options: EvaluateOptions): Measure[] {
  const { active } = inputs;
  const out: Measure[] = [];
  if (rules.trunk_utilisation !== null) {
    for (const [trunk, { capacity }] of rules.trunks) {
      const value = round((inputs.trunkActive.get(trunk) ?? 0) / capacity, 4);
      const says = `Trunk ${trunk} carries ${inputs.trunkActive.get(trunk) ?? 0} calls, ${percent(value)} of its capacity of ${capacity}`;
      out.push(
        measureLevels(
          'trunk_utilisation',
          rules.trunk_utilisation,
          { kind: 'trunk', id: trunk },
          value,
          active,
          says,
        ),
      );
    }
  }
  if (rules.asr_15m !== null) {
    const asr = rules.asr_15m;
    const judged: [AlarmSubject, RatioCounts, string][] = [
      [{ kind: 'global', id: '*' }, inputs.globalRatio, 'over all calls'],
    ];
    const trunks = new Set([
      ...inputs.trunkRatio.keys(),
      ...subjectsOf(active, 'asr_15m', 'trunk'),
    ]);
    for (const trunk of trunks)
      judged.push([
        { kind: 'trunk', id: trunk },
        inputs.trunkRatio.get(trunk) ?? { done: 0, ans: 0 },
        `on trunk ${trunk}`,
      ]);
    for (const [subject, counts, where] of judged) {
      const value = asrOf(counts);
      if (value === null || counts.done < asr.min_attempts) {
        // Too few concluded attempts to judge: within limits, so an alarm held clears.
        const says = `ASR over 15 min ${where} has only ${counts.done} concluded attempts, fewer than the ${asr.min_attempts} it is judged on`;
        out.push({
          rule: 'asr_15m',
          subject,
          value: value ?? 0,
          severity: null,
          threshold: asr.warning,
          says,
        });
        continue;
      }
      const says = `ASR over 15 min ${where} is ${value} % (${counts.ans} of ${counts.done} concluded attempts answered)`;
      out.push(measureLevels('asr_15m', asr, subject, value, active, says));
    }
  }
  if (rules.company_cps_1m !== null) {
    const companies = new Set([
      ...inputs.companyCps.keys(),
      ...subjectsOf(active, 'company_cps_1m', 'company'),
    ]);
    for (const company of companies) {
      const cps = inputs.companyCps.get(company) ?? 0;
      const says = `Company ${company} makes ${cps} call attempts/s over 1 min`;
      out.push(
        measureLevels(
          'company_cps_1m',
          rules.company_cps_1m,
          { kind: 'company', id: company },
          cps,
          active,
          says,
        ),
      );
    }
  }
  if (rules.source_stale) {
    const threshold = Math.round(options.staleAfterMs / 1000);
    for (const source of inputs.sources) {
      // A source never synced is not one that went quiet (and only Redis lists it).
      if (source.state !== 'stale' || source.last_sync_at === null) continue;
      const value = Math.max(0, Math.floor((options.now - source.last_sync_at) / 1000));
      out.push({
        rule: 'source_stale',
        subject: { kind: 'source', id: source.source },
        value,
        severity: 'critical',
        threshold,
        says: `Source ${source.source} has sent no sync for ${duration(value)}`,
      });
    }
  }
  if (rules.long_call !== null) {
    for (const call of inputs.longCalls) {
      const value = Math.max(0, Math.floor((options.now - call.answered_at) / 1000));
      const says = `Call ${call.id} has been answered for ${duration(value)}`;
      out.push(
        measureLevels(
          'long_call',
          rules.long_call,
          { kind: 'call', id: call.id },
          value,
          active,
          says,
        ),
      );
    }
  }
  return out;
}

function levelText(rule: AlarmRule, severity: AlarmSeverity, threshold: number): string {
  switch (rule) {
    case 'trunk_utilisation':
      return `${severity} at ${percent(threshold)}`;
    case 'asr_15m':
      return `${severity} below ${threshold} %`;
    case 'company_cps_1m':
      return `${severity} at ${threshold}/s`;
    case 'source_stale':
      return `stale after ${duration(threshold)}`;
    case 'long_call':
      return `${severity} at ${duration(threshold)}`;
  }
}

/**
 * The transitions that bring the active alarms to what the rules say now. A severity change
 * is a new `raised` that keeps the alarm's `since`; an alarm whose subject is gone, or whose
 * rule is off, clears.
 */
export function evaluateAlarms(
  rules: AlarmRules,
  inputs: AlarmInputs,
  options: EvaluateOptions,
): AlarmTransition[] {
  const transitions: AlarmTransition[] = [];
  const measured = new Set<string>();
  for (const m of measure(rules, inputs, options)) {
    const id = alarmId(m.rule, m.subject);
    measured.add(id);
    const stored = inputs.active.get(id);
    if (m.severity === null) {
      if (stored !== undefined) transitions.push(clearing(stored, m.value, m.says));
      continue;
    }
    if (stored?.alarm.severity === m.severity) continue;
    const raised: AlarmPayload = {
      id,
      rule: m.rule,
      state: 'raised',
      severity: m.severity,
      subject: m.subject,
      value: m.value,
      threshold: m.threshold,
      since: stored?.alarm.since ?? options.now,
      message: `${m.says} (${levelText(m.rule, m.severity, m.threshold)})`,
    };
    transitions.push({ id, expected: stored?.json ?? null, next: raised, event: raised });
  }
  for (const [id, stored] of inputs.active) {
    if (measured.has(id)) continue;
    if (stored.alarm.rule === 'long_call' && rules.long_call !== null && !inputs.longCallsComplete)
      continue;
    transitions.push(clearing(stored, stored.alarm.value, null));
  }
  return transitions;
}

function clearing(stored: StoredAlarm, value: number, says: string | null): AlarmTransition {
  const { alarm } = stored;
  const event: AlarmPayload = {
    ...alarm,
    state: 'cleared',
    value,
    message: `Cleared: ${says ?? `${alarm.subject.kind} ${alarm.subject.id} is no longer measured`} (was ${levelText(alarm.rule, alarm.severity, alarm.threshold)})`,
  };
  return { id: alarm.id, expected: stored.json, next: null, event };
}

/**
 * The company a stored or streamed alarm belongs to for scoping: its subject's when that is a
 * company, else none — only roles that see every company see it (docs/interface/access.md).
 */
export function alarmCompany(alarm: Pick<AlarmPayload, 'subject'>): string | null {
  return alarm.subject.kind === 'company' ? alarm.subject.id : null;
}

/** The alarms a scope narrowed to `company` (all when null) may see, critical first. */
export function alarmsInScope(
  alarms: Iterable<AlarmPayload>,
  company: string | null,
): AlarmPayload[] {
  const seen: AlarmPayload[] = [];
  for (const alarm of alarms)
    if (company === null || alarmCompany(alarm) === company) seen.push(alarm);
  return seen.sort(compareAlarms);
}
