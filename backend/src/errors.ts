// Typed HTTP errors with the JSON body of docs/interface/http.md. 5xx bodies never carry internals.
import type { ErrorBody } from '@live-calls/protocol';

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown; retryAfterS?: number },
  ) {
    super(message, options);
    this.retryAfterS = options?.retryAfterS;
  }

  /** Sent as Retry-After (seconds) with a 429 or 503. */
  readonly retryAfterS: number | undefined;
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

export const badRequest = (message: string) => new HttpError(400, 'bad_request', message);
export const forbidden = (message: string) => new HttpError(403, 'forbidden', message);
export const tooManyRequests = (code: string, message: string, retryAfterS: number) =>
  new HttpError(429, code, message, { retryAfterS });
export const unavailable = (message: string) => new HttpError(503, 'unavailable', message);
