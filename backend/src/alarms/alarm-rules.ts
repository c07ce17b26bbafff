// The alarm rules (docs/interface/alarms.md): the default set, and ALARMS_FILE read into it.
// Pure: the caller reads the file; a bad one throws SettingError naming ALARMS_FILE and the
// field, so the process stops with one line like for every other setting.
import { ALARM_RULES, MAX_FIELD_CHARS, SettingError, type AlarmRule } from '@live-calls/protocol';

/** A rule with two levels. `above`: alarms when the value reaches a level; else below it. */
export interface LevelRule {
  warning: number;
  critical: number;
}

export interface AsrRule extends LevelRule {
  /**
   * Concluded attempts (answered, or ended unanswered) in the 15 min window below which a
   * scope's ASR is not judged (and clears). Calls still in setup or ringing do not count.
   */
  min_attempts: number;
}

/** The rules in force; a rule that is off is null. */
export interface AlarmRules {
  /** Trunks with a configured capacity (concurrent calls): only these get trunk_utilisation. */
  trunks: ReadonlyMap<string, { capacity: number }>;
  /** Share of the capacity in use (0.8 = 80 %). */
  trunk_utilisation: LevelRule | null;
  /** Percent answered of the concluded attempts over 15 min, per trunk and over all calls. */
  asr_15m: AsrRule | null;
  /** Call attempts per second over 1 min, per company. */
  company_cps_1m: LevelRule | null;
  /** A source that was up and went stale (no sync for 3 intervals): always critical. */
  source_stale: boolean;
  /** Seconds since answered_at of a call still up. */
  long_call: LevelRule | null;
}

/** Which way each level rule alarms: `asr_15m` below its levels, the others at or above. */
export const ALARM_DIRECTION: Record<Exclude<AlarmRule, 'source_stale'>, 'above' | 'below'> = {
  trunk_utilisation: 'above',
  asr_15m: 'below',
  company_cps_1m: 'above',
  long_call: 'above',
};

export const DEFAULT_ALARM_RULES: AlarmRules = Object.freeze({
  trunks: new Map(),
  trunk_utilisation: { warning: 0.8, critical: 0.95 },
  asr_15m: { warning: 40, critical: 25, min_attempts: 50 },
  company_cps_1m: { warning: 5, critical: 10 },
  source_stale: true,
  long_call: { warning: 7200, critical: 14400 },
});

/** The highest capacity and per-rule level the file may set: far beyond any real trunk. */
const MAX_CAPACITY = 1_000_000;
const SETTING = 'ALARMS_FILE';

interface LevelLimits {
  min: number;
  /** The lowest level is excluded (a level of 0 would alarm on nothing). */
  minExclusive: boolean;
  max: number;
  integer: boolean;
}

const LEVEL_LIMITS: Record<Exclude<AlarmRule, 'source_stale'>, LevelLimits> = {
  trunk_utilisation: { min: 0, minExclusive: true, max: 10, integer: false },
  asr_15m: { min: 0, minExclusive: false, max: 100, integer: false },
  company_cps_1m: { min: 0, minExclusive: true, max: 100_000, integer: false },
  long_call: { min: 1, minExclusive: false, max: 30 * 86_400, integer: true },
};

function fail(field: string, detail: string): never {
  throw new SettingError(SETTING, field === '' ? detail : `${field} ${detail}`);
}

/** A JSON value as an error shows it: on one line, bounded. */
function shown(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(value: Record<string, unknown>, allowed: readonly string[], field: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      fail(`${field}.${key}`, `is not a known field (expected ${allowed.join(', ')})`);
  }
}

function level(value: unknown, field: string, limits: LevelLimits): number {
  const low = limits.minExclusive ? `above ${limits.min}` : `from ${limits.min}`;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (limits.integer && !Number.isInteger(value)) ||
    value < limits.min ||
    (limits.minExclusive && value === limits.min) ||
    value > limits.max
  )
    fail(
      field,
      `must be ${limits.integer ? 'an integer' : 'a number'} ${low} to ${limits.max}, got ${shown(value)}`,
    );
  return value;
}

