// `pnpm bench` for the backend pipeline (issue: live pipeline). The server under test runs
// alone on core 0 (`taskset -c 0`); this load generator, Redis and NATS run on core 1.
// Every number is printed next to the plain peer's, measured in the same run.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort, readStartScript, startNats, startRedis } from '@live-calls/test-services';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { callEventSubject, type CallRecord, type Phase } from '@live-calls/protocol';
import { TokenService } from '../auth/tokens.js';
import { LatencySampler } from './latency-sampler.js';
import { LoadClients, percentile } from './load-clients.js';

/** The backend runs as `pnpm --dir backend start` runs it: its environment, its Node flags. */
const BACKEND_START = readStartScript(fileURLToPath(new URL('../../', import.meta.url)));
const SERVER = fileURLToPath(new URL(`../../${BACKEND_START.entry}`, import.meta.url));
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

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** The load comes from one address with a few sessions: lift the per-user and per-IP caps. */
const ONE_HOST_MANY_STREAMS = { MAX_STREAMS_PER_USER: '1000000', MAX_STREAMS_PER_IP: '1000000' };

function pinned(
  script: string,
  env: Readonly<Record<string, string>>,
  nodeArgs: readonly string[] = [],
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
  const load = new LoadClients();
  await load.open(`${url}/api/v1/live/calls`, clients, 10, await bearer('noc'));
  await traffic.run(rate, 1);
  // Every stream past its opening, then a second of traffic to flush what queued behind it.
  await load.whenLive();
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
  };
  console.log(
    `  ${name.padEnd(8)} ${clients} clients × ${rate}/s: p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, ` +
      `${result.deliveries}/${result.expected} delivered, lost ${result.lost}, dup ${result.duplicated}, ` +
      `CPU ${result.cpuPerDeliveryUs.toFixed(2)} µs/delivery`,
  );
  await sleep(500);
  return result;
}

/** The median of `pid`'s RSS sampled every 250 ms while `work` runs. */
async function rssDuring(pid: number, work: Promise<void>): Promise<number> {
  const samples: number[] = [];
  let done = false;
  void work.finally(() => (done = true));
  while (!done) {
    samples.push(rssBytes(pid));
    await sleep(250);
  }
  await work;
  return percentile(samples, 50);
}

/** Windows of traffic a level may take to settle before it is taken as it is. */
const MAX_SETTLE_WINDOWS = 12;

/**
 * `pid`'s steady RSS under `rate` events/s: the median of a `seconds`-long window once a window
 * grew it by less than 1 % over the one before. A process under ingest alone keeps growing its
 * old generation until its first mark-compacts (≈ 15 s on this machine, 125 → 149 MB); a level
 * read before that is not a level, and a difference against it counts that growth as the
 * clients'.
 */
async function steadyRss(
  pid: number,
  traffic: Traffic,
  rate: number,
  seconds: number,
): Promise<number> {
  let level = await rssDuring(pid, traffic.run(rate, seconds));
  for (let window = 1; window < MAX_SETTLE_WINDOWS; window++) {
    const next = await rssDuring(pid, traffic.run(rate, seconds));
    const settled = next < level * 1.01;
    level = next;
    if (settled) break;
  }
  return level;
}

/** RSS per active stream: over the traffic alone, and for each stream added beyond the first. */
interface ActiveCost {
  /** (RSS with `clients` open − RSS with none) / clients. */
  first: number;
  /** (RSS with 2 × `clients` − RSS with `clients`) / clients: what one more stream costs. */
  added: number;
}

/**
 * RSS per *active* stream, told apart from what the traffic alone costs: on a fresh process,
 * the same traffic runs without clients, then with `clients` open, then with twice as many;
 * each figure is a difference of steady RSS levels. (RSS growth over one run with clients
 * mixes in the heap the ingest grows anyway; a process warmed with clients has their memory
 * before it counts.) The first figure holds one-time growth a busier process makes (a young
 * generation grown to its cap, the old generation's high-water mark raised by 200 openings
 * at once, say); the second is the cost of one more stream.
 */
