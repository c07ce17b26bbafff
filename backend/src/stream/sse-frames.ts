// SSE wire format. Payloads arrive already serialized (one JSON per event, shared by every
// client), so framing is string concatenation; JSON never contains a raw newline.
import type { SnapshotReason } from '@live-calls/protocol';
import type { SnapshotData } from '../store/live-store.js';

export function eventFrame(event: string, data: string, id?: string): string {
  return id === undefined
    ? `event: ${event}\ndata: ${data}\n\n`
    : `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;
}

export function retryFrame(ms: number): string {
  return `retry: ${ms}\n\n`;
}

/**
 * The snapshot body (CONTRACT §5 and §6) spliced from stored JSON without re-parsing it.
 * `reason` is omitted for the HTTP snapshot.
 */
export function snapshotJson(
  snapshot: SnapshotData,
  view: { redacted: boolean; sources: boolean },
  serverTime: number,
  reason?: SnapshotReason,
): string {
  const calls = snapshot.calls.map((call) =>
    view.redacted ? (call.userData ?? call.data) : call.data,
  );
  const head = `{"epoch":${JSON.stringify(snapshot.epoch)},"seq":${snapshot.seq},`;
  const why = reason === undefined ? '' : `"reason":"${reason}",`;
  const sources = view.sources ? JSON.stringify(snapshot.sources) : '[]';
  return `${head}${why}"server_time":${serverTime},"calls":[${calls.join(',')}],"sources":${sources}}`;
}
