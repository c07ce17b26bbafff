// Splits a source's complete active list into `call.sync` parts (docs/interface/nats.md),
// the one way every publisher of syncs does it (the bridge, the embedded demo). Pure.
// Each part stays strictly under MAX_SYNC_PART_BYTES; every part of one sync shares its
// sync_id and ts, `part` counts from 1.
import { SCHEMA_VERSION, type CallRecord } from './record.js';
import { MAX_SYNC_PART_BYTES } from './subjects.js';
import { MAX_SYNC_PARTS } from './validation.js';

const utf8 = new TextEncoder();

export class SyncTooLargeError extends Error {
  override readonly name = 'SyncTooLargeError';
}

function envelope(source: string, ts: number, syncId: string, part: number, parts: number): string {
  // Key order matches SyncMessage; `calls` last so records can be appended as text.
  return `{"v":${SCHEMA_VERSION},"source":${JSON.stringify(source)},"ts":${ts},"sync_id":${JSON.stringify(syncId)},"part":${part},"parts":${parts},"calls":[`;
}

/** The `call.sync` payloads for one sync, in order. An empty list gives one empty part. */
export function buildSyncParts(
  source: string,
  ts: number,
  syncId: string,
  records: readonly CallRecord[],
  maxPartBytes: number = MAX_SYNC_PART_BYTES,
): string[] {
  // Size the envelope with the widest part numbers so filling never overshoots.
  const overhead = utf8.encode(envelope(source, ts, syncId, MAX_SYNC_PARTS, MAX_SYNC_PARTS)).length;
  const budget = maxPartBytes - 1 - overhead - 2; // strictly under; "]}" closes the part
  if (budget <= 0) throw new SyncTooLargeError('sync envelope too large');

  const groups: string[][] = [[]];
  let used = 0;
  for (const record of records) {
    const json = JSON.stringify(record);
    const size = utf8.encode(json).length;
    if (size > budget) throw new SyncTooLargeError(`record ${record.id} too large for a sync part`);
    let group = groups[groups.length - 1] as string[];
    const extra = size + (group.length > 0 ? 1 : 0);
    if (used + extra > budget) {
      group = [];
      groups.push(group);
      used = 0;
    }
    used += size + (group.length > 0 ? 1 : 0);
    group.push(json);
  }
  if (groups.length > MAX_SYNC_PARTS) {
    throw new SyncTooLargeError(`sync needs ${groups.length} parts (max ${MAX_SYNC_PARTS})`);
  }
  return groups.map(
    (group, i) => `${envelope(source, ts, syncId, i + 1, groups.length)}${group.join(',')}]}`,
  );
}
