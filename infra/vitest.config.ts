import { defineProject, mergeConfig } from 'vitest/config';
import { sharedConfig } from '../vitest.shared.js';

export default mergeConfig(
  sharedConfig,
  defineProject({
    test: {
      name: 'infra',
      include: ['tests/**/*.test.ts'],
      // Real servers (Redis, Sentinel, NATS, Caddy, Prometheus, the services): starts and
      // stops take seconds each.
      testTimeout: 60_000,
      hookTimeout: 90_000,
    },
  }),
);
