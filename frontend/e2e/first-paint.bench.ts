// First paint (ADR-0012): how many bytes and how long it takes a dashboard to open on 10,000
// and on 50,000 active calls, the new way (a compressed GET /api/v1/live/calls/snapshot, then
// the stream resuming from its id) against the old way (the same build with that GET aborted,
// so the stream sends its own uncompressed snapshot), plus the new way as gzip (see WAYS).
//
// The production path: private redis-server and nats-server, the backend in distributed
// mode, Caddy with infra/caddy/Caddyfile, headless Chromium through Caddy only. The calls are
// valid `call.events.setup` records published over NATS like a bridge would; nothing else
// feeds the backend, so the stream is quiet once the table is full.
//
// Two kinds of opening, each in a tab of its own signed-in context, with an empty cache:
// - counted (once per way and size): bytes on the wire, Chromium's own count (CDP
//   encodedDataLength, headers included) of the snapshot answer plus the stream's bytes until
//   the table is full and the stream is live;
// - timed (FIRST_PAINT_RUNS times, default 3, the ways taking turns): from navigation start
//   (the page's performance.timeOrigin) to the first animation frame in which the KPI shows N
//   and the table has rows. A timed opening does not count bytes: the counter's CDP Network
//   domain keeps a copy of every body and reports each chunk, which slowed the measured tab
//   by ~300 ms at 10,000 calls.
// Results are printed and written to artifacts/frontend-e2e/first-paint.json. A benchmark
// reports: only sanity is asserted (the table reached N, the stream was not cut), never a time.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { callEventSubject, parseCallEvent, type CallRecord } from '@live-calls/protocol';
import {
  closeAll,
  startNats,
  startRedis,
  waitUntil,
  type ManagedService,
} from '@live-calls/test-services';
import type { BrowserContext, CDPSession, Cookie, Page } from 'playwright-core';
import { artifactPath, launch, type Browser } from './browser.ts';
import { connectionState, renderedRows, PAGE_WAIT } from './dashboard-helpers.ts';
import { connectPublisher, type NatsPublisher } from './nats-publisher.ts';
import { activeKpi, apiGet, signIn } from './scenarios.ts';
import { addUser, startBackend, startProxy } from './services.ts';

const SIZES = (process.env.FIRST_PAINT_CALLS ?? '10000,50000')
  .split(',')
  .map((n) => Number(n.trim()))
  .sort((a, b) => a - b);
const RUNS = Number(process.env.FIRST_PAINT_RUNS ?? 3);
const NOC = { user: 'noc-bench', password: randomBytes(9).toString('base64url') };
const SOURCE = 'pbx-1';
const SNAPSHOT_PATH = '/api/v1/live/calls/snapshot';
const STREAM_PATH = '/api/v1/live/calls';
const PUBLISH_BATCH = 2_000;
const FULL_TABLE_TIMEOUT_MS = 180_000;

/**
 * `new`: the app as built (Chromium 156 offers br and zstd even over plain http to
 * 127.0.0.1, so the answer is brotli); `new-gzip`: the same with every request of the tab
 * sent with `Accept-Encoding: gzip, deflate`, what Chromium sends over plain http to a host
 * that is not local; `old`: the snapshot request aborted, so the stream brings its own.
 */
const WAYS = ['new', 'new-gzip', 'old'] as const;
type Way = (typeof WAYS)[number];

interface RunResult {
  calls: number;
  way: Way;
  /** 0 for the counted opening, 1… for the timed ones. */
  run: number;
  /** The snapshot answer on the wire (headers + compressed body); 0 when aborted. */
  snapshotBytes: number;
  /** Its body once decoded (the JSON), for the compression ratio. */
  snapshotJsonBytes: number;
  snapshotEncoding: string | null;
  /** The Accept-Encoding Chromium sent with it. */
  acceptEncoding: string | null;
  /** The stream's bytes (headers + body) until the table was full and the stream live. */
  streamBytes: number;
  totalBytes: number;
  /** Navigation start → first frame with the KPI at N and rows in the table (timed runs). */
  timeToFullMs: number;
  /** The same seen from the test (goto called → the page reported it), coarser. */
  wallMs: number;
  streamRequests: number;
}

// ---- the calls -------------------------------------------------------------------------

const COMPANIES = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark-industries'];
const TRUNKS = ['carrier-a', 'carrier-b', 'sbc-fra-1', 'sbc-ams-2', 'pstn-gw-3'];
const DIRECTIONS = ['inbound', 'inbound', 'outbound', 'internal'] as const;
const NAMES = ['Support', 'Sales', 'Billing', 'Front desk', 'Dispatch', 'Helpdesk'];

function digits(i: number, width: number): string {
  return String(i).padStart(width, '0').slice(-width);
}

