// The simulator's settings: defaults for a pleasant demo, and one parser that turns the
// environment into a frozen, validated config or stops with one line naming the variable.
import { SOURCE_PATTERN } from '@live-calls/protocol';

export interface SimulatorConfig {
  /** SOURCE_ID, e.g. 'sim-1'. */
  source: string;
  /** Same seed and same advance() times give identical records. */
  seed: number;
  /** Mean call attempts per second (Poisson arrivals), 0 < cps <= 200. */
  cps: number;
  /** Cap on concurrent calls (up to 5000); arrivals beyond it are skipped. */
  maxActive: number;
  /** How many tenants; a share of calls also has company_id null. */
  companies: number;
  /** How many carriers/gateways. */
  trunks: number;
}

export const MAX_CPS = 200;
export const MAX_ACTIVE_LIMIT = 5000;
export const MAX_COMPANIES = 1000;
export const MAX_TRUNKS = 100;

export const DEFAULT_SIMULATOR_CONFIG: Readonly<SimulatorConfig> = Object.freeze({
  source: 'sim-1',
  seed: 1,
  cps: 5,
  maxActive: 2000,
  companies: 8,
  trunks: 4,
});

/** A bad simulator setting; `variable` names the environment variable or config field. */
export class SimulatorConfigError extends Error {
  override readonly name = 'SimulatorConfigError';

  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}

/** Shows a raw value in an error message: quoted, on one line, bounded. */
function shown(raw: unknown): string {
  const text = typeof raw === 'string' ? raw : String(raw);
  const oneLine = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text).slice(1, -1);
  return `'${oneLine}'`;
}

interface Check {
  name: string;
  ok: (value: number) => boolean;
  expected: string;
}

const CHECKS = {
  seed: {
    name: 'SIM_SEED',
    ok: (v) => Number.isSafeInteger(v) && v >= 0,
    expected: `an integer in [0, ${Number.MAX_SAFE_INTEGER}]`,
  },
  cps: {
    name: 'SIM_CPS',
    ok: (v) => Number.isFinite(v) && v > 0 && v <= MAX_CPS,
    expected: `a number in (0, ${MAX_CPS}]`,
  },
  maxActive: {
    name: 'SIM_MAX_ACTIVE',
    ok: (v) => Number.isSafeInteger(v) && v >= 1 && v <= MAX_ACTIVE_LIMIT,
    expected: `an integer in [1, ${MAX_ACTIVE_LIMIT}]`,
  },
  companies: {
    name: 'SIM_COMPANIES',
    ok: (v) => Number.isSafeInteger(v) && v >= 0 && v <= MAX_COMPANIES,
    expected: `an integer in [0, ${MAX_COMPANIES}]`,
  },
  trunks: {
    name: 'SIM_TRUNKS',
    ok: (v) => Number.isSafeInteger(v) && v >= 1 && v <= MAX_TRUNKS,
    expected: `an integer in [1, ${MAX_TRUNKS}]`,
  },
} satisfies Record<Exclude<keyof SimulatorConfig, 'source'>, Check>;

// Plain decimals only: Number() would also take '', '0x10', '1e3' and ' 5 '.
const DECIMAL = /^[0-9]+(\.[0-9]+)?$/;

function fromEnv(env: Record<string, string | undefined>, check: Check, fallback: number): number {
  const raw = env[check.name];
  if (raw === undefined || raw === '') return fallback;
  const value = DECIMAL.test(raw) ? Number(raw) : Number.NaN;
  if (!check.ok(value)) {
    throw new SimulatorConfigError(
      check.name,
      `${check.name} must be ${check.expected}, got ${shown(raw)}`,
    );
  }
  return value;
}

function sourceFromEnv(env: Record<string, string | undefined>): string {
  const raw = env.SOURCE_ID;
  if (raw === undefined || raw === '') return DEFAULT_SIMULATOR_CONFIG.source;
  if (!SOURCE_PATTERN.test(raw)) {
    throw new SimulatorConfigError(
      'SOURCE_ID',
      `SOURCE_ID must match [A-Za-z0-9_.-]{1,64}, got ${shown(raw)}`,
    );
  }
  return raw;
}

/**
 * Reads SOURCE_ID, SIM_SEED, SIM_CPS, SIM_MAX_ACTIVE, SIM_COMPANIES and SIM_TRUNKS; unset
 * or empty variables take the demo defaults. Throws SimulatorConfigError on a bad value.
 */
export function parseSimulatorConfig(env: Record<string, string | undefined>): SimulatorConfig {
  const d = DEFAULT_SIMULATOR_CONFIG;
  return Object.freeze({
    source: sourceFromEnv(env),
    seed: fromEnv(env, CHECKS.seed, d.seed),
    cps: fromEnv(env, CHECKS.cps, d.cps),
    maxActive: fromEnv(env, CHECKS.maxActive, d.maxActive),
    companies: fromEnv(env, CHECKS.companies, d.companies),
    trunks: fromEnv(env, CHECKS.trunks, d.trunks),
  });
}

/**
 * Checks a config built in code (the CallSimulator constructor calls it). Messages name
 * the field and its environment variable.
 */
export function validateSimulatorConfig(config: SimulatorConfig): SimulatorConfig {
  if (typeof config.source !== 'string' || !SOURCE_PATTERN.test(config.source)) {
    throw new SimulatorConfigError(
      'source',
      `source (SOURCE_ID) must match [A-Za-z0-9_.-]{1,64}, got ${shown(config.source)}`,
    );
  }
  for (const [field, check] of Object.entries(CHECKS) as [keyof typeof CHECKS, Check][]) {
    const value = config[field];
    if (typeof value !== 'number' || !check.ok(value)) {
      throw new SimulatorConfigError(
        field,
        `${field} (${check.name}) must be ${check.expected}, got ${shown(value)}`,
      );
    }
  }
  return Object.freeze({ ...config });
}
