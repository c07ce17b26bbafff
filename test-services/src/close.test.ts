import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeAll } from './close-all.js';
import type { ManagedService } from './managed-service.js';
import { startNats } from './nats-service.js';
import { startRedis } from './redis-service.js';
import { waitForPort } from './wait-for-port.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function expectCloseToCleanUp(service: ManagedService, dir: string): Promise<void> {
  const pid = service.pid;
  if (pid === undefined) throw new Error('service started without a pid');
  expect(isAlive(pid)).toBe(true);
  expect(existsSync(dir)).toBe(true);

  await service.close();

  expect(service.running).toBe(false);
  expect(isAlive(pid)).toBe(false);
  expect(existsSync(dir)).toBe(false);
  await expect(waitForPort(service.port, 200)).rejects.toThrow(/to accept a connection/);
  await expect(service.close()).resolves.toBeUndefined();
  await expect(service.start()).rejects.toThrow(/closed/);
}

describe('close()', () => {
  it('stops redis-server and removes its temp dir', async () => {
    const redis = await startRedis();
    await expectCloseToCleanUp(redis, dirname(redis.logFile));
  });

  it('stops nats-server and removes its store dir', async () => {
    const nats = await startNats();
    await expectCloseToCleanUp(nats, nats.storeDir);
  });

  it('also cleans up a stopped server', async () => {
    const redis = await startRedis();
    const dir = dirname(redis.logFile);
    await redis.stop();
    await redis.close();
    expect(existsSync(dir)).toBe(false);
  });
});

describe('closeAll()', () => {
  it('closes every service, skipping entries a failed setup never filled', async () => {
    const [redis, nats] = await Promise.all([startRedis(), startNats()]);
    await closeAll([redis, undefined, nats, null]);
    expect(redis.running).toBe(false);
    expect(nats.running).toBe(false);
  });

  it('still closes the rest when one fails, then reports the failure', async () => {
    const redis = await startRedis();
    const stuck = { close: () => Promise.reject(new Error('stuck')) };
    const failure = await closeAll([redis, stuck]).catch((error: unknown) => error);
    expect(redis.running).toBe(false);
    expect(failure).toBeInstanceOf(AggregateError);
    expect((failure as AggregateError).errors).toEqual([new Error('stuck')]);
  });
});