/** Call `i` of the bench: a setup record as a Kamailio bridge publishes it (~400 bytes). */
function benchRecord(i: number, now: number): CallRecord {
  const callId = `${randomBytes(6).toString('hex')}-${digits(i, 6)}`;
  const createdAt = now - ((i * 7_919) % 900_000);
  const host = `198.51.100.${(i % 250) + 1}`;
  const caller = `+1555${digits(i * 37, 7)}`;
  const callee = `+1800${digits(i % 9_973, 7)}`;
  return {
    v: 1,
    id: `${SOURCE}:${callId}`,
    source: SOURCE,
    call_id: callId,
    seq: createdAt * 1000,
    phase: 'setup',
    ts: createdAt,
    company_id: COMPANIES[i % COMPANIES.length]!,
    direction: DIRECTIONS[i % DIRECTIONS.length]!,
    from: { user: caller },
    to: { user: callee, display: NAMES[i % NAMES.length]! },
    trunk: TRUNKS[i % TRUNKS.length]!,
    created_at: createdAt,
    answered_at: null,
    ended_at: null,
    sip: { from_tag: randomBytes(5).toString('hex'), src: `udp:${host}:5060` },
  };
}

/** Publishes calls [from, to) as `call.events.setup`, each checked by the backend's own validator. */
async function publishCalls(
  nats: NatsPublisher,
  records: string[],
  from: number,
  to: number,
): Promise<void> {
  const subject = callEventSubject('setup');
  const now = Date.now();
  for (let i = from; i < to; i++) {
    const payload = (records[i] ??= JSON.stringify(benchRecord(i, now)));
    const checked = parseCallEvent(subject, payload);
    assert.ok(checked.ok, `bench record ${i} is valid: ${checked.ok ? '' : checked.detail}`);
    nats.publish(subject, payload);
    if ((i + 1 - from) % PUBLISH_BATCH === 0) await nats.flush();
  }
  await nats.flush();
}

// ---- one dashboard opening -------------------------------------------------------------

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  return Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
}

/** What Chromium reports on the wire for the snapshot answer and the stream of one tab. */
class WireCounter {
  readonly #paths = new Map<string, string>();
  readonly #acceptEncodings = new Map<string, string>();
  snapshotBytes = 0;
  snapshotJsonBytes = 0;
  snapshotEncoding: string | null = null;
  #snapshotRequest: string | null = null;
  snapshotFailed = false;
  streamBytes = 0;
  streamRequests = 0;

  /** The Accept-Encoding sent with the snapshot request that got an answer. */
  get acceptEncoding(): string | null {
    return this.#acceptEncodings.get(this.#snapshotRequest ?? '') ?? null;
  }

