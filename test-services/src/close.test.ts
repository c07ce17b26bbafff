import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
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
  await expect(waitForPort(service.port, 200)).rejects.toThrow(/did not accept/);
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
