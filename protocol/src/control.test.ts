import { describe, expect, it } from 'vitest';
import { alarmId, compareAlarms, type AlarmPayload } from './alarms.js';
import { callControlSubject, parseControlReply, parseControlRequest } from './control.js';

const request = {
  v: 1,
  action: 'hangup',
  id: 'pbx-1:abc@host',
  call_id: 'abc@host',
  request_id: 'r-1',
  by: 'alice',
};

describe('parseControlRequest', () => {
  it('accepts a hang-up of a call of its own source and copies only known fields', () => {
    const parsed = parseControlRequest('pbx-1', JSON.stringify({ ...request, extra: 1 }));
    expect(parsed).toEqual({ ok: true, value: request });
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['another version', JSON.stringify({ ...request, v: 2 }), /^v:/],
    ['an unknown action', JSON.stringify({ ...request, action: 'transfer' }), /^action:/],
    ['a call of another source', JSON.stringify({ ...request, id: 'pbx-2:abc@host' }), /^id:/],
    ['no request id', JSON.stringify({ ...request, request_id: '' }), /^request_id:/],
    ['no operator', JSON.stringify({ ...request, by: undefined }), /^by:/],
  ])('refuses %s', (_what, data, message) => {
    const parsed = parseControlRequest('pbx-1', data);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });
});

describe('parseControlReply', () => {
  it('reads success and coded failures, and refuses anything else', () => {
    expect(parseControlReply('{"ok":true}')).toEqual({ ok: true, value: { ok: true } });
    const failure = { ok: false, error: { code: 'not_found', message: 'no such dialog' } };
    expect(parseControlReply(JSON.stringify(failure))).toEqual({ ok: true, value: failure });
    expect(parseControlReply('{"ok":false,"error":{"code":"boom","message":"x"}}').ok).toBe(false);
    expect(parseControlReply('[]').ok).toBe(false);
  });
});

describe('names', () => {
  it('builds the control subject and stable alarm ids', () => {
    expect(callControlSubject('pbx-1')).toBe('call.control.pbx-1');
    expect(alarmId('long_call', { kind: 'call', id: 'pbx-1:abc' })).toBe(
      'long_call:call:pbx-1:abc',
    );
  });

  it('orders alarms critical first, then oldest first', () => {
    const alarm = (severity: AlarmPayload['severity'], since: number): AlarmPayload => ({
      id: `${severity}-${since}`,
      rule: 'asr_15m',
      state: 'raised',
      severity,
      subject: { kind: 'global', id: '*' },
      value: 1,
      threshold: 2,
      since,
      message: '',
    });
    const sorted = [alarm('warning', 1), alarm('critical', 5), alarm('critical', 2)].sort(
      compareAlarms,
    );
    expect(sorted.map((a) => a.id)).toEqual(['critical-2', 'critical-5', 'warning-1']);
  });
});
