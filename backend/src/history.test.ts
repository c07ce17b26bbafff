// `GET /api/v1/live/history` and `GET /api/v1/live/recent` over HTTP on both engines: the
// series and the ended calls per scope and role, the query's bounds, and two instances on one
// Redis serving the same. (Exact per-minute values under a controlled clock:
// store/history-recent.test.ts.)
import type { CallRecord } from '@live-calls/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { HistorySample } from './stats/history.js';
import { TestCall } from './testing/call-factory.js';
import {
  ADMIN_AUTH,
  authHeaders,
  ENGINES,
  get,
  startStack,
  type TestStack,
} from './testing/test-stack.js';

const MINUTE = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function read<T>(
  url: string,
  path: string,
  headers: Record<string, string> = ADMIN_AUTH,
): Promise<T> {
  const response = await get(`${url}${path}`, headers);
  expect(response.status).toBe(200);
  expect(response.headers.get('cache-control')).toBe('no-store');
  return (await response.json()) as T;
}

const history = (url: string, query = '', headers?: Record<string, string>) =>
  read<HistorySample[]>(url, `/api/v1/live/history${query}`, headers);
const recent = (url: string, query = '', headers?: Record<string, string>) =>
  read<CallRecord[]>(url, `/api/v1/live/recent${query}`, headers);

const ids = (records: readonly CallRecord[]) => records.map((r) => r.call_id);

/** Totals of a series: attempts (back from cps), answered and the highest active. */
function totals(samples: readonly HistorySample[]) {
  return {
    attempts: samples.reduce((n, s) => n + Math.round(s.cps * 60), 0),
    answered: samples.reduce((n, s) => n + s.answered, 0),
    peak: Math.max(...samples.map((s) => s.active)),
  };
}

/** Four acme calls (two answered), a globex call that fails: published in that order. */
async function traffic(stack: TestStack): Promise<{ failed: CallRecord; acme: TestCall[] }> {
  const acme = [0, 1, 2, 3].map((i) => new TestCall({ company: 'acme', callId: `h${i}` }));
  for (const call of acme) stack.publish(call.next('setup'));
  for (const call of acme.slice(0, 2)) stack.publish(call.next('answered'));
  const globex = new TestCall({ company: 'globex', callId: 'h-g' });
  stack.publish(globex.next('setup'));
  await stack.flush();
  const failed = globex.next('ended', { reason: 'failed' });
  stack.publish(failed);
  await stack.flush();
  return { failed, acme };
}

