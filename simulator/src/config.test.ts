import { SettingError } from '@live-calls/protocol';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SIMULATOR_CONFIG,
  parseSimulatorConfig,
  validateSimulatorConfig,
} from './config.js';

function errorOf(fn: () => unknown): SettingError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SettingError) return err;
    throw err;
  }
  throw new Error('expected a SettingError');
}

describe('parseSimulatorConfig', () => {
  it('gives the demo defaults for an empty environment', () => {
    expect(parseSimulatorConfig({})).toEqual(DEFAULT_SIMULATOR_CONFIG);
    expect(DEFAULT_SIMULATOR_CONFIG).toMatchObject({
      cps: 5,
      maxActive: 2000,
      companies: 8,
      trunks: 4,
    });
  });

  it('reads every variable', () => {
    const config = parseSimulatorConfig({
      SOURCE_ID: 'pbx-2.lab',
      SIM_SEED: '123456789012',
      SIM_CPS: '12.5',
      SIM_MAX_ACTIVE: '5000',
      SIM_COMPANIES: '0',
      SIM_TRUNKS: '1',
    });
    expect(config).toEqual({
      source: 'pbx-2.lab',
      seed: 123456789012,
      cps: 12.5,
      maxActive: 5000,
      companies: 0,
      trunks: 1,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('treats an empty or blank value as unset, and trims like every setting', () => {
    expect(parseSimulatorConfig({ SIM_CPS: '' }).cps).toBe(DEFAULT_SIMULATOR_CONFIG.cps);
    expect(parseSimulatorConfig({ SIM_CPS: '  ' }).cps).toBe(DEFAULT_SIMULATOR_CONFIG.cps);
    expect(parseSimulatorConfig({ SIM_CPS: ' 7 ' }).cps).toBe(7);
  });

  it.each([
    ['SIM_CPS', 'abc', "SIM_CPS must be a number above 0 and at most 200, got 'abc'"],
    ['SIM_CPS', '0', "SIM_CPS must be a number above 0 and at most 200, got '0'"],
    ['SIM_CPS', '200.5', "SIM_CPS must be a number above 0 and at most 200, got '200.5'"],
    ['SIM_CPS', '0x10', "SIM_CPS must be a number above 0 and at most 200, got '0x10'"],
    ['SIM_CPS', '1e2', "SIM_CPS must be a number above 0 and at most 200, got '1e2'"],
    ['SIM_SEED', '-1', "SIM_SEED must be an integer from 0 to 9007199254740991, got '-1'"],
    ['SIM_SEED', '1.5', "SIM_SEED must be an integer from 0 to 9007199254740991, got '1.5'"],
    ['SIM_MAX_ACTIVE', '5001', "SIM_MAX_ACTIVE must be an integer from 1 to 5000, got '5001'"],
    ['SIM_MAX_ACTIVE', '0', "SIM_MAX_ACTIVE must be an integer from 1 to 5000, got '0'"],
    ['SIM_COMPANIES', 'eight', "SIM_COMPANIES must be an integer from 0 to 1000, got 'eight'"],
    ['SIM_TRUNKS', '0', "SIM_TRUNKS must be an integer from 1 to 100, got '0'"],
    ['SOURCE_ID', 'a b', "SOURCE_ID must match [A-Za-z0-9_.-]{1,64}, got 'a b'"],
  ])('rejects %s=%j with one line naming it', (name, value, message) => {
    const err = errorOf(() => parseSimulatorConfig({ [name]: value }));
    expect(err.message).toBe(message);
    expect(err.setting).toBe(name);
    expect(err.name).toBe('SettingError');
  });

  it('keeps a hostile value to one bounded line', () => {
    const err = errorOf(() => parseSimulatorConfig({ SIM_CPS: `1\n${'x'.repeat(500)}` }));
    expect(err.message).not.toContain('\n');
    expect(err.message.length).toBeLessThan(120);
    expect(err.message).toMatch(/^SIM_CPS /);
  });
});

describe('validateSimulatorConfig', () => {
  it('takes what the environment takes, down to a tiny cps', () => {
    expect(validateSimulatorConfig(DEFAULT_SIMULATOR_CONFIG)).toEqual(DEFAULT_SIMULATOR_CONFIG);
    const env = parseSimulatorConfig({ SIM_CPS: '0.0000001', SIM_SEED: '9007199254740991' });
    expect(validateSimulatorConfig(env)).toEqual(env);
  });

  it.each([
    [{ cps: 0 }, 'SIM_CPS', "SIM_CPS must be a number above 0 and at most 200, got '0'"],
    [{ cps: Number.NaN }, 'SIM_CPS', "SIM_CPS must be a number above 0 and at most 200, got 'NaN'"],
    [{ seed: -1 }, 'SIM_SEED', "SIM_SEED must be an integer from 0 to 9007199254740991, got '-1'"],
    [{ trunks: 1.5 }, 'SIM_TRUNKS', "SIM_TRUNKS must be an integer from 1 to 100, got '1.5'"],
    [{ source: '' }, 'SOURCE_ID', "SOURCE_ID must match [A-Za-z0-9_.-]{1,64}, got ''"],
    [
      { source: ' sim-1' },
      'SOURCE_ID',
      "SOURCE_ID (config field source) is not valid, got ' sim-1'",
    ],
    [{ cps: '5' }, 'SIM_CPS', "SIM_CPS (config field cps) is not valid, got '5'"],
  ])('rejects %j naming its variable', (override, setting, message) => {
    const config = { ...DEFAULT_SIMULATOR_CONFIG, ...override } as typeof DEFAULT_SIMULATOR_CONFIG;
    const err = errorOf(() => validateSimulatorConfig(config));
    expect(err.setting).toBe(setting);
    expect(err.message).toBe(message);
  });
});
