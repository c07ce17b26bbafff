// Bridge pipeline benchmark: evapi frames over a real TCP socket → decode → translate →
// publish to a real NATS (and CDRs to JetStream), built with the bridge.
//
//   pnpm --dir bridge bench   (builds, then runs dist/bench/pipeline.js; NATS from BENCH_NATS_URL or 127.0.0.1:4222)
//
// Phase 1 (throughput): 50,000 calls × 4 events written as fast as the socket takes them;
// events/s = events published / time until the last one was handed to NATS.
// Phase 2 (latency): 2,000 events/s paced; the bridge's own frame→publish histogram, and
// the end-to-end time frame write → message received by a NATS subscriber.
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { connect } from '@nats-io/transport-node';
import { pino } from 'pino';
import { startBridge } from '../bridge.js';
import { parseConfig } from '../config.js';
import { encodeNetstring } from '../netstring.js';

const NATS_URL = process.env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';
const CALLS = Number(process.env.BENCH_CALLS ?? 50_000);
const LATENCY_EVENTS = Number(process.env.BENCH_LATENCY_EVENTS ?? 20_000);
const LATENCY_RATE = 2_000;
const run = Date.now().toString(36);

function frames(callNo: number, prefix: string): Uint8Array[] {
  const callId = `${prefix}-${callNo}@bench.example.com`;
  const ts = Date.now() / 1000;
  const base = {
    call_id: callId,
    from_user: `+1555${String(callNo).padStart(7, '0')}`,
    from_uri: `sip:+1555${callNo}@198.51.100.7`,
    from_display: '"Bench Caller"',
    from_tag: `ft${callNo}`,
    to_user: `+4930${callNo}`,
    to_uri: `sip:+4930${callNo}@203.0.113.9`,
    company: `tenant-${callNo % 50}`,
    trunk: `carrier-${callNo % 4}`,
  };
  return [
    { event: 'setup', ts, ...base, src: 'udp:198.51.100.7:5060', ruri: base.to_uri },
    { event: 'ringing', ts, ...base, code: 180, reason: 'Ringing', to_tag: `tt${callNo}` },
    { event: 'answered', ts, ...base, code: 200, reason: 'OK', to_tag: `tt${callNo}` },
    {
      event: 'bye',
      ts,
      call_id: callId,
      from_uri: base.from_uri,
      to_uri: base.to_uri,
      from_tag: base.from_tag,
      to_tag: `tt${callNo}`,
      by: 'caller',
      company: base.company,
      trunk: base.trunk,
    },
  ].map((e) => encodeNetstring(JSON.stringify(e)));
}

