import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SettingError } from '@live-calls/protocol';
import { parseConfig } from './config.js';

const BASE = { SOURCE_ID: 'pbx-1' };
const dir = mkdtempSync(join(tmpdir(), 'bridge-config-'));
const credsFile = join(dir, 'bridge.creds');
writeFileSync(credsFile, 'not checked here, only that it can be read');
const unreadable = join(dir, 'secret.creds');
writeFileSync(unreadable, 'x');
chmodSync(unreadable, 0o000);
const asRoot = process.getuid?.() === 0; // root reads any file

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseConfig', () => {
  it('applies the documented defaults', () => {
    const config = parseConfig(BASE);
    expect(config).toMatchObject({
      nats: { servers: ['nats://127.0.0.1:4222'] },
      natsBufferBytes: 8 * 1024 * 1024,
      state: { replicas: 1, bufferMax: 100_000, loadTimeoutMs: 10_000 },
      sourceId: 'pbx-1',
      pbx: 'kamailio',
      kamailioEvapi: { host: '127.0.0.1', port: 8448 },
      kamailioRpcUrl: 'http://127.0.0.1:5071/RPC',
      syncIntervalMs: 30_000,
      healthHost: '127.0.0.1',
      healthPort: 9465,
      simulator: null,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.cdr)).toBe(true);
  });

  it('reads every variable', () => {
    const config = parseConfig({
      ...BASE,
      NATS_URL: 'nats://nats.internal:4222',
      KAMAILIO_EVAPI: '[::1]:9000',
      KAMAILIO_RPC_URL: 'https://pbx:5071/RPC',
      SYNC_INTERVAL_MS: '5000',
      HEALTH_PORT: '0',
      CDR_BUFFER_MAX: '10',
      CDR_MAX_AGE_MS: '0',
      LOG_LEVEL: 'debug',
    });
    expect(config.kamailioEvapi).toEqual({ host: '::1', port: 9000 });
    expect(config.syncIntervalMs).toBe(5000);
    expect(config.cdr.bufferMax).toBe(10);
    expect(config.cdr.maxAgeMs).toBe(0);
  });

  it('takes the servers of one NATS cluster as a comma-separated list', () => {
    const urls = 'nats://n1.internal:4222, nats://n2.internal:4222';
    expect(parseConfig({ ...BASE, NATS_URL: urls }).nats.servers).toEqual([
      'nats://n1.internal:4222',
      'nats://n2.internal:4222',
    ]);
  });

  it('takes NATS credentials out of the URL, or from NATS_TOKEN and NATS_CREDS', () => {
    const fromUrl = parseConfig({
      ...BASE,
      NATS_URL: 'nats://lc:8f3a@n1:4222,nats://lc:8f3a@n2:4222',
    });
    expect(fromUrl.nats).toEqual({
      servers: ['nats://n1:4222', 'nats://n2:4222'],
      user: 'lc',
      pass: '8f3a',
    });
    expect(parseConfig({ ...BASE, NATS_TOKEN: 's3cret' }).nats.token).toBe('s3cret');
    expect(parseConfig({ ...BASE, NATS_CREDS: credsFile }).nats.credsFile).toBe(credsFile);
    const tls = parseConfig({ ...BASE, NATS_URL: 'tls://n1:4222', NATS_CA: credsFile });
    expect(tls.nats).toEqual({ servers: ['tls://n1:4222'], caFile: credsFile });
  });

  it('reads the state bucket and publish buffer settings', () => {
    const config = parseConfig({
      ...BASE,
      STATE_REPLICAS: '3',
      STATE_BUFFER_MAX: '50',
      STATE_LOAD_TIMEOUT_MS: '0',
      NATS_BUFFER_BYTES: '0',
    });
    expect(config.state).toEqual({ replicas: 3, bufferMax: 50, loadTimeoutMs: 0 });
    expect(config.natsBufferBytes).toBe(0);
    expect(Object.isFrozen(config.state)).toBe(true);
    expect(Object.isFrozen(config.nats)).toBe(true);
  });

  it('builds the simulator config for PBX=simulator', () => {
    const config = parseConfig({ ...BASE, PBX: 'simulator', SIM_CPS: '20' });
    expect(config.simulator).toMatchObject({ source: 'pbx-1', cps: 20 });
  });

  it.each<[Record<string, string>, string]>([
    [{ PBX: 'asterisk' }, 'PBX'],
    [{ SOURCE_ID: 'bad id!' }, 'SOURCE_ID'],
    [{ NATS_URL: 'http://x' }, 'NATS_URL'],
    [{ NATS_URL: 'not a url' }, 'NATS_URL'],
    [{ KAMAILIO_EVAPI: 'localhost' }, 'KAMAILIO_EVAPI'],
    [{ KAMAILIO_EVAPI: 'h:70000' }, 'KAMAILIO_EVAPI'],
    [{ KAMAILIO_RPC_URL: 'ftp://x/RPC' }, 'KAMAILIO_RPC_URL'],
    [{ SYNC_INTERVAL_MS: '10' }, 'SYNC_INTERVAL_MS'],
    [{ SYNC_INTERVAL_MS: '1e4' }, 'SYNC_INTERVAL_MS'],
    [{ HEALTH_PORT: '-1' }, 'HEALTH_PORT'],
    [{ CDR_BUFFER_MAX: '0' }, 'CDR_BUFFER_MAX'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ PBX: 'simulator', SIM_CPS: 'fast' }, 'SIM_CPS'],
    [{ NATS_CREDS: join(dir, 'missing.creds') }, 'NATS_CREDS'],
    [{ NATS_CREDS: dir }, 'NATS_CREDS'],
    ...(asRoot
      ? []
      : [[{ NATS_CREDS: unreadable }, 'NATS_CREDS'] as [Record<string, string>, string]]),
    [{ NATS_URL: 'tls://n1:4222', NATS_CA: join(dir, 'missing.pem') }, 'NATS_CA'],
    [{ NATS_CA: credsFile }, 'NATS_CA'],
    [{ NATS_URL: 'nats://u:p@n1:4222', NATS_TOKEN: 't' }, 'NATS_TOKEN'],
    [{ STATE_REPLICAS: '0' }, 'STATE_REPLICAS'],
    [{ STATE_REPLICAS: '6' }, 'STATE_REPLICAS'],
    [{ STATE_BUFFER_MAX: '0' }, 'STATE_BUFFER_MAX'],
    [{ NATS_BUFFER_BYTES: '-1' }, 'NATS_BUFFER_BYTES'],
  ])('rejects %j with one line naming %s', (env, variable) => {
    let error: unknown;
    try {
      parseConfig({ ...BASE, ...env });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SettingError);
    const { message, setting } = error as SettingError;
    expect(setting).toBe(variable);
    expect(message.startsWith(`${variable} `)).toBe(true);
    expect(message).not.toContain('\n');
  });
});
