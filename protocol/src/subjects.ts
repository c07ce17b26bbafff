// NATS subjects (docs/interface/nats.md). Tokens are dot-separated; wildcards only as whole tokens.
import type { Phase } from './record.js';

export const CALL_EVENTS_PREFIX = 'call.events.';
export const CALL_EVENTS_WILDCARD = 'call.events.>';
export const CALL_SYNC_SUBJECT = 'call.sync';
export const CDR_SUBJECT = 'cdr.raw';
export const CDR_STREAM = 'CDR';

/** Largest `call.sync` part the bridge publishes. */
export const MAX_SYNC_PART_BYTES = 512 * 1024;
export const DEFAULT_SYNC_INTERVAL_MS = 30_000;
/** A source with no sync for this many intervals is `stale`. */
export const STALE_AFTER_INTERVALS = 3;

export function callEventSubject(phase: Phase): string {
  return CALL_EVENTS_PREFIX + phase;
}
