import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NetstringDecoder, encodeNetstring, type NetstringItem } from './netstring.js';

const text = new TextDecoder();
const bytes = new TextEncoder();

function concat(chunks: Uint8Array[]): Uint8Array {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/** Cuts `data` at the given fractional positions. */
function split(data: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * data.length)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let last = 0;
  for (const p of points) {
    chunks.push(data.slice(last, p));
    last = p;
  }
  chunks.push(data.slice(last));
  return chunks;
}

/** Frames as plain data, copied out of any shared buffer. */
function normalize(items: NetstringItem[]): unknown[] {
  return items.map((item) => (item.kind === 'frame' ? { frame: [...item.data] } : item));
}

function feed(decoder: NetstringDecoder, chunks: Uint8Array[]): NetstringItem[] {
  // Copy each frame before the next push: frames may alias the chunk they came from.
  return chunks.flatMap((chunk) =>
    decoder
      .push(chunk)
      .map((item) => (item.kind === 'frame' ? { ...item, data: item.data.slice() } : item)),
  );
}

const cutsArb = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 20 });

describe('NetstringDecoder', () => {
  it('decodes the evapi byte stream captured from Kamailio 5.6', async () => {
    const { readFile } = await import('node:fs/promises');
    const fixture = JSON.parse(
      await readFile(
        new URL('./testing/fixtures/kamailio-5.6-capture.json', import.meta.url),
        'utf8',
      ),
    ) as { evapi_raw_stream: string };
    const items = new NetstringDecoder(65536).push(bytes.encode(fixture.evapi_raw_stream));
    expect(items).toHaveLength(14);
    const first = items[0];
    expect(first?.kind).toBe('frame');
    if (first?.kind === 'frame') {
      expect(JSON.parse(text.decode(first.data))).toMatchObject({ ev: 'invite', co: 'acme' });
    }
    expect(items.every((i) => i.kind === 'frame')).toBe(true);
  });

  it('yields exactly the encoded frames however the stream is split', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 30 }),
        cutsArb,
        (frames, cuts) => {
          const stream = concat(frames.map((f) => encodeNetstring(f)));
          const items = feed(new NetstringDecoder(1024), split(stream, cuts));
          expect(normalize(items)).toEqual(frames.map((f) => ({ frame: [...f] })));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('skips an oversized frame and stays in sync', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 10 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 33, max: 500 }),
        cutsArb,
        (frames, at, bigLength, cuts) => {
          const pos = Math.min(at, frames.length);
          const big = new Uint8Array(bigLength).fill(0x2c);
          const all = [...frames.slice(0, pos), big, ...frames.slice(pos)];
          const stream = concat(all.map((f) => encodeNetstring(f)));
          const items = feed(new NetstringDecoder(32), split(stream, cuts));
          const expected = all.map((f) =>
            f.length > 32 ? { kind: 'oversized', length: f.length } : { frame: [...f] },
          );
          expect(normalize(items)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws on garbage, and every frame it yields is really in the input', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.uint8Array({ maxLength: 40 }),
            fc.uint8Array({ maxLength: 40 }).map((f) => encodeNetstring(f)),
            fc
              .constantFrom(':', ',', '0:,', '00:,', '3:ab', '99999999999999999:', '1:x;')
              .map((s) => bytes.encode(s)),
          ),
          { maxLength: 12 },
        ),
        cutsArb,
        (pieces, cuts) => {
          const input = concat(pieces);
          const chunked = feed(new NetstringDecoder(64), split(input, cuts));
          const whole = feed(new NetstringDecoder(64), [input]);
          // Splitting never changes the outcome.
          expect(normalize(chunked)).toEqual(normalize(whole));
          // Soundness: the items re-encode to a prefix of the input, in order.
          let offset = 0;
          for (const item of whole) {
            if (item.kind === 'error') {
              expect(item).toBe(whole[whole.length - 1]);
              break;
            }
            const length = item.kind === 'frame' ? item.data.length : item.length;
            const head = bytes.encode(`${length}:`);
            expect([...input.subarray(offset, offset + head.length)]).toEqual([...head]);
            offset += head.length;
            if (item.kind === 'frame') {
              expect([...input.subarray(offset, offset + length)]).toEqual([...item.data]);
            }
            offset += length;
            expect(input[offset]).toBe(0x2c);
            offset += 1;
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('reports lost framing once and then ignores the rest', () => {
    const decoder = new NetstringDecoder(100);
    expect(decoder.push(bytes.encode('2:ok,x'))).toEqual([
      { kind: 'frame', data: bytes.encode('ok') },
      { kind: 'error', reason: 'bad_length' },
    ]);
    expect(decoder.failed).toBe(true);
    expect(decoder.push(bytes.encode('2:ok,'))).toEqual([]);
  });

  it.each([
    ['01:a,', 'bad_length'],
    [':a,', 'bad_length'],
    ['1:ab', 'missing_comma'],
    ['1234567890123456:', 'length_too_long'],
    ['-1:a,', 'bad_length'],
  ])('rejects %j as %s', (input, reason) => {
    expect(new NetstringDecoder(100).push(bytes.encode(input))).toEqual([
      { kind: 'error', reason },
    ]);
  });

  it('accepts the empty frame', () => {
    expect(normalize(new NetstringDecoder(0).push(bytes.encode('0:,0:,')))).toEqual([
      { frame: [] },
      { frame: [] },
    ]);
  });
});
