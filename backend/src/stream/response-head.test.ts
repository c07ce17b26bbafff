import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { releaseResponse, responseHead } from './response-head.js';

describe('responseHead', () => {
  it('writes a status line, one line per header value, the date and a blank line', () => {
    expect(
      responseHead(
        { 'content-type': 'text/event-stream', 'x-n': 3, 'x-list': ['a', 'b'], skipped: undefined },
        'Sun, 29 Nov 2026 08:00:00 GMT',
      ),
    ).toBe(
      'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nx-n: 3\r\nx-list: a\r\nx-list: b\r\n' +
        'date: Sun, 29 Nov 2026 08:00:00 GMT\r\n\r\n',
    );
  });

  it('refuses a header that would split the head', () => {
    expect(() => responseHead({ 'x-a': 'ok\r\nset-cookie: x' }, 'now')).toThrow(/line break/);
  });
});

describe('releaseResponse', () => {
  it("drops the response's finish and error listeners and its header list, and swallows a later error", () => {
    const res = new ServerResponse(new IncomingMessage(new Socket()));
    const framework = { reply: 'kept alive by the listener' };
    const onError = () => framework;
    res.on('finish', () => framework);
    res.on('error', onError);
    res.setHeader('content-security-policy', "default-src 'self'");
    res.setHeader('x-frame-options', 'DENY');

    releaseResponse(res);

    expect(res.listenerCount('finish')).toBe(0);
    expect(res.listeners('error')).toHaveLength(1);
    expect(res.listeners('error')).not.toContain(onError);
    expect(res.getHeaderNames()).toEqual([]);
    expect(() => res.emit('error', new Error('late'))).not.toThrow();
    // Headers set again (nothing does; Node would start a new list) are still readable.
    res.setHeader('x-after', '1');
    expect(res.getHeaderNames()).toEqual(['x-after']);
  });
});
