import { describe, expect, it } from 'vitest';
import { SettingError } from '@live-calls/protocol';
import { parseConfig } from './config.js';

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
