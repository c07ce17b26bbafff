// Compression of the big one-off answers (the snapshot: 10,000 calls are ~4 MB of JSON,
// a tenth of that compressed). The live stream stays uncompressed: its frames are small and
// must leave at once, and a compressor would hold them back or flush per frame for little
// gain (docs/adr/0012-first-paint-compressed-snapshot.md).
import { constants, createBrotliCompress, createGzip } from 'node:zlib';
import type { Transform } from 'node:stream';

export type ContentCoding = 'br' | 'gzip' | 'identity';

/**
 * The fastest levels: the snapshot is compressed for every tab that opens, on the first
 * paint's critical path. For 10,000 calls (4.1 MB of JSON) brotli 1 takes 12 ms for 447 KB
 * where 4 took 73 ms for 433 KB; gzip 3 takes 17 ms for 493 KB where 6 took 37 ms for 463 KB.
 */
const BROTLI_QUALITY = 1;
const GZIP_LEVEL = 3;

/**
 * The coding to answer with for an `Accept-Encoding` header: brotli, then gzip, among those
 * the client accepts with a non-zero q (`*` accepts both); identity otherwise.
 */
export function pickCoding(acceptEncoding: string | undefined): ContentCoding {
  if (acceptEncoding === undefined) return 'identity';
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (name !== '') accepted.set(name, Number.isFinite(weight) ? weight : 0);
  }
  const weightOf = (coding: string) => accepted.get(coding) ?? accepted.get('*') ?? 0;
  if (weightOf('br') > 0) return 'br';
  if (weightOf('gzip') > 0) return 'gzip';
  return 'identity';
}

/** A compressor for `coding`, or null for identity. `sizeHint` helps brotli size its window. */
export function compressor(coding: ContentCoding, sizeHint?: number): Transform | null {
  switch (coding) {
    case 'br':
      return createBrotliCompress({
        params: {
          [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          ...(sizeHint === undefined ? {} : { [constants.BROTLI_PARAM_SIZE_HINT]: sizeHint }),
        },
      });
    case 'gzip':
      return createGzip({ level: GZIP_LEVEL });
    case 'identity':
      return null;
  }
}
