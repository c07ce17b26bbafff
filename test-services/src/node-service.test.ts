import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceStartError } from './errors.js';
import type { ManagedService } from './managed-service.js';
import { startNodeService } from './node-service.js';
import { waitForPort } from './wait-for-port.js';

const ENTRY = fileURLToPath(new URL('../fixtures/http-service.mjs', import.meta.url));

interface Answer {
  pid: number;
  greeting: string | null;
  cwd: string;
}

async function ask(service: ManagedService, timeoutMs = 2_000): Promise<Answer> {
  const response = await fetch(`${service.url}/`, { signal: AbortSignal.timeout(timeoutMs) });
  return (await response.json()) as Answer;
}

function start(env: Record<string, string>, startTimeoutMs?: number): Promise<ManagedService> {
  return startNodeService({
    name: 'http-service',
    entry: ENTRY,
    env: (port) => ({ PATH: process.env['PATH'], PORT: String(port), ...env }),
    readyPath: '/readyz',
    cwd: tmpdir(),
    ...(startTimeoutMs === undefined ? {} : { startTimeoutMs }),
  });
}

describe('startNodeService', () => {
  let service: ManagedService;

  beforeAll(async () => {
    service = await start({ GREETING: 'hello' });
  });

  afterAll(async () => {
    await service.close();
  });

  it('runs the entry with its own environment and cwd on a private port', async () => {
    expect(service.url).toBe(`http://127.0.0.1:${service.port}`);
    expect(await ask(service)).toEqual({ pid: service.pid, greeting: 'hello', cwd: tmpdir() });
  });

  it('restarts on the same port as a new process', async () => {
    const { port, pid } = service;
    await service.restart();
    expect(service.port).toBe(port);
    expect(service.pid).not.toBe(pid);
    expect((await ask(service)).pid).toBe(service.pid);
  });

  it('pause() holds every request until resume()', async () => {
    await service.pause();
    await expect(ask(service, 300)).rejects.toThrow();
    await service.resume();
    expect((await ask(service)).greeting).toBe('hello');
  });

  it('stop() ends even a paused process at once', async () => {
    await service.pause();
    const started = Date.now();
    await service.stop();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(service.running).toBe(false);
    await expect(waitForPort(service.port, 200)).rejects.toThrow(/to accept a connection/);
    await service.start();
    expect((await ask(service)).pid).toBe(service.pid);
  });
});

describe('startNodeService failures', () => {
  it('an entry that exits fails the start with the end of its log, leaving nothing behind', async () => {
    const failure = await start({ EXIT_AT_ONCE: 'no database configured' }).then(
      () => new Error('the start succeeded'),
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ServiceStartError);
    const { message, logFile } = failure as ServiceStartError;
    expect(message).toMatch(/http-service exited \(code 3, .*\) before serving/);
    expect(message).toContain('http-service: no database configured');
    expect(existsSync(dirname(logFile))).toBe(false);
  });

  it('a service that never reports ready fails after startTimeoutMs', async () => {
    const failure = await start({ READY: 'never' }, 500).then(
      () => new Error('the start succeeded'),
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ServiceStartError);
    expect((failure as ServiceStartError).message).toMatch(
      /^timed out after 500 ms waiting for http-service to serve http:\/\/127\.0\.0\.1:\d+/,
    );
  });
});
