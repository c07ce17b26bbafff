import { reapedRecord, type SyncMessage } from '@live-calls/protocol';
import { describe, expect, it } from 'vitest';
import { TestCall } from '../testing/call-factory.js';
import { planReconcile } from './reconcile-plan.js';

const sync = (
  ts: number,
  part: number,
  parts: number,
  calls: SyncMessage['calls'],
): SyncMessage => ({
  v: 1,
  source: 'pbx-1',
  ts,
  sync_id: 's',
  part,
  parts,
  calls,
});

describe('planReconcile', () => {
  it('keeps listed calls, reaps unlisted ones unchanged since the sync, spares newer ones', () => {
    const now = 1_700_000_100_000;
    const listed = new TestCall().next('answered', { ts: now - 50_000 });
    const gone = new TestCall().next('ringing', { ts: now - 40_000 });
    const racing = new TestCall().next('setup', { ts: now - 1_000 });
    const added = new TestCall().next('setup', { ts: now - 30_000 });
    const plan = planReconcile(
      [sync(now - 10_000, 2, 2, [added]), sync(now - 9_000, 1, 2, [listed])],
      [listed, gone, racing],
      now,
    );
    expect(plan.present.map((r) => r.id).sort()).toEqual([listed.id, added.id].sort());
    expect(plan.reap).toEqual([{ record: reapedRecord(gone, now), expectSeq: gone.seq }]);
  });
});
