// The first paint's big read: GET /api/v1/live/calls/snapshot answers compressed when the
// client accepts it, with the same content as uncompressed, on both engines.
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { SnapshotPayload } from '@live-calls/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { TestCall } from './testing/call-factory.js';
import { ADMIN_AUTH, ENGINES, get, startStack, type TestStack } from './testing/test-stack.js';

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** The raw answer, undecoded (fetch would decode it behind our back). */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

describe.each(ENGINES)('snapshot compression (%s engine)', (engine) => {
  it('answers br or gzip as accepted, decoding to the very snapshot sent uncompressed', async () => {
    stack = await startStack(engine);
    for (let i = 0; i < 300; i++) stack.publish(new TestCall({ company: 'acme' }).next('setup'));
    await stack.flush();
    const url = `${stack.backends[0]!.url}/api/v1/live/calls/snapshot`;
    await expect
      .poll(async () => ((await (await get(url)).json()) as SnapshotPayload).calls.length)
      .toBe(300);

    const plain = await rawGet(url, ADMIN_AUTH);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/accept-encoding/i);
    const expected = JSON.parse(plain.body.toString()) as SnapshotPayload;
    expect(expected.calls).toHaveLength(300);

    for (const [accept, coding, decode] of [
      ['gzip, deflate', 'gzip', gunzipSync],
      ['gzip, deflate, br, zstd', 'br', brotliDecompressSync],
    ] as const) {
      const answer = await rawGet(url, { ...ADMIN_AUTH, 'accept-encoding': accept });
      expect(answer.headers['content-encoding']).toBe(coding);
      const decoded = JSON.parse(decode(answer.body).toString()) as SnapshotPayload;
      expect({ ...decoded, server_time: 0 }).toEqual({ ...expected, server_time: 0 });
      expect(answer.body.length * 5).toBeLessThan(plain.body.length);
    }
  });
});
