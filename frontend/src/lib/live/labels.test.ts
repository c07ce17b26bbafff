import { describe, expect, it } from 'vitest';
import { callStatus, formatCount } from './labels.js';

describe('callStatus', () => {
  it('names each phase in its own tone', () => {
    expect(callStatus('setup', false, undefined)).toMatchObject({ tone: 'setup', label: 'Setup' });
    expect(callStatus('ringing', false, undefined)).toMatchObject({ tone: 'ringing' });
    expect(callStatus('answered', false, undefined)).toMatchObject({ tone: 'answered' });
  });

  it('says On hold for a held answered call, apart from ringing', () => {
    expect(callStatus('answered', true, undefined)).toEqual({
      tone: 'held',
      symbol: '❚❚',
      label: 'On hold',
    });
  });

  it('shows a failed call red with its SIP code, a normal hang-up as Ended', () => {
    expect(callStatus('ended', false, { reason: 'failed', sip_code: 486 })).toMatchObject({
      tone: 'failed',
      label: 'Failed 486',
    });
    expect(callStatus('ended', false, { reason: 'cancel', sip_code: 503 })).toMatchObject({
      tone: 'failed',
      label: 'Failed 503',
    });
    expect(callStatus('ended', false, { reason: 'failed' })).toMatchObject({ label: 'Failed' });
    expect(callStatus('ended', false, { reason: 'bye', sip_code: 200 })).toMatchObject({
      tone: 'ended',
      label: 'Ended',
    });
    expect(callStatus('ended', false, { reason: 'cancel' })).toMatchObject({ tone: 'ended' });
  });
});

describe('formatCount', () => {
  it('groups thousands with commas, whatever the browser locale', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1000)).toBe('1,000');
    expect(formatCount(50000)).toBe('50,000');
    expect(formatCount(1234567)).toBe('1,234,567');
  });
});
