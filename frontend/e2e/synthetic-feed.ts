// A stand-in backend for what no real one can be made to do on demand: 10,000 live calls
// churning at 500 updates/s. It speaks the HTTP API and the SSE stream
// (docs/interface/http.md, sse.md) over real HTTP, so the browser's EventSource, the store
// and the table run exactly as in production; it serves frontend/build the way the
// backend's embedded mode does.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import type { CallRecord, StatsPayload } from '@live-calls/protocol';

export interface FeedOptions {
  /** Directory with the built dashboard. */
  buildDir: string;
  /** Calls kept active. */
  calls: number;
  /** Call events per second after the snapshot. */
  updatesPerSecond: number;
  /**
   * Cookie sign-in (user name = password) with sessions this long; without it `/auth/me`
   * answers 404 and the dashboard runs as an anonymous admin, as against a backend
   * without auth.
   */
  sessionTtlMs?: number;
}

export interface SyntheticFeed {
  url: string;
  /** Events sent since start, across all streams. */
  sent(): number;
  close(): Promise<void>;
}

const COMPANIES = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', null];
const TRUNKS = ['carrier-de-1', 'carrier-de-2', 'carrier-uk', 'sip-trunk-eu', null];
const DIRECTIONS = ['inbound', 'outbound', 'internal'] as const;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

class CallPool {
  readonly active = new Map<string, CallRecord>();
  #next = 1;
  #seqG = 1;

  get seq(): number {
    return this.#seqG;
  }

  create(now: number): CallRecord {
    const n = this.#next++;
    const phase = n % 3 === 0 ? 'setup' : n % 3 === 1 ? 'ringing' : 'answered';
    const created = now - Math.floor(Math.random() * 600_000);
    const record: CallRecord = {
      v: 1,
      id: `pbx-synth:c${n}`,
      source: 'pbx-synth',
      call_id: `c${n}`,
      seq: 1,
      phase,
      ts: now,
      company_id: COMPANIES[n % COMPANIES.length] ?? null,
      direction: DIRECTIONS[n % DIRECTIONS.length]!,
      from: { user: `+4930${String(1_000_000 + ((n * 7919) % 9_000_000))}` },
      to: { user: `+4989${String(2_000_000 + ((n * 104_729) % 7_000_000))}` },
      trunk: TRUNKS[n % TRUNKS.length] ?? null,
      created_at: created,
      answered_at: phase === 'answered' ? created + 8_000 : null,
      ended_at: null,
    };
    this.active.set(record.id, record);
    return record;
  }

  /** One call advances: setup → ringing → answered → ended, replaced by a new call. */
  step(now: number): CallRecord[] {
    const ids = [...this.active.keys()];
    const id = ids[Math.floor(Math.random() * ids.length)];
    const current = id === undefined ? undefined : this.active.get(id);
    if (current === undefined) return [this.create(now)];
    const next: CallRecord = { ...current, seq: current.seq + 1, ts: now };
    if (current.phase === 'setup') next.phase = 'ringing';
    else if (current.phase === 'ringing') {
      next.phase = 'answered';
      next.answered_at = now;
    } else {
      next.phase = 'ended';
      next.ended_at = now;
      next.end = { reason: 'bye' };
      this.active.delete(current.id);
      return [next, this.create(now)];
    }
    this.active.set(next.id, next);
    return [next];
  }

  nextSeq(): number {
    return ++this.#seqG;
  }
}

function stats(pool: CallPool): StatsPayload {
  const by_phase = { setup: 0, ringing: 0, answered: 0 };
  const by_direction = { inbound: 0, outbound: 0, internal: 0, unknown: 0 };
  const by_company: Record<string, number> = {};
  const by_trunk: Record<string, number> = {};
  for (const c of pool.active.values()) {
    if (c.phase !== 'ended') by_phase[c.phase]++;
    by_direction[c.direction]++;
    const company = c.company_id ?? '';
    by_company[company] = (by_company[company] ?? 0) + 1;
    const trunk = c.trunk ?? '';
    by_trunk[trunk] = (by_trunk[trunk] ?? 0) + 1;
  }
  return {
    active: pool.active.size,
    by_phase,
    by_direction,
    by_company,
    by_trunk,
    cps_1m: 83.4,
    asr_15m: 57.2,
    acd_15m: 212,
    peak_1h: { active: pool.active.size + 412, at: Date.now() - 23 * 60_000 },
  };
}

function cookieSession(req: IncomingMessage, sessions: Map<string, Session>): Session | null {
  const match = /(?:^|;\s*)lc_session=([^;]+)/.exec(req.headers.cookie ?? '');
  const session = match ? sessions.get(match[1]!) : undefined;
  return session !== undefined && session.exp * 1000 > Date.now() ? session : null;
}

interface Session {
  sub: string;
  role: 'noc';
  company_id: null;
  exp: number;
}

function json(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
}