function concat(chunks: Uint8Array[]): Buffer {
  return Buffer.concat(chunks);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Percentile from a prom-client histogram, interpolated within its bucket. */
async function histogramPercentile(h: { get(): Promise<unknown> }, p: number) {
  const data = (await h.get()) as {
    values: { metricName?: string; labels: { le?: number | string }; value: number }[];
  };
  const buckets = data.values
    .filter((v) => v.metricName?.endsWith('_bucket'))
    .map((v) => ({ le: v.labels.le === '+Inf' ? Infinity : Number(v.labels.le), count: v.value }));
  const total = buckets.at(-1)?.count ?? 0;
  const target = (p / 100) * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of buckets) {
    if (b.count >= target) {
      if (b.le === Infinity) return `> ${prevLe * 1000} ms`;
      const frac = b.count === prevCount ? 0 : (target - prevCount) / (b.count - prevCount);
      return `≈ ${((prevLe + frac * (b.le - prevLe)) * 1000).toFixed(3)} ms (bucket ≤ ${b.le * 1000} ms)`;
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return 'n/a';
}

async function main(): Promise<void> {
  // Stand-in Kamailio: evapi socket + an empty dlg.list.
  let client: Socket | undefined;
  const evapi = createServer((s) => {
    client = s;
  });
  evapi.listen(0, '127.0.0.1');
  const rpc = createHttpServer((_req, res) => res.end('{"jsonrpc":"2.0","result":[],"id":1}'));
  rpc.listen(0, '127.0.0.1');
  await Promise.all([once(evapi, 'listening'), once(rpc, 'listening')]);

  const config = parseConfig({
    NATS_URL,
    SOURCE_ID: `bench-${run}`,
    KAMAILIO_EVAPI: `127.0.0.1:${(evapi.address() as AddressInfo).port}`,
    KAMAILIO_RPC_URL: `http://127.0.0.1:${(rpc.address() as AddressInfo).port}/RPC`,
    SYNC_INTERVAL_MS: '600000',
    HEALTH_PORT: '0',
    CDR_BUFFER_MAX: String(CALLS * 2),
  });
  const bridge = await startBridge(config, pino({ level: 'silent' }), { defaultMetrics: false });
  while (!client || !bridge.report().pbx.connected) await new Promise((r) => setTimeout(r, 10));
  const socket = client;

  const published = async () => {
    const data = await bridge.metrics.published.get();
    return data.values.reduce((n, v) => n + v.value, 0);
  };

  // Phase 1: throughput.
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < CALLS; i++) chunks.push(...frames(i, `t${run}`));
  const stream = concat(chunks);
  const events = CALLS * 4;
  const base = await published();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let off = 0; off < stream.length; off += 65536) {
    if (!socket.write(stream.subarray(off, off + 65536))) await once(socket, 'drain');
  }
  while ((await published()) - base < events) await new Promise((r) => setImmediate(r));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await bridge.nats.flush();
  const cpuCores = (cpu.user + cpu.system) / 1e6 / seconds;

  // Phase 2: paced latency.
  bridge.metrics.eventLatency.reset();
  const sub = await connect({ servers: NATS_URL });
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  const prefix = `l${run}`;
  sub.subscribe('call.events.>', {
    callback: (_err, msg) => {
      const record = msg.json<{ call_id: string; phase: string }>();
      const at = sent.get(`${record.call_id}/${record.phase}`);
      if (at !== undefined) latencies.push(performance.now() - at);
    },
  });
  await sub.flush();
  const phases = ['setup', 'ringing', 'answered', 'ended'];
  const perTick = LATENCY_RATE / 100;
  let callNo = 0;
  for (let n = 0; n < LATENCY_EVENTS; n += perTick) {
    for (let k = 0; k < perTick / 4; k++, callNo++) {
      const fs = frames(callNo, prefix);
      const callId = `${prefix}-${callNo}@bench.example.com`;
      fs.forEach((f, j) => {
        sent.set(`${callId}/${phases[j]}`, performance.now());
        socket.write(f);
      });
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const deadline = Date.now() + 5000;
  while (latencies.length < callNo * 4 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  latencies.sort((a, b) => a - b);
  const bridgeP50 = await histogramPercentile(bridge.metrics.eventLatency, 50);
  const bridgeP99 = await histogramPercentile(bridge.metrics.eventLatency, 99);

  await bridge.cdr.flush(30_000);
  const cdrPending = bridge.cdr.pending;
  await bridge.state.flush(30_000);
  const stateWrites = async (op: string) => {
    const data = await bridge.metrics.stateWrites.get();
    return data.values.filter((v) => v.labels.op === op).reduce((n, v) => n + v.value, 0);
  };
  const skipped = (await bridge.metrics.stateSkipped.get()).values[0]?.value ?? 0;
  const state = `${await stateWrites('put')} puts, ${await stateWrites('delete')} deletes, ${skipped} writes replaced or never needed`;
  await sub.close();
  await bridge.close();
  socket.destroy();
  evapi.close();
  rpc.close();

  console.log(`node ${process.version}, NATS ${NATS_URL}`);
  console.log(
    `throughput: ${events} events (${CALLS} calls) in ${seconds.toFixed(2)} s = ${Math.round(events / seconds)} events/s, ` +
      `bridge process CPU ${(cpuCores * 100).toFixed(0)} % of one core (${CALLS} CDRs to JetStream alongside)`,
  );
  console.log(
    `latency, evapi frame → NATS publish (bridge histogram, ${LATENCY_RATE}/s): p50 ${bridgeP50}, p99 ${bridgeP99}`,
  );
  console.log(
    `latency, frame written → message at a NATS subscriber (${latencies.length} events): ` +
      `p50 ${percentile(latencies, 50).toFixed(3)} ms, p99 ${percentile(latencies, 99).toFixed(3)} ms, max ${percentile(latencies, 100).toFixed(3)} ms`,
  );
  console.log(`CDRs still pending after flush: ${cdrPending}`);
  console.log(
    `state bucket (${CALLS + callNo} calls): ${state}; still pending ${bridge.state.pending}`,
  );
}

await main();
