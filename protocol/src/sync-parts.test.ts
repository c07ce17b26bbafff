import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, type CallRecord } from './record.js';
import { MAX_SYNC_PART_BYTES } from './subjects.js';
import { buildSyncParts } from './sync-parts.js';
import { parseSync } from './validation.js';

function record(i: number, pad = 0): CallRecord {
  const callId = `call-${i}@host`;
  return {
    v: SCHEMA_VERSION,
    id: `pbx-1:${callId}`,
    source: 'pbx-1',
    call_id: callId,
    seq: 1000 + i,
    phase: 'answered',
    ts: 1_795_000_000_000,
    company_id: 'acme',
    direction: 'inbound',
    from: { user: `+1555${i}`, display: 'x'.repeat(pad) },
    to: { user: 'bob' },
    trunk: 'carrier-a',
    created_at: 1_795_000_000_000,
    answered_at: 1_795_000_001_000,
    ended_at: null,
    sip: { from_tag: 'a'.repeat(pad) },
  };
}

describe('buildSyncParts', () => {
  it('sends an empty active list as one empty part', () => {
    const parts = buildSyncParts('pbx-1', 5, 'sync-a', []);
    expect(parts).toHaveLength(1);
    const parsed = parseSync('call.sync', parts[0] ?? '');
    expect(parsed.ok && parsed.value).toEqual({
      v: 1,
      source: 'pbx-1',
      ts: 5,
      sync_id: 'sync-a',
      part: 1,
      parts: 1,
      calls: [],
    });
  });

  it('splits 5000 large records into valid parts under 512 KiB, 1-based, one sync_id', () => {
    const records = Array.from({ length: 5000 }, (_, i) => record(i, 200));
    const parts = buildSyncParts('pbx-1', 42, 'sync-b', records);
    expect(parts.length).toBeGreaterThan(1);
    const seen: string[] = [];
    parts.forEach((text, i) => {
      expect(Buffer.byteLength(text)).toBeLessThan(MAX_SYNC_PART_BYTES);
      const parsed = parseSync('call.sync', text);
      if (!parsed.ok) throw new Error(parsed.detail);
      expect(parsed.value).toMatchObject({
        sync_id: 'sync-b',
        ts: 42,
        part: i + 1,
        parts: parts.length,
      });
      seen.push(...parsed.value.calls.map((c) => c.id));
    });
    expect(seen).toEqual(records.map((r) => r.id));
  });

  it('fills parts up to a small limit exactly without crossing it', () => {
    const records = Array.from({ length: 50 }, (_, i) => record(i));
    const limit = 4096;
    const parts = buildSyncParts('pbx-1', 1, 's', records, limit);
    for (const text of parts) expect(Buffer.byteLength(text)).toBeLessThan(limit);
    expect(parts.flatMap((p) => (JSON.parse(p) as { calls: unknown[] }).calls)).toHaveLength(50);
  });
});
