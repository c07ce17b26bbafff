import { describe, expect, it } from 'vitest';
import { SettingError } from '@live-calls/protocol';
import { parseConfig } from './config.js';

const BASE = { SOURCE_ID: 'pbx-1' };

describe('parseConfig', () => {
  it('applies the documented defaults', () => {
    const config = parseConfig(BASE);
    expect(config).toMatchObject({
      natsUrl: 'nats://127.0.0.1:4222',
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
    expect(parseConfig({ ...BASE, NATS_URL: urls }).natsUrl).toBe(urls);
  });

  it('builds the simulator config for PBX=simulator', () => {
    const config = parseConfig({ ...BASE, PBX: 'simulator', SIM_CPS: '20' });
    expect(config.simulator).toMatchObject({ source: 'pbx-1', cps: 20 });
  });

  it.each([
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
