import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SIMULATOR_CONFIG,
  SimulatorConfigError,
  parseSimulatorConfig,
  validateSimulatorConfig,
} from './config.js';

function errorOf(fn: () => unknown): SimulatorConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SimulatorConfigError) return err;
    throw err;
  }
  throw new Error('expected a SimulatorConfigError');
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

  it('treats an empty value as unset', () => {
    expect(parseSimulatorConfig({ SIM_CPS: '' }).cps).toBe(DEFAULT_SIMULATOR_CONFIG.cps);
  });

  it.each([
    ['SIM_CPS', 'abc', "SIM_CPS must be a number in (0, 200], got 'abc'"],
    ['SIM_CPS', '0', "SIM_CPS must be a number in (0, 200], got '0'"],
    ['SIM_CPS', '200.5', "SIM_CPS must be a number in (0, 200], got '200.5'"],
    ['SIM_CPS', '0x10', "SIM_CPS must be a number in (0, 200], got '0x10'"],
    ['SIM_CPS', ' 5', "SIM_CPS must be a number in (0, 200], got ' 5'"],
    ['SIM_SEED', '-1', "SIM_SEED must be an integer in [0, 9007199254740991], got '-1'"],
    ['SIM_SEED', '1.5', "SIM_SEED must be an integer in [0, 9007199254740991], got '1.5'"],
    ['SIM_MAX_ACTIVE', '5001', "SIM_MAX_ACTIVE must be an integer in [1, 5000], got '5001'"],
    ['SIM_MAX_ACTIVE', '0', "SIM_MAX_ACTIVE must be an integer in [1, 5000], got '0'"],
    ['SIM_COMPANIES', 'eight', "SIM_COMPANIES must be an integer in [0, 1000], got 'eight'"],
    ['SIM_TRUNKS', '0', "SIM_TRUNKS must be an integer in [1, 100], got '0'"],
    ['SOURCE_ID', 'a b', "SOURCE_ID must match [A-Za-z0-9_.-]{1,64}, got 'a b'"],
  ])('rejects %s=%j with one line naming it', (name, value, message) => {
    const err = errorOf(() => parseSimulatorConfig({ [name]: value }));
    expect(err.message).toBe(message);
    expect(err.variable).toBe(name);
    expect(err.name).toBe('SimulatorConfigError');
  });

  it('keeps a hostile value to one bounded line', () => {
    const err = errorOf(() => parseSimulatorConfig({ SIM_CPS: `1\n${'x'.repeat(500)}` }));
    expect(err.message).not.toContain('\n');
    expect(err.message.length).toBeLessThan(120);
    expect(err.message).toMatch(/^SIM_CPS /);
  });
});

describe('validateSimulatorConfig', () => {
  it('names the field and its variable', () => {
    const err = errorOf(() => validateSimulatorConfig({ ...DEFAULT_SIMULATOR_CONFIG, cps: 0 }));
    expect(err.message).toBe("cps (SIM_CPS) must be a number in (0, 200], got '0'");
    expect(() => validateSimulatorConfig({ ...DEFAULT_SIMULATOR_CONFIG, source: '' })).toThrow(
      /^source \(SOURCE_ID\)/,
    );
  });
});
