import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressor, pickCoding } from './http-compression.js';

describe('pickCoding', () => {
  it.each([
    [undefined, 'identity'],
    ['', 'identity'],
    ['gzip, deflate', 'gzip'],
    ['gzip, deflate, br, zstd', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['BR;Q=0.5', 'br'],
    ['*', 'br'],
    ['*;q=0, identity', 'identity'],
    ['deflate', 'identity'],
    ['gzip;q=abc', 'identity'],
  ] as const)('%j → %s', (header, coding) => {
    expect(pickCoding(header)).toBe(coding);
  });
});

describe('compressor', () => {
  const json = JSON.stringify(
    Array.from({ length: 2000 }, (_, i) => ({ id: `pbx:${i}`, phase: 'answered' })),
  );

  it('brotli and gzip streams decode to the same text, several times smaller', async () => {
    for (const [coding, decode] of [
      ['br', brotliDecompressSync],
      ['gzip', gunzipSync],
    ] as const) {
      const encoder = compressor(coding, json.length);
      if (encoder === null) throw new Error(`no ${coding} compressor`);
      const encoded = await buffer(
        Readable.from([json.slice(0, 100), json.slice(100)]).pipe(encoder),
      );
      expect(decode(encoded).toString()).toBe(json);
      expect(encoded.length * 5).toBeLessThan(json.length);
    }
    expect(compressor('identity')).toBeNull();
  });
});
