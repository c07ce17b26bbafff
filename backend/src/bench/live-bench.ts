// `pnpm bench` for the backend pipeline (issue: live pipeline). The server under test runs
// alone on core 0 (`taskset -c 0`); this load generator, Redis and NATS run on core 1.
// Every number is printed next to the plain peer's, measured in the same run.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort, startNats, startRedis } from '@live-calls/test-services';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { callEventSubject, type CallRecord, type Phase } from '@live-calls/protocol';
import { TokenService } from '../auth/tokens.js';
import { LoadClients, percentile } from './load-clients.js';

const SERVER = fileURLToPath(new URL('../server.js', import.meta.url));
const PEER = fileURLToPath(new URL('./plain-peer.js', import.meta.url));
const quick = process.argv.includes('--quick');
const SECONDS = quick ? 4 : 10;
const TICKS = 1000 / 10;
const CLK_TCK = 100;
const JWT_SECRET = 'benchmark-secret-that-is-at-least-32-bytes';
const tokens = new TokenService({ kind: 'secret', secret: new TextEncoder().encode(JWT_SECRET) });
const bearer = async (role: 'noc' | 'user', company: string | null = null) => ({
  authorization: `Bearer ${(await tokens.sign({ sub: `bench-${role}`, role, company_id: company }, 3600)).token}`,
});

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) * 1024;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The load comes from one address with a few sessions: lift the per-user and per-IP caps. */
const ONE_HOST_MANY_STREAMS = { MAX_STREAMS_PER_USER: '1000000', MAX_STREAMS_PER_IP: '1000000' };

/** The backend's V8 settings, as `pnpm start` and the systemd unit run it (ADR-0016). */
const BACKEND_NODE_ARGS = ['--max-semi-space-size=8'];

function pinned(
  script: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): ChildProcess {
  // BENCH_NODE_ARGS: V8 flags NODE_OPTIONS refuses (--trace-gc, say), for the servers only.
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return spawn('taskset', ['-c', '0', process.execPath, ...nodeArgs, ...extra, script], {
    env: {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'warn',
      NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? '',
      JWT_SECRET,
      ...env,
    },
    // BENCH_CHILD_STDOUT=1 shows the servers' stdout (with BENCH_NODE_ARGS=--trace-gc, say).
    stdio: ['ignore', process.env.BENCH_CHILD_STDOUT === '1' ? 'inherit' : 'ignore', 'inherit'],
  });
}

/** Waits until `url` answers (with 2xx when `strict`). */
async function waitReady(url: string, strict = true): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(url).then(
      (r) => r.ok || !strict,
      () => false,
    );
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`${url} not ready`);
}

class Traffic {
  #calls: { record: CallRecord; phase: number }[] = [];
  #next = 0;
  published = 0;
  readonly #phases: Phase[] = ['setup', 'ringing', 'answered', 'ended'];

  constructor(
    private readonly nats: NatsConnection,
    private readonly prefix: string,
    size = 2_000,
  ) {
    for (let i = 0; i < size; i++) this.#calls.push(this.#newCall(i));
  }

  #newCall(i: number): { record: CallRecord; phase: number } {
    const callId = `${this.prefix}-${i}-${Math.random().toString(36).slice(2)}`;
    const now = Date.now();
    return {
      phase: 0,
      record: {
        v: 1,
        id: `bench:${callId}`,
        source: 'bench',
        call_id: callId,
        seq: 0,
        phase: 'setup',
        ts: now,
        company_id: `company-${i % 500}`,
        direction: 'inbound',
        from: { user: '+15550100' },
        to: { user: '+15550199' },
        trunk: `trunk-${i % 8}`,
        created_at: now,
        answered_at: null,
        ended_at: null,
      },
    };
  }

  /** Publishes `count` events, each call walking setup → ringing → answered → ended. */
  publish(count: number): void {
    for (let n = 0; n < count; n++) {
      const slot = this.#next++ % this.#calls.length;
      let call = this.#calls[slot]!;
      if (call.phase === this.#phases.length) call = this.#calls[slot] = this.#newCall(slot);
      const phase = this.#phases[call.phase++]!;
      const now = Date.now();
      const record: CallRecord = {
        ...call.record,
        seq: call.phase,
        phase,
        ts: now,
        from: { user: '+15550100', display: `bt:${performance.timeOrigin + performance.now()}` },
        sip: { from_tag: 'bench' },
      };
      if (phase === 'answered') record.answered_at = now;
      if (phase === 'ended') {
        record.ended_at = now;
        record.end = { reason: 'bye' };
      }
      this.nats.publish(callEventSubject(phase), JSON.stringify(record));
      this.published++;
    }
  }

  /** Publishes at `perSecond` for `seconds`, in 10 ms ticks. */
  async run(perSecond: number, seconds: number): Promise<void> {
    const perTick = perSecond / TICKS;
    const start = performance.now();
    let due = 0;
    for (let tick = 1; tick <= seconds * TICKS; tick++) {
      due += perTick;
      const count = Math.floor(due);
      due -= count;
      this.publish(count);
      const wait = start + tick * 10 - performance.now();
      if (wait > 0) await sleep(wait);
    }
    await this.nats.flush();
  }
}

