// The generated OpenAPI document against the routes the backend really registers, and the
// replies that now pass through the response schemas against what the handlers send.
import { LIVE_EVENT_NAMES } from '@live-calls/protocol';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_AUTH,
  startBackend,
  TEST_JWT_SECRET,
  type TestBackend,
} from '../testing/test-stack.js';
import { OPENAPI_PATH } from './openapi.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The operations the API offers, as `METHOD path`. */
const API = [
  'GET /api/v1/live/calls',
  'GET /api/v1/live/calls/snapshot',
  'GET /api/v1/live/stats',
  'GET /api/v1/live/history',
  'GET /api/v1/live/recent',
  'GET /api/v1/alarms',
  'POST /api/v1/calls/{id}/hangup',
  'GET /api/v1/audit',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/logout',
  'GET /api/v1/auth/me',
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
  `GET ${OPENAPI_PATH}`,
];

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const PARAMETER_PLACES = ['query', 'header', 'path', 'cookie'];
const JSON_TYPES = ['null', 'boolean', 'object', 'array', 'number', 'integer', 'string'];

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function object(value: Json | undefined, where: string): JsonObject {
  if (!isObject(value)) throw new Error(`${where}: not an object`);
  return value;
}

/** `METHOD path` of every route in Fastify's route tree (HEAD twins left out). */
function registeredRoutes(tree: string): string[] {
  const prefixes: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:│ {3}| {4})*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (match === null) continue;
    prefixes.length = match[1]!.length / 4;
    prefixes.push(match[2]!);
    for (const method of match[3]?.split(', ') ?? []) {
      if (method !== 'HEAD') routes.push(`${method} ${prefixes.join('')}`);
    }
  }
  return routes;
}

/** Every value in the document with its JSON pointer. */
function* walk(value: Json, pointer = ''): Generator<[string, Json]> {
  yield [pointer, value];
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* walk(item, `${pointer}/${i}`);
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      yield* walk(item, `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`);
    }
  }
}

function resolvePointer(document: Json, pointer: string): Json | undefined {
  let at: Json | undefined = document;
  for (const token of pointer.slice(2).split('/')) {
    const key = token.replaceAll('~1', '/').replaceAll('~0', '~');
    at = isObject(at) ? at[key] : undefined;
  }
  return at;
}

