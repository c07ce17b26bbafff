// What a complete `call.sync` does to a source's calls (docs/interface/nats.md), as pure data.
import { reapedRecord, type CallRecord, type SyncMessage } from '@live-calls/protocol';

export interface ReconcilePlan {
  source: string;
  /** Every call the PBX lists, applied by the normal last-writer-wins rule. */
  present: CallRecord[];
  /** Ended records for calls the PBX no longer lists, each applied only if still at `expectSeq`. */
  reap: { record: CallRecord; expectSeq: number }[];
}

/**
 * Plans a reconcile: `parts` are all parts of one sync, `active` the store's active calls
 * of that source. A call absent from the sync is reaped only if it did not change after
 * the sync was taken (its `ts` ≤ the sync's), so an event racing the sync is never undone.
 */
export function planReconcile(
  parts: readonly SyncMessage[],
  active: readonly CallRecord[],
  now: number,
): ReconcilePlan {
  const first = parts[0];
  if (first === undefined) throw new Error('a sync has at least one part');
  const syncTs = Math.min(...parts.map((part) => part.ts));
  const listed = new Map<string, CallRecord>();
  for (const part of parts) for (const call of part.calls) listed.set(call.id, call);
  const reap = active
    .filter((call) => !listed.has(call.id) && call.ts <= syncTs)
    .map((call) => ({ record: reapedRecord(call, now), expectSeq: call.seq }));
  return { source: first.source, present: [...listed.values()], reap };
}
