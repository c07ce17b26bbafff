import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

interface Registry {
  /** Server processes that have not exited yet. */
  readonly children: Set<ChildProcess>;
  /** Temp dirs not yet removed by close(). */
  readonly dirs: Set<string>;
  /** Ports held by service objects, so freePort() never hands one out twice in this process. */
  readonly ports: Set<number>;
}

// Kept on globalThis, not in module scope: vitest may evaluate this module once per test
// file in the same process, and one registry with one 'exit' hook must see every server.
const KEY = Symbol.for('@live-calls/test-services/registry');
type GlobalWithRegistry = typeof globalThis & { [KEY]?: Registry };

export function registry(): Registry {
  const global = globalThis as GlobalWithRegistry;
  let existing = global[KEY];
  if (existing === undefined) {
    existing = { children: new Set(), dirs: new Set(), ports: new Set() };
    global[KEY] = existing;
    installLastResortCleanup(existing);
  }
  return existing;
}

const FATAL_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

// For suites that never reach afterAll. 'exit' alone is not enough: vitest ends its fork
// workers with SIGTERM, which skips 'exit'. Both paths must be synchronous, so servers get
// SIGKILL, not a graceful stop. A worker that is itself SIGKILLed still leaks its servers.
function installLastResortCleanup(registry: Registry): void {
  process.once('exit', () => killEverything(registry));
  for (const signal of FATAL_SIGNALS) {
    const onSignal = (): void => {
      killEverything(registry);
      process.off(signal, onSignal);
      // Listening disabled Node's default of dying on the signal; restore it unless someone
      // else handles the signal and decides.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

function killEverything(registry: Registry): void {
  for (const child of registry.children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone: nothing left to clean up.
    }
  }
  for (const dir of registry.dirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A server killed a moment ago may still be writing; a leftover temp dir is harmless.
    }
  }
}