async function activeCost(
  url: string,
  pid: number,
  traffic: Traffic,
  clients: number,
  rate: number,
): Promise<ActiveCost> {
  const alone = await steadyRss(pid, traffic, rate, 3);
  const load = new LoadClients();
  const auth = await bearer('noc');
  await load.open(`${url}/api/v1/live/calls`, clients, 1_000_000, auth);
  const some = await steadyRss(pid, traffic, rate, 3);
  await load.open(`${url}/api/v1/live/calls`, clients, 1_000_000, auth);
  const more = await steadyRss(pid, traffic, rate, 3);
  load.close();
  return { first: (some - alone) / clients, added: (more - some) / clients };
}

/** RSS per idle stream: `streams` opened on a fresh, quiet process. */
async function idleCost(url: string, pid: number, streams: number): Promise<number> {
  await sleep(2_000);
  const rss0 = rssBytes(pid);
  const idle = new LoadClients();
  await idle.open(url, streams, 1_000_000, await bearer('noc'));
  await sleep(3_000);
  const perStream = (rssBytes(pid) - rss0) / streams;
  idle.close();
  return perStream;
}

async function counter(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
}

/**
 * Waits until the backend has applied the `published` events it was sent (or stopped making
 * progress for 3 s: core NATS may have dropped some for a slow consumer), then a second.
 */