function readTrunks(value: unknown): Map<string, { capacity: number }> {
  if (value === undefined) return new Map();
  if (!isObject(value)) fail('trunks', 'must be an object of trunk name → { "capacity": n }');
  const trunks = new Map<string, { capacity: number }>();
  for (const [name, entry] of Object.entries(value)) {
    const field = `trunks.${name}`;
    if (name.length === 0 || name.length > MAX_FIELD_CHARS)
      fail('trunks', `has a trunk name of ${name.length} chars (1 to ${MAX_FIELD_CHARS})`);
    if (!isObject(entry)) fail(field, 'must be an object like { "capacity": 120 }');
    onlyKeys(entry, ['capacity'], field);
    const capacity = entry.capacity;
    if (
      typeof capacity !== 'number' ||
      !Number.isInteger(capacity) ||
      capacity < 1 ||
      capacity > MAX_CAPACITY
    )
      fail(
        `${field}.capacity`,
        `must be an integer from 1 to ${MAX_CAPACITY}, got ${shown(capacity)}`,
      );
    trunks.set(name, { capacity });
  }
  return trunks;
}

/** One entry of `rules` applied over the rules so far (a copy of the defaults). */
function readRule(
  entry: unknown,
  index: number,
  rules: { -readonly [K in keyof AlarmRules]: AlarmRules[K] },
  seen: Set<string>,
): void {
  const at = `rules[${index}]`;
  if (!isObject(entry)) fail(at, 'must be an object like { "rule": "asr_15m", … }');
  const rule = entry.rule;
  if (typeof rule !== 'string' || !(ALARM_RULES as readonly string[]).includes(rule))
    fail(`${at}.rule`, `must be one of ${ALARM_RULES.join(', ')}, got ${shown(rule)}`);
  const name = rule as AlarmRule;
  if (seen.has(name)) fail(`${at}.rule`, `'${name}' is listed twice`);
  seen.add(name);
  const off = entry.off;
  if (off !== undefined && typeof off !== 'boolean') fail(`${at}.off`, 'must be true or false');

  if (name === 'source_stale') {
    onlyKeys(entry, ['rule', 'off'], at);
    rules.source_stale = off !== true;
    return;
  }
  const keys = ['rule', 'off', 'warning', 'critical'];
  onlyKeys(entry, name === 'asr_15m' ? [...keys, 'min_attempts'] : keys, at);
  if (off === true) {
    rules[name] = null;
    return;
  }
  const base = DEFAULT_ALARM_RULES[name]!;
  const limits = LEVEL_LIMITS[name];
  const warning =
    entry.warning === undefined ? base.warning : level(entry.warning, `${at}.warning`, limits);
  const critical =
    entry.critical === undefined ? base.critical : level(entry.critical, `${at}.critical`, limits);
  if (ALARM_DIRECTION[name] === 'above' ? warning > critical : warning < critical)
    fail(
      at,
      ALARM_DIRECTION[name] === 'above'
        ? `warning (${warning}) must not be above critical (${critical})`
        : `warning (${warning}) must not be below critical (${critical}): ASR alarms when it falls`,
    );
  if (name === 'asr_15m') {
    const minAttempts =
      entry.min_attempts === undefined
        ? DEFAULT_ALARM_RULES.asr_15m!.min_attempts
        : level(entry.min_attempts, `${at}.min_attempts`, {
            min: 1,
            minExclusive: false,
            max: MAX_CAPACITY,
            integer: true,
          });
    rules.asr_15m = { warning, critical, min_attempts: minAttempts };
  } else rules[name] = { warning, critical };
}

/**
 * ALARMS_FILE's text (JSON) read into rules; rules it does not list keep their defaults.
 * Throws SettingError('ALARMS_FILE', '<field> …') on the first bad field.
 */
export function parseAlarmsFile(text: string): AlarmRules {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    fail('', `is not valid JSON: ${(err as Error).message.split('\n')[0] ?? ''}`);
  }
  if (!isObject(json)) fail('', 'must hold a JSON object with "trunks" and/or "rules"');
  onlyKeys(json, ['trunks', 'rules'], '(top level)');
  const rules = { ...DEFAULT_ALARM_RULES, trunks: readTrunks(json.trunks) };
  if (json.rules !== undefined) {
    if (!Array.isArray(json.rules)) fail('rules', 'must be an array');
    const seen = new Set<string>();
    json.rules.forEach((entry, i) => readRule(entry, i, rules, seen));
  }
  return Object.freeze(rules);
}
