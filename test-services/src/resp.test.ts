import { describe, expect, it } from 'vitest';
import { RespError, encodeCommand, parseReplies, respText } from './resp.js';

describe('RESP', () => {
  it('encodes a command as bulk strings whose lengths count bytes', () => {
    expect(encodeCommand(['SET', 'k', 'é'])).toBe('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n');
  });

  it('parses every RESP2 reply type, nested arrays included', () => {
    const data = Buffer.from(
      '+OK\r\n-NOAUTH Authentication required.\r\n:42\r\n$-1\r\n$2\r\né\r\n*2\r\n*1\r\n:1\r\n$0\r\n\r\n',
    );
    expect(parseReplies(data, 6)).toEqual([
      'OK',
      new RespError('NOAUTH Authentication required.'),
      42,
      null,
      'é',
      [[1], ''],
    ]);
  });

  it('waits for the rest of an incomplete reply', () => {
    const full = '*2\r\n$9\r\n127.0.0.1\r\n$5\r\n16379\r\n';
    for (let cut = 0; cut < full.length; cut++) {
      expect(parseReplies(Buffer.from(full.slice(0, cut)), 1)).toBeUndefined();
    }
    expect(parseReplies(Buffer.from(full), 1)).toEqual([['127.0.0.1', '16379']]);
  });

  it('shows replies as text', () => {
    expect([respText('a'), respText(1), respText(null), respText(new RespError('ERR x'))]).toEqual([
      'a',
      '1',
      'nil',
      '(error) ERR x',
    ]);
  });
});
