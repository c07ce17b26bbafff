// `tls://` with NATS_CA: a nats-server whose certificate a private CA signed (made here with
// openssl), which the system does not trust; the bridge connects with the CA's file.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallRecord } from '@live-calls/protocol';
import { freePort, waitForPort } from '@live-calls/test-services';
import { connect } from '@nats-io/transport-node';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBridge, type Bridge } from './bridge.js';
import { parseConfig } from './config.js';

let dir: string;
let server: ChildProcess | undefined;
let port: number;
let bridge: Bridge | undefined;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bridge-nats-tls-'));
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-subj',
    '/CN=live-calls test CA',
  );
  // nats.js checks the certificate against the URL's host name (an IP literal is checked
  // as `localhost`), so the certificate names localhost.
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost\n');
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=localhost',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    'san.ext',
    '-out',
    'server.pem',
  );
  port = await freePort();
  server = spawn(
    'nats-server',
    [
      '-a',
      '127.0.0.1',
      '-p',
      String(port),
      '-js',
      '-sd',
      join(dir, 'js'),
      '--tls',
      '--tlscert',
      join(dir, 'server.pem'),
      '--tlskey',
      join(dir, 'server.key'),
    ],
    { stdio: 'ignore' },
  );
  await waitForPort(port);
}, 30_000);

afterAll(async () => {
  await bridge?.close();
  if (server?.exitCode === null) {
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

it('connects to tls:// servers signed by the CA in NATS_CA', async () => {
  const url = `tls://localhost:${port}`;
  const caFile = join(dir, 'ca.pem');
  // Without the CA the server is not trusted.
  await expect(connect({ servers: url, timeout: 3000 })).rejects.toThrow();
  bridge = await startBridge(
    parseConfig({
      NATS_URL: url,
      NATS_CA: caFile,
      SOURCE_ID: 'sim-tls',
      PBX: 'simulator',
      SIM_CPS: '50',
      HEALTH_PORT: '0',
    }),
    pino({ level: 'silent' }),
    { defaultMetrics: false },
  );
  const observer = await connect({ servers: url, tls: { caFile } });
  try {
    const sub = observer.subscribe('call.events.>', { max: 1 });
    let first: CallRecord | undefined;
    for await (const msg of sub) first = msg.json<CallRecord>();
    expect(first?.source).toBe('sim-tls');
    // The state bucket answered over TLS too.
    expect(bridge.report().state.restored).toBe(0);
  } finally {
    await observer.close();
  }
}, 30_000);