describe.each(ENGINES)('history and recent over HTTP (%s engine)', (engine) => {
  let stack: TestStack | undefined;

  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('history: one sample per minute of the window over the scope; 400 on a bad window', async () => {
    stack = await startStack(engine, { SYNC_INTERVAL_MS: '600000' });
    const url = stack.backends[0]!.url;
    const before = Date.now();
    const empty = await history(url);
    expect(empty).toHaveLength(60);
    const last = empty.at(-1)!.t;
    expect(last % MINUTE).toBe(0);
    expect(last).toBeGreaterThanOrEqual(Math.floor(before / MINUTE) * MINUTE);
    expect(empty.map((s) => s.t)).toEqual(empty.map((_, i) => last - (59 - i) * MINUTE));
    expect(empty.every((s) => s.active === 0 && s.cps === 0 && s.asr === null)).toBe(true);

    await traffic(stack);
    const all = await history(url, '?window=15m');
    expect(all).toHaveLength(15);
    expect(totals(all)).toEqual({ attempts: 5, answered: 2, peak: 5 });
    expect(all.at(-1)!.active).toBeGreaterThanOrEqual(4);

    const acmeUser = await authHeaders('user', 'acme');
    for (const series of [
      await history(url, '?window=15m&company_id=acme'),
      await history(url, '?window=15m', acmeUser),
    ]) {
      expect(totals(series)).toEqual({ attempts: 4, answered: 2, peak: 4 });
      expect(series.at(-1)!.active).toBe(4);
    }
    const globex = await history(url, '?window=15m&company_id=globex');
    expect(totals(globex)).toEqual({ attempts: 1, answered: 0, peak: 1 });
    // Its one attempt concluded unanswered (in whichever minute it ended).
    expect(globex.filter((s) => s.asr !== null).map((s) => s.asr)).toEqual([0]);
    expect(globex.at(-1)!.active).toBeLessThanOrEqual(1);

    expect(await history(url, '?window=24h')).toHaveLength(1440);
    expect(await history(url, '?window=90m')).toHaveLength(90);
    for (const window of ['25h', '1441m', '0m', 'abc', '1d', '']) {
      const response = await get(`${url}/api/v1/live/history?window=${window}`);
      expect(response.status, window).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'bad_request' } });
    }
    const other = await get(`${url}/api/v1/live/history?company_id=globex`, acmeUser);
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ error: { code: 'forbidden' } });
    expect((await fetch(`${url}/api/v1/live/history`)).status).toBe(401);
  });

  it('recent: ended calls of the scope newest first, by limit and reason, no sip for a user', async () => {
    stack = await startStack(engine, { SYNC_INTERVAL_MS: '600000' });
    const url = stack.backends[0]!.url;
    expect(await recent(url)).toEqual([]);
    const { failed, acme } = await traffic(stack);
    const ends: CallRecord[] = [];
    for (const [i, reason] of (['bye', 'cancel', 'failed'] as const).entries()) {
      // Apart in time, so "newest first" is one order on both engines.
      await sleep(5);
      const end = acme[i]!.next('ended', { reason });
      ends.push(end);
      stack.publish(end);
      await stack.flush();
    }
    expect(await recent(url)).toEqual([ends[2], ends[1], ends[0], failed]);
    expect(ids(await recent(url, '?limit=2'))).toEqual(['h2', 'h1']);
    expect(ids(await recent(url, '?reason=failed'))).toEqual(['h2', 'h-g']);
    expect(ids(await recent(url, '?reason=failed&company_id=acme'))).toEqual(['h2']);
    expect(ids(await recent(url, '?reason=timeout'))).toEqual([]);
    expect(ids(await recent(url, '?company_id=globex'))).toEqual(['h-g']);

    const user = await recent(url, '', await authHeaders('user', 'acme'));
    expect(ids(user)).toEqual(['h2', 'h1', 'h0']);
    expect(user.every((r) => r.sip === undefined && r.end !== undefined)).toBe(true);
    expect((await recent(url, '?company_id=acme'))[0]!.sip).toEqual(acme[2]!.record.sip);

    for (const query of ['limit=0', 'limit=1001', 'limit=x', 'reason=busy', 'company_id=']) {
      const response = await get(`${url}/api/v1/live/recent?${query}`);
      expect(response.status, query).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'bad_request' } });
    }
    const other = await get(
      `${url}/api/v1/live/recent?company_id=globex`,
      await authHeaders('user', 'acme'),
    );
    expect(other.status).toBe(403);
    expect((await fetch(`${url}/api/v1/live/recent`)).status).toBe(401);
  });
});

describe('history and recent on several instances', () => {
  let stack: TestStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('every instance on one Redis serves the same series and the same ended calls', async () => {
    stack = await startStack('redis', { SYNC_INTERVAL_MS: '600000' });
    const second = await stack.addBackend();
    await traffic(stack);
    const urls = [stack.backends[0]!.url, second.url];
    for (const query of ['?window=15m', '?window=15m&company_id=acme', '?window=6h']) {
      const [a, b] = await Promise.all(urls.map((url) => history(url, query)));
      // Unless the minute turned between the two reads.
      if (a!.at(-1)!.t === b!.at(-1)!.t) expect(b).toEqual(a);
      expect(totals(b!)).toEqual(totals(a!));
    }
    const [a, b] = await Promise.all(urls.map((url) => recent(url)));
    expect(ids(b!)).toEqual(['h-g']);
    expect(b).toEqual(a);
  });
});