interface FloorResult {
  p50: number;
  p99: number;
  deliveries: number;
  expected: number;
  lost: number;
  duplicated: number;
  cpuPerDeliveryUs: number;
  /** RSS the server grew by with these clients open and the traffic flowing, per client. */
  rssPerClient: number;
}

async function floor(
  name: string,
  url: string,
  pid: number,
  traffic: Traffic,
  clients: number,
  rate: number,
  seconds: number,
): Promise<FloorResult> {
  const rss0 = rssBytes(pid);
  const load = new LoadClients();
  await load.open(`${url}/api/v1/live/calls`, clients, 10, await bearer('noc'));
  await traffic.run(rate, 1);
  await sleep(300);
  load.reset();
  load.measuring = true;
  const before = traffic.published;
  const cpu0 = cpuSeconds(pid);
  await traffic.run(rate, seconds);
  await sleep(1_000);
  load.measuring = false;
  const cpu = cpuSeconds(pid) - cpu0;
  const rssPerClient = (rssBytes(pid) - rss0) / clients;
  load.close();
  const deliveries = load.stats.reduce((n, s) => n + s.events, 0);
  const result = {
    p50: percentile(load.latencies, 50),
    p99: percentile(load.latencies, 99),
    deliveries,
    expected: (traffic.published - before) * clients,
    lost: load.stats.reduce((n, s) => n + s.lost, 0),
    duplicated: load.stats.reduce((n, s) => n + s.duplicated, 0),
    cpuPerDeliveryUs: (cpu / Math.max(1, deliveries)) * 1e6,
    rssPerClient,
  };
  console.log(
    `  ${name.padEnd(8)} ${clients} clients × ${rate}/s: p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, ` +
      `${result.deliveries}/${result.expected} delivered, lost ${result.lost}, dup ${result.duplicated}, ` +
      `CPU ${result.cpuPerDeliveryUs.toFixed(2)} µs/delivery, RSS +${(rssPerClient / 1024).toFixed(0)} KB per client`,
  );
  await sleep(500);
  return result;
}

async function counter(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
}

async function appliedCount(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return [...text.matchAll(/^live_events_applied_total\{[^}]*\} (\d+)/gm)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
}

