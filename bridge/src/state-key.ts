// Where a call lives in the state bucket: `<source>.<call token>`. Key-value keys allow only
// `[-/_=.a-zA-Z0-9]` and a dot separates tokens, so the source's dots become `=` (which a
// source cannot contain, so two sources never share a prefix) and the Call-ID, which may hold
// any character, is written in base64url (at most 344 characters for the 256 a Call-ID may
// have; cheaper than a hash on the hot path, and an operator can decode it).

/** The bucket of calls every bridge has published; one key per call. */
export const STATE_BUCKET = 'LIVE_CALLS_BRIDGE';

/** The first token of every key of `source`. */
export function sourceToken(source: string): string {
  return source.replaceAll('.', '=');
}

export function stateKey(source: string, callId: string): string {
  return `${sourceToken(source)}.${Buffer.from(callId).toString('base64url')}`;
}