describe('OpenAPI document', () => {
  let backend: TestBackend;
  let document: JsonObject;
  beforeAll(async () => {
    backend = await startBackend({});
    const response = await fetch(`${backend.url}${OPENAPI_PATH}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    document = (await response.json()) as JsonObject;
  });
  afterAll(() => backend.close());

  const operations = () =>
    Object.entries(object(document.paths, 'paths')).flatMap(([path, item]) =>
      Object.entries(object(item, path))
        .filter(([method]) => HTTP_METHODS.includes(method))
        .map(([method, operation]) => ({
          name: `${method.toUpperCase()} ${path}`,
          operation: object(operation, `${method} ${path}`),
        })),
    );

  it('documents exactly the routes the backend registers, each with its method', () => {
    const documented = operations().map(({ name }) => name);
    expect(documented.sort()).toEqual([...API].sort());
    for (const name of documented) {
      const [method, url] = name.split(' ') as [string, string];
      // OpenAPI writes a path parameter `{id}`, Fastify `:id`.
      const route = url.replace(/\{(\w+)\}/g, ':$1');
      expect(backend.app.hasRoute({ method, url: route }), name).toBe(true);
    }
    // Nothing the backend answers is left out (the dashboard's files, when served, hide).
    const registered = registeredRoutes(backend.app.printRoutes({ commonPrefix: false }));
    expect(registered.map((r) => r.replace(/:(\w+)/g, '{$1}')).sort()).toEqual([...API].sort());
  });

  it('is shaped as OpenAPI 3.1', () => {
    expect(document.openapi).toBe('3.1.0');
    for (const key of Object.keys(document)) {
      expect(
        [
          'openapi',
          'info',
          'jsonSchemaDialect',
          'servers',
          'paths',
          'webhooks',
          'components',
          'security',
          'tags',
          'externalDocs',
        ].includes(key) || key.startsWith('x-'),
        key,
      ).toBe(true);
    }
    const info = object(document.info, 'info');
    expect(typeof info.title).toBe('string');
    expect(typeof info.version).toBe('string');
    const components = object(document.components, 'components');
    const schemes = object(components.securitySchemes, 'securitySchemes');
    const requirements = [
      ...(document.security as Json[]),
      ...operations().flatMap(({ operation }) => (operation.security as Json[] | undefined) ?? []),
    ];
    for (const requirement of requirements) {
      for (const scheme of Object.keys(object(requirement, 'security'))) {
        expect(schemes[scheme], `security scheme ${scheme}`).toBeDefined();
      }
    }

    for (const path of Object.keys(object(document.paths, 'paths'))) {
      expect(path.startsWith('/'), path).toBe(true);
    }
    for (const { name, operation } of operations()) {
      for (const parameter of (operation.parameters as Json[] | undefined) ?? []) {
        const p = object(parameter, `${name} parameter`);
        expect(typeof p.name, name).toBe('string');
        expect(PARAMETER_PLACES, name).toContain(p.in);
        expect(isObject(p.schema), `${name} ${JSON.stringify(p.name)}`).toBe(true);
      }
      if (operation.requestBody !== undefined) {
        const content = object(object(operation.requestBody, name).content, `${name} body`);
        for (const media of Object.values(content)) {
          expect(isObject(object(media, name).schema), name).toBe(true);
        }
      }
      const responses = Object.entries(object(operation.responses, `${name} responses`));
      expect(responses.length, name).toBeGreaterThan(0);
      for (const [status, response] of responses) {
        expect(status, name).toMatch(/^([1-5]\d\d|[1-5]XX|default)$/);
        const r = object(response, `${name} ${status}`);
        expect(typeof r.description, `${name} ${status}`).toBe('string');
        for (const media of Object.values(object(r.content ?? {}, `${name} ${status}`))) {
          expect(isObject(object(media, name).schema), `${name} ${status}`).toBe(true);
        }
        // Every error answer carries the one error body.
        if (Number(status) >= 400 && !(name === 'GET /readyz' && status === '503')) {
          expect(r.content, `${name} ${status}`).toEqual({
            'application/json': { schema: { $ref: '#/components/schemas/Error' } },
          });
        }
      }
    }

    for (const [pointer, value] of walk(document)) {
      if (!isObject(value)) continue;
      // 3.1 schemas are JSON Schema 2020-12: no 3.0 `nullable`, only JSON types.
      expect(value, pointer).not.toHaveProperty('nullable');
      if (pointer.includes('/schema') || pointer.startsWith('/components/schemas')) {
        const types = value.type === undefined ? [] : [value.type].flat();
        for (const type of types) expect(JSON_TYPES, pointer).toContain(type);
      }
      if (typeof value.$ref === 'string') {
        expect(value.$ref, pointer).toMatch(/^#\//);
        expect(resolvePointer(document, value.$ref), `${pointer} → ${value.$ref}`).toBeDefined();
      }
    }
  });

  it('lists every SSE event of the stream with a documented payload', () => {
    const stream = object(
      object(object(document.paths, 'paths')['/api/v1/live/calls'], 'stream').get,
      'stream',
    );
    const events = object(stream['x-sse-events'], 'x-sse-events');
    expect(Object.keys(events).sort()).toEqual([...LIVE_EVENT_NAMES].sort());
    for (const [name, event] of Object.entries(events)) {
      const { id, data } = object(event, name);
      expect(typeof id, name).toBe('boolean');
      expect(object(data, name).$ref, name).toMatch(/^#\/components\/schemas\//);
    }
    const stream200 = object(object(stream.responses, 'responses')['200'], '200');
    expect(Object.keys(object(stream200.content, 'content'))).toEqual(['text/event-stream']);
  });
});

// Fastify serializes replies with a route's response schema, which drops or rounds what the
// schema does not allow: the replies must still be exactly what the handlers build.
describe('replies through the response schemas', () => {
  let backend: TestBackend;
  beforeAll(async () => {
    backend = await startBackend({});
  });
  afterAll(() => backend.close());

  const json = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${backend.url}${path}`, init);
    return { status: response.status, body: await response.json() };
  };

  it('keep every field the handlers send', async () => {
    expect(await json('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await json('/readyz')).toEqual({
      status: 200,
      body: { status: 'ready', checks: { store: true, bus: true, ingest: true, accepting: true } },
    });
    const stats = await json('/api/v1/live/stats', { headers: ADMIN_AUTH });
    expect(stats).toEqual({
      status: 200,
      body: await backend.app.store.stats(null, Date.now()),
    });
    // A fractional `exp` from an identity provider is passed on as it is, not rounded.
    const exp = Math.floor(Date.now() / 1000) + 60.5;
    const token = await new SignJWT({ role: 'user', company_id: 'acme' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('fraction')
      .setExpirationTime(exp)
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    expect(
      await json('/api/v1/auth/me', { headers: { authorization: `Bearer ${token}` } }),
    ).toEqual({
      status: 200,
      body: { sub: 'fraction', role: 'user', company_id: 'acme', exp },
    });
  });

  it('answer bad input with the same 400 error body as before the schemas', async () => {
    for (const [path, init] of [
      ['/api/v1/live/stats?company_id=', { headers: ADMIN_AUTH }],
      ['/api/v1/live/calls/snapshot?company_id=', { headers: ADMIN_AUTH }],
      [`/api/v1/live/calls/snapshot?last_event_id=${'x'.repeat(201)}`, { headers: ADMIN_AUTH }],
      [
        '/api/v1/auth/login',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"username":""}',
        },
      ],
    ] as const) {
      const { status, body } = await json(path, init);
      expect(status, path).toBe(400);
      expect(body, path).toEqual({
        error: { code: 'bad_request', message: expect.any(String) as string },
      });
    }
    // Unknown parameters are dropped, not refused.
    expect((await json('/api/v1/live/stats?other=1', { headers: ADMIN_AUTH })).status).toBe(200);
    expect(await json('/api/v1/auth/me')).toEqual({
      status: 401,
      body: { error: { code: 'unauthorized', message: expect.any(String) as string } },
    });
  });
});
