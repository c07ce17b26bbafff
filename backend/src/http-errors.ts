// Errors the HTTP layer produces before a route runs, in the one error body of
// docs/interface/http.md: Node's parser refusing a request (400, 408, 431), Fastify refusing
// a URL (400), and the codes of the 4xx statuses Fastify and its plugins raise.
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './errors.js';

const CODES: Readonly<Record<number, string>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'timeout',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  431: 'headers_too_large',
};

/** The error code of a 4xx status. */
export function codeForStatus(status: number): string {
  return CODES[status] ?? 'bad_request';
}

/** Answers what Node's HTTP parser refused, then closes the connection (as Node does). */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'the request took too long to arrive']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'the request headers are too large']
        : [400, 'malformed HTTP request'];
  const body = JSON.stringify(errorBody(codeForStatus(status), message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/** Fastify's own refusals before routing (a malformed URL, an over-long parameter). */
export function frameworkErrors(error: Error, _request: FastifyRequest, reply: FastifyReply): void {
  void reply.code(400).send(errorBody('bad_request', error.message));
}
