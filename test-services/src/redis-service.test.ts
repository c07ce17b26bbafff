import { createServer, type Server } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ServiceStartError } from './errors.js';
import { startRedis, type RedisService } from './redis-service.js';

describe('startRedis', () => {
  let redis: RedisService;

  beforeAll(async () => {
    redis = await startRedis();
  });

  afterAll(async () => {
    await redis.close();
  });

  function client(): Redis {
    // Retry quickly and forever: the tests restart the server under the client.
    const connection = new Redis(redis.url, { retryStrategy: () => 50 });
    onTestFinished(() => connection.disconnect());
    return connection;
  }

  it('serves sorted sets on a private port', async () => {
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(redis.running).toBe(true);
    const redisClient = client();
    await redisClient.zadd('calls:by-start', 30, 'c', 10, 'a', 20, 'b');
    expect(await redisClient.zrange('calls:by-start', 0, '-1')).toEqual(['a', 'b', 'c']);
  });

  it('flush() empties every database', async () => {
    const redisClient = client();
    await redisClient.set('k', 'v');
    await redisClient.select(1);
    await redisClient.set('k', 'v');
    await redis.flush();
    expect(await redisClient.dbsize()).toBe(0);
    await redisClient.select(0);
    expect(await redisClient.dbsize()).toBe(0);
  });

  it('restarts on the same port, and ioredis reconnects', async () => {
    const redisClient = client();
    let readies = 0;
    redisClient.on('ready', () => readies++);
    await redisClient.set('before-restart', '1');
    const { port, pid } = redis;

    await redis.restart();

    expect(redis.port).toBe(port);
    expect(redis.pid).not.toBe(pid);
    // No persistence: the restart empties the server, but the same client keeps working.
    expect(await redisClient.get('before-restart')).toBeNull();
    await redisClient.set('after-restart', '2');
    expect(await redisClient.get('after-restart')).toBe('2');
    expect(readies).toBeGreaterThanOrEqual(2);
  });

  it('kill() crashes the server, and start() brings it back on the same port', async () => {
    const redisClient = client();
    await redisClient.ping();
    const { port } = redis;

    await redis.kill();
    expect(redis.running).toBe(false);
    expect(redis.pid).toBeUndefined();

    await redis.start();
    expect(redis.running).toBe(true);
    expect(redis.port).toBe(port);
    expect(await redisClient.ping()).toBe('PONG');
  });

  it('stop() and start() are no-ops when already in that state', async () => {
    await redis.stop();
    await redis.stop();
    expect(redis.running).toBe(false);
    await redis.start();
    const pid = redis.pid;
    await redis.start();
    expect(redis.pid).toBe(pid);
  });

  it('start() fails with the end of the server log when the port is taken', async () => {
    await redis.stop();
    const squatter = await listen(redis.port);
    try {
      const failure = await redis.start().then(
        () => new Error('start() succeeded on a taken port'),
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(ServiceStartError);
      expect((failure as Error).message).toMatch(/exited .* before serving/);
      expect((failure as Error).message).toMatch(/Address already in use/i);
      expect(redis.running).toBe(false);
    } finally {
      await close(squatter);
    }
    await redis.start();
    expect(redis.running).toBe(true);
  });
});

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) =>
    server.close((error) => (error ? reject(error) : resolve())),
  );
}
