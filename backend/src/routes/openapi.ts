// The HTTP API as an OpenAPI 3.1 document, served at GET /api/v1/openapi.json. SSE event
// types are described in the stream's response (`x-sse-events`), since OpenAPI has no
// native notion of them. Kept by hand beside the routes; see ADR-0004.
import { REQUIRED_RECORD_FIELDS } from '@live-calls/protocol';
import type { FastifyPluginCallback } from 'fastify';

const error = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: error } },
});
const companyQuery = {
  name: 'company_id',
  in: 'query',
  required: false,
  description:
    'Narrow to one company (admin, operator, noc); role user may only name its own (else 403).',
  schema: { type: 'string', minLength: 1, maxLength: 256 },
};

export const OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'live-calls',
    version: '1',
    description:
      'Live SIP calls for a NOC wall: a role-scoped Server-Sent Events stream with exact resume, a snapshot, stats, sessions and operations endpoints.',
  },
  components: {
    securitySchemes: {
      cookie: { type: 'apiKey', in: 'cookie', name: 'lc_session' },
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: { code: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
      Party: {
        type: 'object',
        required: ['user'],
        properties: {
          user: { type: 'string' },
          display: { type: 'string' },
          uri: { type: 'string' },
        },
      },
      CallRecord: {
        type: 'object',
        description: 'CONTRACT §2. `sip` is never present for role user.',
        required: REQUIRED_RECORD_FIELDS,
        properties: {
          v: { const: 1 },
          id: { type: 'string', description: '<source>:<call_id>' },
          source: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
          call_id: { type: 'string', minLength: 1, maxLength: 256 },
          seq: { type: 'integer', minimum: 1 },
          phase: { enum: ['setup', 'ringing', 'answered', 'ended'] },
          ts: { type: 'integer' },
          company_id: { type: ['string', 'null'] },
          direction: { enum: ['inbound', 'outbound', 'internal', 'unknown'] },
          from: { $ref: '#/components/schemas/Party' },
          to: { $ref: '#/components/schemas/Party' },
          trunk: { type: ['string', 'null'] },
          created_at: { type: ['integer', 'null'] },
          answered_at: { type: ['integer', 'null'] },
          ended_at: { type: ['integer', 'null'] },
          held: { type: 'boolean' },
          end: {
            type: 'object',
            required: ['reason'],
            properties: {
              reason: { enum: ['bye', 'cancel', 'failed', 'timeout', 'reaped'] },
              sip_code: { type: 'integer' },
              sip_reason: { type: 'string' },
              q850: { type: 'integer' },
            },
          },
          sip: { type: 'object', additionalProperties: true },
        },
      },
      SourceStatus: {
        type: 'object',
        properties: {
          source: { type: 'string' },
          state: { enum: ['up', 'stale'] },
          last_sync_at: { type: ['integer', 'null'] },
          active: { type: 'integer' },
        },
      },
      Snapshot: {
        type: 'object',
        required: ['epoch', 'seq', 'server_time', 'calls', 'sources'],
        properties: {
          epoch: { type: 'string' },
          seq: { type: 'integer' },
          reason: {
            enum: ['initial', 'resume_expired', 'epoch_changed', 'invalid_id'],
            description: 'SSE snapshot only',
          },
          server_time: { type: 'integer' },
          calls: { type: 'array', items: { $ref: '#/components/schemas/CallRecord' } },
          sources: {
            type: 'array',
            items: { $ref: '#/components/schemas/SourceStatus' },
            description: 'Empty for role user.',
          },
        },
      },
      Stats: {
        type: 'object',
        properties: {
          active: { type: 'integer' },
          by_phase: { type: 'object', additionalProperties: { type: 'integer' } },
          by_direction: { type: 'object', additionalProperties: { type: 'integer' } },
          by_company: { type: 'object', additionalProperties: { type: 'integer' } },
          by_trunk: { type: 'object', additionalProperties: { type: 'integer' } },
          cps_1m: { type: 'number' },
          asr_15m: { type: ['number', 'null'] },
          acd_15m: { type: ['number', 'null'] },
          peak_1h: {
            type: 'object',
            properties: { active: { type: 'integer' }, at: { type: ['integer', 'null'] } },
          },
        },
      },
      Session: {
        type: 'object',
        properties: {
          sub: { type: 'string' },
          role: { enum: ['admin', 'operator', 'noc', 'user'] },
          company_id: { type: ['string', 'null'] },
          exp: { type: 'integer' },
        },
      },
    },
  },
  security: [{ cookie: [] }, { bearer: [] }],
  paths: {
    '/api/v1/live/calls': {
      get: {
        summary: 'The live stream (Server-Sent Events)',
        description:
          'Starts with `retry`, then `connected`, then a `snapshot` or the replayed events, then live events. Resume with the Last-Event-ID header (or `last_event_id`): exactly the missed events when the epoch is current and the log still holds them, otherwise a snapshot whose reason says why. Ids are `<epoch>:<seq>` and strictly increase within a stream.',
        parameters: [
          companyQuery,
          {
            name: 'last_event_id',
            in: 'query',
            required: false,
            schema: { type: 'string', maxLength: 200 },
          },
          { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } },
        ],
        responses: {
          '200': {
            description: 'text/event-stream',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
            'x-sse-events': {
              connected: {
                id: false,
                data: '{ stream_id, epoch, seq, role, company_id, heartbeat_ms, server_time }',
              },
              snapshot: { id: true, data: { $ref: '#/components/schemas/Snapshot' } },
              'call.setup': { id: true, data: { $ref: '#/components/schemas/CallRecord' } },
              'call.ringing': { id: true, data: { $ref: '#/components/schemas/CallRecord' } },
              'call.answered': { id: true, data: { $ref: '#/components/schemas/CallRecord' } },
              'call.ended': { id: true, data: { $ref: '#/components/schemas/CallRecord' } },
              source: {
                id: true,
                data: { $ref: '#/components/schemas/SourceStatus' },
                roles: ['admin', 'operator', 'noc'],
              },
              stats: { id: false, every: '5 s', data: { $ref: '#/components/schemas/Stats' } },
              ping: { id: false, every: 'heartbeat_ms', data: '{ server_time, seq }' },
              'session.expired': {
                id: false,
                data: '{ server_time }',
                then: 'the server closes the stream',
              },
            },
          },
          '401': errorResponse('No or bad session'),
          '403': errorResponse('Another company than the session’s'),
          '503': errorResponse('Shutting down'),
        },
      },
    },
    '/api/v1/live/calls/snapshot': {
      get: {
        summary: 'Active calls with the epoch and seq they reflect',
        parameters: [companyQuery],
        responses: {
          '200': {
            description: 'Snapshot',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Snapshot' } } },
          },
          '401': errorResponse('No or bad session'),
          '403': errorResponse('Another company than the session’s'),
        },
      },
    },
    '/api/v1/live/stats': {
      get: {
        summary: 'Aggregates over the session’s scope (same object as the `stats` event)',
        parameters: [companyQuery],
        responses: {
          '200': {
            description: 'Stats',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Stats' } } },
          },
          '401': errorResponse('No or bad session'),
          '403': errorResponse('Another company than the session’s'),
        },
      },
    },
    '/api/v1/auth/login': {
      post: {
        summary: 'Sign in against USERS_FILE; sets the HttpOnly lc_session cookie',
        security: [],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['username', 'password'],
                properties: { username: { type: 'string' }, password: { type: 'string' } },
              },
            },
          },
        },
        responses: {
          '204': {
            description:
              'Signed in; Set-Cookie lc_session (HttpOnly, SameSite=Strict, Secure over HTTPS)',
          },
          '400': errorResponse('Bad input'),
          '401': errorResponse('Wrong user name or password (the same answer for both)'),
          '404': errorResponse('Sessions come from an outside identity provider'),
          '429': errorResponse('Too many attempts; see Retry-After'),
        },
      },
    },
    '/api/v1/auth/logout': {
      post: {
        summary: 'Clears the session cookie',
        security: [],
        responses: { '204': { description: 'Signed out' } },
      },
    },
    '/api/v1/auth/me': {
      get: {
        summary: 'The current session',
        responses: {
          '200': {
            description: 'Session',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Session' } } },
          },
          '401': errorResponse('No or bad session'),
        },
      },
    },
    '/healthz': {
      get: { summary: 'Process alive', security: [], responses: { '200': { description: 'ok' } } },
    },
    '/readyz': {
      get: {
        summary: 'Ready only when store and bus are connected and ingest runs',
        security: [],
        responses: {
          '200': { description: 'ready' },
          '503': { description: 'Names what is down: store, bus, ingest, accepting' },
        },
      },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics',
        security: [],
        responses: { '200': { description: 'text/plain; version=0.0.4' } },
      },
    },
    '/api/v1/openapi.json': {
      get: {
        summary: 'This document',
        security: [],
        responses: { '200': { description: 'OpenAPI 3.1' } },
      },
    },
  },
} as const;

const openapi: FastifyPluginCallback = (app, _opts, done) => {
  const body = JSON.stringify(OPENAPI);
  app.get('/api/v1/openapi.json', (_request, reply) => reply.type('application/json').send(body));
  done();
};

export default openapi;
