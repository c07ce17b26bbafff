import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/http.js';
import { followCall, HANGUP_SLOW_MS, progressText, refusalText } from './hangup-flow.js';
import { call } from './test-calls.js';

describe('hang-up flow', () => {
  const waiting = { kind: 'waiting', requestId: 'r1', since: 1_000 } as const;

  it('is done only when the call ends on the stream, naming who hung up', () => {
    expect(followCall(waiting, call(1, { phase: 'answered' }))).toBe(waiting);
    expect(followCall(waiting, null)).toBe(waiting);
    const ended = call(1, { phase: 'ended', end: { reason: 'terminated', by: 'alice' } });
    expect(followCall(waiting, ended)).toEqual({ kind: 'done', message: 'Hung up by alice.' });
    const byItself = call(1, { phase: 'ended', end: { reason: 'bye' } });
    expect(followCall(waiting, byItself)).toMatchObject({ kind: 'done' });
    expect(followCall({ kind: 'confirming' }, ended)).toEqual({ kind: 'confirming' });
  });

  it('says when the accepted request is slow to show', () => {
    expect(progressText(waiting, 1_000 + HANGUP_SLOW_MS - 1)).toMatch(/is ending/);
    expect(progressText(waiting, 1_000 + HANGUP_SLOW_MS)).toMatch(/not ended yet/);
    expect(progressText({ kind: 'idle' }, 0)).toBeNull();
  });

  it('explains each refusal in words', () => {
    expect(refusalText(new ApiError(403, 'forbidden', 'x'))).toMatch(/role/);
    expect(refusalText(new ApiError(404, 'not_found', 'x'))).toMatch(/no longer active/);
    expect(refusalText(new ApiError(503, 'unavailable', 'x'))).toMatch(/still up/);
    expect(refusalText(new ApiError(429, 'too_many', 'x'))).toMatch(/Wait/);
    expect(refusalText(new Error('boom'))).toMatch(/may still be up/);
  });
});
