// SSE event ids `<epoch>:<seq_g>` (docs/interface/ordering.md).

export interface EventPosition {
  epoch: string;
  seq: number;
}

const EPOCH_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const SEQ_PATTERN = /^(0|[1-9][0-9]{0,15})$/;

export function formatEventId(epoch: string, seq: number): string {
  return `${epoch}:${seq}`;
}

/** Parses an event id; `null` for anything that is not one (reason `invalid_id`). */
export function parseEventId(text: string | null | undefined): EventPosition | null {
  if (typeof text !== 'string') return null;
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return null;
  const epoch = text.slice(0, colon);
  const seqText = text.slice(colon + 1);
  if (!EPOCH_PATTERN.test(epoch) || !SEQ_PATTERN.test(seqText)) return null;
  const seq = Number(seqText);
  return Number.isSafeInteger(seq) ? { epoch, seq } : null;
}

export function isValidEpoch(epoch: string): boolean {
  return EPOCH_PATTERN.test(epoch);
}

/** A new epoch: time-ordered, unique enough across restarts and instances. */
export function newEpoch(now = Date.now()): string {
  const random = Math.floor(Math.random() * 36 ** 6)
    .toString(36)
    .padStart(6, '0');
  return `${now.toString(36)}${random}`;
}