  constructor(cdp: CDPSession) {
    cdp.on('Network.requestWillBeSent', (e) => {
      const path = new URL(e.request.url).pathname;
      this.#paths.set(e.requestId, path);
      if (path === STREAM_PATH) this.streamRequests++;
    });
    // The headers as sent; this event may come before or after requestWillBeSent.
    cdp.on('Network.requestWillBeSentExtraInfo', (e) => {
      const sent = headerValue(e.headers, 'accept-encoding');
      if (sent !== undefined) this.#acceptEncodings.set(e.requestId, sent);
    });
    cdp.on('Network.responseReceived', (e) => {
      const path = this.#paths.get(e.requestId);
      if (path === SNAPSHOT_PATH) {
        this.snapshotEncoding = headerValue(e.response.headers, 'content-encoding') ?? 'identity';
        this.#snapshotRequest = e.requestId;
      } else if (path === STREAM_PATH) {
        // The status line and headers; the body follows in dataReceived.
        this.streamBytes += e.response.encodedDataLength;
      }
    });
    cdp.on('Network.dataReceived', (e) => {
      const path = this.#paths.get(e.requestId);
      if (path === SNAPSHOT_PATH) this.snapshotJsonBytes += e.dataLength;
      else if (path === STREAM_PATH) this.streamBytes += e.encodedDataLength;
    });
    cdp.on('Network.loadingFinished', (e) => {
      if (this.#paths.get(e.requestId) === SNAPSHOT_PATH) this.snapshotBytes = e.encodedDataLength;
    });
    cdp.on('Network.loadingFailed', (e) => {
      if (this.#paths.get(e.requestId) === SNAPSHOT_PATH) this.snapshotFailed = true;
    });
  }
}

interface FullTableWindow {
  __fullTableAt?: number;
}

/** In the page, before its scripts: notes the first frame in which the table holds `n`. */
function watchFullTable(n: number): void {
  const check = () => {
    const kpi = document.querySelector('[data-testid=kpi-active]');
    const count = Number((kpi?.textContent ?? '').replace(/\D/g, ''));
    if (count === n && document.querySelector('[data-call-id]') !== null) {
      (window as FullTableWindow).__fullTableAt = performance.now();
      return;
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
}

/** A context of its own (so an empty HTTP cache) holding the signed-in session's cookies. */
async function signedInContext(browser: Browser, cookies: Cookie[]): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.addCookies(cookies);
  return context;
}

/**
 * One dashboard opening. `counted`: bytes on the wire from CDP's Network domain, no time;
 * otherwise the time to a full table, with nothing but Playwright's own bookkeeping attached.
 */
async function openDashboard(
  browser: Browser,
  cookies: Cookie[],
  base: string,
  calls: number,
  way: Way,
  run: number,
): Promise<RunResult> {
  const counted = run === 0;
  const context = await signedInContext(browser, cookies);
  const page: Page = await context.newPage();
  page.on('pageerror', (error) => console.error('page error:', error.message));
  try {
    let streamRequests = 0;
    let snapshotEncoding: string | null = null;
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === STREAM_PATH) streamRequests++;
    });
    page.on('response', (response) => {
      if (new URL(response.url()).pathname === SNAPSHOT_PATH)
        snapshotEncoding = response.headers()['content-encoding'] ?? 'identity';
    });
    let wire: WireCounter | undefined;
    if (counted) {
      const cdp = await context.newCDPSession(page);
      wire = new WireCounter(cdp);
      await cdp.send('Network.enable');
    }
    if (way === 'old') await page.route(`**${SNAPSHOT_PATH}`, (route) => route.abort());
    // For every request of the tab, as a browser on plain http to a remote host asks.
    if (way === 'new-gzip') await page.setExtraHTTPHeaders({ 'accept-encoding': 'gzip, deflate' });
    await page.addInitScript(watchFullTable, calls);

    const started = performance.now();
    await page.goto(`${base}/`, { waitUntil: 'commit' });
    const fullAt = await page.waitForFunction(
      () => (window as FullTableWindow).__fullTableAt,
      undefined,
      { timeout: FULL_TABLE_TIMEOUT_MS, polling: 50 },
    );
    const wallMs = performance.now() - started;
    const timeToFullMs = (await fullAt.jsonValue()) ?? Number.NaN;
    await waitUntil(() => connectionState(page), {
      what: 'the stream live',
      accept: (s) => s === 'live',
      ...PAGE_WAIT,
      intervalMs: 20,
    });
    if (wire !== undefined) {
      // CDP's events trail the page a little: read the counts once they have stopped moving.
      let seen = -1;
      const counter = wire;
      await waitUntil(
        () => {
          const now = counter.snapshotBytes + counter.streamBytes;
          const still = now === seen;
          seen = now;
          return still;
        },
        { what: 'the byte counts to settle', timeoutMs: 10_000, intervalMs: 300 },
      );
    }

    // Sanity, not timing: the table reached N over one stream, the snapshot went as intended.
    assert.equal(await activeKpi(page), calls, 'the KPI shows every call');
    assert.ok((await renderedRows(page)).length > 10, 'the table has rows');
    assert.equal(streamRequests, 1, 'one stream, never cut and reopened');
    if (way === 'new') {
      assert.ok(snapshotEncoding !== null, 'the snapshot answer arrived');
      assert.notEqual(snapshotEncoding, 'identity', 'the snapshot answer is compressed');
    } else if (way === 'new-gzip') {
      assert.equal(snapshotEncoding, 'gzip', 'the snapshot answer is gzip');
    } else {
      assert.equal(snapshotEncoding, null, 'the snapshot request was aborted');
    }
    if (wire !== undefined && way !== 'old')
      assert.ok(wire.snapshotBytes > 0, 'the snapshot answer was counted');
    const snapshotBytes = wire?.snapshotBytes ?? 0;
    const streamBytes = wire?.streamBytes ?? 0;
    return {
      calls,
      way,
      run,
      snapshotBytes,
      snapshotJsonBytes: wire?.snapshotJsonBytes ?? 0,
      snapshotEncoding: way === 'old' ? null : snapshotEncoding,
      acceptEncoding: way === 'old' ? null : (wire?.acceptEncoding ?? null),
      streamBytes,
      totalBytes: snapshotBytes + streamBytes,
      timeToFullMs: Math.round(timeToFullMs),
      wallMs: Math.round(wallMs),
      streamRequests,
    };
  } finally {
    await context.close();
  }
}

// ---- the report ------------------------------------------------------------------------

/** `lo–hi unit`, or one value when both show the same. */
function range(values: number[], show: (n: number) => string, unit: string): string {
  const lo = show(Math.min(...values));
  const hi = show(Math.max(...values));
  return `${lo === hi ? lo : `${lo}–${hi}`}${unit}`;
}

