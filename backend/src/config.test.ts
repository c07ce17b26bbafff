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
      redisUrl: 'redis://127.0.0.1:6379',
      natsUrl: 'nats://127.0.0.1:4222',
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
