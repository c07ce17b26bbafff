import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SettingError } from '@live-calls/protocol';
import { DEFAULT_ALARM_RULES } from './alarms/alarm-rules.js';
import { parseConfig } from './config.js';

const alarmsDir = mkdtempSync(join(tmpdir(), 'alarms-config-'));
/** An ALARMS_FILE holding `text`. */
function alarmsFile(name: string, text: string): string {
  const path = join(alarmsDir, name);
  writeFileSync(path, text);
  return path;
}

describe('parseConfig', () => {
  it('defaults to embedded mode on port 8080', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      port: 8080,
      mode: { kind: 'embedded' },
      historyEvents: 100_000,
      heartbeatMs: 15_000,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('runs the embedded demo with demo users and a random secret, and nowhere else', () => {
    expect(parseConfig({}).auth).toMatchObject({ demo: true, usersFile: null });
    expect(parseConfig({ JWT_SECRET: 'x'.repeat(32) }).auth.demo).toBe(false);
    expect(
      parseConfig({ CORS_ORIGINS: 'https://a.example, https://b.example:8443' }).corsOrigins,
    ).toEqual(['https://a.example', 'https://b.example:8443']);
  });

  it('takes Redis and NATS together', () => {
    const config = parseConfig({
      REDIS_URL: 'redis://127.0.0.1:6379',
      NATS_URL: 'nats://127.0.0.1:4222',
      JWT_SECRET: 'x'.repeat(32),
    });
    expect(config.mode).toEqual({
      kind: 'distributed',
      redis: { kind: 'url', url: 'redis://127.0.0.1:6379' },
      nats: { servers: ['nats://127.0.0.1:4222'] },
    });
  });

  it('takes Redis through Sentinel and NATS credentials', () => {
    const config = parseConfig({
      REDIS_SENTINELS: '10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379',
      REDIS_MASTER_NAME: 'lc-master',
      REDIS_PASSWORD: 'data-secret',
      REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
      NATS_URL: 'nats://lc:pw@10.0.0.1:4222,nats://lc:pw@10.0.0.2:4222',
      JWT_SECRET: 'x'.repeat(32),
    });
    expect(config.mode).toEqual({
      kind: 'distributed',
      redis: {
        kind: 'sentinel',
        sentinels: [
          { host: '10.0.0.1', port: 26379 },
          { host: '10.0.0.2', port: 26379 },
          { host: '10.0.0.3', port: 26379 },
        ],
        masterName: 'lc-master',
        password: 'data-secret',
        sentinelPassword: 'sentinel-secret',
      },
      nats: {
        servers: ['nats://10.0.0.1:4222', 'nats://10.0.0.2:4222'],
        user: 'lc',
        pass: 'pw',
      },
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ HISTORY_EVENTS: '5' }, 'HISTORY_EVENTS'],
    [{ HEARTBEAT_MS: '1.5' }, 'HEARTBEAT_MS'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ REDIS_URL: 'redis://x:1' }, 'NATS_URL'],
    [{ NATS_URL: 'nats://x:1' }, 'REDIS_URL'],
    [{ REDIS_URL: 'http://x', NATS_URL: 'nats://x:1' }, 'REDIS_URL'],
    [
      { REDIS_URL: 'redis://x:1', REDIS_SENTINELS: 'a:1', NATS_URL: 'nats://x:1' },
      'REDIS_SENTINELS',
    ],
    [{ REDIS_SENTINELS: 'a:1', NATS_URL: 'nats://x:1' }, 'REDIS_MASTER_NAME'],
    [{ REDIS_MASTER_NAME: 'm', NATS_URL: 'nats://x:1' }, 'REDIS_MASTER_NAME'],
    [{ REDIS_URL: 'redis://x:1', REDIS_PASSWORD: 'p', NATS_URL: 'nats://x:1' }, 'REDIS_PASSWORD'],
    [{ REDIS_SENTINELS: 'a', REDIS_MASTER_NAME: 'm', NATS_URL: 'nats://x:1' }, 'REDIS_SENTINELS'],
    [
      { REDIS_URL: 'redis://x:1', NATS_URL: 'nats://x:1', NATS_CREDS: '/nonexistent.creds' },
      'NATS_CREDS',
    ],
    [{ EMBEDDED_SIMULATOR: 'maybe' }, 'EMBEDDED_SIMULATOR'],
    [{ REDIS_URL: 'redis://x:1', NATS_URL: 'nats://x:1' }, 'JWT_SECRET'],
    [{ JWT_SECRET: 'too-short' }, 'JWT_SECRET'],
    [{ JWT_SECRET: 'x'.repeat(32), JWT_PUBLIC_KEY: 'y' }, 'JWT_PUBLIC_KEY'],
    [
      { JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----' },
      'JWT_PUBLIC_KEY',
    ],
    [{ USERS_FILE: '/tmp/users.json' }, 'JWT_SECRET'],
    [{ SESSION_TTL_S: '5' }, 'SESSION_TTL_S'],
    [{ CORS_ORIGINS: '*' }, 'CORS_ORIGINS'],
    [{ CORS_ORIGINS: 'https://noc.example.com/path' }, 'CORS_ORIGINS'],
    [{ ALARMS_FILE: '/nonexistent/alarms.json' }, 'ALARMS_FILE'],
    [{ ALARMS_FILE: alarmsFile('broken.json', '{"rules": [') }, 'ALARMS_FILE'],
    [
      { ALARMS_FILE: alarmsFile('bad-level.json', '{"rules":[{"rule":"asr_15m","critical":-1}]}') },
      'ALARMS_FILE',
    ],
    [{ ALARMS_INTERVAL_MS: '10' }, 'ALARMS_INTERVAL_MS'],
  ])('rejects %o naming %s in one line', (env, setting) => {
    let error: unknown;
    try {
      parseConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SettingError);
    expect((error as SettingError).setting).toBe(setting);
    expect((error as Error).message).toMatch(new RegExp(`^${setting} `));
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('ALARMS_FILE', () => {
  it('takes the kit’s example ALARMS_FILE (infra/alarms/alarms.example.json) as it is', () => {
    const path = fileURLToPath(new URL('../../infra/alarms/alarms.example.json', import.meta.url));
    const { alarms } = parseConfig({ ALARMS_FILE: path });
    expect(alarms.trunks.get('carrier-a')).toEqual({ capacity: 120 });
    expect(alarms.trunks.get('carrier-b')).toEqual({ capacity: 60 });
    expect(alarms.long_call).toEqual({ warning: 7200, critical: 14400 });
  });

  it('runs the default rules without it, and the file over the defaults with it', () => {
    expect(parseConfig({}).alarms).toBe(DEFAULT_ALARM_RULES);
    expect(parseConfig({}).alarmsIntervalMs).toBe(5_000);
    const path = alarmsFile(
      'ok.json',
      JSON.stringify({
        trunks: { 'carrier-a': { capacity: 120 } },
        rules: [
          { rule: 'long_call', warning: 60, critical: 120 },
          { rule: 'asr_15m', off: true },
        ],
      }),
    );
    const { alarms } = parseConfig({ ALARMS_FILE: path, ALARMS_INTERVAL_MS: '1000' });
    expect(alarms.trunks.get('carrier-a')).toEqual({ capacity: 120 });
    expect(alarms.long_call).toEqual({ warning: 60, critical: 120 });
    expect(alarms.asr_15m).toBeNull();
    expect(alarms.company_cps_1m).toEqual(DEFAULT_ALARM_RULES.company_cps_1m);
  });

  it('names the file and the bad field in its one line', () => {
    const path = alarmsFile('bad-capacity.json', '{"trunks":{"carrier-a":{"capacity":"many"}}}');
    expect(() => parseConfig({ ALARMS_FILE: path })).toThrow(
      /^ALARMS_FILE trunks\.carrier-a\.capacity must be an integer from 1 to \d+, got "many"$/,
    );
    expect(() => parseConfig({ ALARMS_FILE: '/nonexistent/alarms.json' })).toThrow(
      "ALARMS_FILE cannot read '/nonexistent/alarms.json'",
    );
  });
});
