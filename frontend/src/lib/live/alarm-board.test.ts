import type { AlarmPayload } from '@live-calls/protocol';
import { describe, expect, it } from 'vitest';
import { AlarmBoard, CLEARED_SHOWN_MS, markOf } from './alarm-board.js';

function alarm(overrides: Partial<AlarmPayload> & Pick<AlarmPayload, 'id'>): AlarmPayload {
  return {
    rule: 'trunk_utilisation',
    state: 'raised',
    severity: 'warning',
    subject: { kind: 'trunk', id: 'carrier-a' },
    value: 0.85,
    threshold: 0.8,
    since: 1_000,
    message: 'carrier-a at 85 %',
    ...overrides,
  };
}

describe('AlarmBoard', () => {
  it('lists active alarms critical first, then oldest, and cleared ones after them', () => {
    const board = new AlarmBoard();
    board.apply(alarm({ id: 'a', since: 1 }), 0);
    board.apply(alarm({ id: 'b', severity: 'critical', since: 5 }), 0);
    board.apply(alarm({ id: 'c', since: 0 }), 0);
    board.apply(alarm({ id: 'c', state: 'cleared' }), 10);
    expect(board.list().map((s) => s.alarm.id)).toEqual(['b', 'a', 'c']);
    expect(board.list()[2]?.clearedAt).toBe(10);
    expect(board.activeCount).toBe(2);
  });

  it('keeps a cleared alarm for a while, then drops it', () => {
    const board = new AlarmBoard();
    board.apply(alarm({ id: 'a' }), 0);
    board.apply(alarm({ id: 'a', state: 'cleared' }), 100);
    expect(board.expire(100 + CLEARED_SHOWN_MS - 1)).toBe(false);
    expect(board.list()).toHaveLength(1);
    expect(board.expire(100 + CLEARED_SHOWN_MS)).toBe(true);
    expect(board.list()).toEqual([]);
  });

  it('ignores the clear of an alarm it never showed, and a raise replaces the severity', () => {
    const board = new AlarmBoard();
    board.apply(alarm({ id: 'x', state: 'cleared' }), 0);
    expect(board.list()).toEqual([]);
    board.apply(alarm({ id: 'a' }), 0);
    board.apply(alarm({ id: 'a', severity: 'critical' }), 1);
    expect(board.list().map((s) => s.alarm.severity)).toEqual(['critical']);
  });

  it('takes a snapshot as the active set: what it lacks has cleared while away', () => {
    const board = new AlarmBoard();
    board.apply(alarm({ id: 'gone' }), 0);
    board.apply(alarm({ id: 'kept' }), 0);
    board.replace([alarm({ id: 'kept' }), alarm({ id: 'new', severity: 'critical' })], 50);
    const shown = board.list();
    expect(shown.map((s) => [s.alarm.id, s.clearedAt])).toEqual([
      ['new', null],
      ['kept', null],
      ['gone', 50],
    ]);
    expect(shown[2]?.alarm.state).toBe('cleared');
  });

  it('marks trunks, companies and calls with their worst active severity', () => {
    const board = new AlarmBoard();
    board.apply(alarm({ id: 't1' }), 0);
    board.apply(
      alarm({
        id: 't2',
        rule: 'asr_15m',
        severity: 'critical',
        subject: { kind: 'trunk', id: 'carrier-a' },
      }),
      0,
    );
    board.apply(
      alarm({ id: 'c', rule: 'company_cps_1m', subject: { kind: 'company', id: 'acme' } }),
      0,
    );
    board.apply(alarm({ id: 'l', rule: 'long_call', subject: { kind: 'call', id: 'pbx:1' } }), 0);
    board.apply(alarm({ id: 'g', rule: 'asr_15m', subject: { kind: 'global', id: '*' } }), 0);
    const marks = board.marks();
    expect(marks.trunks.get('carrier-a')).toBe('critical');
    expect(markOf(marks, { id: 'pbx:2', trunk: null, company_id: 'acme' })).toBe('warning');
    expect(markOf(marks, { id: 'pbx:1', trunk: null, company_id: null })).toBe('warning');
    expect(markOf(marks, { id: 'pbx:3', trunk: 'carrier-a', company_id: 'acme' })).toBe('critical');
    expect(markOf(marks, { id: 'pbx:4', trunk: 'other', company_id: 'globex' })).toBeNull();
    board.apply(alarm({ id: 't2', state: 'cleared', severity: 'critical' }), 1);
    expect(board.marks().trunks.get('carrier-a')).toBe('warning');
  });
});
