// The live API: the SSE stream and the snapshot (docs/interface/http.md, docs/interface/sse.md).
import type { FastifyPluginCallback } from 'fastify';
import { HttpError, tooManyRequests, unavailable } from '../errors.js';
import { compressor, pickCoding } from '../http-compression.js';
import { acceptsEventStream } from '../stream/accept.js';
import { releaseResponse, responseHead } from '../stream/response-head.js';
import type { OutgoingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { slices, snapshotParts } from '../stream/sse-frames.js';
import { LIVE_EVENTS_DOC } from './live-events.js';
import { liveQuerySchema, scopeFor, type LiveQuery } from './query.js';
import { DEPENDENCY_DOWN, errorResponse, NOT_CACHED, ref, SESSION_ERRORS } from './schemas.js';
import { recordViewOf } from '../store/record-views.js';

const streamSchema = {
  summary: 'The live stream (Server-Sent Events)',
  description:
    'Starts with `retry`, then `connected`, then a `snapshot` or the replayed events, then live events. Resume with the Last-Event-ID header (or `last_event_id`): exactly the missed events when the epoch is current and the log still holds them, otherwise a snapshot whose reason says why. Ids are `<epoch>:<seq>` and strictly increase within a stream. `x-sse-events` lists every event and its data.',
  querystring: liveQuerySchema,
  headers: {
    type: 'object',
    properties: {
      'last-event-id': {
        type: 'string',
        description: 'The id of the last event received; what a reconnecting EventSource sends',
      },
    },
  },
  response: {
    200: {
      description: 'The event stream',
      content: { 'text/event-stream': { schema: { type: 'string' } } },
    },
    400: errorResponse('A bad query parameter or header'),
    ...SESSION_ERRORS,
    406: errorResponse('The Accept header refuses text/event-stream'),
    429: {
      ...errorResponse(
        'Too many open streams for this user (MAX_STREAMS_PER_USER) or this address (MAX_STREAMS_PER_IP)',
      ),
      headers: { 'retry-after': { type: 'integer', description: 'Seconds to wait' } },
    },
    503: errorResponse('Shutting down (reconnect to another instance), or Redis or NATS is away'),
  },
  'x-sse-events': LIVE_EVENTS_DOC,
} as const;

const snapshotSchema = {
  summary: 'Active calls with the epoch and seq they reflect',
  querystring: liveQuerySchema,
  response: {
    // Sent as JSON text spliced from the store, so this schema describes, not serializes.
    200: {
      description: 'The snapshot (without `reason`)',
      ...ref('Snapshot'),
      headers: NOT_CACHED,
    },
    400: errorResponse('A bad query parameter'),
    ...SESSION_ERRORS,
    503: DEPENDENCY_DOWN,
  },
} as const;

/** The stream's own headers, beside the security headers every answer carries. */
const STREAM_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  // The body ends with the connection (ADR-0013): the connection is not reused.
  connection: 'close',
  // Tells buffering proxies (nginx) to pass events through at once.
  'x-accel-buffering': 'no',
} as const;

/** What a client refused for too many streams is told to wait. */
const STREAM_RETRY_AFTER_S = 10;

const live: FastifyPluginCallback = (app, _opts, done) => {
  app.get<{ Querystring: LiveQuery; Headers: { 'last-event-id'?: string } }>(
    '/api/v1/live/calls',
    {
      // A HEAD must not open (and count) a stream.
      exposeHeadRoute: false,
      schema: streamSchema,
      onRequest: app.requireSession,
    },
    (request, reply) => {
      if (!acceptsEventStream(request.headers.accept))
        throw new HttpError(406, 'not_acceptable', 'this endpoint only produces text/event-stream');
      if (!app.hub.accepting) throw unavailable('shutting down; reconnect to another instance');
      const session = request.session;
      const scope = scopeFor(session, request.query.company_id);
      const limit = app.hub.limitReached(session.sub, request.ip);
      if (limit !== null) {
        app.metrics.streamsRefused.inc({ limit });
        throw tooManyRequests(
          'too_many_streams',
          limit === 'user'
            ? 'too many open streams for this user; close one and retry'
            : 'too many open streams from this address; close one and retry',
          STREAM_RETRY_AFTER_S,
        );
      }
      // The header wins: it is what a reconnecting EventSource sends.
      const lastEventId = request.headers['last-event-id'] ?? request.query.last_event_id;
      // From here the stream is the hub's. It is written to the connection itself; Node's
      // response object is never written, and what only it kept alive (the request's framework
      // objects, the header list) is let go (ADR-0013).
      reply.hijack();
      const socket = reply.raw.socket;
      if (socket === null || socket.destroyed) return;
      socket.write(
        responseHead(
          { ...(reply.getHeaders() as OutgoingHttpHeaders), ...STREAM_HEADERS },
          new Date().toUTCString(),
        ),
      );
      releaseResponse(reply.raw);
      void app.hub.open(
        socket,
        {
          sub: session.sub,
          ip: request.ip,
          role: session.role,
          scope,
          expiresAt: session.exp * 1000,
        },
        lastEventId,
      );
    },
  );

  app.get<{ Querystring: Omit<LiveQuery, 'last_event_id'> }>(
    '/api/v1/live/calls/snapshot',
    { schema: snapshotSchema, onRequest: app.requireSession },
    async (request, reply) => {
      const scope = scopeFor(request.session, request.query.company_id);
      const snapshot = await app.hub.snapshots.read(scope.company_id, recordViewOf(scope));
      // Streamed in slices with backpressure: a slow reader holds a slice, not a copy.
      const { head, calls, tail } = snapshotParts(snapshot, scope.sources, Date.now());
      const body = Readable.from(
        (function* () {
          yield head;
          yield* slices(calls);
          yield tail;
        })(),
        { objectMode: false },
      );
      // The first paint's big read goes compressed (a tenth of the bytes); the stream then
      // resumes from this snapshot's id, so nothing between the two is lost.
      const coding = pickCoding(request.headers['accept-encoding']);
      const encoder = compressor(coding, head.length + calls.length + tail.length);
      reply
        .type('application/json')
        .header('cache-control', 'no-store')
        .header('vary', 'accept-encoding');
      if (encoder === null) return reply.send(body);
      return reply.header('content-encoding', coding).send(body.pipe(encoder));
    },
  );
  done();
};

export default live;