const mb = (bytes: number) => (bytes / 1_000_000).toFixed(2);

function table(results: RunResult[]): string {
  const rows = [
    ['calls', 'way', 'wire bytes (snapshot + stream)', 'old/this bytes', 'time to full table'],
  ];
  for (const calls of SIZES) {
    const of = (way: Way, counted: boolean) =>
      results.filter((r) => r.calls === calls && r.way === way && (r.run === 0) === counted);
    const oldBytes = of('old', true).map((r) => r.totalBytes);
    for (const way of WAYS) {
      const runs = of(way, false);
      const bytes = of(way, true).map((r) => r.totalBytes);
      const ratio =
        way === 'old'
          ? ''
          : range(
              [
                Math.min(...oldBytes) / Math.max(...bytes),
                Math.max(...oldBytes) / Math.min(...bytes),
              ],
              (n) => n.toFixed(1),
              '×',
            );
      rows.push([
        calls.toLocaleString('en'),
        way,
        range(bytes, mb, ' MB'),
        ratio,
        range(
          runs.map((r) => r.timeToFullMs),
          String,
          ' ms',
        ),
      ]);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  return [
    line(rows[0]!),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.slice(1).map(line),
  ].join('\n');
}

// ---- the bench -------------------------------------------------------------------------

void describe(`first paint on ${SIZES.join(' and ')} active calls, new vs old`, () => {
  let redis: ManagedService | undefined;
  let nats: ManagedService | undefined;
  let backend: ManagedService | undefined;
  let caddy: ManagedService | undefined;
  let publisher: NatsPublisher | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let home = '';
  let base = '';

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'live-calls-first-paint-'));
    const usersFile = join(home, 'users.json');
    await addUser(usersFile, NOC.user, NOC.password, 'noc');
    redis = await startRedis();
    nats = await startNats();
    backend = await startBackend({
      REDIS_URL: redis.url,
      NATS_URL: nats.url,
      JWT_SECRET: randomBytes(32).toString('hex'),
      USERS_FILE: usersFile,
      LOG_LEVEL: 'warn',
    });
    caddy = await startProxy(backend.port);
    base = caddy.url;
    publisher = await connectPublisher(nats.url);
    browser = await launch({ width: 1920, height: 1080 });
    context = browser.context;
    // Signed in once, on an empty wall; every measured tab opens in a context of its own with
    // this session's cookies.
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await signIn(page, NOC.user, NOC.password);
    await page.close();
  });

  after(async () => {
    await publisher?.close();
    await browser?.close();
    try {
      await closeAll([redis, nats, backend, caddy]);
    } finally {
      if (home) await rm(home, { recursive: true, force: true });
    }
  });

  void it(`opens the dashboard ${RUNS}× each way per size`, async () => {
    const records: string[] = [];
    const results: RunResult[] = [];
    let published = 0;
    for (const calls of SIZES) {
      const t0 = performance.now();
      await publishCalls(publisher!, records, published, calls);
      published = calls;
      const active = () =>
        apiGet(context, base, '/api/v1/live/stats').then(
          (r) => (r.body as { active?: number }).active,
        );
      await waitUntil(active, {
        what: `${calls} active calls in the store`,
        accept: (n) => n === calls,
        timeoutMs: 120_000,
        intervalMs: 500,
      });
      const { status, body } = await apiGet(context, base, SNAPSHOT_PATH);
      assert.equal(status, 200);
      assert.equal((body as { calls: unknown[] }).calls.length, calls, 'GET snapshot holds N');
      console.log(
        `${calls} calls in the store (${Math.round(performance.now() - t0)} ms to publish and apply)`,
      );

      const cookies = await context.cookies();
      for (let run = 0; run <= RUNS; run++) {
        for (const way of WAYS) {
          const result = await openDashboard(browser!, cookies, base, calls, way, run);
          console.log(
            run === 0
              ? `  ${calls} ${way} counted: ${mb(result.totalBytes)} MB ` +
                  `(snapshot ${result.snapshotBytes} B ${result.snapshotEncoding ?? '-'}` +
                  `${result.acceptEncoding ? ` for "${result.acceptEncoding}"` : ''}, ` +
                  `stream ${result.streamBytes} B)`
              : `  ${calls} ${way} #${run}: full table after ${result.timeToFullMs} ms`,
          );
          results.push(result);
        }
      }
    }

    const report = {
      calls: SIZES,
      runs: RUNS,
      recordBytes: Math.round(
        records.reduce((sum, r) => sum + Buffer.byteLength(r), 0) / records.length,
      ),
      chromium: browser!.version(),
      results,
    };
    await writeFile(await artifactPath('first-paint.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log(`first paint (${RUNS} runs each, min–max; ~${report.recordBytes}-byte records):`);
    console.log(table(results));
  });
});
