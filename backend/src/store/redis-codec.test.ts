import { describe, expect, it } from 'vitest';
import { TestCall } from '../testing/call-factory.js';
import {
  applyArgs,
  decodeApplyReply,
  decodeReplayPage,
  decodeSnapshotMeta,
  StoreReplyError,
} from './redis-codec.js';
import { APPLY_BATCH, APPLY_HEAD_ARGS, APPLY_RECORD_ARGS } from './redis-scripts.js';

describe('APPLY_BATCH arguments', () => {
  it('gives each record its fields in the order the script reads them', () => {
    const record = new TestCall({ company: null }).next('setup');
    const args = applyArgs({ candidate_epoch: 'e1', maxlen: 100, tombstone_ms: 5, now: 7 }, [
      { record, expectSeq: 3 },
    ]);
    expect(args.slice(0, APPLY_HEAD_ARGS.length)).toEqual(['e1', 100, 5, 7]);
    const fields = Object.fromEntries(
      APPLY_RECORD_ARGS.map((name, i) => [name, args[APPLY_HEAD_ARGS.length + i]]),
    );
    expect(fields).toMatchObject({
      id: record.id,
      seq: record.seq,
      phase: record.phase,
      company: '',
      source: record.source,
      expect: 3,
      data: JSON.stringify(record),
      trunk: 'carrier-a',
    });
    expect(args).toHaveLength(APPLY_HEAD_ARGS.length + APPLY_RECORD_ARGS.length);
  });

  it('names the same locals in the Lua source', () => {
    expect(APPLY_BATCH).toContain(`local ${APPLY_RECORD_ARGS.join(', ')} = ARGV[b + 0]`);
    expect(APPLY_BATCH).toContain(`local ${APPLY_HEAD_ARGS.join(', ')} = ARGV[1]`);
  });
});

describe('reply decoders', () => {
  it('read well-formed replies', () => {
    expect(decodeApplyReply(['e1', 'created', 4, 'stale', 0], 2)).toEqual([
      { outcome: 'created', seq: 4 },
      { outcome: 'stale', seq: 0 },
    ]);
    const status = { source: 'b', state: 'up', last_sync_at: 1, active: 2 };
    expect(decodeSnapshotMeta(['e1', '9', JSON.stringify(status)])).toEqual({
      epoch: 'e1',
      seq: 9,
      sources: [status],
    });
    expect(decodeReplayPage(['expired', 'e1'])).toEqual({ kind: 'expired', epoch: 'e1' });
  });

  it.each([
    ['an apply reply of the wrong length', () => decodeApplyReply(['e1', 'created'], 1)],
    ['an unknown outcome', () => decodeApplyReply(['e1', 'resurrected', 1], 1)],
    ['a replay of an unknown kind', () => decodeReplayPage(['maybe', 'e1'])],
    ['a snapshot that is not a list', () => decodeSnapshotMeta('OK')],
  ])('refuse %s with a typed error', (_what, decode) => {
    expect(decode).toThrow(StoreReplyError);
  });
});