export async function startSyntheticFeed(options: FeedOptions): Promise<SyntheticFeed> {
  const pool = new CallPool();
  const sessions = new Map<string, Session>();
  const auth = options.sessionTtlMs !== undefined;
  const expiryTimers = new Set<ReturnType<typeof setTimeout>>();
  const epoch = `synth${Date.now().toString(36)}`;
  for (let i = 0; i < options.calls; i++) pool.create(Date.now());
  let sent = 0;
  const streams = new Set<ServerResponse>();
  /** Recent call events as written, for resumes (docs/interface/ordering.md): `[seq, frame]`. */
  const log: [number, string][] = [];
  const LOG_LIMIT = 20_000;

  const write = (res: ServerResponse, event: string, data: unknown, id?: string) => {
    res.write(`${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };

  // Updates go out every 20 ms in small bursts, the way a busy backend's fan-out does.
  const TICK_MS = 20;
  let carry = 0;
  const ticker = setInterval(() => {
    carry += (options.updatesPerSecond * TICK_MS) / 1000;
    const count = Math.floor(carry);
    carry -= count;
    const now = Date.now();
    for (let i = 0; i < count; i++) {
      for (const record of pool.step(now)) {
        const seq = pool.nextSeq();
        const frame = `id: ${epoch}:${seq}\nevent: call.${record.phase}\ndata: ${JSON.stringify(record)}\n\n`;
        log.push([seq, frame]);
        for (const res of streams) res.write(frame);
        sent++;
      }
      if (log.length > LOG_LIMIT) log.splice(0, log.length - LOG_LIMIT);
    }
  }, TICK_MS);
  const slow = setInterval(() => {
    for (const res of streams) {
      write(res, 'stats', stats(pool));
      write(res, 'ping', { server_time: Date.now(), seq: pool.seq });
    }
  }, 5_000);

  const serveStatic = async (req: IncomingMessage, res: ServerResponse) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(options.buildDir, path.includes('..') ? 'index.html' : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(200, { 'content-type': TYPES['.html']! });
      res.end(await readFile(join(options.buildDir, 'index.html')));
    }
  };

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const session = auth ? cookieSession(req, sessions) : null;
    if (path === '/api/v1/auth/login' && auth && req.method === 'POST') {
      void readBody(req).then((body) => {
        const { username, password } = JSON.parse(body) as { username: string; password: string };
        if (!username || username !== password) {
          json(res, 401, { error: { code: 'unauthorized', message: 'bad credentials' } });
          return;
        }
        const token = `t${Math.random().toString(36).slice(2)}`;
        const exp = Math.ceil((Date.now() + (options.sessionTtlMs ?? 0)) / 1000);
        sessions.set(token, { sub: username, role: 'noc', company_id: null, exp });
        res.writeHead(204, {
          'set-cookie': `lc_session=${token}; Path=/; HttpOnly; SameSite=Strict`,
        });
        res.end();
      });
    } else if (path === '/api/v1/auth/me') {
      if (!auth) json(res, 404, { error: { code: 'not_found', message: 'no auth' } });
      else if (session === null)
        json(res, 401, { error: { code: 'unauthorized', message: 'no session' } });
      else json(res, 200, session);
    } else if (auth && session === null && path.startsWith('/api/')) {
      json(res, 401, { error: { code: 'unauthorized', message: 'no session' } });
    } else if (path === '/api/v1/live/stats') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(stats(pool)));
    } else if (path === '/api/v1/live/calls') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write('retry: 1000\n\n');
      const now = Date.now();
      write(res, 'connected', {
        stream_id: 'synthetic',
        epoch,
        seq: pool.seq,
        role: 'noc',
        company_id: null,
        heartbeat_ms: 15_000,
        server_time: now,
      });
      // Resume when the id is of this epoch and the log still holds everything after it.
      const url = new URL(req.url ?? '/', 'http://x');
      const lastId =
        (req.headers['last-event-id'] as string | undefined) ??
        url.searchParams.get('last_event_id');
      const colon = lastId ? lastId.lastIndexOf(':') : -1;
      const resumeSeq =
        lastId && lastId.slice(0, colon) === epoch ? Number(lastId.slice(colon + 1)) : null;
      const oldest = log[0]?.[0] ?? pool.seq + 1;
      if (resumeSeq !== null && (resumeSeq >= pool.seq || resumeSeq >= oldest - 1)) {
        for (const [seq, frame] of log) if (seq > resumeSeq) res.write(frame);
      } else {
        write(
          res,
          'snapshot',
          {
            epoch,
            seq: pool.seq,
            reason:
              lastId === null || lastId === undefined
                ? 'initial'
                : resumeSeq === null
                  ? 'epoch_changed'
                  : 'resume_expired',
            server_time: now,
            calls: [...pool.active.values()],
            sources: [
              {
                source: 'pbx-synth',
                state: 'up',
                last_sync_at: now - 4_000,
                active: pool.active.size,
              },
              { source: 'pbx-fra-2', state: 'stale', last_sync_at: now - 125_000, active: 0 },
            ],
          },
          `${epoch}:${pool.seq}`,
        );
      }
      write(res, 'stats', stats(pool));
      streams.add(res);
      if (session !== null) {
        // At the token's exp the server says so, then closes the stream (docs/interface/sse.md).
        const timer = setTimeout(
          () => {
            expiryTimers.delete(timer);
            write(res, 'session.expired', { server_time: Date.now() });
            streams.delete(res);
            res.end();
          },
          session.exp * 1000 - Date.now(),
        );
        expiryTimers.add(timer);
        req.on('close', () => {
          clearTimeout(timer);
          expiryTimers.delete(timer);
        });
      }
      req.on('close', () => streams.delete(res));
    } else {
      void serveStatic(req, res);
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sent: () => sent,
    close: async () => {
      clearInterval(ticker);
      clearInterval(slow);
      for (const timer of expiryTimers) clearTimeout(timer);
      for (const res of streams) res.end();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
