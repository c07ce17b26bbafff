import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { findDialog, isConfirmed } from './dialog-lookup.js';

const fixture = JSON.parse(
  await readFile(new URL('./testing/fixtures/kamailio-5.6-capture.json', import.meta.url), 'utf8'),
) as { 'dlg.list': { result: Record<string, unknown>[] } };
const list = fixture['dlg.list'];
const [answered, ringing] = list.result;

describe('findDialog', () => {
  it('finds a dialog of the 5.6 dlg.list capture by Call-ID and tags', () => {
    const handle = findDialog(list, {
      callId: '0e4a5771be813b50@acc',
      fromTag: '72d3a6ae',
      toTag: '6fdccf80',
    });
    expect(handle).toEqual({ hEntry: 2153, hId: 5994, state: 4 });
    expect(handle && isConfirmed(handle)).toBe(true);
    // By Call-ID alone, too.
    expect(findDialog(list, { callId: '0e4a5771be813b50@acc' })).toEqual(handle);
    // Answered, its ACK not yet seen: Kamailio ends it all the same.
    const noAck = findDialog(
      { result: { ...answered, state: 3 } },
      { callId: '0e4a5771be813b50@acc' },
    );
    expect(noAck?.state).toBe(3);
    expect(noAck && isConfirmed(noAck)).toBe(true);
  });

  it('reads the one-dialog answer of dlg.dlg_list, and its empty answer', () => {
    const one = { jsonrpc: '2.0', result: answered, id: 2 };
    expect(findDialog(one, { callId: '0e4a5771be813b50@acc' })).toMatchObject({ hEntry: 2153 });
    expect(findDialog({ jsonrpc: '2.0', result: {}, id: 3 }, { callId: 'x' })).toBeUndefined();
    expect(findDialog({ jsonrpc: '2.0', id: 3 }, { callId: 'x' })).toBeUndefined();
  });

  it('a ringing dialog (no callee tag yet) matches but is not confirmed', () => {
    const handle = findDialog(list, {
      callId: '32c359daa8555c1b@acc',
      fromTag: '6ea61615',
      toTag: 'any',
    });
    expect(handle).toEqual({ hEntry: 3858, hId: 4138, state: 2 });
    expect(handle && isConfirmed(handle)).toBe(false);
    expect(ringing).toBeDefined();
  });

  it('skips an ended dialog (state 5), another tag, and an unknown Call-ID', () => {
    expect(findDialog(list, { callId: '9ef683df2975716d@acc' })).toBeUndefined();
    expect(findDialog(list, { callId: '0e4a5771be813b50@acc', fromTag: 'other' })).toBeUndefined();
    expect(findDialog(list, { callId: '0e4a5771be813b50@acc', toTag: 'other' })).toBeUndefined();
    expect(findDialog(list, { callId: 'nobody@acc' })).toBeUndefined();
  });

  it('of two dialogs with one Call-ID takes the most advanced; bad entries are skipped', () => {
    const early = { ...answered, h_entry: 1, h_id: 2, state: 2 };
    const broken = { ...answered, h_id: 'x' };
    const response = { result: [early, broken, answered] };
    expect(findDialog(response, { callId: '0e4a5771be813b50@acc' })).toMatchObject({
      hEntry: 2153,
      state: 4,
    });
  });

  it('throws on an RPC error or a response that is not an object', () => {
    expect(() => findDialog({ error: { code: 500, message: 'boom' } }, { callId: 'x' })).toThrow(
      /RPC error: boom/,
    );
    expect(() => findDialog('nope', { callId: 'x' })).toThrow(/not a JSON object/);
  });
});
