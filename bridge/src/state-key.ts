// Where a call lives in the state bucket: `<source>.<call token>`. Key-value keys allow only
// `[-/_=.a-zA-Z0-9]` and a dot separates tokens, so the source's dots become `=` (which a
// source cannot contain, so two sources never share a prefix) and the Call-ID, which may hold
// any character and be 256 long, becomes its SHA-256 in base64url (43 characters). The
// record stored under the key carries the real Call-ID.
import { createHash } from 'node:crypto';

/** The bucket of calls every bridge has published; one key per call. */
export const STATE_BUCKET = 'LIVE_CALLS_BRIDGE';

/** The first token of every key of `source`. */
export function sourceToken(source: string): string {
  return source.replaceAll('.', '=');
}

export function stateKey(source: string, callId: string): string {
  return `${sourceToken(source)}.${createHash('sha256').update(callId).digest('base64url')}`;
}
