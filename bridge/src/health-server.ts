// The bridge's small HTTP endpoint: /healthz (alive, with the state of both connections,
// last sync and counters), /readyz (200 only while PBX and NATS are both connected) and
// /metrics (Prometheus text).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthReport {
  source: string;
  pbx: { kind: string; connected: boolean; state: string; detail?: string };
  nats: { connected: boolean; state: string };
  last_sync_at: number | null;
  active_calls: number;
  cdr_pending: number;
  /** Calls read back from the state bucket at start (null: not read), writes not yet acknowledged. */
  state: { restored: number | null; pending: number };
}

export class HealthServer {
  readonly #server: Server;
  readonly #report: () => HealthReport;
  readonly #counters: () => Promise<Record<string, number>>;
  readonly #registry: Registry;

  constructor(
    report: () => HealthReport,
    counters: () => Promise<Record<string, number>>,
    registry: Registry,
  ) {
    this.#report = report;
    this.#counters = counters;
    this.#registry = registry;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":{"code":"internal","message":"internal error"}}');
      });
    });
    // A scrape that stalls must not hold the process open at shutdown.
    this.#server.requestTimeout = 10_000;
    this.#server.keepAliveTimeout = 5_000;
  }

  /** Listens; resolves with the bound port (useful with port 0). */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve((this.#server.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.#server.listening) {
        resolve();
        return;
      }
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      json(res, 405, { error: { code: 'method_not_allowed', message: 'GET only' } });
      return;
    }
    switch (path) {
      case '/healthz':
        json(res, 200, { status: 'ok', ...this.#report(), counters: await this.#counters() });
        return;
      case '/readyz': {
        const report = this.#report();
        const down = [
          ...(report.pbx.connected ? [] : ['pbx']),
          ...(report.nats.connected ? [] : ['nats']),
        ];
        json(res, down.length === 0 ? 200 : 503, {
          ready: down.length === 0,
          down,
          ...report,
          counters: await this.#counters(),
        });
        return;
      }
      case '/metrics': {
        const body = await this.#registry.metrics();
        res.writeHead(200, { 'content-type': this.#registry.contentType });
        res.end(body);
        return;
      }
      default:
        json(res, 404, { error: { code: 'not_found', message: 'not found' } });
    }
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
