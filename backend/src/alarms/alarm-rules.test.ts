import { SettingError } from '@live-calls/protocol';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ALARM_RULES, parseAlarmsFile } from './alarm-rules.js';

const parse = (value: unknown) => parseAlarmsFile(JSON.stringify(value));

function refusal(text: string): string {
  try {
    parseAlarmsFile(text);
  } catch (err) {
    expect(err).toBeInstanceOf(SettingError);
    expect((err as SettingError).setting).toBe('ALARMS_FILE');
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error(`accepted ${text}`);
}

describe('parseAlarmsFile', () => {
  it('reads the documented example', () => {
    const rules = parse({
      trunks: { 'carrier-a': { capacity: 120 } },
      rules: [
        { rule: 'trunk_utilisation', warning: 0.8, critical: 0.95 },
        { rule: 'asr_15m', warning: 40, critical: 25, min_attempts: 50 },
        { rule: 'company_cps_1m', warning: 5, critical: 10 },
        { rule: 'source_stale' },
        { rule: 'long_call', warning: 7200, critical: 14400 },
      ],
    });
    expect(rules.trunks).toEqual(new Map([['carrier-a', { capacity: 120 }]]));
    expect(rules).toMatchObject({
      trunk_utilisation: { warning: 0.8, critical: 0.95 },
      asr_15m: { warning: 40, critical: 25, min_attempts: 50 },
      company_cps_1m: { warning: 5, critical: 10 },
      source_stale: true,
      long_call: { warning: 7200, critical: 14400 },
    });
    expect(Object.isFrozen(rules)).toBe(true);
  });

  it('keeps the defaults of rules not listed and of levels not given; off disables one', () => {
    expect(parse({})).toEqual(DEFAULT_ALARM_RULES);
    const rules = parse({
      rules: [
        { rule: 'long_call', critical: 20000 },
        { rule: 'source_stale', off: true },
        { rule: 'company_cps_1m', off: true },
        { rule: 'asr_15m', min_attempts: 5 },
      ],
    });
    expect(rules.long_call).toEqual({ warning: 7200, critical: 20000 });
    expect(rules.source_stale).toBe(false);
    expect(rules.company_cps_1m).toBeNull();
    expect(rules.asr_15m).toEqual({ ...DEFAULT_ALARM_RULES.asr_15m, min_attempts: 5 });
    expect(rules.trunk_utilisation).toEqual(DEFAULT_ALARM_RULES.trunk_utilisation);
  });

  it('refuses a bad file with one line naming ALARMS_FILE and the field', () => {
    expect(refusal('{ nope')).toMatch(/^ALARMS_FILE is not valid JSON/);
    expect(refusal('[]')).toMatch(/^ALARMS_FILE must hold a JSON object/);
    expect(refusal('{"rule":[]}')).toMatch(/^ALARMS_FILE \(top level\)\.rule is not a known field/);
    expect(refusal('{"trunks":{"a":{"capacity":0}}}')).toMatch(
      /^ALARMS_FILE trunks\.a\.capacity must be an integer from 1/,
    );
    expect(refusal('{"trunks":{"a":{"capacity":1.5}}}')).toMatch(/trunks\.a\.capacity/);
    expect(refusal('{"trunks":{"a":{"cap":3}}}')).toMatch(/trunks\.a\.cap is not a known field/);
    expect(refusal('{"trunks":[]}')).toMatch(/^ALARMS_FILE trunks must be an object/);
    expect(refusal('{"rules":{}}')).toMatch(/^ALARMS_FILE rules must be an array/);
    expect(refusal('{"rules":[{"rule":"cpu"}]}')).toMatch(
      /^ALARMS_FILE rules\[0\]\.rule must be one of/,
    );
    expect(refusal('{"rules":[{"rule":"long_call"},{"rule":"long_call"}]}')).toMatch(
      /rules\[1\]\.rule 'long_call' is listed twice/,
    );
    expect(refusal('{"rules":[{"rule":"asr_15m","warning":"40"}]}')).toMatch(
      /rules\[0\]\.warning must be a number from 0 to 100, got "40"/,
    );
    expect(refusal('{"rules":[{"rule":"asr_15m","warning":140}]}')).toMatch(/rules\[0\]\.warning/);
    expect(refusal('{"rules":[{"rule":"asr_15m","warning":20,"critical":30}]}')).toMatch(
      /rules\[0\] warning \(20\) must not be below critical \(30\)/,
    );
    expect(
      refusal('{"rules":[{"rule":"trunk_utilisation","warning":0.9,"critical":0.5}]}'),
    ).toMatch(/rules\[0\] warning \(0\.9\) must not be above critical \(0\.5\)/);
    expect(refusal('{"rules":[{"rule":"trunk_utilisation","critical":0}]}')).toMatch(
      /rules\[0\]\.critical must be a number above 0/,
    );
    expect(refusal('{"rules":[{"rule":"long_call","warning":1.5}]}')).toMatch(
      /rules\[0\]\.warning must be an integer from 1/,
    );
    expect(refusal('{"rules":[{"rule":"source_stale","warning":3}]}')).toMatch(
      /rules\[0\]\.warning is not a known field/,
    );
    expect(refusal('{"rules":[{"rule":"company_cps_1m","min_attempts":3}]}')).toMatch(
      /rules\[0\]\.min_attempts is not a known field/,
    );
    expect(refusal('{"rules":[{"rule":"asr_15m","off":"yes"}]}')).toMatch(
      /rules\[0\]\.off must be true or false/,
    );
    expect(refusal('{"rules":[{"rule":"asr_15m","min_attempts":0}]}')).toMatch(
      /min_attempts must be an integer from 1/,
    );
  });
});
