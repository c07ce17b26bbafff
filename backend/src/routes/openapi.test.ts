import { LIVE_EVENT_NAMES } from '@live-calls/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type TestBackend } from '../testing/test-stack.js';
import { OPENAPI } from './openapi.js';

describe('OpenAPI document', () => {
  let backend: TestBackend;
  beforeAll(async () => {
    backend = await startBackend({});
  });
  afterAll(() => backend.close());

  it('is served and documents exactly the routes the backend has', async () => {
    const response = await fetch(`${backend.url}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    const served = (await response.json()) as typeof OPENAPI;
    expect(served.openapi).toBe('3.1.0');
    for (const [path, operations] of Object.entries(OPENAPI.paths)) {
      for (const method of Object.keys(operations)) {
        expect(
          backend.app.hasRoute({ method: method.toUpperCase(), url: path }),
          `${method} ${path}`,
        ).toBe(true);
      }
    }
    const documented = new Set(Object.keys(OPENAPI.paths));
    const routes = backend.app.printRoutes({ commonPrefix: false });
    for (const path of [
      '/api/v1/live/calls',
      '/api/v1/live/calls/snapshot',
      '/api/v1/live/stats',
      '/api/v1/auth/login',
      '/healthz',
      '/readyz',
      '/metrics',
    ]) {
      expect(documented.has(path)).toBe(true);
      expect(routes).toContain(path.split('/').at(-1));
    }
  });

  it('lists every SSE event type of CONTRACT §6', () => {
    const events = Object.keys(
      OPENAPI.paths['/api/v1/live/calls'].get.responses['200']['x-sse-events'],
    );
    expect(events.sort()).toEqual([...LIVE_EVENT_NAMES].sort());
  });
});
