import { describe, expect, it } from 'vitest';
import { acceptsEventStream } from './accept.js';

describe('acceptsEventStream', () => {
  it.each([
    [undefined, true],
    ['', true],
    ['text/event-stream', true],
    ['*/*', true],
    ['text/*', true],
    ['application/json, text/event-stream;q=0.5', true],
    ['text/html,application/xhtml+xml,*/*;q=0.8', true],
    ['application/json', false],
    ['text/event-stream;q=0', false],
    ['*/*, text/event-stream; q=0.000', false],
    ['text/html', false],
  ])('%s → %s', (accept, expected) => {
    expect(acceptsEventStream(accept)).toBe(expected);
  });
});
