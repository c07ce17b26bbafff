// Operator actions on a call (docs/interface/http.md `POST /api/v1/calls/{id}/hangup`): the
// backend checks who asks, that the call is up, and asks the bridge of the call's source over
// the bus (call.control.<source>) with a deadline. The answer says only that the PBX agreed;
// the call's end reaches every stream as an ordinary `call.ended` (`terminated`, `by`).
// Every attempt that carries a session is audited, refused ones too.
import { randomUUID } from 'node:crypto';
import {
  CONTROL_TIMEOUT_MS,
  MAX_CALL_ID_CHARS,
  callControlSubject,
  mayAct,
  parseControlReply,
  type ControlRequest,
} from '@live-calls/protocol';
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import { ActionLimiter } from '../actions/action-limiter.js';
import type { AuditResult } from '../audit/audit-entry.js';
import { BusRequestError } from '../bus/bus.js';
import { forbidden, HttpError, tooManyRequests, unavailable } from '../errors.js';
import { errorResponse } from './schemas.js';

/** Hang-ups one user may ask for per window, on each instance. */
export const HANGUP_LIMIT = { max: 10, windowMs: 10_000 } as const;
/** `<source>:<call_id>`: a source of up to 64 characters, a colon, a Call-ID. */
const MAX_ID_CHARS = 64 + 1 + MAX_CALL_ID_CHARS;

const hangupSchema = {
  summary: 'Hang up an active call (roles admin and operator)',
  description:
    'Asks the bridge of the call’s source to end it (Kamailio: `dlg.end_dlg`, a BYE to both parties). ' +
    'The call then ends on every stream with `end.reason = "terminated"` and `end.by` = the session’s `sub`. ' +
    'Every attempt is audited (`GET /api/v1/audit`).',
  params: {
    type: 'object',
    required: ['id'],
    properties: {
      id: {
        type: 'string',
        minLength: 3,
        maxLength: MAX_ID_CHARS,
        description: 'The call’s record id `<source>:<call_id>`, percent-encoded',
      },
    },
  },
  response: {
    202: {
      description: 'The PBX agreed to end the call; its end follows on the stream',
      type: 'object',
      required: ['request_id'],
      properties: {
        request_id: { type: 'string', description: 'Names this attempt in the audit trail' },
      },
    },
    400: errorResponse('A malformed id'),
    401: errorResponse('No session, or a bad or expired one'),
    403: errorResponse('Role `noc` or `user`, or a cross-site request'),
    404: errorResponse('Not an active call (unknown, or already ended)'),
    409: errorResponse('The PBX cannot end the call in its state (Kamailio: not answered yet)'),
    429: errorResponse(
      `More than ${HANGUP_LIMIT.max} hang-ups in ${HANGUP_LIMIT.windowMs / 1000} s by this user`,
    ),
    503: errorResponse(
      'No bridge of the call’s source answered within 2 s (`unavailable`), the PBX failed (`pbx_error`), or the audit trail cannot be written',
    ),
  },
} as const;

const notActive = () => new HttpError(404, 'not_found', 'not an active call');
const decoder = new TextDecoder();

const calls: FastifyPluginCallback = (app, _opts, done) => {
  const limiter = new ActionLimiter(HANGUP_LIMIT);

  /** Audits and counts one attempt; its answer goes out only once it is in the trail. */
  const settle = async (
    request: FastifyRequest,
    requestId: string,
    id: string,
    result: AuditResult,
  ): Promise<void> => {
    app.metrics.hangupRequests.inc({ result });
    const { sub, role } = request.session;
    const entry = {
      at: Date.now(),
      sub,
      role,
      action: 'hangup' as const,
      id,
      request_id: requestId,
      result,
    };
    try {
      await app.audit.append(entry);
    } catch (err) {
      request.log.error({ err: String(err), audit: entry }, 'audit entry not written');
    }
  };

  app.post<{ Params: { id: string } }>(
    '/api/v1/calls/:id/hangup',
    { schema: hangupSchema, onRequest: app.requireSession },
    async (request, reply) => {
      const { id } = request.params;
      const { sub, role } = request.session;
      const requestId = randomUUID();
      const refuse = async (result: AuditResult, error: HttpError): Promise<never> => {
        await settle(request, requestId, id, result);
        throw error;
      };

      const limit = limiter.take(sub, Date.now());
      if (!limit.allowed) {
        return refuse(
          'rate_limited',
          tooManyRequests('rate_limited', 'too many hang-ups; wait', limit.retryAfterS),
        );
      }
      // Before the call is looked up: a role that may not act learns nothing about calls.
      if (!mayAct(role)) {
        return refuse('forbidden', forbidden(`role ${role} may not hang up calls`));
      }
      const call = await app.store.activeCall(id);
      if (call === undefined) return refuse('not_found', notActive());
      // Nothing is done that could not be audited.
      if (!(await app.audit.ready())) {
        return refuse('unavailable', unavailable('the audit trail is unavailable; retry shortly'));
      }

      const control: ControlRequest = {
        v: 1,
        action: 'hangup',
        id: call.id,
        call_id: call.call_id,
        request_id: requestId,
        by: sub,
      };
      let answer: Uint8Array;
      try {
        answer = await app.bus.request(
          callControlSubject(call.source),
          JSON.stringify(control),
          CONTROL_TIMEOUT_MS,
        );
      } catch (err) {
        if (!(err instanceof BusRequestError)) throw err;
        request.log.warn({ id, source: call.source, failure: err.kind }, 'no bridge answered');
        return refuse(
          'unavailable',
          unavailable(`no bridge of source ${call.source} answered; retry shortly`),
        );
      }
      const parsed = parseControlReply(decoder.decode(answer));
      if (!parsed.ok) {
        request.log.error({ id, reason: parsed.message }, 'bad control reply from the bridge');
        return refuse('unavailable', unavailable('the bridge gave no usable answer'));
      }
      const result = parsed.value;
      if (!result.ok) {
        const { code, message } = result.error;
        switch (code) {
          case 'not_found':
            return refuse('not_found', notActive());
          case 'unsupported':
            return refuse('conflict', new HttpError(409, 'conflict', message));
          case 'pbx_error':
            return refuse('pbx_error', new HttpError(503, 'pbx_error', message));
          case 'bad_request':
            request.log.error({ id, message }, 'the bridge refused our control request');
            return refuse('unavailable', unavailable('the bridge refused the request'));
        }
      }
      await settle(request, requestId, id, 'ok');
      return reply.code(202).header('cache-control', 'no-store').send({ request_id: requestId });
    },
  );
  done();
};

export default calls;
