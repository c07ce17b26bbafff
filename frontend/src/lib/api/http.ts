// Fetch with the API's error shape (docs/interface/http.md): every failure becomes an
// ApiError carrying the status and the server's code, so callers branch on data, not text.
import type { ErrorBody } from '@live-calls/protocol';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = value.error;
  return typeof error === 'object' && error !== null && 'code' in error;
}

/** The error for a failed answer: the server's code and message when its body has them. */
export function answerError(status: number, statusText: string, body: unknown): ApiError {
  if (isErrorBody(body)) return new ApiError(status, body.error.code, body.error.message);
  return new ApiError(status, `http_${status}`, statusText || `HTTP ${status}`);
}

/** A request that got no answer at all. */
export function networkError(cause: unknown): ApiError {
  return new ApiError(0, 'network', 'The server cannot be reached.', { cause });
}

async function send(path: string, init: RequestInit = {}): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, {
      credentials: 'same-origin',
      ...init,
      headers: { accept: 'application/json', ...init.headers },
    });
  } catch (cause) {
    throw networkError(cause);
  }
  if (response.ok) return response;
  // Not JSON (a proxy's error page): the status says enough.
  const body: unknown = await response.json().catch(() => null);
  throw answerError(response.status, response.statusText, body);
}

export async function getJson<T>(path: string): Promise<T> {
  const response = await send(path);
  return (await response.json()) as T;
}

export async function postJson(path: string, body?: unknown): Promise<void> {
  await post(path, body);
}

/** A POST whose answer carries a JSON body (a 202 with the request's id, say). */
export async function postForJson<T>(path: string, body?: unknown): Promise<T> {
  const response = await post(path, body);
  return (await response.json()) as T;
}

function post(path: string, body: unknown): Promise<Response> {
  return send(path, {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
}
