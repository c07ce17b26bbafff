import { describe, expect, it } from 'vitest';
import { natsSettings } from './nats-settings.js';
import { SettingError } from './settings.js';

function refusal(env: Record<string, string>): string {
  try {
    natsSettings(env);
  } catch (err) {
    if (err instanceof SettingError) return err.setting;
    throw err;
  }
  throw new Error('expected a SettingError');
}

describe('natsSettings', () => {
  it('takes a cluster as a list and credentials out of the URLs', () => {
    expect(
      natsSettings({ NATS_URL: 'nats://lc:8f3a@127.0.0.1:4222, nats://lc:8f3a@127.0.0.1:4223' }),
    ).toEqual({
      servers: ['nats://127.0.0.1:4222', 'nats://127.0.0.1:4223'],
      user: 'lc',
      pass: '8f3a',
    });
    expect(natsSettings({ NATS_URL: 'nats://s3cr%40t@10.0.0.1:4222' })).toEqual({
      servers: ['nats://10.0.0.1:4222'],
      token: 's3cr@t',
    });
    expect(natsSettings({}, 'nats://127.0.0.1:4222')).toEqual({
      servers: ['nats://127.0.0.1:4222'],
    });
    expect(natsSettings({})).toBeUndefined();
  });

  it('reads a token, a creds file and a CA from their own settings', () => {
    expect(natsSettings({ NATS_URL: 'nats://a:4222', NATS_TOKEN: 't0k' })).toMatchObject({
      token: 't0k',
    });
    expect(
      natsSettings({
        NATS_URL: 'tls://a:4222,tls://b:4222',
        NATS_CREDS: '/etc/live-calls/bridge.creds',
        NATS_CA: '/etc/live-calls/ca.pem',
      }),
    ).toEqual({
      servers: ['tls://a:4222', 'tls://b:4222'],
      credsFile: '/etc/live-calls/bridge.creds',
      caFile: '/etc/live-calls/ca.pem',
    });
  });

  it.each([
    [{ NATS_URL: 'nats://u:p@a:4222,nats://u:q@b:4222' }, 'NATS_URL'],
    [{ NATS_URL: 'nats://u:p@a:4222', NATS_TOKEN: 't' }, 'NATS_TOKEN'],
    [{ NATS_URL: 'nats://a:4222', NATS_TOKEN: 't', NATS_CREDS: '/x' }, 'NATS_CREDS'],
    [{ NATS_URL: 'nats://a:4222', NATS_CA: '/ca.pem' }, 'NATS_CA'],
    [{ NATS_TOKEN: 't' }, 'NATS_TOKEN'],
    [{ NATS_URL: 'http://a:4222' }, 'NATS_URL'],
  ])('refuses %o naming %s', (env, setting) => {
    expect(refusal(env)).toBe(setting);
  });
});
