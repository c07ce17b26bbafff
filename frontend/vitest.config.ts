import { defineProject, mergeConfig } from 'vitest/config';
import { sharedConfig } from '../vitest.shared.js';

// Unit tests cover the plain TypeScript modules only, so they run without the SvelteKit
// plugin (which resolves its project from the working directory and would break when the
// workspace root runs every project).
export default mergeConfig(
  sharedConfig,
  defineProject({ test: { name: 'frontend', include: ['src/**/*.test.ts'] } }),
);
