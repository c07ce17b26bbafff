import { describe, expect, it } from 'vitest';
import { WaitTimeoutError } from './errors.js';
import { waitUntil } from './wait-until.js';

describe('waitUntil', () => {
  it('resolves with the first accepted value', async () => {
    let probes = 0;
    const value = await waitUntil(() => ++probes, {
      what: 'the third probe',
      accept: (n) => n >= 3,
      intervalMs: 5,
    });
    expect(value).toBe(3);
    expect(probes).toBe(3);
  });

  it('accepts any truthy value without a predicate, also from an async probe', async () => {
    const values = [0, '', null, 'ready'];
    const value = await waitUntil(() => Promise.resolve(values.shift()), {
      what: 'a truthy value',
      intervalMs: 5,
    });
    expect(value).toBe('ready');
  });

  it('rejects after the timeout, naming what it waited for and the last value', async () => {
    const started = Date.now();
    const failure = await waitUntil(() => ({ rows: 2 }), {
      what: 'ten rows',
      accept: (state) => state.rows >= 10,
      timeoutMs: 200,
      intervalMs: 20,
    }).catch((error: unknown) => error);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(failure).toBeInstanceOf(WaitTimeoutError);
    expect((failure as WaitTimeoutError).message).toBe(
      'timed out after 200 ms waiting for ten rows; last value: {"rows":2}',
    );
    expect((failure as WaitTimeoutError).lastValue).toEqual({ rows: 2 });
  });

  it('ends the wait with the error a probe throws', async () => {
    let probes = 0;
    const wait = waitUntil(
      () => {
        if (++probes === 2) throw new Error('the process exited');
        return false;
      },
      { what: 'a process that dies', intervalMs: 5 },
    );
    await expect(wait).rejects.toThrow('the process exited');
    expect(probes).toBe(2);
  });
});
