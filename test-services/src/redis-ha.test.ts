import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startRedisHa, type RedisHa } from './redis-ha.js';
import type { RedisService } from './redis-service.js';

/** Disconnects after the test; its expected refusals and failovers are not logged. */
function owned(client: Redis): Redis {
  // Without a listener ioredis prints every connection error as "Unhandled error event".
  client.on('error', () => undefined);
  onTestFinished(() => client.disconnect());
  return client;
}

function direct(node: RedisService | string, options: RedisOptions = {}): Redis {
  const url = typeof node === 'string' ? node : node.url;
  // No retries: a refused or dead server fails the command at once.
  return owned(new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null, ...options }));
}

/** A client that finds the master through the Sentinels, as the backend does. */
function viaSentinels(ha: RedisHa): Redis {
  return owned(
    new Redis({
      sentinels: ha.sentinels.map((address) => {
        const [host, port] = address.split(':');
        return { host: host ?? '', port: Number(port) };
      }),
      name: ha.masterName,
      ...(ha.password === undefined ? {} : { password: ha.password }),
      ...(ha.sentinelPassword === undefined ? {} : { sentinelPassword: ha.sentinelPassword }),
    }),
  );
}

function namedMaster(ha: RedisHa, sentinelIndex: number): Promise<unknown> {
  const sentinel = direct(ha.sentinelUrls[sentinelIndex] ?? '', {
    ...(ha.sentinelPassword === undefined ? {} : { password: ha.sentinelPassword }),
  });
  return sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', ha.masterName);
}

describe('startRedisHa', () => {
  let ha: RedisHa;

  beforeAll(async () => {
    ha = await startRedisHa();
  });

  afterAll(async () => {
    await ha.close();
  });

  it('runs a master, its replica and three Sentinels that agree on the master', async () => {
    expect(ha.masterName).toBe('lc-master');
    expect(ha.sentinels).toHaveLength(3);
    expect(ha.sentinelList).toBe(ha.sentinels.join(','));
    expect(ha.sentinelUrls).toEqual(ha.sentinels.map((address) => `redis://${address}`));
    const master = ha.master();
    for (const index of [0, 1, 2]) {
      expect(await namedMaster(ha, index)).toEqual(['127.0.0.1', String(master.port)]);
    }
    const writer = direct(master);
    await writer.set('replicated', 'yes');
    expect(await writer.wait(1, 2_000)).toBe(1);
    expect(await direct(ha.replica()).get('replicated')).toBe('yes');
  });

  it('failover() kills the master, and Sentinel promotes the replica', async () => {
    const oldMaster = ha.master();
    const oldReplica = ha.replica();
    const client = viaSentinels(ha);
    await client.set('before-failover', '1');
    expect(await client.wait(1, 2_000)).toBe(1);

    const report = await ha.failover();

    console.info(
      `failover(): promoted in ${report.promotedMs} ms, all Sentinels agree in ${report.agreedMs} ms`,
    );
    expect(report.oldMaster).toBe(oldMaster);
    expect(report.newMaster).toBe(oldReplica);
    expect(ha.master()).toBe(oldReplica);
    expect(ha.replica()).toBe(oldMaster);
    expect(oldMaster.running).toBe(false);
    expect(report.agreedMs).toBeGreaterThanOrEqual(report.promotedMs);
    for (const index of [0, 1, 2]) {
      expect(await namedMaster(ha, index)).toEqual(['127.0.0.1', String(oldReplica.port)]);
    }
    expect(await direct(oldReplica).role()).toEqual(expect.arrayContaining(['master']));
    // The same Sentinel client follows the master and writes on.
    expect(await client.get('before-failover')).toBe('1');
    await client.set('after-failover', '2');
    expect(await direct(oldReplica).get('after-failover')).toBe('2');
  });

  it('restartOldMasterAsReplica() brings the killed master back as a replica in sync', async () => {
    const oldMaster = ha.replica();
    await ha.restartOldMasterAsReplica();

    expect(oldMaster.running).toBe(true);
    const role = await direct(oldMaster).role();
    expect(role.slice(0, 4)).toEqual(['slave', '127.0.0.1', ha.master().port, 'connected']);
    expect(await direct(oldMaster).get('after-failover')).toBe('2');
  });

  it('loseWritesOnFailover() loses the writes acknowledged during the stall', async () => {
    const master = ha.master();
    const writer = direct(master);
    await writer.set('kept', 'before the stall');
    expect(await writer.wait(1, 2_000)).toBe(1);

    const report = await ha.loseWritesOnFailover(async () => {
      for (let n = 0; n < 50; n++) expect(await writer.set(`lost:${n}`, 'acknowledged')).toBe('OK');
      expect(await writer.get('lost:49')).toBe('acknowledged');
    });

    console.info(
      `loseWritesOnFailover(): promoted in ${report.promotedMs} ms, all Sentinels agree in ${report.agreedMs} ms`,
    );
    expect(report.oldMaster).toBe(master);
    expect(ha.master()).toBe(report.newMaster);
    const promoted = direct(report.newMaster);
    expect(await promoted.get('kept')).toBe('before the stall');
    expect(await promoted.keys('lost:*')).toEqual([]);
  });

  it('failover() without a running replica says what to do', async () => {
    expect(ha.replica().running).toBe(false);
    await expect(ha.failover()).rejects.toThrow(
      /needs a running replica.*restartOldMasterAsReplica/,
    );
  });

  it('failover() without a majority of Sentinels says so', async () => {
    const [first, second] = ha.sentinelNodes;
    await Promise.all([first?.kill(), second?.kill()]);
    await expect(ha.failover()).rejects.toThrow(
      /needs at least 2 of the 3 Sentinels running, a majority; running: 1/,
    );
  });
});

