// Settings every package's vitest project shares: resolve workspace packages to their
// TypeScript source (the `source` export condition), so tests need no build first.
import type { ViteUserConfig } from 'vitest/config';

export const sourceConditions: ViteUserConfig['resolve'] = {
  conditions: ['source', 'module', 'node', 'development|production'],
};

export const sharedConfig: ViteUserConfig = {
  resolve: sourceConditions,
  ssr: { resolve: { conditions: ['source', 'module', 'node', 'development|production'] } },
};
