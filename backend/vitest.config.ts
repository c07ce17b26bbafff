import { defineProject, mergeConfig } from 'vitest/config';
import { sharedConfig } from '../vitest.shared.js';

export default mergeConfig(
  sharedConfig,
  defineProject({
    test: {
      name: 'backend',
      include: ['src/**/*.test.ts'],
      // Integration tests start real servers; bounds live in each wait, not in the runner.
      testTimeout: 60_000,
      hookTimeout: 30_000,
    },
  }),
);
