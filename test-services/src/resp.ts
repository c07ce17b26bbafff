/** An error reply (`-ERR …`): a value, so a pipeline's later replies still parse. */
export class RespError {
  constructor(readonly message: string) {}
}

/** A RESP2 reply: simple or bulk string, integer, nil, error, or an array of those. */
export type RespValue = string | number | null | RespError | readonly RespValue[];

const CRLF = '\r\n';

/** A command as a RESP array of bulk strings; lengths count bytes, not characters. */
export function encodeCommand(args: readonly string[]): string {
  let encoded = `*${args.length}${CRLF}`;
  for (const arg of args) encoded += `$${Buffer.byteLength(arg)}${CRLF}${arg}${CRLF}`;
  return encoded;
}

/** The first `count` replies in `data`, or undefined while the data is still incomplete. */
export function parseReplies(data: Buffer, count: number): RespValue[] | undefined {
  const replies: RespValue[] = [];
  let offset = 0;
  while (replies.length < count) {
    const parsed = parseAt(data, offset);
    if (parsed === undefined) return undefined;
    replies.push(parsed.value);
    offset = parsed.next;
  }
  return replies;
}

interface Parsed {
  readonly value: RespValue;
  readonly next: number;
}

function parseAt(data: Buffer, offset: number): Parsed | undefined {
  const lineEnd = data.indexOf(CRLF, offset);
  if (lineEnd === -1) return undefined;
  const type = String.fromCharCode(data[offset] ?? 0);
  const line = data.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + CRLF.length;
  switch (type) {
    case '+':
      return { value: line, next };
    case '-':
      return { value: new RespError(line), next };
    case ':':
      return { value: Number(line), next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, next };
      if (data.length < next + length + CRLF.length) return undefined;
      return { value: data.toString('utf8', next, next + length), next: next + length + 2 };
    }
    case '*': {
      const length = Number(line);
      if (length < 0) return { value: null, next };
      const items: RespValue[] = [];
      let itemOffset = next;
      for (let index = 0; index < length; index++) {
        const item = parseAt(data, itemOffset);
        if (item === undefined) return undefined;
        items.push(item.value);
        itemOffset = item.next;
      }
      return { value: items, next: itemOffset };
    }
    default:
      throw new Error(
        `not a RESP2 reply: ${JSON.stringify(data.toString('utf8', offset, lineEnd))}`,
      );
  }
}

export function isRespArray(value: RespValue): value is readonly RespValue[] {
  return Array.isArray(value);
}

/** A reply as text for maps and messages: strings as they are, nil as `nil`. */
export function respText(value: RespValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (value === null) return 'nil';
  if (value instanceof RespError) return `(error) ${value.message}`;
  return JSON.stringify(value);
}
