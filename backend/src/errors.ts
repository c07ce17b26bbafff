// Typed HTTP errors with the JSON body of docs/interface/http.md. 5xx bodies never carry internals.
import type { ErrorBody } from '@live-calls/protocol';

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

export const badRequest = (message: string) => new HttpError(400, 'bad_request', message);
export const forbidden = (message: string) => new HttpError(403, 'forbidden', message);
export const unavailable = (message: string) => new HttpError(503, 'unavailable', message);