// A space and a quote: the passwords must survive redis-server's argv and sentinel.conf.
const DATA_PASSWORD = 'data "secret" one';
const SENTINEL_PASSWORD = 'sentinel secret\\two';

describe('startRedisHa({ password, sentinelPassword })', () => {
  let ha: RedisHa;

  beforeAll(async () => {
    ha = await startRedisHa({
      masterName: 'walls',
      password: DATA_PASSWORD,
      sentinelPassword: SENTINEL_PASSWORD,
    });
  });

  afterAll(async () => {
    await ha.close();
  });

  it('refuses unauthenticated commands on master, replica and Sentinels', async () => {
    await expect(direct(ha.master()).ping()).rejects.toThrow(/NOAUTH/);
    await expect(direct(ha.replica()).ping()).rejects.toThrow(/NOAUTH/);
    const sentinel = direct(ha.sentinelUrls[0] ?? '');
    await expect(sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'walls')).rejects.toThrow(
      /NOAUTH/,
    );
    await expect(direct(ha.master(), { password: 'wrong' }).ping()).rejects.toThrow(/WRONGPASS/);
  });

  it('serves clients with the passwords, through the Sentinels too', async () => {
    expect(await direct(ha.master(), { password: DATA_PASSWORD }).ping()).toBe('PONG');
    expect(await namedMaster(ha, 1)).toEqual(['127.0.0.1', String(ha.master().port)]);
    const client = viaSentinels(ha);
    await client.set('through-sentinel', 'ok');
    expect(await direct(ha.master(), { password: DATA_PASSWORD }).get('through-sentinel')).toBe(
      'ok',
    );
  });

  it('pauseMaster() longer than down-after fails over, and the old master comes back as a replica', async () => {
    const master = ha.master();
    const started = Date.now();
    const { failedOver } = await ha.pauseMaster(5_000);
    console.info(
      `pauseMaster(5000): failed over, settled ${Date.now() - started} ms after the SIGSTOP`,
    );

    expect(failedOver).toBe(true);
    expect(ha.replica()).toBe(master);
    expect(master.running).toBe(true);
    const role = await direct(master, { password: DATA_PASSWORD }).role();
    expect(role.slice(0, 4)).toEqual(['slave', '127.0.0.1', ha.master().port, 'connected']);
  });
});