async function settle(url: string, published: number): Promise<void> {
  let applied = await appliedCount(url);
  let still = 0;
  while (applied < published && still < 30) {
    await sleep(100);
    const now = await appliedCount(url);
    still = now === applied ? still + 1 : 0;
    applied = now;
  }
  await sleep(1_000);
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
    // Each server under test on its own port; memory is measured on fresh ones.
    const startBackend = async (env: Record<string, string> = {}) => {
      const port = await freePort();
      const child = pinned(
        SERVER,
        {
          ...BACKEND_START.env,
          PORT: String(port),
          REDIS_URL: redis.url,
          NATS_URL: nats.url,
          HEARTBEAT_MS: '15000',
          ...ONE_HOST_MANY_STREAMS,
          ...env,
        },
        BACKEND_START.nodeArgs,
      );
      children.push(child);
      const url = `http://127.0.0.1:${port}`;
      await waitReady(`${url}/readyz`);
      return { url, pid: child.pid!, stop: () => child.kill('SIGTERM') };
    };
    const startPeer = async () => {
      const port = await freePort();
      const child = pinned(PEER, { PORT: String(port), NATS_URL: nats.url });
      children.push(child);
      const url = `http://127.0.0.1:${port}`;
      await waitReady(url, false);
      return { url, pid: child.pid!, stop: () => child.kill('SIGTERM') };
    };
    const backend = await startBackend();
    const peer = await startPeer();
    const backendUrl = backend.url;
    const peerUrl = peer.url;
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
    const ours = await floor('backend', backendUrl, backend.pid, traffic, 200, 1_000, SECONDS);
    const writes = (await counter(backendUrl, 'live_fanout_writes_total')) - writes0;
    console.log(
      `           ${(ours.deliveries / Math.max(1, writes)).toFixed(1)} events per socket write (coalescing)`,
    );
    const theirs = await floor('peer', peerUrl, peer.pid, traffic, 200, 1_000, SECONDS);
    console.log(
      `  ratio backend/peer: CPU per delivery ${(ours.cpuPerDeliveryUs / theirs.cpuPerDeliveryUs).toFixed(2)}×, ` +
        `p99 ${(ours.p99 / theirs.p99).toFixed(2)}× (targets: p99 ≤ 50 ms, CPU ≤ 1.25×, 0 lost, 0 dup)`,
    );

    console.log('Saturation: highest delivery rate with p99 ≤ 100 ms (200 clients)');
    let best = 0;
    for (const rate of quick ? [1_000, 2_000] : [1_000, 2_000, 3_000, 4_000, 6_000]) {
      const r = await floor(
        'backend',
        backendUrl,
        backend.pid,
        traffic,
        200,
        rate,
        Math.min(SECONDS, 5),
      );
      if (r.p99 > 100 || r.lost > 0) break;
      best = rate * 200;
    }
    console.log(`  → ${best.toLocaleString('en')} deliveries/s`);
    // A saturated run leaves the backend seconds behind; the next section starts once it has
    // applied everything, or it would measure the backlog.
    await settle(backendUrl, traffic.published);

    console.log(
      'Customer portal: 5,000 user streams over 500 companies + 50 noc streams, 1,000 events/s',
    );
    const portal = { users: 0, noc: 0 };
    {
      // Latency is read by two light processes (one user stream of each of the first 100
      // companies; 5 of the noc streams), the rest of the streams by the load generator, which
      // also reports what it read itself.
      const SAMPLED_COMPANIES = 100;
      const SAMPLED_NOC = 5;
      const users = new LoadClients();
      const nocs = new LoadClients();
      const userSampler = LatencySampler.start();
      const nocSampler = LatencySampler.start();
      const perCompany = quick ? 2 : 10;
      const streamUrl = `${backendUrl}/api/v1/live/calls`;
      for (let c = 0; c < 500; c++) {
        const auth = await bearer('user', `company-${c}`);
        const sampled = c < SAMPLED_COMPANIES ? 1 : 0;
        if (sampled) await userSampler.open(streamUrl, 1, auth, false);
        await users.open(streamUrl, perCompany - sampled, 1, auth, false);
      }
      await nocSampler.open(streamUrl, SAMPLED_NOC, await bearer('noc'));
      await nocs.open(streamUrl, 50 - SAMPLED_NOC, 5, await bearer('noc'));
      await traffic.run(1_000, 1);
      await Promise.all([
        users.whenLive(),
        nocs.whenLive(),
        userSampler.whenLive(),
        nocSampler.whenLive(),
      ]);
      await sleep(500);
      users.reset();
      nocs.reset();
      users.measuring = nocs.measuring = true;
      await Promise.all([userSampler.measure(), nocSampler.measure()]);
      const cpu0 = cpuSeconds(backend.pid);
      await traffic.run(1_000, SECONDS);
      await sleep(1_000);
      users.measuring = nocs.measuring = false;
      const cpu = cpuSeconds(backend.pid) - cpu0;
      const [sampledUsers, sampledNocs] = await Promise.all([
        userSampler.stop(),
        nocSampler.stop(),
      ]);
      const userStats = [...users.stats, ...sampledUsers.stats];
      const nocStats = [...nocs.stats, ...sampledNocs.stats];
      const userDeliveries = userStats.reduce((n, x) => n + x.events, 0);
      const nocDeliveries = nocStats.reduce((n, x) => n + x.events, 0);
      const perDelivery = (cpu / Math.max(1, userDeliveries + nocDeliveries)) * 1e6;
      portal.users = percentile(sampledUsers.latencies, 99);
      portal.noc = percentile(sampledNocs.latencies, 99);
      console.log(
        `  users: ${userStats.length} streams, p50 ${percentile(sampledUsers.latencies, 50).toFixed(1)} ms, p99 ${portal.users.toFixed(1)} ms, ` +
          `${userDeliveries} delivered, dup ${userStats.reduce((n, x) => n + x.duplicated, 0)}`,
      );
      console.log(
        `  noc:   ${nocStats.length} streams, p50 ${percentile(sampledNocs.latencies, 50).toFixed(1)} ms, p99 ${portal.noc.toFixed(1)} ms, ` +
          `${nocDeliveries} delivered, lost ${nocStats.reduce((n, x) => n + x.lost, 0)}, dup ${nocStats.reduce((n, x) => n + x.duplicated, 0)}`,
      );
      console.log(
        `  (p99 as read inside the load generator, its own GC pauses included: users ${percentile(users.latencies, 99).toFixed(1)} ms, ` +
          `noc ${percentile(nocs.latencies, 99).toFixed(1)} ms)`,
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

    // Memory: every figure from fresh processes of both servers on a fresh store, so what
    // earlier runs grew does not hide (or add to) what is measured.
    backend.stop();
    peer.stop();
    await redis.flush();
    console.log(
      'Active: RSS per all-scope stream at 1,000 events/s against the same traffic alone (fresh processes)',
    );
    const active: Record<'backend' | 'peer', ActiveCost> = {
      backend: { first: 0, added: 0 },
      peer: { first: 0, added: 0 },
    };
    for (const which of ['backend', 'peer'] as const) {
      const server = which === 'backend' ? await startBackend() : await startPeer();
      active[which] = await activeCost(server.url, server.pid, traffic, 200, 1_000);
      server.stop();
    }
    console.log(
      `  200 streams over none: backend ${kb(active.backend.first)}, peer ${kb(active.peer.first)} per stream ` +
        `(${(active.backend.first / active.peer.first).toFixed(2)}×; target ≤ 1.3×)`,
    );
    console.log(
      `  each of 200 more:      backend ${kb(active.backend.added)}, peer ${kb(active.peer.added)} per stream ` +
        `(${(active.backend.added / active.peer.added).toFixed(2)}×)`,
    );
    const mean = (cost: ActiveCost) => (cost.first + cost.added) / 2;
    console.log(
      `  400 over none:         backend ${kb(mean(active.backend))}, peer ${kb(mean(active.peer))} per stream ` +
        `(${(mean(active.backend) / mean(active.peer)).toFixed(2)}×: one-time steps spread over twice the streams)`,
    );
    await redis.flush();

    const streams = quick ? 2_000 : 10_000;
    console.log(
      `Idle: RSS per open stream at ${streams.toLocaleString('en')} connections (fresh processes)`,
    );
    const freshPeer = await startPeer();
    const peerIdle = await idleCost(`${freshPeer.url}/api/v1/live/calls`, freshPeer.pid, streams);
    freshPeer.stop();
    const fresh = await startBackend();
    const ourIdle = await idleCost(
      `${fresh.url}/api/v1/live/calls?company_id=nobody`,
      fresh.pid,
      streams,
    );
    console.log(
      `  backend ${kb(ourIdle)}, peer ${kb(peerIdle)} per stream over ` +
        `${streams.toLocaleString('en')} streams (${(ourIdle / peerIdle).toFixed(2)}×; target ≤ 15 KB)`,
    );

    console.log('Snapshot of 50,000 active calls');
    const setups = new Traffic(publisher, 'snap', 50_000);
    const applied1 = await appliedCount(fresh.url);
    for (let i = 0; i < 10; i++) {
      setups.publish(5_000);
      await publisher.flush();
      while (setups.published - ((await appliedCount(fresh.url)) - applied1) > 20_000)
        await sleep(5);
    }
    while ((await appliedCount(fresh.url)) - applied1 < 50_000) await sleep(5);
    const firstByte: number[] = [];
    const whole: number[] = [];
    let count = 0;
    for (let i = 0; i < 5; i++) {
      const s = performance.now();
      const response = await fetch(`${fresh.url}/api/v1/live/calls/snapshot`, {
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
      kb(active.peer.first),
      kb(peerIdle),
    ]);
    row([
      '**live-calls backend**',
      `${ours.p50.toFixed(1)} / ${ours.p99.toFixed(0)} ms`,
      String(ours.lost),
      `${ours.cpuPerDeliveryUs.toFixed(2)} (${(ours.cpuPerDeliveryUs / theirs.cpuPerDeliveryUs).toFixed(2)}×)`,
      `${kb(active.backend.first)} (${(active.backend.first / active.peer.first).toFixed(2)}×)`,
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
