import { describe, expect, it } from 'vitest';
import {
  choiceSetting,
  decimalSetting,
  hostPortListSetting,
  hostPortSetting,
  integerSetting,
  SettingError,
  sourceSetting,
  textSetting,
  urlSetting,
} from './settings.js';

function errorOf(fn: () => unknown): SettingError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SettingError) return err;
    throw err;
  }
  throw new Error('expected a SettingError');
}

describe('settings', () => {
  it('takes the default when unset or blank', () => {
    expect(integerSetting({}, 'PORT', 8080, 0, 65535)).toBe(8080);
    expect(integerSetting({ PORT: '  ' }, 'PORT', 8080, 0, 65535)).toBe(8080);
    expect(textSetting({ HOST: ' ' }, 'HOST')).toBeUndefined();
    expect(choiceSetting({}, 'PBX', ['kamailio', 'simulator'], 'kamailio')).toBe('kamailio');
  });

  it('reads good values', () => {
    expect(integerSetting({ PORT: ' 9000 ' }, 'PORT', 8080, 0, 65535)).toBe(9000);
    expect(decimalSetting({ SIM_CPS: '2.5' }, 'SIM_CPS', 5, 0, 200)).toBe(2.5);
    expect(hostPortSetting({ E: '[::1]:8448' }, 'E', '127.0.0.1:8448')).toEqual({
      host: '::1',
      port: 8448,
    });
    expect(urlSetting({ N: 'nats://a:4222,nats://b:4222' }, 'N', ['nats:'])).toBe(
      'nats://a:4222,nats://b:4222',
    );
    expect(sourceSetting({}, 'SOURCE_ID', 'sim-1')).toBe('sim-1');
    expect(hostPortListSetting({ S: 'a:26379, [::1]:26380' }, 'S')).toEqual([
      { host: 'a', port: 26379 },
      { host: '::1', port: 26380 },
    ]);
    expect(hostPortListSetting({}, 'S')).toBeUndefined();
  });

  it.each([
    ['integer with a sign', () => integerSetting({ P: '-1' }, 'P', 1, 0, 9)],
    ['integer in hex', () => integerSetting({ P: '0x10' }, 'P', 1, 0, 99)],
    ['integer above the range', () => integerSetting({ P: '10' }, 'P', 1, 0, 9)],
    ['decimal at the exclusive bound', () => decimalSetting({ P: '0' }, 'P', 1, 0, 9)],
    ['decimal with an exponent', () => decimalSetting({ P: '1e3' }, 'P', 1, 0, 9999)],
    ['unknown word', () => choiceSetting({ P: 'asterisk' }, 'P', ['kamailio'], 'kamailio')],
    ['not a URL', () => urlSetting({ P: 'not a url' }, 'P', ['nats:'])],
    ['URL of another protocol', () => urlSetting({ P: 'nats://a,http://b' }, 'P', ['nats:'])],
    ['host without port', () => hostPortSetting({ P: 'localhost' }, 'P', 'x:1')],
    ['list with a bad entry', () => hostPortListSetting({ P: 'a:1,b' }, 'P')],
    ['source with a space', () => sourceSetting({ P: 'pbx 1' }, 'P', 'sim')],
  ])('refuses %s with one line naming the variable', (_what, read) => {
    const err = errorOf(read);
    expect(err.setting).toBe('P');
    expect(err.message).toMatch(/^P /);
    expect(err.message).not.toContain('\n');
  });

  it('never shows the credentials of a URL it refuses', () => {
    const err = errorOf(() => urlSetting({ N: 'http://lc:s3c@ret@a:4222' }, 'N', ['nats:']));
    expect(err.message).not.toContain('s3c');
    expect(err.message).not.toContain('ret');
    expect(err.message).toContain("'http://…@a:4222'");
  });

  it('bounds and quotes the value it shows', () => {
    const err = errorOf(() => integerSetting({ P: `1\n${'x'.repeat(500)}` }, 'P', 1, 0, 9));
    expect(err.message.length).toBeLessThan(160);
    expect(err.message).toContain("'1\\n");
  });
});
