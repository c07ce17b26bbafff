import { describe, expect, it } from 'vitest';
import { asrTone } from './kpi-values.js';

describe('KPI values', () => {
  it('leaves a missing ASR neutral (no attempt has concluded: the server says null)', () => {
    expect(asrTone(null)).toBe('');
  });

  it('shows a 0 % in red: concluded attempts that all failed, an outage', () => {
    expect(asrTone(0)).toBe('bad');
    expect(asrTone(40)).toBe('warn');
    expect(asrTone(55)).toBe('ok');
  });
});