async function main(): Promise<void> {
  const [redis, nats] = await Promise.all([startRedis(), startNats({ jetstream: false })]);
  for (const pid of [redis.pid, nats.pid])
    if (pid !== undefined) spawn('taskset', ['-pc', '1', String(pid)], { stdio: 'ignore' });
  const children: ChildProcess[] = [];
  try {
    const backendPort = await freePort();
    const peerPort = await freePort();
    const backend = pinned(
      SERVER,
      {
        PORT: String(backendPort),
        REDIS_URL: redis.url,
        NATS_URL: nats.url,
        HEARTBEAT_MS: '15000',
        ...ONE_HOST_MANY_STREAMS,
      },
      BACKEND_NODE_ARGS,
    );
    children.push(backend);
    const peer = pinned(PEER, { PORT: String(peerPort), NATS_URL: nats.url });
    children.push(peer);
    const backendUrl = `http://127.0.0.1:${backendPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    await waitReady(`${backendUrl}/readyz`);
    await waitReady(peerUrl, false);
    const publisher = await connect({ servers: nats.url });
    const traffic = new Traffic(publisher, 'floor');

    console.log(
      `live-calls backend benchmark (${SECONDS} s per run; backend and peer on core 0, load on core 1)`,
    );
    // Warm both servers up (JIT, buffers, the store's working set) with the same load, so the
    // RSS a floor run adds is the clients' and not the process's first minute.
    for (const url of [backendUrl, peerUrl]) {
      const warm = new LoadClients();
      await warm.open(`${url}/api/v1/live/calls`, 200, 1_000_000, await bearer('noc'));
      await traffic.run(1_000, 3);
      warm.close();
    }
    await sleep(1_000);
    console.log('NOC floor: 200 all-scope clients, 1,000 events/s');
    // Both servers receive every event; each is measured while its own clients are open.
    const writes0 = await counter(backendUrl, 'live_fanout_writes_total');
    const ours = await floor('backend', backendUrl, backend.pid!, traffic, 200, 1_000, SECONDS);
    const writes = (await counter(backendUrl, 'live_fanout_writes_total')) - writes0;
    console.log(
      `           ${(ours.deliveries / Math.max(1, writes)).toFixed(1)} events per socket write (coalescing)`,
    );
    const theirs = await floor('peer', peerUrl, peer.pid!, traffic, 200, 1_000, SECONDS);
    console.log(
      `  ratio backend/peer: CPU per delivery ${(ours.cpuPerDeliveryUs / theirs.cpuPerDeliveryUs).toFixed(2)}×, ` +
        `p99 ${(ours.p99 / theirs.p99).toFixed(2)}× (targets: p99 ≤ 50 ms, CPU ≤ 1.5×, 0 lost, 0 dup)`,
    );

    console.log('Saturation: highest delivery rate with p99 ≤ 100 ms (200 clients)');
    let best = 0;
    for (const rate of quick ? [1_000, 2_000] : [1_000, 2_000, 3_000, 4_000, 6_000]) {
      const r = await floor(
        'backend',
        backendUrl,
        backend.pid!,
        traffic,
        200,
        rate,
        Math.min(SECONDS, 5),
      );
      if (r.p99 > 100 || r.lost > 0) break;
      best = rate * 200;
    }
    console.log(`  → ${best.toLocaleString('en')} deliveries/s`);

    console.log(
      'Customer portal: 5,000 user streams over 500 companies + 50 noc streams, 1,000 events/s',
    );
    const portal = { users: 0, noc: 0 };
    {
      const users = new LoadClients();
      const nocs = new LoadClients();
      const perCompany = quick ? 2 : 10;
      for (let c = 0; c < 500; c++) {
        await users.open(
          `${backendUrl}/api/v1/live/calls`,
          perCompany,
          1,
          await bearer('user', `company-${c}`),
          false,
        );
      }
      await nocs.open(`${backendUrl}/api/v1/live/calls`, 50, 5, await bearer('noc'));
      await traffic.run(1_000, 1);
      await sleep(500);
      users.reset();
      nocs.reset();
      users.measuring = nocs.measuring = true;
      const cpu0 = cpuSeconds(backend.pid!);
      await traffic.run(1_000, SECONDS);
      await sleep(1_000);
      users.measuring = nocs.measuring = false;
      const cpu = cpuSeconds(backend.pid!) - cpu0;
      const userDeliveries = users.stats.reduce((n, x) => n + x.events, 0);
      const nocDeliveries = nocs.stats.reduce((n, x) => n + x.events, 0);
      const perDelivery = (cpu / Math.max(1, userDeliveries + nocDeliveries)) * 1e6;
      portal.users = percentile(users.latencies, 99);
      portal.noc = percentile(nocs.latencies, 99);
      console.log(
        `  users: ${users.stats.length} streams, p50 ${percentile(users.latencies, 50).toFixed(1)} ms, p99 ${percentile(users.latencies, 99).toFixed(1)} ms, ` +
          `${userDeliveries} delivered, dup ${users.stats.reduce((n, x) => n + x.duplicated, 0)}`,
      );
      console.log(
        `  noc:   50 streams, p50 ${percentile(nocs.latencies, 50).toFixed(1)} ms, p99 ${percentile(nocs.latencies, 99).toFixed(1)} ms, ` +
          `${nocDeliveries} delivered, lost ${nocs.stats.reduce((n, x) => n + x.lost, 0)}, dup ${nocs.stats.reduce((n, x) => n + x.duplicated, 0)}`,
      );
      console.log(
        `  backend CPU ${((cpu / SECONDS) * 100).toFixed(0)} % of a core, ${perDelivery.toFixed(2)} µs/delivery ` +
          `(${(perDelivery / theirs.cpuPerDeliveryUs).toFixed(2)}× the peer's per-delivery cost on the NOC floor; targets p99 ≤ 50 ms)`,
      );
      users.close();
      nocs.close();
      await sleep(1_000);
    }

    console.log('Ingest: events/s one instance applies to Redis');
    const ingest = new Traffic(publisher, 'ingest', 20_000);
    const total = quick ? 40_000 : 100_000;
    const applied0 = await appliedCount(backendUrl);
    const t0 = performance.now();
    while (ingest.published < total) {
      ingest.publish(5_000);
      await publisher.flush();
      while (ingest.published - ((await appliedCount(backendUrl)) - applied0) > 20_000)
        await sleep(5);
    }
    while ((await appliedCount(backendUrl)) - applied0 < total) await sleep(20);
    const rate = total / ((performance.now() - t0) / 1000);
    console.log(`  ${Math.round(rate).toLocaleString('en')} events/s applied (target ≥ 20,000)`);

    // The rest runs on a fresh store and a fresh process, so earlier runs do not skew it.
    backend.kill('SIGTERM');
    await redis.flush();
    const fresh = pinned(
      SERVER,
      {
        PORT: String(backendPort),
        REDIS_URL: redis.url,
        NATS_URL: nats.url,
        ...ONE_HOST_MANY_STREAMS,
      },
      BACKEND_NODE_ARGS,
    );
    children.push(fresh);
    await waitReady(`${backendUrl}/readyz`);

    console.log('Idle: RSS per open stream at 10,000 connections');
    const streams = quick ? 2_000 : 10_000;
    const idleCost = async (url: string, pid: number) => {
      await sleep(2_000);
      const rss0 = rssBytes(pid);
      const idle = new LoadClients();
      await idle.open(url, streams, 1_000_000, await bearer('noc'));
      await sleep(3_000);
      const perStream = (rssBytes(pid) - rss0) / streams;
      idle.close();
      return perStream;
    };
    const ourIdle = await idleCost(`${backendUrl}/api/v1/live/calls?company_id=nobody`, fresh.pid!);
    const peerIdle = await idleCost(`${peerUrl}/api/v1/live/calls`, peer.pid!);
    console.log(
      `  backend ${(ourIdle / 1024).toFixed(1)} KB, peer ${(peerIdle / 1024).toFixed(1)} KB per stream over ` +
        `${streams.toLocaleString('en')} streams (target ≤ 20 KB)`,
    );

    console.log('Snapshot of 50,000 active calls');
    const setups = new Traffic(publisher, 'snap', 50_000);
    const applied1 = await appliedCount(backendUrl);
    for (let i = 0; i < 10; i++) {
      setups.publish(5_000);
      await publisher.flush();
      while (setups.published - ((await appliedCount(backendUrl)) - applied1) > 20_000)
        await sleep(5);
    }
    while ((await appliedCount(backendUrl)) - applied1 < 50_000) await sleep(5);
    const firstByte: number[] = [];
    const whole: number[] = [];
    let count = 0;
    for (let i = 0; i < 5; i++) {
      const s = performance.now();
      const response = await fetch(`${backendUrl}/api/v1/live/calls/snapshot`, {
        headers: await bearer('noc'),
      });
      firstByte.push(performance.now() - s);
      const body = (await response.json()) as { calls: unknown[] };
      whole.push(performance.now() - s);
      count = body.calls.length;
    }
    console.log(
      `  ${count.toLocaleString('en')} calls: server time to first byte, median ${percentile(firstByte, 50).toFixed(0)} ms ` +
        `(target ≤ 300 ms); to parsed body ${percentile(whole, 50).toFixed(0)} ms`,
    );
    await publisher.close();

    // One table to compare with (and paste into the README): the peer and the backend side by
    // side from this run, then the backend's own figures.
    const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
    const row = (cells: string[]) => console.log(`| ${cells.join(' | ')} |`);
    console.log('\nSummary (this run)');
    row([
      'server',
      'p50 / p99',
      'lost',
      'CPU µs per delivery',
      'RSS per active stream',
      'RSS per idle stream',
    ]);
    row(['---', '---', '---', '---', '---', '---']);
    row([
      'plain `node:http`, frames coalesced per tick',
      `${theirs.p50.toFixed(1)} / ${theirs.p99.toFixed(0)} ms`,
      String(theirs.lost),
      theirs.cpuPerDeliveryUs.toFixed(2),
      kb(theirs.rssPerClient),
      kb(peerIdle),
    ]);
    row([
      '**live-calls backend**',
      `${ours.p50.toFixed(1)} / ${ours.p99.toFixed(0)} ms`,
      String(ours.lost),
      `${ours.cpuPerDeliveryUs.toFixed(2)} (${(ours.cpuPerDeliveryUs / theirs.cpuPerDeliveryUs).toFixed(2)}×)`,
      `${kb(ours.rssPerClient)} (${(ours.rssPerClient / theirs.rssPerClient).toFixed(2)}×)`,
      `${kb(ourIdle)} (${(ourIdle / peerIdle).toFixed(2)}×)`,
    ]);
    console.log(
      `Portal p99: users ${portal.users.toFixed(0)} ms, noc ${portal.noc.toFixed(0)} ms · ` +
        `saturation ${best.toLocaleString('en')} deliveries/s · ingest ${Math.round(rate).toLocaleString('en')} events/s · ` +
        `snapshot of ${count.toLocaleString('en')} calls: first byte ${percentile(firstByte, 50).toFixed(0)} ms, parsed ${percentile(whole, 50).toFixed(0)} ms`,
    );
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.allSettled([redis.close(), nats.close()]);
  }
}

await main();
