// Incremental netstring (`LEN:PAYLOAD,`) decoder for the evapi stream, and the encoder for
// the other direction. Pure: bytes in, items out; the caller owns the socket.
//
// A frame longer than the limit is skipped without buffering it (the stream stays in
// sync, so one bad event costs one event). Anything that breaks the grammar — a non-digit
// in the length, a leading zero, a missing comma — means the byte stream can no longer be
// trusted: the decoder reports one `error` and stops; the caller reconnects and resyncs.

export type NetstringItem =
  | { kind: 'frame'; data: Uint8Array }
  | { kind: 'oversized'; length: number }
  | { kind: 'error'; reason: NetstringError };

export type NetstringError = 'bad_length' | 'length_too_long' | 'missing_comma';

/** More digits than this cannot be a frame anyone should wait for (and stay exact in a double). */
const MAX_LENGTH_DIGITS = 15;
const COLON = 0x3a;
const COMMA = 0x2c;
const ZERO = 0x30;
const NINE = 0x39;

const enum State {
  Length,
  Payload,
  Skip,
  Comma,
  Failed,
}

export class NetstringDecoder {
  readonly maxFrameBytes: number;
  #state = State.Length;
  #length = 0;
  #digits = 0;
  #remaining = 0;
  #parts: Uint8Array[] = [];

  constructor(maxFrameBytes: number) {
    if (!Number.isSafeInteger(maxFrameBytes) || maxFrameBytes < 0) {
      throw new RangeError(`maxFrameBytes must be a non-negative integer, got ${maxFrameBytes}`);
    }
    this.maxFrameBytes = maxFrameBytes;
  }

  /** True once framing was lost; every later push() returns nothing. */
  get failed(): boolean {
    return this.#state === State.Failed;
  }

  /**
   * Feeds the next bytes of the stream. Returned frames may share memory with `chunk`
   * (no copy when a frame lies within one chunk): do not mutate `chunk` afterwards.
   */
  push(chunk: Uint8Array): NetstringItem[] {
    const out: NetstringItem[] = [];
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      switch (this.#state) {
        case State.Length: {
          const c = chunk[i] as number;
          if (c >= ZERO && c <= NINE) {
            if (this.#digits > 0 && this.#length === 0) return this.#fail(out, 'bad_length');
            if (++this.#digits > MAX_LENGTH_DIGITS) return this.#fail(out, 'length_too_long');
            this.#length = this.#length * 10 + (c - ZERO);
            i++;
          } else if (c === COLON && this.#digits > 0) {
            i++;
            this.#remaining = this.#length;
            this.#state = this.#length > this.maxFrameBytes ? State.Skip : State.Payload;
            if (this.#remaining === 0) this.#state = State.Comma;
          } else {
            return this.#fail(out, 'bad_length');
          }
          break;
        }
        case State.Payload:
        case State.Skip: {
          const take = Math.min(this.#remaining, n - i);
          if (this.#state === State.Payload) this.#parts.push(chunk.subarray(i, i + take));
          i += take;
          this.#remaining -= take;
          if (this.#remaining === 0) this.#state = State.Comma;
          break;
        }
        case State.Comma: {
          if (chunk[i] !== COMMA) return this.#fail(out, 'missing_comma');
          i++;
          out.push(this.#complete());
          break;
        }
        case State.Failed:
          return out;
      }
    }
    return out;
  }

  #complete(): NetstringItem {
    const item: NetstringItem =
      this.#length > this.maxFrameBytes
        ? { kind: 'oversized', length: this.#length }
        : { kind: 'frame', data: join(this.#parts, this.#length) };
    this.#state = State.Length;
    this.#length = 0;
    this.#digits = 0;
    this.#parts = [];
    return item;
  }

  #fail(out: NetstringItem[], reason: NetstringError): NetstringItem[] {
    this.#state = State.Failed;
    this.#parts = [];
    out.push({ kind: 'error', reason });
    return out;
  }
}

function join(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const data = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    data.set(part, offset);
    offset += part.length;
  }
  return data;
}

const utf8 = new TextEncoder();

/** One netstring frame holding `payload` (a string is sent as UTF-8). */
export function encodeNetstring(payload: Uint8Array | string): Uint8Array {
  const body = typeof payload === 'string' ? utf8.encode(payload) : payload;
  const head = utf8.encode(`${body.length}:`);
  const frame = new Uint8Array(head.length + body.length + 1);
  frame.set(head, 0);
  frame.set(body, head.length);
  frame[frame.length - 1] = COMMA;
  return frame;
}
