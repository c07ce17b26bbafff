import { describe, expect, it, vi } from 'vitest';
import { ApiError } from './api/http.js';
import type * as firstRead from './first-read.js';
import { fromRaw, ME_PATH, SNAPSHOT_PATH, type EarlyReads, type RawAnswer } from './first-read.js';

describe('fromRaw (an answer app.html read)', () => {
  it('gives the body of a 2xx', async () => {
    const raw: RawAnswer = { status: 200, statusText: 'OK', body: { sub: 'noc' } };
    await expect(fromRaw(Promise.resolve(raw))).resolves.toEqual({ sub: 'noc' });
  });

  it("throws the server's error for a 401, as getJson would", async () => {
    const body = { error: { code: 'unauthenticated', message: 'Sign in first.' } };
    const error = await fromRaw(
      Promise.resolve({ status: 401, statusText: 'Unauthorized', body }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 401, code: 'unauthenticated' });
  });

  it('throws status 0 when there was no answer at all', async () => {
    const error = await fromRaw(Promise.reject(new TypeError('Failed to fetch'))).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ status: 0, code: 'network' });
  });

  it('does not take a 2xx that was not JSON for an empty body', async () => {
    const raw: RawAnswer = { status: 200, statusText: 'OK', body: null };
    await expect(fromRaw(Promise.resolve(raw))).rejects.toBeInstanceOf(ApiError);
  });
});

// beginFirstRead keeps its reads for the page's lifetime, so each case loads a fresh module.
async function freshModule(): Promise<typeof firstRead> {
  vi.resetModules();
  return import('./first-read.js');
}

describe('beginFirstRead / takeFirstRead', () => {
  it("takes over app.html's reads and empties their slot", async () => {
    const { beginFirstRead, takeFirstRead } = await freshModule();
    const early: EarlyReads = {
      me: Promise.resolve({ status: 200, statusText: 'OK', body: { sub: 'noc' } }),
      snapshot: Promise.resolve({ status: 200, statusText: 'OK', body: { calls: [] } }),
    };
    const scope: Record<string, unknown> = { liveCallsFirstRead: early };
    const asked: string[] = [];
    beginFirstRead(scope, (path) => {
      asked.push(path);
      return Promise.reject(new Error('not asked'));
    });
    expect(asked).toEqual([]);
    expect(scope.liveCallsFirstRead).toBeNull();
    const read = takeFirstRead();
    await expect(read?.me).resolves.toEqual({ sub: 'noc' });
    await expect(read?.snapshot).resolves.toEqual({ calls: [] });
  });

  it('asks itself when app.html did not, and hands the reads out once', async () => {
    const { beginFirstRead, takeFirstRead } = await freshModule();
    const asked: string[] = [];
    const read = <T>(path: string): Promise<T> => {
      asked.push(path);
      return Promise.reject(new ApiError(401, 'unauthenticated', 'Sign in first.'));
    };
    beginFirstRead({}, read);
    beginFirstRead({}, read);
    expect(asked).toEqual([ME_PATH, SNAPSHOT_PATH]);
    const first = takeFirstRead();
    await expect(first?.snapshot).rejects.toMatchObject({ status: 401 });
    expect(takeFirstRead()).toBeNull();
  });
});
