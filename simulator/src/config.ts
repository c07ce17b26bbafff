// The simulator's settings: defaults for a pleasant demo, and one table of ranges that both
// the environment parser and the check of a config built in code go through, with
// protocol's settings readers, so either way a bad value is a SettingError naming the
// variable on one line.
import {
  SettingError,
  decimalSetting,
  integerSetting,
  shownValue,
  sourceSetting,
} from '@live-calls/protocol';
import type { Env } from '@live-calls/protocol';

export interface SimulatorConfig {
  /** SOURCE_ID, e.g. 'sim-1'. */
  source: string;
  /** SIM_SEED: same seed and same advance() times give identical records. */
  seed: number;
  /** SIM_CPS: mean call attempts per second (Poisson arrivals), 0 < cps <= 200. */
  cps: number;
  /** SIM_MAX_ACTIVE: cap on concurrent calls (up to 5000); arrivals beyond it are skipped. */
  maxActive: number;
  /** SIM_COMPANIES: how many tenants; a share of calls also has company_id null. */
  companies: number;
  /** SIM_TRUNKS: how many carriers/gateways. */
  trunks: number;
}

export const DEFAULT_SIMULATOR_CONFIG: Readonly<SimulatorConfig> = Object.freeze({
  source: 'sim-1',
  seed: 1,
  cps: 5,
  maxActive: 2000,
  companies: 8,
  trunks: 4,
});

type NumericField = Exclude<keyof SimulatorConfig, 'source'>;

/** Each numeric field: its variable and its range (an integer range, or a decimal above `above`). */
const RANGES: Readonly<
  Record<
    NumericField,
    | { variable: string; kind: 'integer'; min: number; max: number }
    | { variable: string; kind: 'decimal'; above: number; max: number }
  >
> = {
  seed: { variable: 'SIM_SEED', kind: 'integer', min: 0, max: Number.MAX_SAFE_INTEGER },
  cps: { variable: 'SIM_CPS', kind: 'decimal', above: 0, max: 200 },
  maxActive: { variable: 'SIM_MAX_ACTIVE', kind: 'integer', min: 1, max: 5000 },
  companies: { variable: 'SIM_COMPANIES', kind: 'integer', min: 0, max: 1000 },
  trunks: { variable: 'SIM_TRUNKS', kind: 'integer', min: 1, max: 100 },
};

function readNumber(env: Env, field: NumericField, fallback: number): number {
  const range = RANGES[field];
  return range.kind === 'integer'
    ? integerSetting(env, range.variable, fallback, range.min, range.max)
    : decimalSetting(env, range.variable, fallback, range.above, range.max);
}

/**
 * Reads SOURCE_ID, SIM_SEED, SIM_CPS, SIM_MAX_ACTIVE, SIM_COMPANIES and SIM_TRUNKS; unset
 * or blank variables take the demo defaults. Throws SettingError on a bad value.
 */
export function parseSimulatorConfig(env: Env): SimulatorConfig {
  const d = DEFAULT_SIMULATOR_CONFIG;
  return Object.freeze({
    source: sourceSetting(env, 'SOURCE_ID', d.source),
    seed: readNumber(env, 'seed', d.seed),
    cps: readNumber(env, 'cps', d.cps),
    maxActive: readNumber(env, 'maxActive', d.maxActive),
    companies: readNumber(env, 'companies', d.companies),
    trunks: readNumber(env, 'trunks', d.trunks),
  });
}

/**
 * A number as the text the readers take. String() turns to exponent form below 1e-6,
 * which the readers refuse (plain decimals only) although such a cps is in range.
 */
function asText(value: number): string {
  return value !== 0 && Math.abs(value) < 1e-6 ? value.toFixed(100) : String(value);
}

/**
 * Runs a value set in code through its variable's reader. The reader throws on a value out
 * of range; the value must also come back unchanged (a reader trims, takes blank for
 * unset and reads digits from a string, none of which a config built in code may rely on).
 */
function check(
  variable: string,
  field: keyof SimulatorConfig,
  value: unknown,
  read: (env: Env) => unknown,
): void {
  const text = typeof value === 'number' ? asText(value) : String(value);
  if (
    typeof value !== typeof DEFAULT_SIMULATOR_CONFIG[field] ||
    read({ [variable]: text }) !== value
  ) {
    throw new SettingError(
      variable,
      `(config field ${field}) is not valid, got ${shownValue(value)}`,
    );
  }
}

/**
 * Checks a config built in code (the CallSimulator constructor calls it) against the same
 * ranges as the environment, so what the environment accepts, this accepts. Throws
 * SettingError naming the variable.
 */
export function validateSimulatorConfig(config: SimulatorConfig): SimulatorConfig {
  check('SOURCE_ID', 'source', config.source, (env) => sourceSetting(env, 'SOURCE_ID', ''));
  for (const field of Object.keys(RANGES) as NumericField[]) {
    const { variable } = RANGES[field];
    check(variable, field, config[field], (env) => readNumber(env, field, Number.NaN));
  }
  return Object.freeze({ ...config });
}
