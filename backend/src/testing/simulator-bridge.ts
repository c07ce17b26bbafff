// The bridge process in PBX=simulator mode, as suites that need a real source of calls start
// it (`pnpm build` first: it runs bridge/dist/main.js). Ready when its /readyz answers.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startNodeService, type ManagedService } from '@live-calls/test-services';

const BRIDGE = fileURLToPath(new URL('../../../bridge/dist/main.js', import.meta.url));

export function startSimulatorBridge(
  source: string,
  natsUrl: string,
  env: Record<string, string> = {},
): Promise<ManagedService> {
  if (!existsSync(BRIDGE)) throw new Error(`${BRIDGE} is missing: run pnpm build first`);
  return startNodeService({
    name: 'bridge',
    entry: BRIDGE,
    readyPath: '/readyz',
    env: (port) => ({
      PATH: process.env.PATH ?? '',
      PBX: 'simulator',
      SOURCE_ID: source,
      SIM_CPS: '20',
      NATS_URL: natsUrl,
      HEALTH_PORT: String(port),
      LOG_LEVEL: 'warn',
      ...env,
    }),
  });
}
