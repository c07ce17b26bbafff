import { defineProject, mergeConfig } from 'vitest/config';
import { sharedConfig } from '../vitest.shared.js';

export default mergeConfig(
  sharedConfig,
  defineProject({
    test: {
      name: 'test-services',
      include: ['src/**/*.test.ts'],
      // Real servers: a stop may wait up to 5 s for SIGTERM and a start up to 10 s.
      testTimeout: 30_000,
      hookTimeout: 30_000,
    },
  }),
);
