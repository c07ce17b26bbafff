import { describe, expect, it } from 'vitest';
import { startRequest } from './start-position.js';

describe('startRequest', () => {
  it('starts fresh without an id, resumes a well-formed one, and flags garbage', () => {
    expect(startRequest(undefined)).toEqual({ kind: 'snapshot', reason: 'initial' });
    expect(startRequest('')).toEqual({ kind: 'snapshot', reason: 'initial' });
    expect(startRequest('abc:12')).toEqual({ kind: 'resume', from: { epoch: 'abc', seq: 12 } });
    expect(startRequest('12')).toEqual({ kind: 'snapshot', reason: 'invalid_id' });
    expect(startRequest('abc:-1')).toEqual({ kind: 'snapshot', reason: 'invalid_id' });
  });
});
